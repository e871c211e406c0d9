"""`manage.py check --deploy`: the ID-token signing key must be configured, not generated."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def signing_key_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    generated = settings.VAR_DIR / "oidc" / "signing-key.pem"
    key = settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY", "")
    if generated.exists() and generated.read_text() == key:
        return [
            Warning(
                "The OpenID Connect signing key was generated on this machine.",
                hint=(
                    "Set VENTANILLA_OIDC_PRIVATE_KEY (PEM text or a file path) so every server "
                    "signs with the same, backed-up key; see "
                    "docs/decisions/0008-openid-connect-provider.md."
                ),
                id="ventanilla.oidc.W001",
            )
        ]
    return []
