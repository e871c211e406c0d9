"""The second factor: an authenticator app (TOTP, RFC 6238) and one-time recovery codes.

Verification is safe across processes: a code is accepted by a conditional UPDATE of the device's
`last_step`, so two requests racing with the same code cannot both get in."""

import hashlib
import hmac
import re
import secrets
import time
from typing import Any

import pyotp
import qrcode
import qrcode.image.svg
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.assurance import Level
from ventanilla.accounts.models import RecoveryCode, TotpDevice, UserSession
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
            action="accounts.recovery_code_used",
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


def totp_setup_start(*, user: Any) -> TotpDevice:
    """A new, unconfirmed authenticator with a fresh secret (replacing an unconfirmed one).
    Raises ValidationError when the user already has a confirmed one."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            raise ValidationError(
                _("La verificación en dos pasos ya está activada en tu cuenta."), code="enabled"
            )
        if device is None:
            device = TotpDevice(user=user)
        device.secret = pyotp.random_base32(length=32)
        device.confirmed_at = None
        device.last_step = 0
        device.save()
        audit.record(actor=user, action="accounts.totp_setup_started", target=user)
    return device


def totp_pending(user: Any) -> TotpDevice | None:
    """The unconfirmed authenticator waiting for its first code, if any."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()


def totp_provisioning_uri(*, user: Any, device: TotpDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    name = user.document_number or user.get_username()
    return pyotp.TOTP(device.secret).provisioning_uri(name=name, issuer_name=ISSUER)


def totp_qr_svg(uri: str) -> str:
    """The QR code of `uri` as an inline SVG element (no image library needed)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # Drop any XML declaration so the element sits inside HTML, and give it a screen size
    # (the library writes millimetres); the viewBox keeps it sharp at any size.
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\swidth="[^"]*"', ' width="224"', svg, count=1)
    return re.sub(
        r'\sheight="[^"]*"', ' height="224" aria-hidden="true" focusable="false"', svg, count=1
    )


def secret_grouped(secret: str) -> str:
    """The secret in groups of four letters, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_confirm(*, user: Any, code: str) -> list[str]:
    """Confirm the pending authenticator with its first code; returns 10 new recovery codes in
    clear (shown once; only hashes are kept). Raises ValidationError on a wrong code."""
    code = _normalize_totp(code)
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=True)
            .first()
        )
        if device is None:
            raise ValidationError(
                _("No hay una activación en curso. Empieza otra vez."), code="no_setup"
            )
        step = None
        if len(code) == TOTP_DIGITS and code.isdigit():
            step = _matching_step(device.secret, code, time.time())
        if step is None:
            raise ValidationError(
                _(
                    "El código no es correcto. Escribe los 6 números que muestra ahora tu "
                    "aplicación; si no funciona, revisa que la hora de tu celular sea la correcta."
                ),
                code="code",
            )
        device.confirmed_at = timezone.now()
        device.last_step = step
        device.save(update_fields=["confirmed_at", "last_step", "updated_at"])
        codes = recovery_codes_new(user)
        audit.record(actor=user, action="accounts.totp_enabled", target=user)
    _notify(
        user,
        _("Activaste la verificación en dos pasos"),
        _(
            "Desde ahora, al ingresar a Ventanilla te pediremos el código de tu aplicación de "
            "autenticación. Si no fuiste tú, cambia tu contraseña de inmediato."
        ),
    )
    return codes


def session_level_raise(*, user: Any, session_key: str | None, level: Level) -> None:
    """Record in the user's list of sessions that this session reached `level`."""
    if session_key:
        UserSession.objects.filter(user=user, session_key=session_key).update(level=str(level))


def totp_disable(*, user: Any, password: str) -> None:
    """Remove the authenticator and the recovery codes; needs the current password.
    Raises ValidationError on a wrong password (or too many tries)."""
    from ventanilla.accounts.services.account import password_confirm

    password_confirm(user=user, password=password)
    with transaction.atomic():
        deleted, _kinds = TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        if deleted:
            audit.record(actor=user, action="accounts.totp_disabled", target=user)
    if deleted:
        _notify(
            user,
            _("Desactivaste la verificación en dos pasos"),
            _(
                "Desde ahora, para ingresar a Ventanilla basta tu contraseña. Si no fuiste tú, "
                "cambia tu contraseña y vuelve a activar la verificación en dos pasos."
            ),
        )


def recovery_codes_regenerate(*, user: Any, password: str) -> list[str]:
    """Ten new recovery codes (the old ones stop working); needs the current password and a
    confirmed authenticator."""
    from ventanilla.accounts.services.account import password_confirm

    password_confirm(user=user, password=password)
    if not totp_enabled(user):
        raise ValidationError(_("Primero activa la verificación en dos pasos."), code="not_enabled")
    with transaction.atomic():
        codes = recovery_codes_new(user)
        audit.record(actor=user, action="accounts.recovery_codes_regenerated", target=user)
    return codes


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _notify(user: Any, subject: str, body: str) -> None:
    from ventanilla.accounts.services.account import notice_send

    notice_send(user=user, subject=subject, body=body)


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
                actor=None, action="accounts.totp_enabled", target=user, data={"demo": True}
            )
