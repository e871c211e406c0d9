"""Registering a citizen: the document checked by python-stdnum and the civil registry (the fake
RENIEC, a separate HTTP process), names from the registry, nothing half-created."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ventanilla.accounts.assurance import SESSION_LEVEL
from ventanilla.accounts.models import UserSession
from ventanilla.audit.models import AuditEvent
from ventanilla.integrations.civil_registry.fake_people import (
    DEMO_CITIZEN_CHECK_DIGIT,
    DEMO_CITIZEN_DNI,
    MINOR_DNI,
    RESTRICTED_DNI,
    UNKNOWN_DNI,
)

pytestmark = pytest.mark.django_db(transaction=True)
User = get_user_model()
PASSWORD = "una-clave-larga-2026"


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "tipo": "dni", "documento": DEMO_CITIZEN_DNI, "digito": "", "correo": "rosa@example.pe",
        "celular": "", "password": PASSWORD, "password2": PASSWORD,
    }  # fmt: skip
    data.update(overrides)
    return data


def test_registration_takes_names_from_the_registry_and_logs_in(client, civil_registry):
    response = client.post(
        reverse("accounts:register"), _form(nombres="Otro Nombre", digito=DEMO_CITIZEN_CHECK_DIGIT)
    )
    assert response.status_code == 302
    user = User.objects.get(document_type="dni", document_number=DEMO_CITIZEN_DNI)
    assert (user.first_name, user.last_name) == ("Rosa María", "Quispe Huamán")
    assert user.registry_verified_at is not None
    assert user.password.startswith("md5$") or user.has_usable_password()
    assert client.session[SESSION_LEVEL] == "one_factor"
    assert UserSession.objects.filter(user=user, session_key=client.session.session_key).exists()
    assert AuditEvent.objects.filter(action="accounts.registered", target_id=str(user.pk)).exists()
    home = client.get(response["Location"])
    assert "Rosa María" in home.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"digito": "7"}, "dígito de verificación no corresponde"),
        ({"documento": "4567891"}, "8 dígitos"),
        ({"documento": "4567891A"}, "8 dígitos"),
        ({"documento": UNKNOWN_DNI}, "no figura en el Registro Nacional"),
        ({"documento": MINOR_DNI}, "mayores de 18"),
        ({"documento": RESTRICTED_DNI}, "no permite usar ese documento"),
        ({"tipo": "ce", "documento": "12"}, "9 a 12 dígitos"),
        ({"tipo": "pasaporte"}, "DNI o carné"),
        ({"correo": "rosa@"}, "correo válido"),
        ({"password2": "otra-clave-distinta"}, "no son iguales"),
        ({"password": "12345678", "password2": "12345678"}, "contraseña"),
        ({"celular": "abc"}, "9 dígitos"),
    ],
)
def test_bad_registration_says_why_in_spanish_and_creates_nothing(
    client, civil_registry, overrides, message
):
    response = client.post(reverse("accounts:register"), _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert "sessionid" not in response.cookies


def test_registry_down_means_try_again_later_and_nothing_created(client, civil_registry_fake):
    for mode in ("error", "garbage", "slow"):
        with civil_registry_fake.misbehaving(mode):
            response = client.post(reverse("accounts:register"), _form())
        assert response.status_code == 503, mode
        assert "inténtalo de nuevo en unos minutos" in response.content.decode()
    assert not User.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.registered").exists()


def test_a_double_clicked_registration_makes_one_account(client, civil_registry):
    first = client.post(reverse("accounts:register"), _form())
    second = client.post(reverse("accounts:register"), _form())
    assert first.status_code == second.status_code == 302
    assert User.objects.filter(document_number=DEMO_CITIZEN_DNI).count() == 1


def test_a_document_already_registered_points_to_login_and_recovery(client, civil_registry):
    client.post(reverse("accounts:register"), _form())
    client.logout()
    response = client.post(
        reverse("accounts:register"),
        _form(correo="otra@example.pe", password="otra-clave-2026x", password2="otra-clave-2026x"),
    )
    assert response.status_code == 400
    assert "Ya existe una cuenta con este documento" in response.content.decode()
    assert User.objects.count() == 1


def test_registration_form_needs_csrf(civil_registry):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("accounts:register"), _form())
    assert response.status_code == 403
    assert not User.objects.exists()
