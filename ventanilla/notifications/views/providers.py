"""Delivery reports from the providers: the SMS gateway (Infobip's delivery reports) and the
mail relay (Mailgun-style event webhooks). Machines post here: no session, no CSRF; the SMS
path carries a secret token, the e-mail events an HMAC signature. Each POST is one read, one
update per status and one bulk insert of events, then a 200. A report on a message that
already has a final status changes nothing, so a repeated post is harmless."""

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ventanilla.notifications.models import Channel, Message
from ventanilla.notifications.services.messages import messages_status_update

logger = logging.getLogger(__name__)

# Infobip's status groups: 1 PENDING, 2 UNDELIVERABLE, 3 DELIVERED, 4 EXPIRED, 5 REJECTED.
SMS_GROUPS = {
    "PENDING": Message.Status.SENDING,
    "DELIVERED": Message.Status.DELIVERED,
    "EXPIRED": Message.Status.TEMPORARY_FAILURE,
    "REJECTED": Message.Status.PERMANENT_FAILURE,
}


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _when(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _sms_report(result: dict[str, Any]) -> tuple[str, str, str, datetime | None]:
    status = result.get("status") or {}
    error = result.get("error") or {}
    group = str(status.get("groupName", "")).upper()
    if group == "UNDELIVERABLE":
        ours = (
            Message.Status.PERMANENT_FAILURE
            if error.get("permanent")
            else Message.Status.TEMPORARY_FAILURE
        )
    elif group in SMS_GROUPS:
        ours = SMS_GROUPS[group]
    else:
        raise ValueError(group)
    reason = ""
    if ours != Message.Status.DELIVERED:
        reason = str(error.get("description") or status.get("description") or group)
    return str(result["messageId"]), ours, reason, _when(result.get("doneAt"))


@csrf_exempt
@require_POST
def sms_reports(request: HttpRequest, token: str) -> JsonResponse:
    """POST /notificaciones/proveedores/sms/<token>/reportes — `{"results": [...]}`."""
    expected = settings.NOTIFICATIONS_SMS_CALLBACK_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404
    payload = _json(request)
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        return _bad(_("El reporte no es un JSON con «results»."))
    try:
        reports = [_sms_report(r) for r in results]
    except (AttributeError, KeyError, TypeError, ValueError):
        return _bad(_("Un resultado del reporte no tiene «messageId» o «status» válidos."))
    changed = messages_status_update(channel=Channel.SMS, reports=reports)
    return JsonResponse({"received": len(reports), "updated": len(changed)})


def _signed(signature: Any) -> bool:
    if not isinstance(signature, dict):
        return False
    timestamp = str(signature.get("timestamp", ""))
    token = str(signature.get("token", ""))
    given = str(signature.get("signature", ""))
    key = settings.NOTIFICATIONS_EMAIL_WEBHOOK_KEY.encode()
    digest = hmac.new(key, (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return bool(timestamp and token) and hmac.compare_digest(digest, given)


@csrf_exempt
@require_POST
def email_events(request: HttpRequest) -> JsonResponse:
    """POST /notificaciones/proveedores/correo/eventos — one Mailgun-style event."""
    payload = _json(request)
    if not isinstance(payload, dict):
        return _bad(_("El evento no es un JSON válido."))
    if not _signed(payload.get("signature")):
        return _bad(_("La firma del evento no es válida."), status=403)
    data = payload.get("event-data")
    try:
        assert isinstance(data, dict)
        event = data["event"]
        message_id = str(data["message"]["headers"]["message-id"])
    except (AssertionError, KeyError, TypeError):
        return _bad(_("Al evento le falta «event» o el Message-ID del mensaje."))
    delivery = data.get("delivery-status") or {}
    reason = str(delivery.get("description") or delivery.get("message") or "")
    if delivery.get("code"):
        reason = f"{delivery.get('code')} {reason}".strip()
    if event == "delivered":
        status, reason = Message.Status.DELIVERED, ""
    elif event == "failed" and data.get("severity") == "temporary":
        status = Message.Status.SENDING  # the relay tries again itself: not final yet
    elif event == "failed":
        status = Message.Status.PERMANENT_FAILURE
    else:
        return JsonResponse({"ignored": event})
    changed = messages_status_update(
        channel=Channel.EMAIL,
        reports=[(message_id, status, reason, _when(data.get("timestamp")))],
    )
    return JsonResponse({"updated": len(changed)})
