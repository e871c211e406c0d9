"""Officials through the services: invite, accept, revoke, change role, remove."""

import hashlib
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from ventanilla.accounts.models import Invitation, Membership, Role
from ventanilla.accounts.permissions import is_back_office_user
from ventanilla.accounts.services import officials
from ventanilla.accounts.tests.factories import (
    CitizenFactory,
    InvitationFactory,
    OfficialFactory,
    PlatformAdminFactory,
)
from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
STRONG = "Quipu-Andino-2026"


@pytest.fixture
def own():
    return InstitutionFactory(name="Municipalidad de Miraflores")


@pytest.fixture
def admin_of_own(own):
    return OfficialFactory(institution=own, role=Role.INSTITUTION_ADMIN)


def _invite(institution, by, email="nueva@miraflores.gob.pe", role=Role.EDITOR):
    return officials.official_invite(institution=institution, email=email, role=role, by=by)


def test_official_invite_stores_only_the_token_hash_and_mails_the_link_after_commit(
    own, admin_of_own, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = _invite(own, admin_of_own, email="  Nueva@Miraflores.GOB.pe ")
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    saved = Invitation.objects.get()
    assert saved.email == "nueva@miraflores.gob.pe"
    assert saved.role == Role.EDITOR
    assert saved.invited_by == admin_of_own
    assert saved.token_hash == hashlib.sha256(invitation.token.encode()).hexdigest()
    assert invitation.token not in saved.token_hash
    assert timedelta(days=6, hours=23) < saved.expires_at - timezone.now() <= timedelta(days=7)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nueva@miraflores.gob.pe"]
    assert "Municipalidad de Miraflores" in message.subject
    assert f"/cuenta/invitacion/{invitation.token}/" in message.body
    event = AuditEvent.objects.get(action="invitation.created")
    assert event.institution_id == own.pk
    assert event.actor == admin_of_own
    assert invitation.token not in str(event.data)


def test_reinviting_the_same_email_and_role_replaces_the_open_invitation(own, admin_of_own):
    first = _invite(own, admin_of_own)
    second = _invite(own, admin_of_own, email="NUEVA@miraflores.gob.pe")
    other_role = _invite(own, admin_of_own, role=Role.PUBLISHER)
    assert Invitation.objects.get(pk=first.pk).revoked_at is not None
    assert Invitation.objects.get(pk=second.pk).revoked_at is None
    assert Invitation.objects.get(pk=other_role.pk).revoked_at is None
    with pytest.raises(ValidationError):
        officials.invitation_accept(token=first.token, username="x1", password=STRONG)


@pytest.mark.parametrize(
    "email", ["", "sin-arroba", "a@b", "dos@@entidad.gob.pe", "x" * 250 + "@a.pe", "a b@c.pe"]
)
def test_official_invite_refuses_a_malformed_email_in_spanish_and_writes_nothing(
    own, admin_of_own, email
):
    with pytest.raises(ValidationError) as refused:
        _invite(own, admin_of_own, email=email)
    assert "correo" in refused.value.message_dict["email"][0]
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_official_invite_refuses_a_role_that_does_not_exist(own, admin_of_own):
    with pytest.raises(ValidationError) as refused:
        _invite(own, admin_of_own, role="superadmin")
    assert refused.value.message_dict["role"] == [
        "Elija un rol de la lista: «superadmin» no es un rol."
    ]
    assert not Invitation.objects.exists()


def test_institution_admin_cannot_invite_into_another_institution(admin_of_own):
    other = InstitutionFactory()
    with pytest.raises(PermissionDenied, match="instituciones que administra"):
        _invite(other, admin_of_own)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_official_invite_refuses_someone_who_already_holds_the_role(own, admin_of_own):
    OfficialFactory(email="ya@miraflores.gob.pe", institution=own, role=Role.EDITOR)
    with pytest.raises(ValidationError, match="ya tiene ese rol"):
        _invite(own, admin_of_own, email="Ya@miraflores.gob.pe")


def test_invitation_accept_creates_an_official_account_with_back_office_access(own, admin_of_own):
    invitation = _invite(own, admin_of_own)
    membership = officials.invitation_accept(
        token=invitation.token,
        username="rquispe",
        password=STRONG,
        first_name="Rosa",
        last_name="Quispe",
    )
    user = User.objects.get(username="rquispe")
    assert membership.user == user
    assert membership.institution == own
    assert membership.role == Role.EDITOR
    assert user.is_staff
    assert not user.is_superuser
    assert user.email == "nueva@miraflores.gob.pe"
    assert user.check_password(STRONG)
    assert is_back_office_user(user)
    saved = Invitation.objects.get(pk=invitation.pk)
    assert saved.accepted_by == user
    assert saved.accepted_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"invitation.accepted", "membership.created", "user.created"} <= actions


def test_invitation_accept_by_a_logged_in_user_adds_the_role_to_their_account(own, admin_of_own):
    other = InstitutionFactory()
    person = OfficialFactory(institution=other, role=Role.CASE_OFFICER)
    invitation = _invite(own, admin_of_own, role=Role.PUBLISHER)
    membership = officials.invitation_accept(token=invitation.token, user=person)
    assert membership.user == person
    assert set(person.memberships.values_list("institution_id", "role")) == {
        (other.pk, Role.CASE_OFFICER),
        (own.pk, Role.PUBLISHER),
    }
    assert User.objects.count() == 2  # no new account


