"""The citizen's own account: sessions, password change and recovery, and deleting the account.

Every change is audited in its transaction; e-mails leave after the commit."""

import logging
import re
from collections.abc import Callable
from functools import partial
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ventanilla.accounts.models import LoginThrottle, RecoveryCode, TotpDevice, UserSession
from ventanilla.accounts.services import second_factor
from ventanilla.audit import services as audit
from ventanilla.oidc.services import oidc_user_grants_revoke

logger = logging.getLogger(__name__)

# Password confirmations (changing it, removing the second factor, deleting the account) are a
# way to guess the password from a stolen session: a few tries, then a wait.
CONFIRM_MAX_FAILURES = 5
CONFIRM_WINDOW_SECONDS = 15 * 60
# Recovery e-mails: per address a few a quarter hour; per account fewer, silently.
RESET_MAX_PER_ADDRESS = 5
RESET_MAX_PER_ACCOUNT = 3
RESET_WINDOW_SECONDS = 15 * 60
_DELETED_REFERENCE_SALT = "ventanilla.accounts.deleted"


# --- helpers shared by the services -------------------------------------------------------


def _count(key: str, window: int) -> int:
    """Add one to the counter `key` (which lives `window` seconds from its first use)."""
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def password_confirm(*, user: Any, password: str) -> None:
    """Raise ValidationError unless `password` is the user's; after CONFIRM_MAX_FAILURES wrong
    tries in a quarter hour, refuse every try until the quarter hour ends."""
    key = f"accounts:confirm:{user.pk}"
    if int(cache.get(key) or 0) >= CONFIRM_MAX_FAILURES:
        raise ValidationError(
            _("Hubo demasiados intentos con una contraseña incorrecta. Espera 15 minutos."),
            code="throttled",
        )
    if not password or not user.check_password(password):
        _count(key, CONFIRM_WINDOW_SECONDS)
        raise ValidationError(_("La contraseña actual no es correcta."), code="password")


def _confirm_failed(user: Any) -> None:
    """Count a wrong second-factor code against the same tries as wrong passwords, so a
    stolen session with the password cannot guess codes at leisure."""
    _count(f"accounts:confirm:{user.pk}", CONFIRM_WINDOW_SECONDS)


def _mail(address: str, subject: str, body: str) -> None:
    text = "\n\n".join(
        [
            _("Hola:"),
            body,
            _("Este es un mensaje automático de Ventanilla; no respondas a este correo."),
        ]
    )
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address])


@task()
def account_notice_mail(*, to: str, subject: str, body: str) -> None:
    """Send a notice about a change to the account (the text is already translated)."""
    _mail(to, subject, body)


@task()
def password_reset_mail(*, user_id: int, site: str, language: str) -> bool:
    """Send the recovery link. The token is made here, in the worker, so it is never stored
    in the task queue. False when the account is gone by now."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    with translation.override(language):
        lines = [
            _("Para elegir una contraseña nueva, abre este enlace:"),
            site.rstrip("/") + path,
            ngettext(
                "El enlace sirve una sola vez y vence en %(n)d hora.",
                "El enlace sirve una sola vez y vence en %(n)d horas.",
                hours,
            )
            % {"n": hours},
            _("Si no lo pediste, ignora este correo: tu contraseña no cambia."),
        ]
        _mail(user.email, _("Recupera el acceso a tu cuenta"), "\n\n".join(lines))
    return True


def _enqueue(queued: Callable[[], Any]) -> None:
    """Queue a mail after the commit; a queue that is down must not fail a committed change."""

    def run() -> None:
        try:
            queued()
        except Exception:
            logger.exception("account mail not queued")

    transaction.on_commit(run)


def notice_send(*, user: Any, subject: str, body: str, to: str | None = None) -> None:
    """E-mail the account holder (through the task queue) after the transaction commits."""
    address = to or user.email
    if address:
        _enqueue(lambda: account_notice_mail.enqueue(to=address, subject=subject, body=body))


# --- sessions -----------------------------------------------------------------------------

_BROWSERS = [
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    (re.compile(r"Android"), "Android"),
    (re.compile(r"iPhone|iPod"), "iPhone"),
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Macintosh|Mac OS X"), "Mac"),
    (re.compile(r"Linux"), "Linux"),
]


def device_describe(user_agent: str) -> str:
    """The browser and system in plain Spanish: "Chrome en Android"."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return _("%(browser)s en %(system)s") % {"browser": browser, "system": system}
    if browser:
        return browser
    if system:
        return _("Un navegador en %(system)s") % {"system": system}
    return _("Navegador desconocido")


def session_list(*, user: Any) -> list[UserSession]:
    """The user's signed-in browsers, the most recently seen first."""
    return list(UserSession.objects.filter(user=user).order_by("-last_seen_at", "-pk"))


def _store_delete(session_key: str) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore(session_key).delete()


