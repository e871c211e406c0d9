"""A procedure can ask for a minimum level of identification before it is started online: the
citizen is sent to log in, or to step up to the second factor, and then on to the service."""

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ventanilla.accounts.services.second_factor import totp_demo_enable
from ventanilla.catalogue.tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "una-clave-larga-2026"


def _start_url(procedure) -> str:
    return reverse("catalogue:procedure_start", kwargs={"number": procedure.number,
                                                         "slug": procedure.slug})  # fmt: skip


@pytest.fixture
def citizen():
    user = get_user_model()(username="dni-45678912", document_type="dni",
                            document_number="45678912", first_name="Rosa")  # fmt: skip
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_procedure_open_to_anyone_links_straight_to_the_service(client):
    procedure = ProcedureFactory(online_url="https://servicios.example.gob.pe/inicio")
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert 'href="https://servicios.example.gob.pe/inicio"' in html
    assert (
        client.get(_start_url(procedure))["Location"] == "https://servicios.example.gob.pe/inicio"
    )


def test_a_two_factor_procedure_steps_the_citizen_up_before_the_service(client, citizen):
    procedure = ProcedureFactory(online_url="https://servicios.example.gob.pe/dni",
                                 min_assurance="two_factor")  # fmt: skip
    start = _start_url(procedure)
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert f'href="{start}"' in html
    assert "código de verificación en dos pasos" in html

    anonymous = client.get(start)
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert "nivel=two_factor" in anonymous["Location"]

    totp_demo_enable(user=citizen, secret=SECRET)
    form = {"documento": "45678912", "password": PASSWORD, "next": start, "nivel": "two_factor"}
    login = client.post(reverse("accounts:login"), form)
    code_page = login["Location"]
    assert code_page.startswith(reverse("accounts:login_code"))
    done = client.post(reverse("accounts:login_code"),
                       {"codigo": pyotp.TOTP(SECRET).now(), "next": start})  # fmt: skip
    assert done["Location"] == start
    assert client.get(start)["Location"] == "https://servicios.example.gob.pe/dni"


def test_a_one_factor_session_is_not_enough_for_a_two_factor_procedure(client, citizen):
    procedure = ProcedureFactory(online_url="https://servicios.example.gob.pe/dni",
                                 min_assurance="two_factor")  # fmt: skip
    client.post(reverse("accounts:login"), {"documento": "45678912", "password": PASSWORD})
    response = client.get(_start_url(procedure))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "nivel=two_factor" in response["Location"]


def test_a_procedure_without_an_online_service_cannot_be_started(client):
    procedure = ProcedureFactory(online_url="")
    assert client.get(_start_url(procedure)).status_code == 404
