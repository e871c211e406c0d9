"""API keys of client subsystems (ADR 0012): `vk_<prefix>_<secret>`, shown once when made.

Only the key's SHA-256 is kept. `prefix` (8 hex digits, unique) finds the row; the hash,
compared in constant time, proves the secret. A key with 256 random bits needs no slow hash:
nobody can guess it, and a stolen hash does not give it back."""

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ventanilla.audit import services as audit
from ventanilla.interop.models import ClientKey, Subsystem

KEY_PREFIX = "vk"
# last_used_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _institution_id(subsystem: Subsystem) -> int | None:
    return subsystem.member.institution_id


def client_key_create(
    *, subsystem: Subsystem, actor: Any, label: str = ""
) -> tuple[ClientKey, str]:
    """A new key for `subsystem`: (the row, the key itself, which is never stored)."""
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                key = ClientKey.objects.create(
                    subsystem=subsystem,
                    prefix=prefix,
                    key_hash=_hash(raw),
                    label=label[:200],
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
                audit.record(
                    actor=actor,
                    action="interop.client_key.created",
                    target=key,
                    data={"subsystem": subsystem.identifier, "prefix": prefix, "label": key.label},
                    institution_id=_institution_id(subsystem),
                )
        except IntegrityError:
            if ClientKey.objects.filter(prefix=prefix).exists():
                continue  # the prefix was taken (1 in 4 billion): draw another
            raise
        return key, raw
    raise RuntimeError("could not draw a free API key prefix")


def client_key_revoke(*, key: ClientKey, actor: Any) -> None:
    """Stop `key` working from now on (again: nothing more happens)."""
    with transaction.atomic():
        locked = (
            ClientKey.objects.select_for_update().select_related("subsystem__member").get(pk=key.pk)
        )
        if locked.revoked_at is not None:
            key.revoked_at = locked.revoked_at
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="interop.client_key.revoked",
            target=locked,
            data={"subsystem": locked.subsystem.identifier, "prefix": locked.prefix},
            institution_id=_institution_id(locked.subsystem),
        )
    key.revoked_at = locked.revoked_at


def parse_authorization(header: str) -> str:
    """The key in an Authorization header: `Bearer <key>` or `X-Road-ApiKey token=<key>`;
    "" for anything else."""
    scheme, _sep, rest = (header or "").strip().partition(" ")
    rest = rest.strip()
    if scheme.lower() == "bearer":
        return rest
    if scheme.lower() == "x-road-apikey":
        name, sep, value = rest.partition("=")
        if sep and name.strip().lower() == "token":
            return value.strip()
    return ""


def client_key_authenticate(raw: str) -> Subsystem | None:
    """The subsystem whose live key `raw` is, or None (malformed, unknown, revoked)."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    key = (
        ClientKey.objects.select_related("subsystem__member")
        .filter(prefix=parts[1][:16], revoked_at__isnull=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, _hash(raw)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        ClientKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
        ).update(last_used_at=now)
    return key.subsystem
