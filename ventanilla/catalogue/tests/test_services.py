"""procedure_*, topic_* and life_event_* services: saved state, audit rows, dropped pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.backoffice import official, platform_admin
from ventanilla.audit.models import AuditEvent
from ventanilla.catalogue import services
from ventanilla.catalogue.models import LOCAL_NUMBER_BASE, Procedure
from ventanilla.catalogue.tests.factories import (
    LifeEventStepFactory,
    ProcedureFactory,
    TopicFactory,
)
from ventanilla.core import pagecache
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bumped(monkeypatch):
    seen: list[str] = []
    real = pagecache.invalidate

    def spy(paths):
        paths = list(paths)
        seen.extend(paths)
        real(paths)

    monkeypatch.setattr(services, "invalidate", spy)
    return seen


@pytest.fixture
def institution():
    return InstitutionFactory(slug="reniec", name="Registro Nacional", acronym="RENIEC")


def test_procedure_create_by_an_editor_is_a_draft_with_a_local_number(institution):
    editor = official("editora", institution=institution, role=Role.EDITOR)
    procedure = services.procedure_create(
        institution=institution,
        data={"title": "Solicitar duplicado de DNI", "fee_amount": Decimal("16.00")},
        by=editor,
    )
    assert procedure.number == LOCAL_NUMBER_BASE + 1
    assert procedure.slug == "solicitar-duplicado-de-dni"
    assert procedure.search_text == "solicitar duplicado de dni"
    assert procedure.is_published is False  # an editor prepares; a publisher publishes
    event = AuditEvent.objects.get(action="procedure.created")
    assert (event.actor, event.institution_id) == (editor, institution.pk)
    second = services.procedure_create(institution=institution, data={"title": "Otro"}, by=editor)
    assert second.number == LOCAL_NUMBER_BASE + 2


def test_procedure_create_by_a_publisher_is_published(institution):
    publisher = official("publicador", institution=institution, role=Role.PUBLISHER)
    procedure = services.procedure_create(
        institution=institution, data={"title": "Pagar una tasa"}, by=publisher
    )
    assert procedure.is_published is True


def test_procedure_update_audits_exactly_the_changed_fields(institution, bumped):
    procedure = ProcedureFactory(
        institution=institution, number=7, slug="dni", title="Sacar DNI", fee_amount=Decimal("30")
    )
    topic = TopicFactory(slug="identidad")
    topic.procedures.add(procedure)
    LifeEventStepFactory(life_event__slug="perdi-mi-dni", procedure=procedure)
    editor = official("editora", institution=institution, role=Role.EDITOR)
    services.procedure_update(
        procedure=procedure,
        data={
            "title": "Obtener el DNI",
            "fee_amount": Decimal("16.00"),
            "summary": procedure.summary,
        },
        by=editor,
    )
    saved = Procedure.objects.get(pk=procedure.pk)
    assert saved.title == "Obtener el DNI"
    assert saved.search_text.startswith("obtener el dni")
    event = AuditEvent.objects.get(action="procedure.updated")
    assert event.data["changed"] == {
        "title": ["Sacar DNI", "Obtener el DNI"],
        "fee_amount": ["30.00", "16.00"],
    }
    assert {
        "/tramites/7-dni/",
        "/tramites/7/",
        "/institucion/reniec/",
        topic.get_absolute_url(),
        "/momentos-de-vida/perdi-mi-dni/",
        "/",
        "/tramites/",
        "/instituciones/",
        "/buscar/",
    } <= set(bumped)
    assert "/tramites/*" not in bumped  # one page, not the whole section


def test_procedure_moved_between_institutions_drops_both_institution_pages(bumped):
    first = InstitutionFactory(slug="primera")
    second = InstitutionFactory(slug="segunda")
    procedure = ProcedureFactory(institution=first)
    services.procedure_update(
        procedure=procedure, data={"institution": second}, by=platform_admin()
    )
    assert {"/institucion/primera/", "/institucion/segunda/"} <= set(bumped)


def test_procedure_unpublish_and_publish_are_audited_and_idempotent(institution):
    procedure = ProcedureFactory(institution=institution)
    publisher = official("publicador", institution=institution, role=Role.PUBLISHER)
    services.procedure_unpublish(procedure=procedure, by=publisher)
    services.procedure_unpublish(procedure=procedure, by=publisher)
    assert not Procedure.objects.get(pk=procedure.pk).is_published
    services.procedure_publish(procedure=procedure, by=publisher)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["procedure.unpublished", "procedure.published"]


def test_procedure_content_changed_records_the_summary_and_moves_last_modified(institution):
    procedure = ProcedureFactory(institution=institution)
    before = procedure.updated_at
    editor = official("editora", institution=institution, role=Role.EDITOR)
    summary = {"requirement": {"added": ["Copia del DNI"]}}
    services.procedure_content_changed(procedure=procedure, by=editor, summary=summary)
    assert Procedure.objects.get(pk=procedure.pk).updated_at > before
    assert AuditEvent.objects.get(action="procedure.content_changed").data == summary


def test_procedure_delete_is_audited_and_drops_its_page(institution, bumped):
    procedure = ProcedureFactory(institution=institution, number=9, slug="x")
    pk = procedure.pk
    services.procedure_delete(procedure=procedure, by=platform_admin())
    assert not Procedure.objects.exists()
    event = AuditEvent.objects.get(action="procedure.deleted")
    assert (event.target_id, event.data["number"]) == (str(pk), 9)
    assert "/tramites/9-x/" in bumped


def test_topic_save_sets_procedures_and_drops_the_pages_that_list_them(bumped):
    kept, added = ProcedureFactory(number=1, slug="a"), ProcedureFactory(number=2, slug="b")
    topic = TopicFactory(slug="salud")
    topic.procedures.add(kept)
    services.topic_save(topic=topic, data={"procedures": [kept, added]}, by=platform_admin())
    assert set(topic.procedures.all()) == {kept, added}
    event = AuditEvent.objects.get(action="topic.updated")
    assert event.data["changed"]["procedures"] == {"added": [added.pk], "removed": []}
    assert {"/temas/salud/", "/tramites/2-b/"} <= set(bumped)
    assert "/tramites/1-a/" not in bumped  # unchanged membership, unchanged page


def test_life_event_steps_changed_is_for_platform_administrators():
    step = LifeEventStepFactory()
    editor = official("editora", institution=step.procedure.institution, role=Role.EDITOR)
    with pytest.raises(PermissionDenied):
        services.life_event_steps_changed(life_event=step.life_event, by=editor, summary={})
    services.life_event_steps_changed(life_event=step.life_event, by=platform_admin(), summary={})
    assert AuditEvent.objects.filter(action="life_event.steps_changed").count() == 1


def test_institution_rename_names_every_page_it_changes_never_a_section(monkeypatch):
    # The nginx caches purge exact keys only: a rename must list each page, however many.
    from ventanilla.institutions import services as institution_services

    seen: list[str] = []
    monkeypatch.setattr(institution_services, "invalidate", lambda paths: seen.extend(paths))
    institution = InstitutionFactory(slug="reniec", name="RENIEC")
    procedures = ProcedureFactory.create_batch(205, institution=institution)
    topic = TopicFactory(slug="identidad")
    topic.procedures.add(procedures[0])
    institution_services.institution_update(
        institution=institution, data={"name": "Registro Nacional"}, by=platform_admin()
    )
    assert not [path for path in seen if path.endswith("*")]
    assert {p.get_absolute_url() for p in procedures} <= set(seen)
    assert "/temas/identidad/" in seen
