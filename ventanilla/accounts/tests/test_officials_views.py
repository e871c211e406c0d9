"""The invitation page (/cuenta/invitacion/<token>/): accept with an account or create one."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from ventanilla.accounts.models import Invitation, Membership, Role
from ventanilla.accounts.tests.factories import InvitationFactory, OfficialFactory
from ventanilla.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

User = get_user_model()
STRONG = "Quipu-Andino-2026"


def _url(invitation) -> str:
    return f"/cuenta/invitacion/{invitation.token}/"


def _new_account(**changes):
    data = {
        "first_name": "Rosa",
        "last_name": "Quispe Mamani",
        "username": "rquispe",
        "password": STRONG,
        "password2": STRONG,
    }
    data.update(changes)
    return data


def test_invitation_page_shows_the_institution_and_role_and_is_never_cached():
    invitation = InvitationFactory(role=Role.PUBLISHER)
    response = Client().get(_url(invitation))
    page = response.content.decode()
    assert response.status_code == 200
    assert invitation.institution.name in page
    assert "Publicador" in page
    assert "Crear tu cuenta de funcionario" in page
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_new_person_creates_an_official_account_from_the_page():
    invitation = InvitationFactory(role=Role.EDITOR)
    client = Client(enforce_csrf_checks=True)
    client.get(_url(invitation))
    data = _new_account(csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    response = client.post(_url(invitation), data)
    assert response.status_code == 200
    assert "Ya formas parte de" in response.content.decode()
    user = User.objects.get(username="rquispe")
    assert user.is_staff
    assert user.get_full_name() == "Rosa Quispe Mamani"
    assert Membership.objects.get(user=user).institution == invitation.institution
    # The new official logs in to the back office.
    assert Client().login(username="rquispe", password=STRONG)


def test_the_acceptance_form_refuses_a_post_without_csrf_token():
    invitation = InvitationFactory()
    response = Client(enforce_csrf_checks=True).post(_url(invitation), _new_account())
    assert response.status_code == 403
    assert not User.objects.filter(username="rquispe").exists()


def test_a_logged_in_official_accepts_with_their_account():
    invitation = InvitationFactory(role=Role.CASE_SUPERVISOR)
    person = OfficialFactory(username="jperez")
    client = Client()
    client.force_login(person)
    page = client.get(_url(invitation)).content.decode()
    assert "jperez" in page
    assert "Crear tu cuenta" not in page
    response = client.post(_url(invitation))
    assert response.status_code == 200
    assert person.memberships.get().role == Role.CASE_SUPERVISOR
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "otra-cosa-2026"}, "Las dos contraseñas no coinciden."),
        ({"password": "1234", "password2": "1234"}, "demasiado corta"),
        ({"username": "12345678"}, "no puede tener solo números"),
        ({"first_name": ""}, "Escribe tus nombres."),
    ],
)
def test_a_bad_account_gets_a_spanish_message_and_nothing_is_written(changes, message):
    invitation = InvitationFactory()
    response = Client().post(_url(invitation), _new_account(**changes))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Hay un problema" in page
    assert message in page
    assert not User.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(days=1)}, "Esta invitación venció."),
        ({"revoked_at": timezone.now()}, "Esta invitación fue anulada."),
        ({"accepted_at": timezone.now()}, "Esta invitación ya fue aceptada."),
    ],
)
def test_expired_revoked_or_used_links_show_why_in_spanish(state, message):
    invitation = InvitationFactory(**state)
    for response in (
        Client().get(_url(invitation)),
        Client().post(_url(invitation), _new_account()),
    ):
        assert response.status_code == 410
        assert message in response.content.decode()
    assert not User.objects.exists()


def test_an_unknown_link_is_a_404_with_a_spanish_message():
    response = Client().get("/cuenta/invitacion/no-existe/")
    assert response.status_code == 404
    assert "no es válido" in response.content.decode()


def test_double_submit_of_the_acceptance_creates_one_account():
    invitation = InvitationFactory()
    client = Client()
    first = client.post(_url(invitation), _new_account())
    second = Client().post(_url(invitation), _new_account(username="rquispe2"))
    assert first.status_code == 200
    assert second.status_code == 410
    assert "ya fue aceptada" in second.content.decode()
    assert list(User.objects.values_list("username", flat=True)) == ["rquispe"]
    assert Membership.objects.count() == 1