def session_close(*, user: Any, session_key: str, by: Any) -> None:
    """Sign out one of `user`'s browsers. Raises ValidationError when the session is not one of
    `user`'s (a user closes only their own)."""
    if by.pk != user.pk:
        raise ValidationError(_("Solo puedes cerrar tus propias sesiones."), code="forbidden")
    with transaction.atomic():
        row = UserSession.objects.filter(user=user, session_key=session_key).first()
        if row is None:
            raise ValidationError(
                _("Esa sesión ya no está abierta o no es tuya."), code="not_found"
            )
        row.delete()
        _store_delete(session_key)
        audit.record(
            actor=by,
            action="accounts.session_closed",
            target=user,
            data={"ip": row.ip, "device": device_describe(row.user_agent)},
        )


def sessions_close_others(*, user: Any, keep_session_key: str | None, by: Any) -> int:
    """Sign out every browser of `user` but the one holding `keep_session_key`; returns how many."""
    if by.pk != user.pk:
        raise ValidationError(_("Solo puedes cerrar tus propias sesiones."), code="forbidden")
    with transaction.atomic():
        closed = _sessions_close(user=user, keep_session_key=keep_session_key)
        if closed:
            audit.record(
                actor=by, action="accounts.sessions_closed", target=user, data={"count": closed}
            )
    return closed


