"""The second factor: an authenticator app (TOTP, RFC 6238) and one-time recovery codes.

Verification is safe across processes: a code is accepted by a conditional UPDATE of the device's
`last_step`, so two requests racing with the same code cannot both get in."""

import hashlib
import hmac
import secrets
import time
from typing import Any

import pyotp
from django.db import transaction
from django.utils import timezone

from ventanilla.accounts.models import RecoveryCode, TotpDevice
from ventanilla.audit import services as audit

TOTP_DIGITS = 6
TOTP_INTERVAL = 30
# Steps accepted either side of now: one step (30 s) covers a phone clock slightly off.
TOTP_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed by hand.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ISSUER = "Ventanilla"


def _normalize_totp(code: str) -> str:
    return "".join(str(code).split())


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in str(code).lower() if ch.isalnum())


def _recovery_hash(code: str) -> str:
    # Recovery codes carry ~59 random bits, so a fast hash is enough (no dictionary to try).
    return "sha256$" + hashlib.sha256(_normalize_recovery(code).encode()).hexdigest()


def _matching_step(secret: str, code: str, at: float) -> int | None:
    """The time step (within the window) whose code equals `code`, or None."""
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)
    now_step = int(at) // TOTP_INTERVAL
    matched: int | None = None
    # Compare every candidate (no early exit) so timing doesn't tell which step was right.
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        step = now_step + offset
        if hmac.compare_digest(totp.generate_otp(step), code):
            matched = step
    return matched


def totp_enabled(user: Any) -> bool:
    """Whether the user has a confirmed authenticator, so login must ask for a code."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def totp_verify(*, user: Any, code: str) -> bool:
    """True when `code` is the confirmed device's code for now (±1 step) and was not used before.

    Accepting a code records its step; a code of that step or an earlier one is refused after."""
    code = _normalize_totp(code)
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return False
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = _matching_step(device.secret, code, time.time())
    if step is None:
        return False
    # The conditional UPDATE is the replay check: only one process can move last_step past `step`.
    updated = TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
    return updated == 1


def recovery_code_use(*, user: Any, code: str) -> bool:
    """True when `code` is one of the user's unused recovery codes; it is then spent."""
    wanted = _recovery_hash(code)
    if len(_normalize_recovery(code)) != 12:
        return False
    match: RecoveryCode | None = None
    for candidate in RecoveryCode.objects.filter(user=user, used_at__isnull=True):
        if hmac.compare_digest(candidate.code_hash, wanted):
            match = candidate
    if match is None:
        return False
    with transaction.atomic():
        spent = RecoveryCode.objects.filter(pk=match.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if spent != 1:
            return False
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        audit.record(
            actor=user,
            action="account.recovery_code_used",
            target=user,
            data={"left": left},
        )
    return True


def recovery_codes_new(user: Any) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns them in clear, to show once.

    Call inside the caller's transaction (the caller records the audit row)."""
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes
    )
    return codes


def totp_demo_enable(*, user: Any, secret: str) -> None:
    """Give the demo user a confirmed authenticator with a known base32 secret (idempotent)."""
    secret = secret.replace(" ", "").upper()
    pyotp.TOTP(secret).now()  # raises on a secret that is not base32
    with transaction.atomic():
        _device, created = TotpDevice.objects.update_or_create(
            user=user,
            defaults={"secret": secret, "confirmed_at": timezone.now()},
            create_defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": 0},
        )
        if created:
            audit.record(
                actor=None, action="account.totp_enabled", target=user, data={"demo": True}
            )
