"""/api/govstack/messaging/…: the four paths of the GovStack Messaging (e-mail) API
(../shared/govstack/messaging/swagger.yaml), with or without a trailing slash."""

from django.urls import URLPattern, URLResolver, re_path

from ventanilla.api.govstack_messaging import views
from ventanilla.api.govstack_messaging.http import endpoint

app_name = "govstack_messaging"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^send/email/single/?$", endpoint("POST", views.send), name="send-single"),
    re_path(r"^send/email/batch/?$", endpoint("POST", views.send), name="send-batch"),
    re_path(r"^status/email/?$", endpoint("GET", views.status), name="status"),
    re_path(r"^callback/email/?$", endpoint("POST", views.callback), name="callback"),
]
