"""State changes of the single sign-on: registering the applications (platform administrators
only), a citizen's consent, and the demo's relying party. Each writes its audit row in the
same transaction."""

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from ventanilla.audit.services import record
from ventanilla.oidc.models import ClientPolicy, Consent
from ventanilla.oidc.permissions import can_manage_clients

DEMO_CLIENT_ID = "demo-rp"
DEMO_CLIENT_SECRET = "demo-rp-secret"  # noqa: S105 - published in the README for the demo
DEMO_REDIRECT_URI = "http://127.0.0.1:9000/callback"
DEMO_SCOPES = ["openid", "profile", "email", "phone"]


def known_scopes() -> list[str]:
    provider: dict[str, Any] = settings.OAUTH2_PROVIDER
    return list(provider["SCOPES"])


def _clean_scopes(scopes: list[str]) -> str:
    unknown = [s for s in scopes if s not in known_scopes()]
    if unknown:
        raise ValidationError(
            _("Estos datos no existen: %(scopes)s.") % {"scopes": ", ".join(unknown)}
        )
    ordered = [s for s in known_scopes() if s in {"openid", *scopes}]
    return " ".join(ordered)


def _client_data(application: Any, policy: ClientPolicy) -> dict[str, Any]:
    # Never the secret: the audit trail is read by more people than the secret's owner.
    return {
        "client_id": application.client_id,
        "name": application.name,
        "client_type": application.client_type,
        "redirect_uris": application.redirect_uris.split(),
        "post_logout_redirect_uris": application.post_logout_redirect_uris.split(),
        "allowed_scopes": policy.scopes,
    }


def _check(by: Any) -> None:
    if by is not None and not can_manage_clients(by):
        raise PermissionDenied(_("Solo un administrador de la plataforma registra aplicaciones."))


@transaction.atomic
def client_register(
    *,
    by: Any,
    name: str,
    redirect_uris: list[str],
    allowed_scopes: list[str],
    confidential: bool = True,
    post_logout_redirect_uris: list[str] | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> tuple[Any, str]:
    """Register an application (a relying party). Returns it and its secret in clear, which
    is shown once: only its hash is kept. Public clients (a phone app) get no secret.
    `by` None is the system (the demo setup)."""
    _check(by)
    Application = get_application_model()
    secret = client_secret or (secrets.token_urlsafe(32) if confidential else "")
    application = Application(
        name=name,
        client_type=(
            AbstractApplication.CLIENT_CONFIDENTIAL
            if confidential
            else AbstractApplication.CLIENT_PUBLIC
        ),
        authorization_grant_type=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        post_logout_redirect_uris=" ".join(post_logout_redirect_uris or []),
        algorithm=AbstractApplication.RS256_ALGORITHM,
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=False,
    )
    if client_id:
        application.client_id = client_id
    application.full_clean(exclude=["user"])
    application.save()
    policy = ClientPolicy.objects.create(
        application=application, allowed_scopes=_clean_scopes(allowed_scopes)
    )
    record(
        actor=by,
        action="oidc.client_registered",
        target=application,
        data=_client_data(application, policy),
    )
    return application, secret


@transaction.atomic
def client_update(
    *,
    by: Any,
    application: Any,
    name: str,
    redirect_uris: list[str],
    allowed_scopes: list[str],
    post_logout_redirect_uris: list[str] | None = None,
) -> Any:
    """Change what an application may do. Its client_id and secret stay."""
    _check(by)
    application.name = name
    application.redirect_uris = " ".join(redirect_uris)
    application.post_logout_redirect_uris = " ".join(post_logout_redirect_uris or [])
    application.full_clean(exclude=["user", "client_secret"])
    application.save()
    policy, _created = ClientPolicy.objects.get_or_create(application=application)
    policy.allowed_scopes = _clean_scopes(allowed_scopes)
    policy.save()
    record(
        actor=by,
        action="oidc.client_changed",
        target=application,
        data=_client_data(application, policy),
    )
    return application


@transaction.atomic
def client_secret_reset(*, by: Any, application: Any) -> str:
    """A new secret for a confidential application; the old one stops working at once.
    Returns the new secret in clear, to show once."""
    _check(by)
    secret = secrets.token_urlsafe(32)
    application.client_secret = secret
    application.save()
    record(
        actor=by,
        action="oidc.client_secret_reset",
        target=application,
        data={"client_id": application.client_id},
    )
    return secret


@transaction.atomic
def client_delete(*, by: Any, application: Any) -> None:
    """Remove an application: its tokens go with it, so its sessions end."""
    _check(by)
    record(
        actor=by,
        action="oidc.client_deleted",
        target=application,
        data={"client_id": application.client_id, "name": application.name},
    )
    application.delete()


@transaction.atomic
def consent_record(*, user: Any, application: Any, scopes: list[str]) -> Consent:
    """The citizen agreed to share `scopes` with `application`; remembered, so the next login
    asks only if the application wants more."""
    consent, created = Consent.objects.select_for_update().get_or_create(
        user=user, application=application, defaults={"scopes": " ".join(sorted(scopes))}
    )
    if not created:
        consent.scopes = " ".join(sorted(set(consent.scopes.split()) | set(scopes)))
        consent.save(update_fields=["scopes", "updated_at"])
    record(
        actor=user,
        action="oidc.consent_given",
        target=consent,
        data={"client_id": application.client_id, "scopes": sorted(scopes)},
    )
    return consent


@transaction.atomic
def oidc_demo_client_ensure() -> Any:
    """The demo's relying party `demo-rp` (secret `demo-rp-secret`, redirect
    http://127.0.0.1:9000/callback, scopes openid profile email phone), created or put back
    as the README describes it. Safe to call on every `make demo`."""
    Application = get_application_model()
    application = Application.objects.filter(client_id=DEMO_CLIENT_ID).first()
    if application is None:
        application, _secret = client_register(
            by=None,
            name="Aplicación de demostración",
            redirect_uris=[DEMO_REDIRECT_URI],
            post_logout_redirect_uris=["http://127.0.0.1:9000/"],
            allowed_scopes=DEMO_SCOPES,
            confidential=True,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
        )
        return application
    application.client_type = AbstractApplication.CLIENT_CONFIDENTIAL
    application.authorization_grant_type = AbstractApplication.GRANT_AUTHORIZATION_CODE
    application.algorithm = AbstractApplication.RS256_ALGORITHM
    application.hash_client_secret = True
    application.client_secret = DEMO_CLIENT_SECRET  # hashed again on save
    application.save()
    return client_update(
        by=None,
        application=application,
        name="Aplicación de demostración",
        redirect_uris=[DEMO_REDIRECT_URI],
        post_logout_redirect_uris=["http://127.0.0.1:9000/"],
        allowed_scopes=DEMO_SCOPES,
    )


def oidc_user_grants_revoke(*, user: Any, forget_consents: bool = False) -> int:
    """Revoke what other State applications hold for `user` (after a password reset, or when
    the account is deleted): codes not yet exchanged, access, refresh and ID tokens; with
    `forget_consents`, the record of which applications the citizen said yes to. Returns how
    many access and refresh tokens were revoked. Runs in the caller's transaction."""
    revoked = 0
    for model in (get_refresh_token_model(), get_access_token_model()):
        revoked += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    get_grant_model().objects.filter(user=user).delete()
    get_id_token_model().objects.filter(user=user).delete()
    if forget_consents:
        Consent.objects.filter(user=user).delete()
    return revoked
