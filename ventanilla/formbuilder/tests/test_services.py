import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import OfficialFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.formbuilder.services import (
    digital_service_create,
    digital_service_draft_save,
    digital_service_publish,
    digital_service_update,
    draft_differs,
)
from ventanilla.formbuilder.tests.factories import every_type
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def institution():
    return InstitutionFactory(acronym="MTC")


@pytest.fixture
def designer(institution):
    return OfficialFactory(institution=institution, role=Role.SERVICE_DESIGNER)


def test_publishing_makes_an_immutable_version_and_links_the_catalogue_procedure(
    institution, designer
):
    procedure = ProcedureFactory(institution=institution)
    service = digital_service_create(
        institution=institution,
        name="Permiso especial de tránsito",
        reference_prefix="mtc",
        by=designer,
        procedure=procedure,
        min_assurance="two_factor",
    )
    assert service.reference_prefix == "MTC"
    digital_service_draft_save(service=service, definition=every_type(), by=designer)
    version = digital_service_publish(service=service, by=designer)
    assert version.number == 1
    procedure.refresh_from_db()
    assert procedure.online_url == f"/servicios/{service.slug}/"
    assert procedure.min_assurance == "two_factor"
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    # A double click publishes nothing new; a change makes version 2, version 1 unchanged.
    assert digital_service_publish(service=service, by=designer) == version
    changed = every_type()
    changed["title"] = "Permiso especial de tránsito (2)"
    digital_service_draft_save(service=service, definition=changed, by=designer)
    service.refresh_from_db()
    assert draft_differs(service)
    second = digital_service_publish(service=service, by=designer)
    version.refresh_from_db()
    assert (second.number, version.definition["title"]) == (2, "Servicio de prueba")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "digital_service.created",
        "digital_service.published",
        "procedure.online_service_linked",
    } <= actions


def test_an_unfinished_draft_saves_but_does_not_publish(institution, designer):
    service = digital_service_create(
        institution=institution, name="Mesa de partes", reference_prefix="MDP", by=designer
    )
    with pytest.raises(ValidationError) as raised:
        digital_service_publish(service=service, by=designer)
    assert any("no tiene preguntas" in m for m in raised.value.messages)


def test_a_malformed_draft_is_refused_and_the_stored_one_kept(institution, designer):
    service = digital_service_create(
        institution=institution, name="Mesa de partes", reference_prefix="MDP", by=designer
    )
    broken = every_type()
    broken["pages"][0]["questions"][1]["type"] = "firma"
    with pytest.raises(ValidationError):
        digital_service_draft_save(service=service, definition=broken, by=designer)
    service.refresh_from_db()
    assert service.draft_definition["title"] == "Mesa de partes"


def test_another_institutions_designer_may_not_touch_the_service(institution, designer):
    service = digital_service_create(
        institution=institution, name="Mesa de partes", reference_prefix="MDP", by=designer
    )
    outsider = OfficialFactory(institution=InstitutionFactory(), role=Role.SERVICE_DESIGNER)
    editor = OfficialFactory(institution=institution, role=Role.EDITOR)
    for user in (outsider, editor):
        with pytest.raises(PermissionDenied):
            digital_service_draft_save(service=service, definition=every_type(), by=user)
        with pytest.raises(PermissionDenied):
            digital_service_publish(service=service, by=user)


def test_settings_are_checked_in_spanish(institution, designer):
    with pytest.raises(ValidationError) as raised:
        digital_service_create(
            institution=institution, name="", reference_prefix="m t c", by=designer
        )
    assert set(raised.value.message_dict) == {"name", "reference_prefix"}
    service = digital_service_create(
        institution=institution, name="Mesa", reference_prefix="MDP", by=designer
    )
    other = ProcedureFactory(institution=InstitutionFactory())
    with pytest.raises(ValidationError):
        digital_service_update(service=service, procedure=other, by=designer)


def test_citizens_are_offered_published_services_but_not_reference_records():
    from ventanilla.formbuilder.selectors import digital_service_published
    from ventanilla.formbuilder.tests.factories import published_service

    ours = published_service(slug="nuestro")
    assert digital_service_published(slug="nuestro") == ours
    foreign = published_service(slug="referencia", prefix="REF")
    foreign.govstack = {"foreign": True}
    foreign.save()
    assert digital_service_published(slug="referencia") is None
