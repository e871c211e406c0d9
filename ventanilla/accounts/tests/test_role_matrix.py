"""The role matrix: who reaches which institution's data, stated as a table.

Every institution-scoped action of the back office is tried by an official of each role in
their OWN institution and in ANOTHER one, twice: through the permission function the code
asks, and through a real HTTP request to the back office (a refusal is a 403, a redirect for
a row outside the official's list, or a row that simply is not there). A platform
administrator reaches everything; a staff account without any role reaches nothing.

The table below IS the policy; change it only together with accounts/permissions.py and
docs/how-to/manage-officials.md."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Invitation, Membership, Role
from ventanilla.accounts.permissions import can_manage_officials, can_view_audit_event
from ventanilla.accounts.tests.backoffice import admin_form_data
from ventanilla.accounts.tests.factories import (
    InvitationFactory,
    OfficialFactory,
    PlatformAdminFactory,
)
from ventanilla.audit.models import AuditEvent
from ventanilla.catalogue.models import Procedure
from ventanilla.catalogue.permissions import procedure_can_edit, procedure_can_publish
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.institutions.models import Institution
from ventanilla.institutions.permissions import institution_can_edit
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

OWN = "own"  # allowed in the official's own institution only
ALL = "all"  # allowed everywhere (platform administrators)
NO = "-"  # allowed nowhere

ACTIONS = (
    "edit_institution",
    "edit_procedure",
    "publish_procedure",
    "list_officials",
    "invite_official",
    "revoke_invitation",
    "change_official_role",
    "remove_official",
    "view_audit_trail",
)

# fmt: off
#                                  edit    edit    publish list   invite revoke role   remove audit
#                                  instit. proced. proced. offic. offic. invit. change offic. trail
EXPECTED: dict[str, tuple[str, ...]] = {
    "platform_admin":             (ALL,    ALL,    ALL,    ALL,   ALL,   ALL,   ALL,   ALL,   ALL),
    Role.INSTITUTION_ADMIN:       (OWN,    OWN,    OWN,    OWN,   OWN,   OWN,   OWN,   OWN,   OWN),
    Role.EDITOR:                  (OWN,    OWN,    NO,     NO,    NO,    NO,    NO,    NO,    OWN),
    Role.PUBLISHER:               (OWN,    OWN,    OWN,    NO,    NO,    NO,    NO,    NO,    OWN),
    Role.SERVICE_DESIGNER:        (NO,     NO,     NO,     NO,    NO,    NO,    NO,    NO,    NO),
    Role.CASE_OFFICER:            (NO,     NO,     NO,     NO,    NO,    NO,    NO,    NO,    NO),
    Role.CASE_SUPERVISOR:         (NO,     NO,     NO,     NO,    NO,    NO,    NO,    NO,    NO),
    "no_role":                    (NO,     NO,     NO,     NO,    NO,    NO,    NO,    NO,    NO),
}
# fmt: on

WHO = tuple(EXPECTED)


def test_the_table_covers_every_role_and_every_action():
    assert set(Role.values) <= set(EXPECTED)
    assert all(len(row) == len(ACTIONS) for row in EXPECTED.values())


def _expected(who: str, action: str, where: str) -> bool:
    cell = EXPECTED[who][ACTIONS.index(action)]
    return cell == ALL or (cell == OWN and where == "own")


class World:
    """Two institutions, each with a draft procedure, an editor, an open invitation and an
    audit event; the acting user holds `who` in the first one."""

    def __init__(self, who: str) -> None:
        self.own: Any = InstitutionFactory(name="Municipalidad de Miraflores")
        self.other: Any = InstitutionFactory(name="Municipalidad de Surco")
        self.user: Any
        if who == "platform_admin":
            self.user = PlatformAdminFactory(username="actor")
        elif who == "no_role":
            self.user = OfficialFactory(username="actor")
        else:
            self.user = OfficialFactory(username="actor", institution=self.own, role=who)
        self.rows: dict[str, dict[str, Any]] = {}
        places: tuple[tuple[str, Any], ...] = (("own", self.own), ("other", self.other))
        for where, institution in places:
            editor = OfficialFactory(institution=institution, role=Role.EDITOR)
            OfficialFactory(institution=institution, role=Role.INSTITUTION_ADMIN)
            self.rows[where] = {
                "institution": institution,
                "procedure": ProcedureFactory(institution=institution, is_published=False),
                "membership": editor.memberships.get(),
                "invitation": InvitationFactory(institution=institution),
                "event": AuditEvent.objects.create(
                    action="institution.updated",
                    target_type="institutions.institution",
                    target_id=str(institution.pk),
                    institution_id=institution.pk,
                ),
            }


# --- through the permission functions ------------------------------------------------------


def _permission(action: str, user: Any, rows: dict[str, Any]) -> bool:
    institution = rows["institution"]
    if action == "edit_institution":
        return institution_can_edit(user, institution)
    if action == "edit_procedure":
        return procedure_can_edit(user, rows["procedure"])
    if action == "publish_procedure":
        return procedure_can_publish(user, rows["procedure"])
    if action == "view_audit_trail":
        return can_view_audit_event(user, institution.pk)
    return can_manage_officials(user, institution.pk)  # every officials action asks this


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", WHO)
def test_permission_functions_follow_the_role_matrix(who, action, where):
    world = World(who)
    assert _permission(action, world.user, world.rows[where]) is _expected(who, action, where)


# --- through the back office over HTTP -----------------------------------------------------


def _admin_url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def _edit_through_change_form(client: Client, url: str, **changes: Any) -> None:
    page = client.get(url)
    if page.status_code == 200:
        client.post(url, admin_form_data(page, **changes))
    else:
        assert page.status_code in (302, 403)
        # A forged post for a row the official cannot open changes nothing either.
        client.post(url, changes)


def _http(action: str, client: Client, rows: dict[str, Any]) -> bool:
    """Try the action in the back office; answer whether it took effect (or showed data)."""
    institution, procedure = rows["institution"], rows["procedure"]
    membership, invitation = rows["membership"], rows["invitation"]
    if action == "edit_institution":
        url = _admin_url("institutions_institution_change", institution.pk)
        _edit_through_change_form(client, url, description="Cambiada")
        return Institution.objects.get(pk=institution.pk).description == "Cambiada"
    if action == "edit_procedure":
        url = _admin_url("catalogue_procedure_change", procedure.pk)
        _edit_through_change_form(client, url, summary="Cambiado")
        return Procedure.objects.get(pk=procedure.pk).summary == "Cambiado"
    if action == "publish_procedure":
        client.post(
            _admin_url("catalogue_procedure_changelist"),
            {"action": "publish_selected", "_selected_action": [procedure.pk]},
        )
        return Procedure.objects.get(pk=procedure.pk).is_published
    if action == "list_officials":
        response = client.get(_admin_url("accounts_membership_changelist"))
        if response.status_code != 200:  # 403, or sent to log in: the back office is closed
            return False
        return membership in response.context["cl"].result_list
    if action == "invite_official":
        client.post(
            _admin_url("accounts_invitation_add"),
            {"institution": institution.pk, "email": "nuevo@entidad.gob.pe", "role": "editor"},
        )
        return Invitation.objects.filter(email="nuevo@entidad.gob.pe").exists()
    if action == "revoke_invitation":
        client.post(
            _admin_url("accounts_invitation_changelist"),
            {"action": "revoke_selected", "_selected_action": [invitation.pk]},
        )
        return Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    if action == "change_official_role":
        url = _admin_url("accounts_membership_change", membership.pk)
        _edit_through_change_form(client, url, role=Role.PUBLISHER)
        return Membership.objects.get(pk=membership.pk).role == Role.PUBLISHER
    if action == "remove_official":
        client.post(
            _admin_url("accounts_membership_changelist"),
            {"action": "remove_selected", "_selected_action": [membership.pk]},
        )
        return not Membership.objects.filter(pk=membership.pk).exists()
    if action == "view_audit_trail":
        response = client.get(_admin_url("audit_auditevent_changelist"))
        if response.status_code != 200:  # 403, or sent to log in: the back office is closed
            return False
        return rows["event"] in response.context["cl"].result_list
    raise AssertionError(action)


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", WHO)
def test_back_office_requests_follow_the_role_matrix(who, action, where):
    world = World(who)
    client = Client()
    client.force_login(world.user)
    assert _http(action, client, world.rows[where]) is _expected(who, action, where)
