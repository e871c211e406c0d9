"""/v2/…: GOV.UK Notify-compatible API (docs/how-to/notify-api.md), with or without a
trailing slash; any other path under /v2/ is a 404 in Notify's error shape."""

from django.urls import URLPattern, URLResolver, re_path

from ventanilla.api.notify import views
from ventanilla.api.notify.http import View, endpoint, unknown_path

app_name = "notify_api"

ID = r"(?P<{}>[^/]+)"


def route(pattern: str, view: View, name: str) -> URLPattern:
    return re_path(rf"^{pattern}/?$", view, name=name)


urlpatterns: list[URLPattern | URLResolver] = [
    route("notifications/email", endpoint({"POST": views.send_email}), "send-email"),
    route("notifications/sms", endpoint({"POST": views.send_sms}), "send-sms"),
    route(
        rf"notifications/{ID.format('notification_id')}",
        endpoint({"GET": views.notification}),
        "notification",
    ),
    route("notifications", endpoint({"GET": views.notifications}), "notifications"),
    route(
        rf"template/{ID.format('template_id')}/version/{ID.format('version')}",
        endpoint({"GET": views.template_version}),
        "template-version",
    ),
    route(
        rf"template/{ID.format('template_id')}/preview",
        endpoint({"POST": views.template_preview}),
        "template-preview",
    ),
    route(rf"template/{ID.format('template_id')}", endpoint({"GET": views.template}), "template"),
    route("templates", endpoint({"GET": views.templates}), "templates"),
    re_path(r"^.*$", unknown_path, name="unknown"),
]
