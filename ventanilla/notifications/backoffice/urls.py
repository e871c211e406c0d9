"""/gestion/avisos/: the back office of notifications — templates, API keys, sent messages."""

from django.urls import URLPattern, URLResolver, path
from django.views.generic.base import RedirectView

from ventanilla.notifications.backoffice import keys_views, messages_views, templates_views

app_name = "notifications_backoffice"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", RedirectView.as_view(pattern_name="notifications_backoffice:templates"), name="home"),
    path("plantillas/", templates_views.templates_view, name="templates"),
    path("plantillas/nueva/", templates_views.template_new_view, name="template_new"),
    path("plantillas/<uuid:pk>/", templates_views.template_view, name="template"),
    path(
        "plantillas/<uuid:pk>/archivar/",
        templates_views.template_archive_view,
        name="template_archive",
    ),
    path("claves/", keys_views.keys_view, name="keys"),
    path("claves/nueva/", keys_views.key_new_view, name="key_new"),
    path("claves/<uuid:pk>/revocar/", keys_views.key_revoke_view, name="key_revoke"),
    path("mensajes/", messages_views.messages_view, name="messages"),
    path("mensajes/<uuid:pk>/", messages_views.message_view, name="message"),
]
