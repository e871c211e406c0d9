"""Deleting the account: personal data scrubbed, the audit trail kept, the document freed."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
)

from ventanilla.accounts.models import RecoveryCode, TotpDevice, UserSession
from ventanilla.accounts.services import account as services
from ventanilla.accounts.services import second_factor
from ventanilla.accounts.tests.test_second_factor import (
    PASSWORD,
    SECRET,
    citizen,
    code_at,
    signed_in,
)
from ventanilla.audit.models import AuditEvent
from ventanilla.audit.services import record
from ventanilla.oidc.models import Consent

pytestmark = pytest.mark.django_db


def test_account_delete_scrubs_personal_data_and_keeps_the_audit_trail(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = citizen()
    email, number = user.email, user.document_number
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    second_factor.recovery_codes_new(user)
    key = signed_in(Client(), user)
    earlier = record(actor=user, action="accounts.login", target=user, data={"ip": "1.2.3.4"})

    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=user, password=PASSWORD, code=code_at(SECRET))

    user.refresh_from_db()
    assert not user.is_active
    assert user.deleted_at is not None
    assert (user.email, user.phone, user.first_name, user.last_name) == ("", "", "", "")
    assert user.document_number == ""
    assert not user.has_usable_password()
    assert number not in user.username
    assert not TotpDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(pk=earlier.pk, actor=user).exists()
    deleted = AuditEvent.objects.get(action="accounts.deleted")
    reference = services.deleted_reference(document_type="dni", document_number=number)
    assert deleted.data["reference"] == reference
    assert number not in str(deleted.data)
    assert mailoutbox[0].to == [email]
    # The person can register again with the same document.
    get_user_model().objects.create_user(
        username="otra-vez", document_type="dni", document_number=number, email=email
    )


def test_account_delete_refuses_a_wrong_password() -> None:
    user = citizen()
    with pytest.raises(ValidationError) as caught:
        services.account_delete(user=user, password="mal")
    assert caught.value.code == "password"
    user.refresh_from_db()
    assert user.is_active
    assert user.email


def test_account_delete_needs_the_code_when_two_factor_is_on() -> None:
    user = citizen()
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    for bad in ["", "000000" if code_at(SECRET) != "000000" else "111111", code_at(SECRET, -20)]:
        with pytest.raises(ValidationError) as caught:
            services.account_delete(user=user, password=PASSWORD, code=bad)
        assert caught.value.code == "code"
    user.refresh_from_db()
    assert user.is_active


def test_account_delete_accepts_a_recovery_code() -> None:
    user = citizen()
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    codes = second_factor.recovery_codes_new(user)
    services.account_delete(user=user, password=PASSWORD, code=codes[0])
    user.refresh_from_db()
    assert user.deleted_at is not None


def test_account_delete_refuses_officials() -> None:
    official = get_user_model().objects.create_user(
        username="func", password=PASSWORD, is_staff=True
    )
    with pytest.raises(ValidationError) as caught:
        services.account_delete(user=official, password=PASSWORD)
    assert caught.value.code == "official"


def test_delete_page_shows_what_goes_and_what_stays_and_logs_out(client: Any) -> None:
    user = citizen()
    signed_in(client, user)
    page = client.get("/cuenta/eliminar/")
    html = page.content.decode()
    assert "Lo que borramos" in html
    assert "Lo que la ley nos obliga a guardar" in html
    assert 'name="codigo"' not in html  # no second factor: no code asked
    wrong = client.post("/cuenta/eliminar/", {"password": "mal"})
    assert wrong.status_code == 400
    assert "La contraseña actual no es correcta." in wrong.content.decode()
    done = client.post("/cuenta/eliminar/", {"password": PASSWORD})
    assert done.status_code == 303
    assert done["Location"] == "/cuenta/eliminada/"
    assert "_auth_user_id" not in client.session
    assert client.get("/cuenta/eliminada/").status_code == 200
    user.refresh_from_db()
    assert user.deleted_at is not None


def test_delete_page_asks_for_the_code_when_two_factor_is_on(client: Any) -> None:
    user = citizen()
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    signed_in(client, user)
    assert 'name="codigo"' in client.get("/cuenta/eliminar/").content.decode()
    refused = client.post("/cuenta/eliminar/", {"password": PASSWORD, "codigo": ""})
    assert refused.status_code == 400
    assert "El código de verificación no es correcto" in refused.content.decode()
    user.refresh_from_db()
    assert user.is_active


def sso_tokens(user: Any) -> Any:
    """An access and a refresh token a State application holds for `user` (single sign-on)."""
    application = get_application_model().objects.create(
        name="Municipalidad",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris="http://127.0.0.1:9000/callback",
    )
    expires = timezone.now() + timedelta(hours=1)
    access = get_access_token_model().objects.create(
        user=user, application=application, token="acceso-123", expires=expires, scope="openid"
    )
    get_refresh_token_model().objects.create(
        user=user, application=application, token="refresco-123", access_token=access
    )
    return application


def test_account_delete_revokes_single_sign_on_tokens() -> None:
    user, other = citizen(), citizen()
    application = sso_tokens(user)
    Consent.objects.create(user=user, application=application, scopes="openid profile")
    Consent.objects.create(user=other, application=application, scopes="openid")
    services.account_delete(user=user, password=PASSWORD)
    assert not Consent.objects.filter(user=user).exists()  # which apps they used is personal
    assert Consent.objects.filter(user=other).exists()
    assert not get_access_token_model().objects.filter(user=user).exists()
    assert not get_refresh_token_model().objects.filter(user=user).exists()
    assert AuditEvent.objects.get(action="accounts.deleted").data["tokens_revoked"] == 2
    assert other.is_active


def test_wrong_codes_on_delete_count_towards_the_confirmation_limit() -> None:
    user = citizen()
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    wrong = "000000" if code_at(SECRET) != "000000" else "111111"
    for _try in range(5):
        with pytest.raises(ValidationError):
            services.account_delete(user=user, password=PASSWORD, code=wrong)
    with pytest.raises(ValidationError) as caught:
        services.account_delete(user=user, password=PASSWORD, code=code_at(SECRET))
    assert caught.value.code == "throttled"
    user.refresh_from_db()
    assert user.is_active
