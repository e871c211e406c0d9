"""GovStack Messaging (e-mail) API: send/email/single, send/email/batch, status/email and
callback/email, as ../shared/govstack/messaging/swagger.yaml and every note of its
fixtures.json say."""

import base64
import binascii
import json
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ventanilla.api.govstack_messaging.http import (
    Refused,
    answer,
    api_key_of,
    json_body,
    query_list,
    request_uid_of,
    without_nul,
)
from ventanilla.notifications.selectors.govstack import (
    govstack_request_counts,
    govstack_request_for_key,
    status_canonical,
)
from ventanilla.notifications.services.govstack import (
    MAX_RECIPIENTS,
    Recipient,
    govstack_callback_store,
    govstack_request_send,
)

ACCEPTED = 'Request successfully accepted. Use "requestUID" to track its status.'
ADDRESS_SEPARATORS = re.compile(r"[,;\s]+")
STATUS_PARAMETERS = ("status[]", "status")


# --- reading a send request ----------------------------------------------------------------


def _text(value: Any) -> str:
    return without_nul(value) if isinstance(value, str) else ""


def _addresses(value: Any) -> tuple[str, ...]:
    """emailCC / emailBCC: one address, several separated by commas, or a list."""
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in items:
        found += [a for a in ADDRESS_SEPARATORS.split(_text(item)) if a]
    return tuple(found)


def _recipient(info: Any, position: int) -> Recipient:
    email = _text(info.get("email")).strip() if isinstance(info, dict) else ""
    if not email:
        raise Refused(
            f"Recipient {position}: recipientInfo.email is missing",
            _("Destinatario %(n)s: falta recipientInfo.email.") % {"n": position},
        )
    return Recipient(
        email=email,
        cc=_addresses(info.get("emailCC")),
        bcc=_addresses(info.get("emailBCC")),
        name=_text(info.get("name")),
    )


def _batch(encoded: Any) -> list[Recipient]:
    """batchEmailAsBase64: base64 of a JSON array of {"recipientInfo": {...}}."""
    text = "".join(_text(encoded).split())
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=False)
        entries = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Refused(
            "batchEmailAsBase64 is not base64 of a JSON array",
            _("batchEmailAsBase64 no es un arreglo JSON codificado en base64."),
        ) from None
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        raise Refused(
            "batchEmailAsBase64 is not base64 of a JSON array",
            _("batchEmailAsBase64 no es un arreglo JSON codificado en base64."),
        )
    if len(entries) > MAX_RECIPIENTS:
        raise Refused(
            f"At most {MAX_RECIPIENTS} recipients per request",
            _("Una solicitud admite hasta %(n)s destinatarios.") % {"n": f"{MAX_RECIPIENTS:,}"},
        )
    return [
        _recipient(e.get("recipientInfo", e) if isinstance(e, dict) else None, n)
        for n, e in enumerate(entries, start=1)
    ]


def _recipients(data: dict[str, Any]) -> list[Recipient]:
    """Both forms on both paths: recipientInfo {email, emailCC, emailBCC, name} or
    recipientInfo {batchEmailAsBase64} (also batchRecipientInfo, or the field at the top)."""
    info = data.get("recipientInfo")
    for holder in (info, data.get("batchRecipientInfo"), data):
        if isinstance(holder, dict) and holder.get("batchEmailAsBase64"):
            return _batch(holder["batchEmailAsBase64"])
    if isinstance(info, list):
        return [
            _recipient(e.get("recipientInfo", e) if isinstance(e, dict) else None, n)
            for n, e in enumerate(info, start=1)
        ]
    if isinstance(info, dict):
        return [_recipient(info, 1)]
    raise Refused(
        "recipientInfo is missing",
        _("Falta recipientInfo (email, o batchEmailAsBase64 para varios destinatarios)."),
    )


def _callback_uri(data: dict[str, Any]) -> str:
    for name in ("callback", "callbackURI"):
        value = data.get(name)
        if isinstance(value, dict):
            value = value.get("URI") or value.get("uri")
        if isinstance(value, str) and value.strip():
            return without_nul(value.strip())
    return ""


def send(request: HttpRequest) -> HttpResponse:
    api_key = api_key_of(request)
    data = json_body(request)
    recipients = _recipients(data)
    content = data.get("emailContent")
    content = content if isinstance(content, dict) else {}
    try:
        sent = govstack_request_send(
            api_key=api_key,
            recipients=recipients,
            subject=_text(content.get("title")).strip(),
            body=_text(content.get("content")),
            callback_uri=_callback_uri(data),
        )
    except ValidationError as error:
        position = getattr(error, "index", None)
        localized = " ".join(error.messages)
        if position is not None:
            localized = _("Destinatario %(n)s: %(error)s") % {"n": position + 1, "error": localized}
        raise Refused(f"Invalid input ({error.code or 'invalid'})", localized) from None
    except PermissionDenied as error:
        raise Refused("Invalid api_key", str(error)) from None
    return answer(
        {
            "response": ACCEPTED,
            "requestUID": sent.uid,
            "requestUid": sent.uid,
            "message": _("Solicitud aceptada. Consulte su estado con el requestUID."),
        }
    )


# --- status and callback ---------------------------------------------------------------------


def _wanted_statuses(request: HttpRequest) -> list[tuple[str, str]]:
    """(name as the client spelled it, GovStack status) for each status[] / status asked."""
    wanted: list[tuple[str, str]] = []
    for name, value in query_list(request):
        if name not in STATUS_PARAMETERS:
            continue
        pieces = [value] if "," not in value else [p.strip() for p in value.split(",")]
        for piece in pieces:
            if not piece.strip():
                continue
            canonical = status_canonical(piece)
            if canonical is None:
                raise Refused(
                    f"Unknown status {piece[:40]!r}",
                    _(
                        "Estado desconocido «%(name)s»: use scheduled, processing, deferred, "
                        "bounced, notSent o delivered."
                    )
                    % {"name": without_nul(piece[:40])},
                )
            wanted.append((without_nul(piece), canonical))
    if not wanted:
        raise Refused(
            "Ask for at least one status (status[]=…)",
            _("Indique al menos un estado (status[]=scheduled, por ejemplo)."),
        )
    return wanted


def _own_request(request: HttpRequest) -> Any:
    api_key = api_key_of(request)
    uid = request_uid_of(request)
    found = govstack_request_for_key(api_key=api_key, uid=uid)
    if found is None:
        raise Refused(
            "Unknown requestUID",
            _("No hay una solicitud con ese requestUID para esta clave de API."),
        )
    return api_key, found


def status(request: HttpRequest) -> HttpResponse:
    _api_key, found = _own_request(request)
    wanted = _wanted_statuses(request)
    counts = govstack_request_counts(request=found)
    # Exactly the names asked for, spelled as asked ("not sent", not_sent, notSent).
    return answer({name: counts[canonical] for name, canonical in wanted})


def _stored_text(value: Any) -> str:
    if value is None:
        return ""
    return without_nul(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def callback(request: HttpRequest) -> HttpResponse:
    api_key, found = _own_request(request)
    data = json_body(request)
    meta, content = _stored_text(data.get("meta")), _stored_text(data.get("content"))
    if not (meta or content):
        raise Refused(
            "The body needs meta or content",
            _("El cuerpo debe traer meta o content."),
        )
    try:
        govstack_callback_store(api_key=api_key, request=found, meta=meta, content=content)
    except PermissionDenied as error:
        raise Refused("Invalid api_key", str(error)) from None
    return answer(
        {
            "response": "Callback accepted",
            "requestUID": found.uid,
            "message": _("Respuesta recibida."),
        }
    )
