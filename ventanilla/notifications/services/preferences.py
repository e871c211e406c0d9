"""The citizen's choices besides the casilla (always on): e-mail on or off, SMS on or off, and
the mobile number SMS go to, confirmed with a 6-digit code sent to it.

A code is kept only as a keyed hash, lives 10 minutes, allows 5 tries, and a new one may be
asked for once a minute (at most 5 an hour: each one is an SMS someone pays for)."""

import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ventanilla.audit import services as audit
from ventanilla.notifications.models import Channel, PhoneVerification, Preference
from ventanilla.notifications.recipients import phone_masked, phone_normalise
from ventanilla.notifications.services.messages import message_create

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
CODE_TRIES = 5
RESEND_AFTER = timedelta(minutes=1)
CODES_PER_HOUR = 5
_HASH_SALT = "ventanilla.notifications.phone-verification"


def _citizen(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "document_number", ""):
        raise PermissionDenied(_("Solo una ciudadana o un ciudadano con cuenta elige sus avisos."))


def preference_get(*, user: Any) -> Preference:
    """The user's choices; for one who never chose, the defaults (not saved): e-mail on when the
    account has an e-mail address, SMS off."""
    found = Preference.objects.filter(user_id=user.pk).first()
    if found is not None:
        return found
    return Preference(user_id=user.pk, email_enabled=bool(getattr(user, "email", "")))


def _preference_locked(user: Any) -> Preference:
    """The user's row, made with the defaults if missing, locked until the transaction ends."""
    Preference.objects.get_or_create(
        user_id=user.pk, defaults={"email_enabled": bool(getattr(user, "email", ""))}
    )
    return Preference.objects.select_for_update().get(user_id=user.pk)


def preference_update(*, user: Any, email_enabled: bool, sms_enabled: bool) -> Preference:
    """Save the citizen's choices. SMS on needs a confirmed number and e-mail on an address on
    the account (ValidationError with a Spanish message and nothing changed otherwise)."""
    _citizen(user)
    with transaction.atomic():
        preference = _preference_locked(user)
        if email_enabled and not getattr(user, "email", ""):
            raise ValidationError(
                _("Tu cuenta no tiene un correo: no podemos enviarte avisos por correo."),
                code="no_email",
            )
        if sms_enabled and not (preference.phone and preference.phone_verified_at):
            raise ValidationError(
                _("Para recibir avisos por SMS, primero confirma tu número de celular."),
                code="phone_unverified",
            )
        before = {"email": preference.email_enabled, "sms": preference.sms_enabled}
        after = {"email": bool(email_enabled), "sms": bool(sms_enabled)}
        if before == after:
            return preference
        preference.email_enabled = after["email"]
        preference.sms_enabled = after["sms"]
        preference.save(update_fields=["email_enabled", "sms_enabled", "updated_at"])
        audit.record(
            actor=user,
            action="notifications.preference_updated",
            target=user,
            data={"before": before, "after": after},
        )
    return preference


def _code_hash(user: Any, phone: str, code: str) -> str:
    return salted_hmac(_HASH_SALT, f"{user.pk}:{phone}:{code}", algorithm="sha256").hexdigest()


