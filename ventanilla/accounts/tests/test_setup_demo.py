"""`manage.py setup_demo` makes the accounts the README lists, and they work as printed."""

from io import StringIO

import pyotp
import pytest
from django.core.management import call_command
from django.urls import reverse

from ventanilla.accounts.assurance import SESSION_LEVEL
from ventanilla.accounts.management.commands.setup_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from ventanilla.accounts.models import Membership, Role, User
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.oidc.services import DEMO_CLIENT_ID

pytestmark = pytest.mark.django_db


def test_setup_demo_makes_working_accounts_and_is_idempotent(client):
    InstitutionFactory(slug="reniec", name="Registro Nacional de Identificación y Estado Civil")
    InstitutionFactory(slug="munihuancayo", name="Municipalidad Provincial de Huancayo")
    out = StringIO()
    call_command("setup_demo", "--base-url", "http://127.0.0.1:8765", stdout=out)
    call_command("setup_demo", stdout=StringIO())  # a second run repairs, never duplicates
    printed = out.getvalue()
    assert "http://127.0.0.1:8765/cuenta/ingresar/" in printed
    assert DEMO_TOTP_SECRET in printed
    assert "45678912" in printed
    assert "demo-rp" in printed

    citizen = User.objects.get(document_type="dni", document_number="45678912")
    assert citizen.first_name
    assert citizen.registry_verified_at is not None
    assert Membership.objects.filter(user__username="admin.reniec",
                                     role=Role.INSTITUTION_ADMIN).count() == 1  # fmt: skip
    from oauth2_provider.models import get_application_model

    assert get_application_model().objects.filter(client_id=DEMO_CLIENT_ID).count() == 1

    login = client.post(reverse("accounts:login"),
                        {"documento": "45678912", "password": DEMO_PASSWORD})  # fmt: skip
    assert login["Location"].startswith(reverse("accounts:login_code"))
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    assert client.post(reverse("accounts:login_code"), {"codigo": code}).status_code == 302
    assert client.session[SESSION_LEVEL] == "two_factor"
