from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.permissions import is_back_office_user
from ventanilla.accounts.views.auth import backoffice_login_view
from ventanilla.api.urls import api
from ventanilla.cases.permissions import can_handle_cases_somewhere
from ventanilla.formbuilder.permissions import can_design_somewhere
from ventanilla.notifications.backoffice.common import can_manage_somewhere

admin.site.site_header = _("Ventanilla · Gestión")
admin.site.site_title = _("Ventanilla · Gestión")
admin.site.index_title = _("Instituciones, trámites y contenidos")
# Staff alone is not enough: a platform administrator or an official holding a role.
admin.site.has_permission = lambda request: is_back_office_user(request.user)  # type: ignore[method-assign]


def _tools(user: Any) -> list[dict[str, Any]]:
    """The back-office screens outside the admin's tables that `user`'s roles open."""
    tools: list[dict[str, Any]] = []
    if can_handle_cases_somewhere(user):
        tools.append(
            {
                "url": "/gestion/expedientes/",
                "label": _("Expedientes"),
                "hint": _("La bandeja de solicitudes de tu institución."),
            }
        )
    if can_design_somewhere(user):
        tools.append(
            {
                "url": "/gestion/servicios/",
                "label": _("Servicios digitales"),
                "hint": _("Formularios y flujos de los trámites en línea."),
            }
        )
    if can_manage_somewhere(user):
        tools.append(
            {
                "url": "/gestion/avisos/",
                "label": _("Avisos"),
                "hint": _("Plantillas de correo, SMS y casilla, claves de API y envíos."),
            }
        )
    return tools


_admin_index = admin.site.index


def _index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    return _admin_index(request, {"tools": _tools(request.user), **(extra_context or {})})


admin.site.index = _index  # type: ignore[method-assign,assignment]
admin.site.index_template = "admin/ventanilla_index.html"

urlpatterns = [
    path("", include("ventanilla.core.urls")),
    path("", include("ventanilla.institutions.urls")),
    path("", include("ventanilla.catalogue.urls")),
    path("", include("ventanilla.search.urls")),
    path("", include("ventanilla.feedback.urls")),
    path("", include("ventanilla.oidc.urls")),  # /.well-known/openid-configuration, /oidc/…
    path("", include("ventanilla.cases.citizen.urls")),  # /servicios/…, /mis-tramites/…
    path("", include("ventanilla.cases.documents.urls")),  # /verificar/<code>
    path("", include("ventanilla.interop.urls")),  # /mis-datos/…
    path("", include("ventanilla.interop.urls_mediator")),  # /r1/…, /listClients
    path("", include("ventanilla.notifications.urls_inbox")),  # /casilla/…, /constancias/…
    path("", include("ventanilla.notifications.urls_providers")),  # /notificaciones/proveedores/…
    path("", include("ventanilla.notifications.urls_demo")),  # /demo/buzon/
    path("cuenta/avisos/", include("ventanilla.notifications.urls_citizen")),
    path("cuenta/", include("ventanilla.accounts.urls")),
    path("v2/", include("ventanilla.api.notify.urls")),  # GOV.UK Notify-compatible API
    path("api/govstack/messaging/", include("ventanilla.api.govstack_messaging.urls")),
    path("api/v1/", api.urls),
    path("api/govstack/registration/", include("ventanilla.api.govstack.urls")),
    path("gestion/login/", backoffice_login_view),
    path("gestion/servicios/", include("ventanilla.formbuilder.urls")),
    path("gestion/expedientes/", include("ventanilla.cases.backoffice.urls")),
    path("gestion/avisos/", include("ventanilla.notifications.backoffice.urls")),
    path("gestion/", admin.site.urls),
]

handler400 = "ventanilla.core.views.bad_request"
handler404 = "ventanilla.core.views.page_not_found"
handler500 = "ventanilla.core.views.server_error"
