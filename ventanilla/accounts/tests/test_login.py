"""Logging in: DNI + password, the second factor, throttling per account and per address, the
administrator's unlock, step-up to a higher level, logout, and sessions closed elsewhere."""

from datetime import timedelta

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ventanilla.accounts.assurance import SESSION_LEVEL
from ventanilla.accounts.models import LoginThrottle, UserSession
from ventanilla.accounts.services.login import account_unlock
from ventanilla.accounts.services.second_factor import totp_demo_enable
from ventanilla.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "una-clave-larga-2026"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def citizen():
    user = User(
        username="dni-45678912", document_type="dni", document_number="45678912",
        first_name="Rosa María", last_name="Quispe Huamán", email="rosa@example.pe",
    )  # fmt: skip
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client: Client, documento: str = "45678912", password: str = PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"documento": documento, "password": password, **extra}
    )


def test_login_with_dni_and_password_opens_a_tracked_one_factor_session(client, citizen):
    response = _login(client, next="/tramites/")
    assert response.status_code == 302
    assert response["Location"] == "/tramites/"
    assert client.session[SESSION_LEVEL] == "one_factor"
    row = UserSession.objects.get(user=citizen)
    assert row.session_key == client.session.session_key
    assert row.level == "one_factor"
    assert AuditEvent.objects.filter(action="accounts.login", target_id=str(citizen.pk)).exists()


def test_login_never_redirects_to_another_site(client, citizen):
    response = _login(client, next="https://evil.example/")
    assert response["Location"] == reverse("accounts:home")


def test_wrong_password_is_a_spanish_message_and_an_audit_row(client, citizen):
    response = _login(client, password="equivocada")
    assert response.status_code == 400
    assert "El número de documento o la contraseña no son correctos" in response.content.decode()
    event = AuditEvent.objects.get(action="accounts.login_failed")
    assert event.target_id == str(citizen.pk)
    assert event.data["reason"] == "password"


def test_unknown_document_gets_the_same_message(client, citizen):
    response = _login(client, documento="48765123")
    assert response.status_code == 400
    assert "El número de documento o la contraseña no son correctos" in response.content.decode()


def test_five_failures_delay_the_account_even_with_the_right_password(client, citizen, settings):
    settings.LOGIN_ADDRESS_DELAY_AFTER = 100
    for _ in range(settings.LOGIN_DELAY_AFTER):
        _login(client, password="equivocada")
    response = _login(client)
    assert response.status_code == 429
    assert "Demasiados intentos fallidos. Espera" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address too: the delay belongs to the account.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(other).status_code == 429
    # When the delay is over, the right password gets in and the count starts again.
    LoginThrottle.objects.filter(key=f"account:{citizen.pk}").update(
        blocked_until=timezone.now() - timedelta(seconds=1)
    )
    assert _login(other).status_code == 302
    assert not LoginThrottle.objects.filter(key=f"account:{citizen.pk}").exists()


def test_failures_from_one_address_delay_that_address_for_every_account(client, citizen, settings):
    settings.LOGIN_ADDRESS_DELAY_AFTER = 3
    for number in ("11111111", "22222222", "33333333"):
        _login(client, documento=number, password="x")
    response = _login(client)
    assert response.status_code == 429
    assert _login(Client(REMOTE_ADDR="10.0.0.2")).status_code == 302


def test_too_many_failures_lock_the_account_until_an_administrator_lifts_it(
    client, citizen, settings
):
    settings.LOGIN_ADDRESS_DELAY_AFTER = 100
    for _ in range(settings.LOGIN_LOCK_AFTER):
        LoginThrottle.objects.filter(key=f"account:{citizen.pk}").update(blocked_until=None)
        _login(client, password="equivocada")
    citizen.refresh_from_db()
    assert citizen.locked_at is not None
    assert AuditEvent.objects.filter(action="accounts.locked", target_id=str(citizen.pk)).exists()
    response = _login(client)
    assert response.status_code == 429
    assert "Tu cuenta está bloqueada" in response.content.decode()

    with pytest.raises(PermissionDenied):
        account_unlock(user=citizen, by=citizen)
    admin = User.objects.create_superuser("root", "root@example.pe", "x-clave-larga-99")
    account_unlock(user=citizen, by=admin)
    citizen.refresh_from_db()
    assert citizen.locked_at is None
    assert AuditEvent.objects.filter(action="accounts.unlocked", actor=admin).exists()
    assert _login(client).status_code == 302


def test_an_account_with_a_second_factor_asks_for_the_code(client, citizen):
    totp_demo_enable(user=citizen, secret=SECRET)
    response = _login(client, next="/cuenta/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login_code"))
    assert "_auth_user_id" not in client.session  # not logged in before the code

    wrong = client.post(reverse("accounts:login_code"), {"codigo": "000000", "next": "/cuenta/"})
    assert wrong.status_code == 400
    assert "El código no es correcto" in wrong.content.decode()

    code = pyotp.TOTP(SECRET).now()
    right = client.post(reverse("accounts:login_code"), {"codigo": code, "next": "/cuenta/"})
    assert right.status_code == 302
    assert right["Location"] == "/cuenta/"
    assert client.session[SESSION_LEVEL] == "two_factor"
    assert UserSession.objects.get(user=citizen).level == "two_factor"

    # The same code cannot open a second session (replay).
    again = Client()
    _login(again)
    replay = again.post(reverse("accounts:login_code"), {"codigo": code})
    assert replay.status_code == 400


