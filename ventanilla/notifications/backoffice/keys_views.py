"""/gestion/avisos/claves/: an institution's keys of the Notify-compatible and GovStack
Messaging APIs. A new key is shown once, on the page the creation answers with (never
cached); later only its name, kind and use are shown. Revoking asks for confirmation."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.notifications.backoffice.common import (
    done,
    institution_chosen,
    managed_institutions,
    manager_view,
    page,
    text,
)
from ventanilla.notifications.backoffice.keys import api_key_issue, api_key_withdraw
from ventanilla.notifications.backoffice.selectors import (
    key_for_manager,
    keys_for_manager,
    senders_of,
)
from ventanilla.notifications.models import ApiKey

FIELD_IDS = {
    "institution": "f-institucion",
    "name": "f-nombre",
    "protocol": "f-api",
    "kind": "f-tipo",
}


def _keys_page(
    request: HttpRequest,
    *,
    values: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    institutions = managed_institutions(request.user)
    raw = request.POST.get("institucion") if request.method == "POST" else None
    institution = institution_chosen(request, institutions, raw)
    context: dict[str, Any] = {
        "institutions": institutions,
        "institution": institution,
        "keys": keys_for_manager(user=request.user, institution=institution) if institution else [],
        "senders": senders_of(institution=institution) if institution else [],
        "values": values or {"protocol": ApiKey.Protocol.NOTIFY, "kind": ApiKey.Kind.NORMAL},
        "protocols": [(str(v), str(label)) for v, label in ApiKey.Protocol.choices],
        "kinds": [(str(v), str(label)) for v, label in ApiKey.Kind.choices],
        "protocol_labels": dict(ApiKey.Protocol.choices),
        "kind_labels": dict(ApiKey.Kind.choices),
    }
    return page(
        request,
        "notifications/backoffice/keys.html",
        context,
        title=_("Claves de API"),
        section="keys",
        field_errors=field_errors,
        field_ids=FIELD_IDS,
        errors=errors,
    )


@manager_view
@require_http_methods(["GET"])
def keys_view(request: HttpRequest) -> HttpResponse:
    return _keys_page(request)


@manager_view
@require_http_methods(["POST"])
def key_new_view(request: HttpRequest) -> HttpResponse:
    institutions = managed_institutions(request.user)
    institution = institution_chosen(request, institutions, request.POST.get("institucion"))
    values = {
        "name": text(request.POST, "nombre", 400).strip(),
        "protocol": text(request.POST, "api", 10),
        "kind": text(request.POST, "tipo", 10) or ApiKey.Kind.NORMAL,
    }
    if institution is None:
        return _keys_page(
            request, values=values, field_errors={"institution": _("Elige la institución.")}
        )
    try:
        key, raw = api_key_issue(
            institution=institution,
            protocol=values["protocol"],
            kind=values["kind"],
            name=values["name"],
            by=request.user,
        )
    except ValidationError as error:
        field_errors = {k: str(v[0]) for k, v in error.message_dict.items()}
        return _keys_page(request, values=values, field_errors=field_errors)
    context = {
        "key": key,
        "raw": raw,
        "institution": institution,
        "protocol_label": ApiKey.Protocol(key.protocol).label,
        "kind_label": ApiKey.Kind(key.kind).label,
        "back": f"{reverse('notifications_backoffice:keys')}?institucion={institution.pk}",
    }
    return page(
        request,
        "notifications/backoffice/key_created.html",
        context,
        title=_("Clave creada: cópiala ahora"),
        section="keys",
        trail=[(_("Claves de API"), reverse("notifications_backoffice:keys"))],
        status=201,
    )


@manager_view
@require_http_methods(["GET", "POST"])
def key_revoke_view(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    key = key_for_manager(user=request.user, pk=pk)
    if key is None:
        raise Http404(_("No existe esa clave o no es de tu institución."))
    back = f"{reverse('notifications_backoffice:keys')}?institucion={key.sender.institution_id}"
    if request.method == "POST":
        was_live = key.revoked_at is None
        api_key_withdraw(key=key, by=request.user)
        message = (
            _("Se revocó la clave «%(n)s»: desde ahora no autoriza ningún envío.")
            if was_live
            else _("La clave «%(n)s» ya estaba revocada.")
        )
        return done(request, back, message % {"n": key.name})
    context = {
        "key": key,
        "back": back,
        "protocol_label": ApiKey.Protocol(key.protocol).label,
    }
    return page(
        request,
        "notifications/backoffice/key_revoke.html",
        context,
        title=_("Revocar la clave «%(n)s»") % {"n": key.name},
        section="keys",
        trail=[(_("Claves de API"), back)],
    )
