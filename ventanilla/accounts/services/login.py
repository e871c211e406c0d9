"""Logging in and out: passwords, the second factor, throttling and the session's level.

Every login form (the portal's and the back office's) goes through `login_password`, so the
same throttle, lock and audit trail apply everywhere. Failed tries are counted per account and
per address in the database (`LoginThrottle`), so every web process agrees."""

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ventanilla.accounts.assurance import (
    SESSION_AUTH_TIME,
    SESSION_LEVEL,
    SESSION_PENDING_USER,
    Level,
)
from ventanilla.accounts.models import LoginThrottle, User, UserSession
from ventanilla.accounts.permissions import can_manage_accounts
from ventanilla.accounts.selectors import user_by_login_name
from ventanilla.accounts.services.second_factor import (
    recovery_code_use,
    totp_enabled,
    totp_verify,
)
from ventanilla.audit.services import record
from ventanilla.core.network import client_ip

# Failures older than this are forgotten (unless they ended in a delay still running).
FAILURE_WINDOW = timedelta(minutes=15)
MAX_DELAY = timedelta(hours=1)
# How long a right password waits for its second factor.
PENDING_SECONDS = 300
_USER_AGENT_MAX = 300


class LoginRefused(Exception):
    """Why a login did not go through, with the message to show (in Spanish)."""

    def __init__(self, message: str, *, code: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class PasswordOk:
    user: User
    needs_second_factor: bool


def _wait_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    if seconds < 90:
        return ngettext(
            "Demasiados intentos fallidos. Espera %(n)d segundo e inténtalo otra vez.",
            "Demasiados intentos fallidos. Espera %(n)d segundos e inténtalo otra vez.",
            seconds,
        ) % {"n": seconds}
    return ngettext(
        "Demasiados intentos fallidos. Espera %(n)d minuto e inténtalo otra vez.",
        "Demasiados intentos fallidos. Espera %(n)d minutos e inténtalo otra vez.",
        minutes,
    ) % {"n": minutes}


def _locked_message() -> str:
    return _(
        "Tu cuenta está bloqueada por demasiados intentos fallidos. Para desbloquearla, "
        "recupera tu acceso por correo o comunícate con la mesa de ayuda."
    )


def _throttle_key_account(user_id: int) -> str:
    return f"account:{user_id}"


def _throttle_key_address(ip: str | None) -> str | None:
    return f"address:{ip}" if ip else None


def _blocked_for(key: str | None) -> int:
    """Seconds `key` must still wait, 0 when it may try."""
    if key is None:
        return 0
    until = LoginThrottle.objects.filter(key=key).values_list("blocked_until", flat=True).first()
    if until is None:
        return 0
    return max(0, int((until - timezone.now()).total_seconds() + 0.999))


def _count_failure(key: str, *, delay_after: int) -> int:
    """Add one failure to `key`; returns the failures counted in the window. Past `delay_after`
    each further failure blocks the key for LOGIN_DELAY_SECONDS, doubling up to an hour."""
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row = LoginThrottle.objects.select_for_update().filter(key=key).first()
                if row is None:
                    row = LoginThrottle.objects.create(key=key, failures=0, first_failure_at=now)
                expired = now - row.first_failure_at > FAILURE_WINDOW and (
                    row.blocked_until is None or row.blocked_until <= now
                )
                if expired:
                    row.failures, row.first_failure_at = 0, now
                row.failures += 1
                if row.failures >= delay_after:
                    steps = row.failures - delay_after
                    delay = timedelta(seconds=settings.LOGIN_DELAY_SECONDS * 2 ** min(steps, 12))
                    row.blocked_until = now + min(delay, MAX_DELAY)
                row.save()
                return row.failures
        except IntegrityError:
            continue  # another process created the row first: count on it
    return 0


def _refuse_if_blocked(*, user: User | None, ip: str | None) -> None:
    if user is not None and user.locked_at is not None:
        raise LoginRefused(_locked_message(), code="locked")
    wait = max(
        _blocked_for(_throttle_key_address(ip)),
        _blocked_for(_throttle_key_account(user.pk)) if user is not None else 0,
    )
    if wait:
        raise LoginRefused(_wait_message(wait), code="delayed", retry_after=wait)


def _failure(*, request: HttpRequest, user: User | None, reason: str) -> LoginRefused:
    """Count a failed try against the account and the address, audit it, and say what to show."""
    ip = client_ip(request)
    address_key = _throttle_key_address(ip)
    if address_key:
        _count_failure(address_key, delay_after=settings.LOGIN_ADDRESS_DELAY_AFTER)
    failures = 0
    if user is not None:
        failures = _count_failure(
            _throttle_key_account(user.pk), delay_after=settings.LOGIN_DELAY_AFTER
        )
    with transaction.atomic():
        target: Any = user
        if target is None:
            target = LoginThrottle.objects.filter(key=address_key).first() if address_key else None
        if target is not None:
            record(actor=None, action="accounts.login_failed", target=target,
                   data={"ip": ip, "reason": reason, "failures": failures})  # fmt: skip
        if user is not None and failures >= settings.LOGIN_LOCK_AFTER and user.locked_at is None:
            User.objects.filter(pk=user.pk).update(locked_at=timezone.now())
            user.locked_at = timezone.now()
            record(actor=None, action="accounts.locked", target=user,
                   data={"ip": ip, "failures": failures})  # fmt: skip
    if user is not None and user.locked_at is not None:
        return LoginRefused(_locked_message(), code="locked")
    wait = max(
        _blocked_for(address_key),
        _blocked_for(_throttle_key_account(user.pk)) if user is not None else 0,
    )
    if wait:
        return LoginRefused(_wait_message(wait), code="delayed", retry_after=wait)
    if reason == "code":
        return LoginRefused(
            _("El código no es correcto o ya se usó. Escribe el código que muestra ahora tu app."),
            code="invalid",
        )
    return LoginRefused(
        _("El número de documento o la contraseña no son correctos."), code="invalid"
    )


def login_password(*, request: HttpRequest, login_name: str, password: str) -> PasswordOk:
    """Check a document number (or an official's username) and password. Raises LoginRefused
    with the message to show. A right password for an account with a second factor leaves the
    session waiting for the code (`login_second_factor`); otherwise call `login_complete`."""
    ip = client_ip(request)
    user = user_by_login_name(login_name)
    _refuse_if_blocked(user=user, ip=ip)
    authenticated = auth.authenticate(request, username=login_name, password=password)
    if authenticated is None:
        if user is not None and not user.is_active:
            raise _failure(request=request, user=user, reason="inactive")
        raise _failure(request=request, user=user, reason="password")
    LoginThrottle.objects.filter(key=_throttle_key_account(authenticated.pk)).delete()
    needs_code = totp_enabled(authenticated)
    if needs_code:
        login_pending_set(request=request, user=authenticated)
    return PasswordOk(user=authenticated, needs_second_factor=needs_code)


def login_pending_set(*, request: HttpRequest, user: User) -> None:
    """Remember that `user` proved the password (or is logged in and stepping up) and now owes
    the second factor."""
    request.session[SESSION_PENDING_USER] = [user.pk, int(time.time())]


def login_pending_user(request: HttpRequest) -> User | None:
    """The user waiting for a second factor in this session, if not too long ago."""
    value = request.session.get(SESSION_PENDING_USER)
    if not (isinstance(value, list) and len(value) == 2):
        return None
    user_id, since = value
    if time.time() - float(since) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True, locked_at__isnull=True).first()


