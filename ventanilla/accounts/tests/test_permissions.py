"""Tenancy: which role reaches which institution's data through the services.

The matrix crosses every role with every write and with the official's own institution
and another one: no role writes another institution's data; only platform administrators
write everything."""

import pytest
from django.core.exceptions import PermissionDenied

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.backoffice import official, platform_admin
from ventanilla.catalogue import services as catalogue
from ventanilla.catalogue.models import Procedure, Topic
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.institutions import services as institutions
from ventanilla.institutions.models import Institution
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

EDIT = {Role.INSTITUTION_ADMIN, Role.EDITOR, Role.PUBLISHER}
PUBLISH = {Role.INSTITUTION_ADMIN, Role.PUBLISHER}
NOBODY: set[str] = set()


def _edit_institution(user, institution):
    institutions.institution_update(
        institution=institution, data={"description": "Nueva descripción"}, by=user
    )


def _edit_procedure(user, procedure):
    catalogue.procedure_update(procedure=procedure, data={"title": "Pedir algo nuevo"}, by=user)


def _create_procedure(user, procedure):
    catalogue.procedure_create(
        institution=procedure.institution, data={"title": "Solicitar algo"}, by=user
    )


def _publish(user, procedure):
    catalogue.procedure_unpublish(procedure=procedure, by=user)


def _content(user, procedure):
    catalogue.procedure_content_changed(procedure=procedure, by=user, summary={})


def _delete_procedure(user, procedure):
    catalogue.procedure_delete(procedure=procedure, by=user)


def _edit_topic(user, procedure):
    catalogue.topic_save(topic=Topic(name="Salud", slug="salud"), data={}, by=user)


# action name -> (callable(user, target), roles allowed in their OWN institution, target kind)
ACTIONS = {
    "institution_update": (_edit_institution, EDIT, "institution"),
    "procedure_update": (_edit_procedure, EDIT, "procedure"),
    "procedure_create": (_create_procedure, EDIT, "procedure"),
    "procedure_content_changed": (_content, EDIT, "procedure"),
    "procedure_unpublish": (_publish, PUBLISH, "procedure"),
    "procedure_delete": (_delete_procedure, NOBODY, "procedure"),
    "topic_save": (_edit_topic, NOBODY, "procedure"),
}


@pytest.mark.parametrize("role", [*Role.values, None])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("where", ["own", "other"])
def test_no_role_writes_another_institutions_data_and_only_editing_roles_write_their_own(
    role, action, where
):
    run, allowed_roles, kind = ACTIONS[action]
    own = InstitutionFactory(name="Ministerio Propio")
    other = InstitutionFactory(name="Ministerio Ajeno")
    user = official("funcionario", institution=own, role=role)
    target_institution = own if where == "own" else other
    procedure = ProcedureFactory(institution=target_institution, title="Pedir algo")
    target = target_institution if kind == "institution" else procedure

    allowed = where == "own" and role in allowed_roles
    if allowed:
        run(user, target)
    else:
        with pytest.raises(PermissionDenied) as refused:
            run(user, target)
        assert str(refused.value)  # a Spanish reason, never an empty 403
        # Nothing was written.
        assert Institution.objects.get(pk=target_institution.pk).description == ""
        assert Procedure.objects.get(pk=procedure.pk).title == "Pedir algo"
        assert Procedure.objects.count() == 1


@pytest.mark.parametrize("action", ACTIONS)
def test_platform_administrator_writes_any_institutions_data(action):
    run, _allowed, kind = ACTIONS[action]
    procedure = ProcedureFactory(institution=InstitutionFactory())
    run(platform_admin(), procedure.institution if kind == "institution" else procedure)


def test_inactive_official_writes_nothing_even_in_own_institution():
    own = InstitutionFactory()
    user = official("baja", institution=own, role=Role.INSTITUTION_ADMIN)
    user.is_active = False
    with pytest.raises(PermissionDenied):
        _edit_institution(user, own)


def test_procedure_without_institution_belongs_to_platform_administrators():
    procedure = ProcedureFactory(institution=None)
    user = official("editor", institution=InstitutionFactory(), role=Role.EDITOR)
    with pytest.raises(PermissionDenied):
        _edit_procedure(user, procedure)
    _edit_procedure(platform_admin(), procedure)


def test_editor_cannot_move_a_procedure_to_another_institution():
    own, other = InstitutionFactory(), InstitutionFactory()
    user = official("editor", institution=own, role=Role.EDITOR)
    procedure = ProcedureFactory(institution=own)
    with pytest.raises(PermissionDenied):
        catalogue.procedure_update(procedure=procedure, data={"institution": other}, by=user)
    assert Procedure.objects.get(pk=procedure.pk).institution_id == own.pk


def test_editor_cannot_publish_through_an_update_but_a_publisher_can():
    own = InstitutionFactory()
    procedure = ProcedureFactory(institution=own, is_published=False)
    editor = official("editor", institution=own, role=Role.EDITOR)
    with pytest.raises(PermissionDenied, match="is_published"):
        catalogue.procedure_update(procedure=procedure, data={"is_published": True}, by=editor)
    publisher = official("publicador", institution=own, role=Role.PUBLISHER)
    catalogue.procedure_update(procedure=procedure, data={"is_published": True}, by=publisher)
    assert Procedure.objects.get(pk=procedure.pk).is_published


def test_officials_cannot_change_source_identifiers():
    own = InstitutionFactory()
    user = official("admin", institution=own, role=Role.INSTITUTION_ADMIN)
    with pytest.raises(PermissionDenied, match="slug"):
        institutions.institution_update(institution=own, data={"slug": "otro"}, by=user)
    procedure = ProcedureFactory(institution=own)
    with pytest.raises(PermissionDenied, match="number"):
        catalogue.procedure_update(procedure=procedure, data={"number": 5}, by=user)


@pytest.mark.parametrize("role", Role.values)
def test_every_role_opens_the_back_office_but_a_staff_account_without_one_does_not(role):
    from ventanilla.accounts.permissions import is_back_office_user

    own = InstitutionFactory()
    assert is_back_office_user(official("funcionario", institution=own, role=role))
    assert not is_back_office_user(official("sin-rol"))
    assert is_back_office_user(platform_admin())


def test_a_role_without_staff_flag_or_an_inactive_account_opens_no_back_office():
    from ventanilla.accounts.permissions import can_manage_officials, is_back_office_user

    own = InstitutionFactory()
    user = official("admin", institution=own, role=Role.INSTITUTION_ADMIN)
    user.is_staff = False
    assert not is_back_office_user(user)
    user.is_staff, user.is_active = True, False
    assert not is_back_office_user(user)
    assert not can_manage_officials(user, own.pk)


def test_officials_managed_by_no_institution_are_the_platforms():
    from ventanilla.accounts.permissions import can_manage_officials

    user = official("admin", institution=InstitutionFactory(), role=Role.INSTITUTION_ADMIN)
    assert not can_manage_officials(user, None)
    assert can_manage_officials(platform_admin(), None)