def test_the_code_page_without_a_password_first_goes_back_to_login(client, citizen):
    response = client.get(reverse("accounts:login_code"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_step_up_asks_a_logged_in_citizen_for_the_code(client, citizen):
    totp_demo_enable(user=citizen, secret=SECRET)
    citizen_no_code = Client()
    # Log in at one factor by the code path being absent: use a second user without TOTP.
    _login(client)
    code = pyotp.TOTP(SECRET).now()
    client.post(reverse("accounts:login_code"), {"codigo": code})
    assert client.session[SESSION_LEVEL] == "two_factor"
    # Already two_factor: asking again passes straight through.
    response = client.get(reverse("accounts:login"), {"nivel": "two_factor", "next": "/cuenta/"})
    assert response["Location"] == "/cuenta/"
    assert citizen_no_code.get(reverse("accounts:home")).status_code == 302


def test_step_up_without_a_second_factor_sends_to_its_setup(client, citizen):
    _login(client)
    response = client.get(reverse("accounts:login"), {"nivel": "two_factor", "next": "/cuenta/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/seguridad/verificacion/")
    assert "nivel=two_factor" in response["Location"]


def test_step_up_of_a_one_factor_session_with_a_device(client, citizen):
    _login(client)
    assert client.session[SESSION_LEVEL] == "one_factor"
    totp_demo_enable(user=citizen, secret=SECRET)
    response = client.get(reverse("accounts:login"), {"nivel": "two_factor", "next": "/cuenta/"})
    assert response["Location"].startswith(reverse("accounts:login_code"))
    old_key = client.session.session_key
    code = pyotp.TOTP(SECRET).now()
    done = client.post(reverse("accounts:login_code"), {"codigo": code, "next": "/cuenta/"})
    assert done["Location"] == "/cuenta/"
    assert client.session[SESSION_LEVEL] == "two_factor"
    assert client.session.session_key != old_key
    assert list(UserSession.objects.filter(user=citizen).values_list("level", flat=True)) == [
        "two_factor"
    ]


def test_logout_ends_the_session_and_its_row(client, citizen):
    _login(client)
    assert client.get(reverse("accounts:logout")).status_code == 200  # a confirmation, no change
    assert UserSession.objects.filter(user=citizen).exists()
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not UserSession.objects.filter(user=citizen).exists()
    assert client.get(reverse("accounts:home")).status_code == 302


def test_a_session_closed_elsewhere_is_logged_out_on_its_next_request(client, citizen):
    _login(client)
    UserSession.objects.filter(user=citizen).delete()
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_form_needs_csrf(citizen):
    response = _login(Client(enforce_csrf_checks=True))
    assert response.status_code == 403


def test_account_pages_are_never_stored(client, citizen):
    _login(client)
    response = client.get(reverse("accounts:home"))
    assert "no-store" in response["Cache-Control"]


def test_admin_login_goes_through_the_same_throttle(client, citizen, settings):
    settings.LOGIN_ADDRESS_DELAY_AFTER = 100
    official = User.objects.create_user("editor.x", password=PASSWORD, is_staff=True)
    for _ in range(settings.LOGIN_DELAY_AFTER):
        _login(client, documento="editor.x", password="mala")
    assert _login(client, documento="editor.x").status_code == 429
    assert LoginThrottle.objects.filter(key=f"account:{official.pk}").exists()
    response = client.get("/gestion/login/", {"next": "/gestion/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_citizen_sent_to_the_back_office_is_told_it_is_not_for_them(client, citizen):
    _login(client)
    response = client.get("/gestion/", follow=True)
    assert response.status_code == 403
    assert "no tiene acceso a la gestión" in response.content.decode()


def test_a_certificate_level_is_plainly_not_available_yet(client, citizen):
    _login(client)
    response = client.get(reverse("accounts:login"), {"nivel": "certificate_dnie", "next": "/x/"})
    assert response.status_code == 501
    assert "aún no está disponible" in response.content.decode()
    assert "DNI electrónico" in response.content.decode()


def test_the_login_page_says_which_application_is_asking(client):
    from ventanilla.oidc.services import oidc_demo_client_ensure

    oidc_demo_client_ensure()
    asked = "/oidc/authorize/?client_id=demo-rp&response_type=code&scope=openid"
    html = client.get(reverse("accounts:login"), {"next": asked}).content.decode()
    assert "«Aplicación de demostración» te pide ingresar" in html
    plain = client.get(reverse("accounts:login"), {"next": "/oidc/authorize/?client_id=nadie"})
    assert "te pide ingresar" not in plain.content.decode()


def test_a_platform_administrator_lifts_a_lock_from_the_back_office(client, citizen):
    from django.utils import timezone

    User.objects.filter(pk=citizen.pk).update(locked_at=timezone.now())
    admin = User.objects.create_superuser("root", "root@example.pe", "x-clave-larga-99")
    back_office = Client()
    back_office.force_login(admin)
    changelist = reverse("admin:accounts_user_changelist")
    assert "45678912" in back_office.get(changelist, {"locked_at__isempty": "0"}).content.decode()
    back_office.post(changelist, {"action": "unlock_selected", "_selected_action": [citizen.pk]})
    citizen.refresh_from_db()
    assert citizen.locked_at is None
    assert AuditEvent.objects.filter(action="accounts.unlocked", actor=admin).exists()
    assert _login(client).status_code == 302