def login_second_factor(*, request: HttpRequest, code: str) -> User:
    """Check the code of the user waiting in this session (an authenticator code or a recovery
    code) and return them; raises LoginRefused. Call `login_complete` with TWO_FACTOR next."""
    user = login_pending_user(request)
    if user is None:
        raise LoginRefused(
            _("Pasó demasiado tiempo. Vuelve a escribir tu documento y contraseña."),
            code="expired",
        )
    _refuse_if_blocked(user=user, ip=client_ip(request))
    compact = "".join(code.split())
    accepted = totp_verify(user=user, code=compact) if compact.isdigit() else False
    used_recovery = False
    if not accepted and not compact.isdigit():
        accepted = used_recovery = recovery_code_use(user=user, code=compact)
    if not accepted:
        raise _failure(request=request, user=user, reason="code")
    LoginThrottle.objects.filter(key=_throttle_key_account(user.pk)).delete()
    request.session.pop(SESSION_PENDING_USER, None)
    if used_recovery:
        request.session["_ventanilla_used_recovery_code"] = True
    return user


@transaction.atomic
def login_complete(*, request: HttpRequest, user: User, level: Level) -> UserSession:
    """Log `user` in at `level` (a new session key, so a fixated one is useless), remember the
    browser in the user's list of sessions, and audit it."""
    already = getattr(request, "user", None)
    stepping_up = bool(already and already.is_authenticated and already.pk == user.pk)
    old_key = request.session.session_key
    # A new session key at every login and step-up, so a key planted before is useless
    # (login() alone keeps the key when the same user logs in again).
    auth.login(request, user, backend="ventanilla.accounts.backends.AccountBackend")
    if stepping_up:
        request.session.cycle_key()
    request.session[SESSION_LEVEL] = str(level)
    request.session[SESSION_AUTH_TIME] = int(time.time())
    request.session.save()
    if old_key:
        UserSession.objects.filter(session_key=old_key).delete()
    ip = client_ip(request)
    row = UserSession.objects.create(
        user=user,
        session_key=request.session.session_key or "",
        level=str(level),
        ip=ip,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:_USER_AGENT_MAX],
    )
    record(actor=user, action="accounts.login", target=user,
           data={"ip": ip, "level": str(level), "step_up": stepping_up})  # fmt: skip
    return row


def logout(*, request: HttpRequest) -> None:
    """End this session (its row in the user's list goes too) and audit it."""
    user = getattr(request, "user", None)
    key = request.session.session_key
    with transaction.atomic():
        if key:
            UserSession.objects.filter(session_key=key).delete()
        if user is not None and user.is_authenticated:
            record(actor=user, action="accounts.logout", target=user,
                   data={"ip": client_ip(request)})  # fmt: skip
    auth.logout(request)


@transaction.atomic
def account_unlock(*, user: User, by: Any) -> User:
    """Lift the lock left by too many failed logins (administrators only)."""
    if not can_manage_accounts(by):
        raise PermissionDenied(
            _("Solo un administrador de la plataforma puede desbloquear cuentas.")
        )
    User.objects.filter(pk=user.pk).update(locked_at=None)
    user.locked_at = None
    LoginThrottle.objects.filter(key=_throttle_key_account(user.pk)).delete()
    record(actor=by, action="accounts.unlocked", target=user)
    return user
