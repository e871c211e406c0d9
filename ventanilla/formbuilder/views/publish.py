"""Publishing: what blocks it, "Publicar versión N", and the list of published versions."""

import json

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.formbuilder.definition import definition_errors, workflow_errors
from ventanilla.formbuilder.selectors import service_versions
from ventanilla.formbuilder.services import digital_service_publish
from ventanilla.formbuilder.views.common import designer_view, done, failed, page, service_get


@designer_view
def publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get(request, pk)
    versions = list(service_versions(service=service))
    blocking = definition_errors(service.draft_definition)
    blocking_workflow = workflow_errors(service.draft_workflow)
    context = {
        "blocking": blocking,
        "blocking_workflow": blocking_workflow,
        "versions": versions,
        "next_number": (versions[0].number if versions else 0) + 1,
        "action": reverse("formbuilder:publish_do", kwargs={"pk": service.pk}),
    }
    return page(
        request,
        "formbuilder/designer/publish.html",
        context,
        title=_("Publicar"),
        service=service,
        tab="publish",
    )


@designer_view
@require_POST
def publish_do_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get(request, pk)
    to = reverse("formbuilder:publish", kwargs={"pk": service.pk})
    try:
        version = digital_service_publish(service=service, by=request.user)
    except ValidationError as error:
        return failed(request, to, [str(m) for m in error.messages])
    return done(request, to, _("Se publicó la versión %(n)s.") % {"n": version.number})


@designer_view
def version_json_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A published version as JSON (its form and workflow), to read or keep."""
    service = service_get(request, pk)
    version = service_versions(service=service).filter(number=number).first()
    if version is None:
        raise Http404
    body = {
        "service": service.name,
        "version": version.number,
        "published_at": version.published_at.isoformat(),
        "digest": version.digest,
        "definition": version.definition,
        "workflow": version.workflow,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{service.slug}-v{version.number}.json"'
    return response