def test_a_citizen_who_accepts_becomes_staff(own, admin_of_own):
    citizen = CitizenFactory()
    invitation = _invite(own, admin_of_own, email=citizen.email)
    officials.invitation_accept(token=invitation.token, user=citizen)
    citizen.refresh_from_db()
    assert citizen.is_staff


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "venció"),
        ({"revoked_at": timezone.now()}, "anulada"),
        ({"accepted_at": timezone.now()}, "ya fue aceptada"),
    ],
)
def test_invitation_accept_refuses_expired_revoked_or_used_links_and_writes_nothing(state, message):
    invitation = InvitationFactory(**state)
    with pytest.raises(ValidationError, match=message):
        officials.invitation_accept(token=invitation.token, username="nuevo", password=STRONG)
    assert not User.objects.exists()
    assert not Membership.objects.exists()


def test_invitation_accept_refuses_an_unknown_token():
    with pytest.raises(ValidationError, match="no es válido"):
        officials.invitation_accept(token="inventado", username="nuevo", password=STRONG)


def test_accepting_twice_gives_one_membership_and_a_clear_message(own, admin_of_own):
    invitation = _invite(own, admin_of_own)
    officials.invitation_accept(
        token=invitation.token, username="rosa", password=STRONG, first_name="R", last_name="Q"
    )
    with pytest.raises(ValidationError, match="ya fue aceptada"):
        officials.invitation_accept(
            token=invitation.token, username="rosa2", password=STRONG, first_name="R", last_name="Q"
        )
    assert Membership.objects.filter(institution=own, role=Role.EDITOR).count() == 1
    assert not User.objects.filter(username="rosa2").exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "123"}, "password", "corta"),
        ({"password": "12345678901"}, "password", "numérica"),
        ({"username": ""}, "username", "Elige un nombre de usuario"),
        ({"username": "45678912"}, "username", "solo números"),
        ({"username": "con espacio"}, "username", "Usa solo letras"),
        ({"first_name": ""}, "first_name", "nombres"),
    ],
)
def test_invitation_accept_refuses_a_bad_account_and_leaves_the_invitation_open(
    own, admin_of_own, fields, field, message
):
    invitation = _invite(own, admin_of_own)
    data = {"username": "rosa", "password": STRONG, "first_name": "Rosa", "last_name": "Q"}
    data.update(fields)
    with pytest.raises(ValidationError) as refused:
        officials.invitation_accept(token=invitation.token, **data)
    assert message in " ".join(refused.value.message_dict[field])
    assert User.objects.count() == 1  # the administrator only
    saved = Invitation.objects.get(pk=invitation.pk)
    assert saved.accepted_at is None
    assert saved.accepted_by is None


def test_invitation_accept_refuses_a_username_already_taken_in_any_case(own, admin_of_own):
    invitation = _invite(own, admin_of_own)
    OfficialFactory(username="rosa")
    with pytest.raises(ValidationError, match="ya está en uso"):
        officials.invitation_accept(
            token=invitation.token, username="ROSA", password=STRONG, first_name="R", last_name="Q"
        )


def test_invitation_revoke_stops_the_link_and_is_audited(own, admin_of_own):
    invitation = _invite(own, admin_of_own)
    officials.invitation_revoke(invitation=invitation, by=admin_of_own)
    officials.invitation_revoke(invitation=invitation, by=admin_of_own)  # twice is harmless
    assert AuditEvent.objects.filter(action="invitation.revoked").count() == 1
    with pytest.raises(ValidationError, match="anulada"):
        officials.invitation_accept(token=invitation.token, username="r", password=STRONG)


def test_invitation_revoke_refuses_another_institutions_invitation(admin_of_own):
    invitation = InvitationFactory()
    with pytest.raises(PermissionDenied):
        officials.invitation_revoke(invitation=invitation, by=admin_of_own)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_an_accepted_invitation_is_not_revoked(own, admin_of_own):
    invitation = InvitationFactory(institution=own, accepted_at=timezone.now())
    with pytest.raises(ValidationError, match="retire al funcionario"):
        officials.invitation_revoke(invitation=invitation, by=admin_of_own)


def test_official_remove_takes_the_role_and_the_last_one_takes_back_office_access(
    own, admin_of_own
):
    other = InstitutionFactory()
    editor = OfficialFactory(memberships=[(own, Role.EDITOR), (other, Role.EDITOR)])
    officials.official_remove(membership=editor.memberships.get(institution=own), by=admin_of_own)
    editor.refresh_from_db()
    assert editor.is_staff  # still an editor of the other institution
    officials.official_remove(
        membership=editor.memberships.get(institution=other), by=PlatformAdminFactory()
    )
    editor.refresh_from_db()
    assert not editor.is_staff
    assert not is_back_office_user(editor)
    events = AuditEvent.objects.filter(action="membership.deleted").order_by("id")
    assert [e.institution_id for e in events] == [own.pk, other.pk]
    assert events.last().data["back_office_access"] is False


