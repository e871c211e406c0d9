"""Registering the applications that log citizens in: platform administrators only, the
secret shown once and kept hashed, every registration and change in the audit trail, and the
demo's relying party put back as the README describes it."""

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import get_application_model

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.backoffice import official, platform_admin
from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.oidc import services
from ventanilla.oidc.models import ClientPolicy
from ventanilla.oidc.scopes import ClientScopes

pytestmark = pytest.mark.django_db
Application = get_application_model()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_client_register_keeps_only_a_hash_of_the_secret_and_audits_without_it():
    admin = platform_admin()
    application, secret = services.client_register(
        by=admin,
        name="SUNARP — Publicidad registral",
        redirect_uris=["https://app.sunarp.gob.pe/callback"],
        allowed_scopes=["profile", "email"],
    )
    assert len(secret) >= 40
    assert application.client_secret != secret
    assert check_password(secret, application.client_secret)
    assert application.policy.allowed_scopes == "openid profile email"
    event = AuditEvent.objects.get(action="oidc.client_registered")
    assert event.actor == admin
    assert event.data["client_id"] == application.client_id
    assert event.data["allowed_scopes"] == ["openid", "profile", "email"]
    assert secret not in str(event.data)


def test_only_platform_administrators_register_clients():
    institution = InstitutionFactory()
    editor = official("ana", institution=institution, role=Role.INSTITUTION_ADMIN)
    with pytest.raises(PermissionDenied):
        services.client_register(
            by=editor, name="X", redirect_uris=["https://x.gob.pe/cb"], allowed_scopes=[]
        )
    assert not Application.objects.exists()


def test_a_bad_redirect_uri_or_scope_registers_nothing():
    admin = platform_admin()
    with pytest.raises(ValidationError):
        services.client_register(
            by=admin, name="X", redirect_uris=["no es una url"], allowed_scopes=[]
        )
    with pytest.raises(ValidationError):
        services.client_register(
            by=admin, name="X", redirect_uris=["https://x.gob.pe/cb"], allowed_scopes=["dni"]
        )
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="oidc.").exists()


def test_a_client_may_ask_only_for_its_allowed_scopes():
    application, _secret = services.client_register(
        by=None, name="X", redirect_uris=["https://x.gob.pe/cb"], allowed_scopes=["email"]
    )
    assert ClientScopes().get_available_scopes(application=application) == ["openid", "email"]
    assert set(ClientScopes().get_available_scopes()) == {"openid", "profile", "email", "phone"}


def test_demo_client_is_created_once_and_repaired_after():
    first = services.oidc_demo_client_ensure()
    assert first.client_id == "demo-rp"
    assert first.redirect_uris == "http://127.0.0.1:9000/callback"
    assert first.client_type == Application.CLIENT_CONFIDENTIAL
    assert check_password("demo-rp-secret", first.client_secret)
    assert first.policy.scopes == ["openid", "profile", "email", "phone"]

    first.redirect_uris = "https://otra.example/cb"
    first.client_secret = "otro"
    first.save()
    ClientPolicy.objects.filter(application=first).update(allowed_scopes="openid")
    again = services.oidc_demo_client_ensure()
    again.refresh_from_db()
    assert Application.objects.filter(client_id="demo-rp").count() == 1
    assert again.redirect_uris == "http://127.0.0.1:9000/callback"
    assert check_password("demo-rp-secret", again.client_secret)
    assert again.policy.scopes == ["openid", "profile", "email", "phone"]
    assert AuditEvent.objects.filter(action="oidc.client_registered").count() == 1


def test_platform_administrator_registers_a_client_in_the_back_office_and_sees_the_secret_once():
    admin = _client(platform_admin())
    add = reverse("admin:oauth2_provider_application_add")
    assert admin.get(add).status_code == 200
    response = admin.post(
        add,
        {
            "name": "Municipalidad de Miraflores — Licencias",
            "client_type": "confidential",
            "redirect_uris": "https://licencias.miraflores.gob.pe/callback",
            "post_logout_redirect_uris": "",
            "allowed_scopes": ["openid", "profile"],
        },
        follow=True,
    )
    assert response.status_code == 200
    application = Application.objects.get(name="Municipalidad de Miraflores — Licencias")
    shown = [str(m) for m in response.context["messages"]]
    assert any("cópialo ahora" in m for m in shown)
    secret = shown[0].split(": ")[1].split(" — ")[0]
    assert check_password(secret, application.client_secret)
    assert AuditEvent.objects.filter(
        action="oidc.client_registered", target_id=str(application.pk)
    ).exists()

    change = reverse("admin:oauth2_provider_application_change", args=[application.pk])
    page = admin.get(change)
    assert secret not in page.content.decode()
    admin.post(
        change,
        {
            "name": application.name,
            "redirect_uris": "https://licencias.miraflores.gob.pe/callback",
            "post_logout_redirect_uris": "",
            "allowed_scopes": ["openid", "profile", "email"],
        },
    )
    assert ClientPolicy.objects.get(application=application).scopes == [
        "openid",
        "profile",
        "email",
    ]
    assert AuditEvent.objects.filter(action="oidc.client_changed").exists()


def test_officials_never_reach_the_registered_applications():
    institution = InstitutionFactory()
    client = _client(official("ana", institution=institution, role=Role.INSTITUTION_ADMIN))
    for name in ("changelist", "add"):
        url = reverse(f"admin:oauth2_provider_application_{name}")
        assert client.get(url).status_code == 403


def test_deploy_check_warns_when_the_signing_key_was_generated_here():
    from ventanilla.oidc.checks import signing_key_configured

    assert [m.id for m in signing_key_configured()] == ["ventanilla.oidc.W001"]
