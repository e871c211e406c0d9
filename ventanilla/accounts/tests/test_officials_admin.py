"""The officials and invitations screens of the back office (/gestion/accounts/...)."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Invitation, Membership, Role
from ventanilla.accounts.services import officials
from ventanilla.accounts.tests.factories import (
    InvitationFactory,
    OfficialFactory,
    PlatformAdminFactory,
)
from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

MEMBERSHIPS = reverse("admin:accounts_membership_changelist")
INVITATIONS = reverse("admin:accounts_invitation_changelist")
INVITE = reverse("admin:accounts_invitation_add")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two():
    own = InstitutionFactory(name="Municipalidad de Miraflores")
    other = InstitutionFactory(name="Municipalidad de Surco")
    admin = OfficialFactory(username="jefa", institution=own, role=Role.INSTITUTION_ADMIN)
    return own, other, admin


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_institution_admin_lists_only_their_institutions_officials_and_invitations(two):
    own, other, admin = two
    mine = OfficialFactory(institution=own, role=Role.EDITOR).memberships.get()
    OfficialFactory(institution=other, role=Role.EDITOR)
    my_invitation = InvitationFactory(institution=own)
    InvitationFactory(institution=other)
    client = _client(admin)

    listed = client.get(MEMBERSHIPS).context["cl"].result_list
    assert set(listed) == {mine, admin.memberships.get()}
    assert list(client.get(INVITATIONS).context["cl"].result_list) == [my_invitation]


def test_membership_and_invitation_lists_keep_their_query_count(two, django_assert_max_num_queries):
    own, _other, admin = two
    for _n in range(30):
        OfficialFactory(institution=own, role=Role.EDITOR)
        InvitationFactory(institution=own, invited_by=admin)
    client = _client(admin)
    with django_assert_max_num_queries(7):
        response = client.get(MEMBERSHIPS)
    assert len(response.context["cl"].result_list) == 31
    with django_assert_max_num_queries(7):
        response = client.get(INVITATIONS)
    assert len(response.context["cl"].result_list) == 30


def test_an_institution_admin_opens_no_row_of_another_institution(two):
    _own, other, admin = two
    theirs = OfficialFactory(institution=other, role=Role.EDITOR).memberships.get()
    invitation = InvitationFactory(institution=other)
    client = _client(admin)
    url = reverse("admin:accounts_membership_change", args=[theirs.pk])
    assert client.get(url).status_code == 302  # "does not exist" for them
    client.post(url, {"role": Role.INSTITUTION_ADMIN})
    assert Membership.objects.get(pk=theirs.pk).role == Role.EDITOR
    url = reverse("admin:accounts_invitation_change", args=[invitation.pk])
    assert client.get(url).status_code == 302


def test_inviting_from_the_back_office_mails_an_absolute_link_and_audits(
    two, django_capture_on_commit_callbacks
):
    own, _other, admin = two
    client = _client(admin)
    form = client.get(INVITE)
    # The institution list holds only the institutions they administer.
    choices = [
        c[0].value for c in form.context["adminform"].form.fields["institution"].choices if c[0]
    ]
    assert choices == [own.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INVITE, {"institution": own.pk, "email": "nuevo@miraflores.gob.pe", "role": "publisher"}
        )
    assert response.status_code == 302
    assert "Se envió la invitación a nuevo@miraflores.gob.pe" in " ".join(_messages(response))
    invitation = Invitation.objects.get()
    assert invitation.role == Role.PUBLISHER
    assert invitation.invited_by == admin
    assert "http://testserver/cuenta/invitacion/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="invitation.created", institution_id=own.pk).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "no-es-correo"}, "email", "correo electrónico válida"),
        ({"role": "superadmin"}, "role", "superadmin"),
        ({"institution": "other"}, "institution", "opción válida"),
    ],
)
def test_bad_invitations_in_the_back_office_get_a_spanish_message_and_no_row(
    two, data, field, message
):
    own, other, admin = two
    post = {"institution": own.pk, "email": "nuevo@miraflores.gob.pe", "role": "editor"}
    post.update(data)
    if post["institution"] == "other":
        post["institution"] = other.pk
    response = _client(admin).post(INVITE, post)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_someone_who_already_holds_the_role_is_refused_beside_the_field(two):
    own, _other, admin = two
    OfficialFactory(email="ya@miraflores.gob.pe", institution=own, role=Role.EDITOR)
    response = _client(admin).post(
        INVITE, {"institution": own.pk, "email": "ya@miraflores.gob.pe", "role": "editor"}
    )
    assert response.status_code == 200
    assert "ya tiene ese rol" in " ".join(response.context["adminform"].form.errors["email"])


def test_revoking_in_the_back_office_annuls_only_open_invitations_and_says_why(two):
    own, _other, admin = two
    open_one = InvitationFactory(institution=own)
    accepted = InvitationFactory(institution=own, email="ya@x.pe")
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=open_one.created_at)
    response = _client(admin).post(
        INVITATIONS,
        {"action": "revoke_selected", "_selected_action": [open_one.pk, accepted.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 invitaciones anuladas." in page
    assert "retire al funcionario" in page
    assert Invitation.objects.get(pk=open_one.pk).revoked_at is not None
    assert Invitation.objects.get(pk=accepted.pk).revoked_at is None


def test_removing_the_last_institution_admin_is_refused_with_a_message(two):
    _own, _other, admin = two
    response = _client(admin).post(
        MEMBERSHIPS,
        {"action": "remove_selected", "_selected_action": [admin.memberships.get().pk]},
        follow=True,
    )
    assert "sin administrador" in response.content.decode()
    assert admin.memberships.exists()


def test_a_role_change_that_would_leave_no_admin_shows_the_reason_on_the_form(two):
    _own, _other, admin = two
    url = reverse("admin:accounts_membership_change", args=[admin.memberships.get().pk])
    response = _client(admin).post(url, {"role": Role.EDITOR})
    assert response.status_code == 200
    assert "sin administrador" in str(response.context["adminform"].form.errors)
    assert admin.memberships.get().role == Role.INSTITUTION_ADMIN


def test_institution_admins_cannot_add_memberships_directly_but_platform_admins_can(two):
    own, _other, admin = two
    add = reverse("admin:accounts_membership_add")
    assert _client(admin).get(add).status_code == 403
    person = OfficialFactory()
    response = _client(PlatformAdminFactory()).post(
        add, {"user": person.pk, "institution": own.pk, "role": Role.CASE_OFFICER}
    )
    assert response.status_code == 302
    assert person.memberships.get().role == Role.CASE_OFFICER


@pytest.mark.parametrize("role", [Role.SERVICE_DESIGNER, Role.CASE_OFFICER, Role.CASE_SUPERVISOR])
def test_officials_without_an_editing_role_enter_the_back_office_and_see_nothing_yet(two, role):
    own, _other, _admin = two
    client = _client(OfficialFactory(institution=own, role=role))
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert client.get(reverse("admin:password_change")).status_code == 200


def test_an_official_removed_from_their_last_institution_loses_the_back_office(two):
    own, _other, admin = two
    editor = OfficialFactory(institution=own, role=Role.EDITOR)
    client = _client(editor)
    assert client.get(reverse("admin:index")).status_code == 200
    officials.official_remove(membership=editor.memberships.get(), by=admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
