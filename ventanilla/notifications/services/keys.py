"""Keys of the two sending APIs, made by an institution's administrator and shown once.

- Notify-compatible: `{name}-{sender id}-{secret}` (GOV.UK Notify's layout: the client reads the
  last 73 characters as service id and secret). The secret signs each request's JWT (HS256),
  so it must be kept, not only hashed: it is stored encrypted with a key derived from
  SECRET_KEY (AES-GCM), and a stolen database alone does not give it.
- GovStack Messaging: an opaque string sent in `api_key`; only its SHA-256 is kept.
"""

import base64
import hashlib
import hmac
import os
import re
import secrets
import uuid
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ventanilla.audit import services as audit
from ventanilla.notifications.models import ApiKey, Sender

TOUCH_EVERY = timedelta(minutes=1)
NAME_CHARACTERS = re.compile(r"[^a-z0-9_]+")


def _aes() -> AESGCM:
    key = hashlib.sha256(b"ventanilla.notifications.keys:" + settings.SECRET_KEY.encode()).digest()
    return AESGCM(key)


def secret_seal(secret: str) -> str:
    """The secret encrypted for storage (nonce + ciphertext, base64)."""
    nonce = os.urandom(12)
    sealed = _aes().encrypt(nonce, secret.encode("utf-8"), b"notify-api-key")
    return base64.b64encode(nonce + sealed).decode("ascii")


def secret_open(sealed: str) -> str:
    """The stored secret in clear; ValueError if it was not sealed with this SECRET_KEY."""
    try:
        raw = base64.b64decode(sealed.encode("ascii"))
        return _aes().decrypt(raw[:12], raw[12:], b"notify-api-key").decode("utf-8")
    except Exception as error:
        raise ValueError("sealed secret unreadable") from error


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def notify_key_create(
    *, sender: Sender, name: str, by: Any, kind: str = ApiKey.Kind.NORMAL
) -> tuple[ApiKey, str]:
    """A Notify-compatible key for `sender`: (the row, the whole key, never shown again)."""
    secret = str(uuid.uuid4())
    with transaction.atomic():
        key = ApiKey.objects.create(
            sender=sender,
            name=name[:200],
            protocol=ApiKey.Protocol.NOTIFY,
            kind=kind,
            secret=secret_seal(secret),
            created_by=by if getattr(by, "pk", None) else None,
        )
        audit.record(
            actor=by,
            action="notifications.api_key_created",
            target=key,
            institution_id=sender.institution_id,
            data={"name": key.name, "protocol": key.protocol, "kind": key.kind},
        )
    label = NAME_CHARACTERS.sub("_", name.lower()).strip("_") or "clave"
    return key, f"{label}-{sender.id}-{secret}"


def govstack_key_create(
    *, sender: Sender, name: str, by: Any, raw: str | None = None
) -> tuple[ApiKey, str]:
    """A GovStack Messaging key for `sender` (`raw` given: that exact key, as the demo's
    fixtures need): (the row, the key)."""
    value = raw or secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            sender=sender,
            name=name[:200],
            protocol=ApiKey.Protocol.GOVSTACK,
            key_hash=key_hash(value),
            created_by=by if getattr(by, "pk", None) else None,
        )
        audit.record(
            actor=by,
            action="notifications.api_key_created",
            target=key,
            institution_id=sender.institution_id,
            data={"name": key.name, "protocol": key.protocol, "kind": key.kind},
        )
    return key, value


def api_key_revoke(*, key: ApiKey, by: Any) -> ApiKey:
    """Stop `key` working from now on (kept, so its messages still name it)."""
    with transaction.atomic():
        updated = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit.record(
                actor=by,
                action="notifications.api_key_revoked",
                target=key,
                institution_id=key.sender.institution_id,
                data={"name": key.name, "protocol": key.protocol},
            )
    key.refresh_from_db()
    return key


def govstack_key_authenticate(raw: str) -> ApiKey | None:
    """The live GovStack key `raw` is, with its sender and institution; None otherwise."""
    if not raw:
        return None
    digest = key_hash(raw)
    key = (
        ApiKey.objects.select_related("sender", "sender__institution")
        .filter(protocol=ApiKey.Protocol.GOVSTACK, key_hash=digest, revoked_at__isnull=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, digest):
        return None
    api_key_touch(key)
    return key


def notify_keys_for_sender(sender_id: str) -> list[ApiKey]:
    """The live Notify keys of the sender a JWT's `iss` names (a JWT says which sender, not
    which of its keys: each key's secret is tried)."""
    try:
        uuid.UUID(str(sender_id))
    except ValueError:
        return []
    return list(
        ApiKey.objects.select_related("sender", "sender__institution").filter(
            sender_id=sender_id, protocol=ApiKey.Protocol.NOTIFY, revoked_at__isnull=True
        )
    )


def api_key_touch(key: ApiKey) -> None:
    """Note that `key` was used, at most once a minute."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