def test_institution_admin_cannot_remove_officials_of_another_institution(admin_of_own):
    other = InstitutionFactory()
    editor = OfficialFactory(institution=other, role=Role.EDITOR)
    with pytest.raises(PermissionDenied):
        officials.official_remove(membership=editor.memberships.get(), by=admin_of_own)
    assert editor.memberships.exists()


def test_institution_admin_cannot_remove_the_last_institution_admin(own, admin_of_own):
    with pytest.raises(ValidationError, match="sin administrador"):
        officials.official_remove(membership=admin_of_own.memberships.get(), by=admin_of_own)
    second = OfficialFactory(institution=own, role=Role.INSTITUTION_ADMIN)
    officials.official_remove(membership=admin_of_own.memberships.get(), by=second)
    assert list(Membership.objects.values_list("user_id", flat=True)) == [second.pk]


def test_an_inactive_admin_does_not_count_as_the_institutions_administrator(own, admin_of_own):
    gone = OfficialFactory(institution=own, role=Role.INSTITUTION_ADMIN, is_active=False)
    assert gone.memberships.exists()
    with pytest.raises(ValidationError, match="sin administrador"):
        officials.official_remove(membership=admin_of_own.memberships.get(), by=admin_of_own)


def test_platform_admin_may_remove_the_last_institution_admin(own, admin_of_own):
    officials.official_remove(membership=admin_of_own.memberships.get(), by=PlatformAdminFactory())
    assert not Membership.objects.exists()


def test_removing_twice_records_once(own, admin_of_own):
    editor = OfficialFactory(institution=own, role=Role.EDITOR)
    membership = editor.memberships.get()
    officials.official_remove(membership=membership, by=admin_of_own)
    officials.official_remove(membership=membership, by=admin_of_own)
    assert AuditEvent.objects.filter(action="membership.deleted").count() == 1


def test_membership_role_change_is_audited_and_guards_the_last_admin(own, admin_of_own):
    editor = OfficialFactory(institution=own, role=Role.EDITOR)
    changed = officials.membership_role_change(
        membership=editor.memberships.get(), role=Role.PUBLISHER, by=admin_of_own
    )
    assert changed.role == Role.PUBLISHER
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.data == {"user": editor.pk, "from": "editor", "to": "publisher"}
    with pytest.raises(ValidationError, match="sin administrador"):
        officials.membership_role_change(
            membership=admin_of_own.memberships.get(), role=Role.EDITOR, by=admin_of_own
        )
    with pytest.raises(ValidationError) as refused:
        officials.membership_role_change(membership=changed, role="jefe", by=admin_of_own)
    assert "no es un rol" in refused.value.message_dict["role"][0]


def test_membership_role_change_refuses_a_role_the_person_already_holds(own, admin_of_own):
    person = OfficialFactory(memberships=[(own, Role.EDITOR), (own, Role.PUBLISHER)])
    editor = person.memberships.get(role=Role.EDITOR)
    with pytest.raises(ValidationError, match="ya tiene ese rol"):
        officials.membership_role_change(membership=editor, role=Role.PUBLISHER, by=admin_of_own)


def test_membership_role_change_refuses_another_institution(admin_of_own):
    editor = OfficialFactory(institution=InstitutionFactory(), role=Role.EDITOR)
    with pytest.raises(PermissionDenied):
        officials.membership_role_change(
            membership=editor.memberships.get(), role=Role.INSTITUTION_ADMIN, by=admin_of_own
        )
    assert editor.memberships.get().role == Role.EDITOR


def test_an_admin_who_removes_their_own_role_loses_it_in_the_same_request(own, admin_of_own):
    second = OfficialFactory(institution=own, role=Role.INSTITUTION_ADMIN)
    from ventanilla.accounts.permissions import can_manage_officials

    assert can_manage_officials(second, own.pk)
    officials.official_remove(membership=second.memberships.get(), by=second)
    assert not can_manage_officials(second, own.pk)


def test_membership_grant_is_for_platform_admins_only(own, admin_of_own):
    person = OfficialFactory()
    with pytest.raises(PermissionDenied):
        officials.membership_grant(user=person, institution=own, role=Role.EDITOR, by=admin_of_own)
    officials.membership_grant(
        user=person, institution=own, role=Role.EDITOR, by=PlatformAdminFactory()
    )
    assert person.memberships.get().role == Role.EDITOR


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_acceptances_of_one_link_create_one_account():
    invitation = InvitationFactory()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def accept(username: str) -> None:
        try:
            barrier.wait(timeout=10)
            officials.invitation_accept(
                token=invitation.token,
                username=username,
                password=STRONG,
                first_name="Rosa",
                last_name="Quispe",
            )
            results.append("ok")
        except ValidationError as refused:
            results.append(refused.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("rosa1", "rosa2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [
        "Esta invitación ya fue aceptada. Ingresa con tu cuenta para continuar.",
        "ok",
    ]
    assert User.objects.count() == 1
    assert Membership.objects.count() == 1
