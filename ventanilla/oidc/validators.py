"""django-oauth-toolkit's validator with Ventanilla's rules: the claims by scope (claims.py),
the level of assurance carried from the authorize request to the ID token, and a reused
authorization code revoking what its first exchange gave."""

import hashlib
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, revoke_access_token
from oauth2_provider.oauth2_validators import OAuth2Validator

from ventanilla.accounts.assurance import Level, parse_level
from ventanilla.oidc.claims import AMR, CLAIM_SCOPE, user_claims
from ventanilla.oidc.models import AuthorizationContext, ExchangedCode

# Set on the oauthlib request by views.AuthorizeView from the session (see credentials there).
ACR_ATTR = "ventanilla_acr"
AUTH_TIME_ATTR = "ventanilla_auth_time"
KEEP_EXCHANGED = timedelta(days=1)


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class VentanillaValidator(OAuth2Validator):
    oidc_claim_scope = CLAIM_SCOPE

    def get_discovery_claims(self, request: Any) -> list[str]:
        return [*CLAIM_SCOPE, "acr", "amr", "auth_time"]

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Any) -> dict[str, Any]:
        claims = {"sub": str(request.user.pk), **user_claims(request.user)}
        scopes = set(request.scopes or ())
        return {k: v for k, v in claims.items() if CLAIM_SCOPE.get(k) in scopes}

    # The authorize request: remember how the citizen authenticated, with the code.
    def _create_authorization_code(self, request: Any, code: Any, expires: Any = None) -> Any:
        level = parse_level(getattr(request, ACR_ATTR, None)) or Level.ONE_FACTOR
        auth_time = getattr(request, AUTH_TIME_ATTR, None) or int(time.time())
        with transaction.atomic():
            grant = super()._create_authorization_code(request, code, expires)
            AuthorizationContext.objects.create(
                grant=grant, acr=level.value, amr=AMR[level], auth_time=int(auth_time)
            )
        return grant

    # The token request: no session here; the context comes from the grant.
    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            self._revoke_tokens_of_reused_code(code)
            return False
        context = AuthorizationContext.objects.filter(
            grant__code=code, grant__application=client
        ).first()
        request.ventanilla_context = context
        request.ventanilla_code = code
        return True

    def _revoke_tokens_of_reused_code(self, code: str) -> None:
        used = ExchangedCode.objects.filter(code_digest=code_digest(code)).first()
        if used is None:
            return
        token = get_access_token_model().objects.filter(token_checksum=used.token_checksum).first()
        if token is not None:
            revoke_access_token(token)

    def _save_bearer_token(self, token: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        saved = super()._save_bearer_token(token, request, *args, **kwargs)
        code = getattr(request, "ventanilla_code", None)
        if code and token.get("access_token"):
            checksum = hashlib.sha256(token["access_token"].encode()).hexdigest()
            ExchangedCode.objects.create(code_digest=code_digest(code), token_checksum=checksum)
            # A day is far beyond a code's minute of life: older replays find no token to revoke.
            ExchangedCode.objects.filter(created_at__lt=timezone.now() - KEEP_EXCHANGED).delete()
        return saved

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: Any
    ) -> tuple[dict[str, Any], Any]:
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        context = getattr(request, "ventanilla_context", None)
        if context is not None:
            claims["acr"] = context.acr
            claims["amr"] = context.amr
            claims["auth_time"] = context.auth_time
        return claims, expiration

    # prompt=none: the authorize view answers login_required / consent_required itself.
    def validate_silent_login(self, request: Any) -> bool:
        return True

    def validate_silent_authorization(self, request: Any) -> bool:
        return True

    def refresh_id_token(self, request: Any) -> bool:
        # A refresh has no authentication event to describe: no new ID token, only tokens.
        return False
