"""What Ventanilla keeps beside django-oauth-toolkit's own tables (applications, grants,
tokens): which scopes each client may ask for, what each citizen agreed to share, how the
citizen had logged in when a code was issued, and which codes were already exchanged."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from ventanilla.core.models import TimeStampedModel


class ClientPolicy(TimeStampedModel):
    """A registered application's limits, set by a platform administrator."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="policy"
    )
    # Space-separated, like the OAuth scope parameter: "openid profile email".
    allowed_scopes = models.CharField(_("datos que puede pedir"), max_length=200, default="openid")

    class Meta:
        verbose_name = _("política del cliente")
        verbose_name_plural = _("políticas de los clientes")

    def __str__(self) -> str:
        return f"{self.application_id} · {self.allowed_scopes}"

    @property
    def scopes(self) -> list[str]:
        return self.allowed_scopes.split()


class Consent(TimeStampedModel):
    """A citizen's yes to one application for these scopes; asked again only when the
    application wants more (or the citizen withdraws it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_consents"
    )
    application = models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    scopes = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("consentimiento")
        verbose_name_plural = _("consentimientos")
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="oidc_consent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.application_id} · {self.scopes}"


class AuthorizationContext(models.Model):
    """How the citizen had authenticated when the code was issued. The token endpoint has no
    session; it reads the level (acr), the methods (amr) and the time from here. Deleted with
    the grant when the code is exchanged."""

    grant = models.OneToOneField(
        oauth2_settings.GRANT_MODEL, on_delete=models.CASCADE, related_name="ventanilla_context"
    )
    acr = models.CharField(max_length=32)
    amr = models.JSONField(default=list)
    auth_time = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.grant_id} · {self.acr}"


class ExchangedCode(models.Model):
    """An authorization code already exchanged, by digest, with the access token it gave.
    A second exchange of the same code revokes that token (RFC 6749 §4.1.2)."""

    code_digest = models.CharField(max_length=64, unique=True)
    token_checksum = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.code_digest[:12]