def phone_verification_pending(*, user: Any) -> PhoneVerification | None:
    """The code the user may still type (not confirmed, not expired, tries left), if any."""
    return (
        PhoneVerification.objects.filter(
            user_id=user.pk,
            confirmed_at__isnull=True,
            expires_at__gt=timezone.now(),
            attempts__lt=CODE_TRIES,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def phone_verification_start(*, user: Any, phone: str) -> PhoneVerification:
    """Send a new 6-digit code by SMS to `phone` (a Peruvian mobile number, any usual way of
    writing it). ValidationError (Spanish) for a number that is not one, or when a code was
    sent less than a minute ago or five times in the last hour; nothing is sent then."""
    _citizen(user)
    number = phone_normalise(phone)
    now = timezone.now()
    with transaction.atomic():
        _preference_locked(user)  # one start at a time per user
        recent = PhoneVerification.objects.filter(
            user_id=user.pk, created_at__gt=now - timedelta(hours=1)
        )
        last = recent.order_by("-created_at", "-pk").first()
        if last is not None and last.created_at > now - RESEND_AFTER:
            raise ValidationError(
                _("Ya te enviamos un código hace menos de un minuto. Espera un momento."),
                code="throttled",
            )
        if recent.count() >= CODES_PER_HOUR:
            raise ValidationError(
                _("Pediste muchos códigos en la última hora. Inténtalo más tarde."),
                code="throttled",
            )
        # A new code replaces any earlier one: it cannot be used any more.
        PhoneVerification.objects.filter(user_id=user.pk, confirmed_at__isnull=True).update(
            expires_at=now
        )
        code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
        verification = PhoneVerification.objects.create(
            user=user,
            phone=number,
            code_hash=_code_hash(user, number, code),
            expires_at=now + CODE_LIFETIME,
            created_at=now,
        )
        message_create(
            channel=Channel.SMS,
            recipient=number,
            institution=None,
            body=_(
                "Ventanilla: tu codigo para confirmar este celular es %(code)s. Vence en 10 "
                "minutos. No lo compartas con nadie."
            )
            % {"code": code},
            reference=f"verificacion-celular-{verification.pk}",
            by=user,
        )
        audit.record(
            actor=user,
            action="notifications.phone_verification_started",
            target=verification,
            data={"phone": phone_masked(number)},
        )
    return verification


def phone_verification_confirm(*, user: Any, code: str) -> Preference:
    """Confirm the number with the code the SMS brought: the number becomes the one SMS go to
    and SMS are turned on. ValidationError (Spanish) for a wrong code (the try is counted), an
    expired one, or none pending."""
    _citizen(user)
    typed = "".join(ch for ch in (code or "") if not ch.isspace())
    failure: ValidationError | None = None
    with transaction.atomic():
        preference = _preference_locked(user)
        pending = (
            PhoneVerification.objects.select_for_update()
            .filter(user_id=user.pk, confirmed_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        now = timezone.now()
        if pending is None or pending.expires_at <= now or pending.attempts >= CODE_TRIES:
            raise ValidationError(
                _("El código venció o ya no es válido. Pide un código nuevo."), code="expired"
            )
        right = (
            len(typed) == CODE_DIGITS
            and typed.isdigit()
            and hmac.compare_digest(pending.code_hash, _code_hash(user, pending.phone, typed))
        )
        if not right:
            pending.attempts += 1
            pending.save(update_fields=["attempts"])
            left = CODE_TRIES - pending.attempts
            audit.record(
                actor=user,
                action="notifications.phone_verification_failed",
                target=pending,
                data={"attempts": pending.attempts},
            )
            # The counted try is committed; the refusal is raised after the block.
            failure = ValidationError(
                ngettext(
                    "El código no es correcto. Te queda %(n)d intento.",
                    "El código no es correcto. Te quedan %(n)d intentos.",
                    left,
                )
                % {"n": left}
                if left > 0
                else _("El código no es correcto y ya no quedan intentos. Pide un código nuevo."),
                code="code",
            )
        else:
            pending.confirmed_at = now
            pending.save(update_fields=["confirmed_at"])
            previous = preference.phone
            preference.phone = pending.phone
            preference.phone_verified_at = now
            preference.sms_enabled = True
            preference.save(
                update_fields=["phone", "phone_verified_at", "sms_enabled", "updated_at"]
            )
            audit.record(
                actor=user,
                action="notifications.phone_verified",
                target=user,
                data={
                    "phone": phone_masked(pending.phone),
                    "previous": phone_masked(previous) if previous else "",
                },
            )
    if failure is not None:
        raise failure
    return preference


def phone_remove(*, user: Any) -> Preference:
    """Forget the confirmed number: SMS stop."""
    _citizen(user)
    with transaction.atomic():
        preference = _preference_locked(user)
        if not preference.phone:
            return preference
        previous = preference.phone
        preference.phone = ""
        preference.phone_verified_at = None
        preference.sms_enabled = False
        preference.save(update_fields=["phone", "phone_verified_at", "sms_enabled", "updated_at"])
        PhoneVerification.objects.filter(user_id=user.pk, confirmed_at__isnull=True).update(
            expires_at=timezone.now()
        )
        audit.record(
            actor=user,
            action="notifications.phone_removed",
            target=user,
            data={"phone": phone_masked(previous)},
        )
    return preference


def preference_demo_ensure(*, user: Any, phone: str) -> bool:
    """The demo citizen's choices: e-mail and SMS on, `phone` confirmed without a code (the demo
    data only; it is published). Returns whether anything changed."""
    number = phone_normalise(phone)
    with transaction.atomic():
        preference = _preference_locked(user)
        wanted = {"email_enabled": True, "sms_enabled": True, "phone": number}
        if (
            all(getattr(preference, k) == v for k, v in wanted.items())
            and preference.phone_verified_at is not None
        ):
            return False
        for name, value in wanted.items():
            setattr(preference, name, value)
        preference.phone_verified_at = preference.phone_verified_at or timezone.now()
        preference.save()
        audit.record(
            actor=None,
            action="notifications.preference_demo",
            target=user,
            data={"phone": phone_masked(number)},
        )
    return True