def session_rekey(*, user: Any, old_key: str | None, new_key: str | None) -> None:
    """Follow a session to its new key (Django renews it when the password changes), so the
    browser stays in the user's list and logged in."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(user=user, session_key=old_key).update(session_key=new_key)


def _sessions_close(*, user: Any, keep_session_key: str | None) -> int:
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    UserSession.objects.filter(user=user, session_key__in=keys).delete()
    for key in keys:
        _store_delete(key)
    return len(keys)


# --- passwords ----------------------------------------------------------------------------


def password_check_new(*, user: Any, password: str, again: str) -> None:
    """Raise ValidationError (Spanish messages from AUTH_PASSWORD_VALIDATORS) when the new
    password is weak or the two copies differ."""
    if password != again:
        raise ValidationError(
            _("Las dos contraseñas nuevas no coinciden. Escríbela igual en los dos campos."),
            code="mismatch",
        )
    password_validation.validate_password(password, user)


def password_change(
    *, user: Any, old_password: str, new_password: str, again: str, keep_session_key: str | None
) -> None:
    """Change the password (the current one is checked), close every other session, audit and
    e-mail a notice. The caller keeps its own session (update_session_auth_hash)."""
    password_confirm(user=user, password=old_password)
    password_check_new(user=user, password=new_password, again=again)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        closed = _sessions_close(user=user, keep_session_key=keep_session_key)
        audit.record(
            actor=user, action="accounts.password_changed", target=user, data={"closed": closed}
        )
    notice_send(
        user=user,
        subject=_("Cambiaste tu contraseña"),
        body=_(
            "La contraseña de tu cuenta de Ventanilla cambió y cerramos tus sesiones en otros "
            "dispositivos. Si no fuiste tú, recupera tu acceso desde la página de ingreso y "
            "comunícate con la mesa de ayuda."
        ),
    )


def _reset_candidates(identifier: str) -> list[Any]:
    User = get_user_model()
    value = identifier.strip()
    active = User.objects.filter(is_active=True, deleted_at__isnull=True).exclude(email="")
    if value.isdigit() and 8 <= len(value) <= 12:
        kind = "dni" if len(value) == 8 else "ce"
        return list(active.filter(document_type=kind, document_number=value)[:1])
    if "@" in value and len(value) <= 254:
        return list(active.filter(email__iexact=value)[:5])
    return []


def password_reset_request(*, identifier: str, ip: str | None, site: str) -> None:
    """E-mail a link to set a new password to the account `identifier` names (a DNI, a carné de
    extranjería or an e-mail), if any; `site` is the address the link starts with
    ("https://www.ventanilla.gob.pe"). Answers the same whether or not an account exists;
    raises ValidationError (code "throttled") when this address asked too often."""
    if ip and _count(f"accounts:reset:ip:{ip}", RESET_WINDOW_SECONDS) > RESET_MAX_PER_ADDRESS:
        raise ValidationError(
            _(
                "Pediste demasiados correos de recuperación. Espera 15 minutos e inténtalo "
                "otra vez."
            ),
            code="throttled",
        )
    language = translation.get_language() or settings.LANGUAGE_CODE
    for user in _reset_candidates(identifier):
        if _count(f"accounts:reset:user:{user.pk}", RESET_WINDOW_SECONDS) > RESET_MAX_PER_ACCOUNT:
            continue  # silently: a different answer would tell that the account exists
        with transaction.atomic():
            audit.record(actor=None, action="accounts.password_reset_requested", target=user,
                         data={"ip": ip})  # fmt: skip
            _enqueue(
                partial(password_reset_mail.enqueue, user_id=user.pk, site=site, language=language)
            )


def password_reset_user(*, uidb64: str, token: str) -> Any:
    """The account a recovery link names when its token is still good, else None."""
    User = get_user_model()
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True, deleted_at__isnull=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_complete(*, uidb64: str, token: str, password: str, again: str) -> Any:
    """Set a new password through a recovery link: closes every session and lifts a lock left
    by failed logins. The second factor stays; the next login still asks for the code."""
    user = password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        raise ValidationError(_reset_link_message(), code="link")
    password_check_new(user=user, password=password, again=again)
    with transaction.atomic():
        user.set_password(password)
        user.locked_at = None
        user.save(update_fields=["password", "locked_at"])
        LoginThrottle.objects.filter(key=f"account:{user.pk}").delete()
        closed = _sessions_close(user=user, keep_session_key=None)
        tokens = oidc_user_grants_revoke(user=user)
        audit.record(actor=user, action="accounts.password_reset", target=user,
                     data={"closed": closed, "tokens_revoked": tokens})  # fmt: skip
    notice_send(
        user=user,
        subject=_("Cambiaste tu contraseña"),
        body=_(
            "Elegiste una contraseña nueva con el enlace de recuperación y cerramos todas tus "
            "sesiones. Si no fuiste tú, comunícate con la mesa de ayuda."
        ),
    )
    return user


def _reset_link_message() -> str:
    return _("El enlace no es válido: ya se usó, venció o está incompleto. Pide un correo nuevo.")


# --- deleting the account -----------------------------------------------------------------


# Steps other apps add to account deletion (registered in their AppConfig.ready, since they
# sit above accounts and accounts may not import them): name -> step(user=...) -> rows changed.
# Each runs inside the deletion's transaction; its count goes into the audit row under `name`.
_DELETION_STEPS: dict[str, Callable[..., int]] = {}


def account_deletion_step_register(name: str, step: Callable[..., int]) -> None:
    """Add `step` to account deletion (idempotent per name)."""
    _DELETION_STEPS[name] = step


def deleted_reference(*, document_type: str, document_number: str) -> str:
    """A pseudonym of the document: the same person gives the same reference, so an authority
    can match a later request to the audit trail without the trail keeping the number."""
    value = f"{document_type}:{document_number}"
    return salted_hmac(_DELETED_REFERENCE_SALT, value, algorithm="sha256").hexdigest()[:24]


def account_delete(*, user: Any, password: str, code: str = "") -> None:
    """Delete the citizen's account: the personal data go, what the law keeps stays (the audit
    trail, and cases later). The row is kept deactivated and scrubbed, so the audit trail still
    points somewhere, and the document is freed so the person can register again.
    Raises ValidationError on a wrong password or second-factor code."""
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            _("Las cuentas de funcionarios las da de baja su institución."), code="official"
        )
    password_confirm(user=user, password=password)
    if second_factor.totp_enabled(user):
        compact = "".join(code.split())
        ok = second_factor.totp_verify(user=user, code=compact) or (
            not compact.isdigit() and second_factor.recovery_code_use(user=user, code=compact)
        )
        if not ok:
            _confirm_failed(user)
            raise ValidationError(
                _("El código de verificación no es correcto o ya se usó."), code="code"
            )
    email = user.email
    reference = deleted_reference(
        document_type=user.document_type, document_number=user.document_number
    )
    with transaction.atomic():
        closed = _sessions_close(user=user, keep_session_key=None)
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        LoginThrottle.objects.filter(key=f"account:{user.pk}").delete()
        # Which applications the citizen used is personal data too: consents go with the account.
        tokens = oidc_user_grants_revoke(user=user, forget_consents=True)
        # Apps above accounts that hold the person's data (consents to read it) forget them here.
        forgotten = {name: step(user=user) for name, step in _DELETION_STEPS.items()}
        audit.record(
            actor=user,
            action="accounts.deleted",
            target=user,
            data={
                "reference": reference,
                "document_type": user.document_type,
                "closed": closed,
                "tokens_revoked": tokens,
                **forgotten,
            },
        )
        user.username = f"eliminado-{user.pk}"
        user.email = ""
        user.phone = ""
        user.first_name = ""
        user.last_name = ""
        user.document_type = ""
        user.document_number = ""
        user.registry_verified_at = None
        user.last_login = None
        user.locked_at = None
        user.is_active = False
        user.deleted_at = timezone.now()
        user.set_unusable_password()
        user.save()
    notice_send(
        user=user,
        to=email,
        subject=_("Eliminamos tu cuenta"),
        body=_(
            "Eliminamos tu cuenta de Ventanilla y tus datos personales. Conservamos solo lo que "
            "la ley nos obliga a guardar. Si quieres volver, puedes registrarte otra vez con tu "
            "DNI."
        ),
    )
