"""Writes of the GovStack Messaging API (ventanilla/api/govstack_messaging/): a send request
with its e-mails, a client's callback, and the demo's reference keys and example requests
(../shared/govstack/messaging/fixtures.json, `manage.py govstack_messaging_load`)."""

import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.audit import services as audit
from ventanilla.institutions.models import Institution, Kind, Level
from ventanilla.institutions.services import institution_index_fields
from ventanilla.notifications.models import ApiKey, Channel, ClientCallback, Sender, SendRequest
from ventanilla.notifications.selectors.govstack import status_canonical
from ventanilla.notifications.services.keys import govstack_key_create, key_hash
from ventanilla.notifications.services.messages import messages_create_many

# One request may address this many recipients (the bench queues 10,000 in one call).
MAX_RECIPIENTS = 10_000
UID_ALPHABET = string.ascii_letters + string.digits

# The demo's sending institution: the PCM's Secretaría de Gobierno y Transformación Digital,
# or, where the directory was not loaded, a placeholder that says what it is.
DEMO_INSTITUTION_SLUG = "pcm"
DEMO_SENDER_NAME = "Secretaría de Gobierno y Transformación Digital"
PLACEHOLDER_SLUG = "demo-govstack-messaging"
PLACEHOLDER_NAME = "Entidad de demostración (GovStack Messaging)"


@dataclass(frozen=True)
class Recipient:
    email: str
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    name: str = ""


def request_uid_new() -> str:
    """A requestUID shaped like the building block's examples: UfQK-CPju-Ea5B-6y7X-8A72-VqU5."""
    return "-".join("".join(secrets.choice(UID_ALPHABET) for _ in range(4)) for _ in range(6))


def _check_key(api_key: ApiKey) -> None:
    if api_key.protocol != ApiKey.Protocol.GOVSTACK or api_key.revoked_at is not None:
        raise PermissionDenied(_("La clave de API no es válida para GovStack Messaging."))


def govstack_request_send(
    *,
    api_key: ApiKey,
    recipients: Sequence[Recipient],
    subject: str,
    body: str,
    callback_uri: str = "",
) -> SendRequest:
    """One send request (a requestUID) and an e-mail from the key's sender to each recipient,
    queued for delivery after the commit; all or nothing. ValidationError (Spanish) when there
    is no recipient, too many, or one e-mail is not valid (its position in `error.index`)."""
    _check_key(api_key)
    if not recipients:
        raise ValidationError(_("La solicitud no tiene destinatarios."), code="empty")
    if len(recipients) > MAX_RECIPIENTS:
        raise ValidationError(
            _("Una solicitud admite hasta %(n)s destinatarios.") % {"n": f"{MAX_RECIPIENTS:,}"},
            code="too_many",
        )
    sender = api_key.sender
    with transaction.atomic():
        request = SendRequest.objects.create(
            uid=request_uid_new(),
            sender=sender,
            api_key=api_key,
            callback_uri=callback_uri[:500],
        )
        # messages_create_many leaves the audit row (its target is this request).
        messages_create_many(
            items=[
                {
                    "channel": Channel.EMAIL,
                    "recipient": r.email,
                    "cc": r.cc,
                    "bcc": r.bcc,
                    "institution": sender.institution,
                    "sender": sender,
                    "api_key": api_key,
                    "subject": subject,
                    "body": body,
                    "reference": request.uid,
                    "request": request,
                }
                for r in recipients
            ]
        )
    return request


def govstack_callback_store(
    *, api_key: ApiKey, request: SendRequest, meta: str, content: str
) -> ClientCallback:
    """Keep what a client posted to callback/email about one of its sender's requests."""
    _check_key(api_key)
    if request.sender_id != api_key.sender_id:
        raise PermissionDenied(_("La solicitud no es de esta clave de API."))
    with transaction.atomic():
        callback = ClientCallback.objects.create(request=request, meta=meta, content=content)
        audit.record(
            actor=None,
            action="notifications.govstack_callback_received",
            target=callback,
            institution_id=api_key.sender.institution_id,
            data={"request": request.uid, "key": api_key.name, "bytes": len(content)},
        )
    return callback


# --- the demo's reference data ---------------------------------------------------------------


def govstack_demo_sender() -> Sender:
    """The demo's GovStack sender (made the first time): the PCM's digital government
    secretariat, or a placeholder institution when the directory is not loaded."""
    institution = Institution.objects.filter(slug=DEMO_INSTITUTION_SLUG).first()
    name = DEMO_SENDER_NAME
    if institution is None:
        search_text, initial = institution_index_fields(name=PLACEHOLDER_NAME, acronym="")
        institution, _created = Institution.objects.get_or_create(
            slug=PLACEHOLDER_SLUG,
            defaults={
                "name": PLACEHOLDER_NAME,
                "level": Level.NATIONAL,
                "kind": Kind.OTHER,
                "source": Institution.Source.MANUAL,
                "description": "Entidad ficticia para probar la API GovStack Messaging.",
                "search_text": search_text,
                "initial": initial,
            },
        )
        name = f"{PLACEHOLDER_NAME} · remitente"
    sender = Sender.objects.filter(institution=institution, name=name).first()
    if sender is None:
        sender = Sender.objects.create(institution=institution, name=name)
    return sender


def govstack_reference_load(*, fixtures: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Make the demo hold what GovStack's reference clients expect (idempotent): every API key
    of fixtures.json, live and of `kind`, on the demo sender; the example requests with their
    status counts (no messages). Keys elsewhere or revoked are moved back and revived."""
    with transaction.atomic():
        sender = govstack_demo_sender()
        keys = 0
        for entry in fixtures.get("apiKeys", []):
            raw = str(entry["key"])
            name = f"GovStack (referencia) {raw[:6]}…"
            found = ApiKey.objects.filter(
                protocol=ApiKey.Protocol.GOVSTACK, key_hash=key_hash(raw)
            ).first()
            if found is None:
                found, _raw = govstack_key_create(sender=sender, name=name, by=None, raw=raw)
            found.sender, found.kind, found.revoked_at = sender, kind, None
            found.save(update_fields=["sender", "kind", "revoked_at", "updated_at"])
            keys += 1
        requests = []
        for entry in fixtures.get("seededRequests", {}).get("email", []):
            counts = {
                canonical: int(value)
                for name, value in entry.get("status", {}).items()
                if (canonical := status_canonical(str(name))) is not None
            }
            seeded, _created = SendRequest.objects.update_or_create(
                uid=str(entry["RequestID"]),
                defaults={"sender": sender, "api_key": None, "seeded_counts": counts},
            )
            seeded.messages.all().delete()
            requests.append(seeded.uid)
        audit.record(
            actor=None,
            action="notifications.govstack_reference_loaded",
            target=sender,
            institution_id=sender.institution_id,
            data={"keys": keys, "requests": requests, "kind": kind},
        )
    return {"sender": sender, "keys": keys, "requests": len(requests)}
