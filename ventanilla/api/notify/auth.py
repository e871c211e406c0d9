"""GOV.UK Notify's authentication: `Authorization: Bearer <JWT>`, HS256, `iss` = the sender's
id, `iat` within 30 seconds of now, signed with the secret of one of the sender's live keys
(the token names the sender, not the key, so each key's secret is tried). Then a per-key rate
limit, as Notify's (3,000 requests a minute)."""

import time
import uuid
from typing import Any

import jwt
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ventanilla.api.notify.http import NotifyError
from ventanilla.notifications.models import ApiKey
from ventanilla.notifications.services.keys import (
    api_key_touch,
    notify_keys_for_sender,
    secret_open,
)

ALGORITHM = "HS256"
CLOCK_BOUND_SECONDS = 30
RATE_INTERVAL_SECONDS = 60
RATE_LIMIT_DEFAULT = 3000


def _refused(message: str, status: int = 403) -> NotifyError:
    return NotifyError(status, "AuthError", message)


def _token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if not header:
        raise _refused(
            _("No autorizado: falta el token de autenticación (Authorization: Bearer …)."), 401
        )
    if header[:7] != "Bearer ":
        raise _refused(
            _("No autorizado: use el esquema «Bearer» en la cabecera Authorization."), 401
        )
    return header[7:].strip()


def _claims(token: str, secret: str) -> dict[str, Any] | None:
    """The token's claims if `secret` signed it; None if another secret did."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=secret,
            algorithms=[ALGORITHM],
            options={
                "verify_signature": True,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.InvalidSignatureError:
        return None
    except jwt.InvalidAlgorithmError:
        raise _refused(_("Token no válido: el algoritmo usado no es HS256.")) from None
    except jwt.InvalidTokenError:
        raise _refused(_("Token no válido: firma.")) from None
    return claims


def _check_clock(claims: dict[str, Any]) -> None:
    if "iat" not in claims:
        raise _refused(_("Token no válido: falta el campo iat."))
    try:
        issued = int(claims["iat"])
    except (TypeError, ValueError):
        raise _refused(_("Token no válido: el campo iat no es un número.")) from None
    if abs(int(time.time()) - issued) > CLOCK_BOUND_SECONDS:
        raise _refused(
            _("Error: el reloj de su sistema debe tener una exactitud de %(n)s segundos.")
            % {"n": CLOCK_BOUND_SECONDS}
        )


def _rate_limit(key: ApiKey) -> None:
    limit = int(getattr(settings, "NOTIFICATIONS_API_RATE_LIMIT", RATE_LIMIT_DEFAULT))
    window = int(time.time()) // RATE_INTERVAL_SECONDS
    counter = f"notify-api-rate:{key.pk}:{window}"
    cache.add(counter, 0, timeout=RATE_INTERVAL_SECONDS * 2)
    try:
        used = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=RATE_INTERVAL_SECONDS * 2)
        used = 1
    if used > limit:
        raise NotifyError(
            429,
            "RateLimitError",
            _(
                "Se superó el límite de %(limit)s solicitudes cada %(interval)s segundos "
                "para las claves de tipo %(kind)s."
            )
            % {
                "limit": limit,
                "interval": RATE_INTERVAL_SECONDS,
                "kind": "TEST" if key.kind == ApiKey.Kind.TEST else "LIVE",
            },
        )


def _revoked_match(token: str, sender_id: str) -> bool:
    """Whether a revoked key of the sender signed the token (to say so, as Notify does)."""
    revoked = ApiKey.objects.filter(
        sender_id=sender_id, protocol=ApiKey.Protocol.NOTIFY, revoked_at__isnull=False
    ).only("secret")
    for key in revoked:
        try:
            if _claims(token, secret_open(key.secret)) is not None:
                return True
        except (ValueError, NotifyError):
            continue
    return False


def authenticate(request: HttpRequest) -> ApiKey:
    """The live key whose secret signed the request's token (with its sender and institution);
    NotifyError (AuthError 401/403, RateLimitError 429) otherwise."""
    token = _token(request)
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise _refused(_("Token no válido: firma.")) from None
    issuer = unverified.get("iss") if isinstance(unverified, dict) else None
    if not issuer:
        raise _refused(_("Token no válido: falta el campo iss."))
    for key in notify_keys_for_sender(str(issuer)):
        try:
            secret = secret_open(key.secret)
        except ValueError:
            continue  # sealed with another SECRET_KEY: that key cannot sign anything now
        claims = _claims(token, secret)
        if claims is None:
            continue
        _check_clock(claims)
        api_key_touch(key)
        _rate_limit(key)
        return key
    if _is_uuid(str(issuer)) and _revoked_match(token, str(issuer)):
        raise _refused(_("Token no válido: la clave de API fue revocada."))
    raise _refused(_("Token no válido: clave de API no encontrada."))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
