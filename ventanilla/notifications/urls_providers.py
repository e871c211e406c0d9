"""Providers' delivery reports (issue 7): /notificaciones/proveedores/…"""

from django.urls import URLPattern, URLResolver, path

from ventanilla.notifications.views import providers

app_name = "notifications_providers"
urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "notificaciones/proveedores/sms/<str:token>/reportes",
        providers.sms_reports,
        name="sms_reports",
    ),
    path(
        "notificaciones/proveedores/correo/eventos",
        providers.email_events,
        name="email_events",
    ),
]
