"""/api/govstack/registration/…: every path of the GovStack Registration API documents
(ventanilla/api/govstack/openapi/), with or without a trailing slash."""

from django.urls import URLPattern, URLResolver, re_path

from ventanilla.api.govstack import files, views
from ventanilla.api.govstack.http import View, endpoint

app_name = "govstack-registration"

ID = r"(?P<{}>[^/]+)"


def route(pattern: str, view: View, name: str) -> URLPattern:
    return re_path(rf"^{pattern}/?$", view, name=name)


urlpatterns: list[URLPattern | URLResolver] = [
    route("services", endpoint({"GET": views.services}), "services"),
    route(
        rf"services/{ID.format('service_id')}/eForms",
        endpoint({"GET": views.service_eforms}),
        "service-eforms",
    ),
    route(
        rf"services/{ID.format('service_id')}/applications",
        endpoint({"*": files.service_applications}),
        "service-applications",
    ),
    route(rf"services/{ID.format('service_id')}", endpoint({"GET": views.service}), "service"),
    route(rf"eForms/{ID.format('eform_id')}", endpoint({"GET": views.eform}), "eform"),
    route("documents", endpoint({"POST": views.documents}), "documents"),
    route(rf"documents/{ID.format('document_id')}", endpoint({"GET": views.document}), "document"),
    route("applications", endpoint({"GET": files.applications}), "applications"),
    route(
        rf"applications/{ID.format('file_id')}",
        endpoint({"*": files.application}),
        "application",
    ),
    route("tasks", endpoint({"GET": files.tasks}), "tasks"),
    route(
        rf"tasks/{ID.format('task_id')}/complete",
        endpoint({"*": files.task_complete}),
        "task-complete",
    ),
    route(rf"tasks/{ID.format('task_id')}", endpoint({"*": files.task}), "task"),
    route("data/statistics/1.0", endpoint({"GET": views.statistics}), "statistics"),
    route("data/statistics", endpoint({"GET": views.statistics}), "statistics-spec"),
]
