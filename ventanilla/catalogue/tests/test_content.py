"""The published document of a procedure page (`Procedure.content`): every write that changes
what the page shows leaves it equal to a fresh build, and the page reads nothing else."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from ventanilla.accounts.tests.backoffice import platform_admin
from ventanilla.catalogue import services
from ventanilla.catalogue.content import (
    CONTENT_VERSION,
    content_unpack,
    procedure_content_build,
    procedure_content_refresh,
)
from ventanilla.catalogue.models import Procedure, Requirement
from ventanilla.catalogue.tests.factories import (
    CatalogueEntryFactory,
    ChannelFactory,
    ChannelStepFactory,
    ProcedureFactory,
    ProcedureSectionFactory,
    RequirementFactory,
    TopicFactory,
)
from ventanilla.institutions import services as institution_services
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _stored(procedure: Procedure) -> dict:
    stored = Procedure.objects.filter(pk=procedure.pk).values_list("content", flat=True).get()
    return content_unpack(stored)


def _fresh(procedure: Procedure) -> dict:
    return procedure_content_build(Procedure.objects.get(pk=procedure.pk))


def _assert_current(procedure: Procedure) -> dict:
    stored = _stored(procedure)
    assert stored == _fresh(procedure)
    assert stored["v"] == CONTENT_VERSION
    return stored


@pytest.fixture
def admin():
    return platform_admin()


@pytest.fixture
def procedure():
    institution = InstitutionFactory(slug="reniec", name="Registro Nacional", acronym="RENIEC")
    proc = ProcedureFactory(
        number=224,
        title="Solicitar duplicado de DNI",
        institution=institution,
        fee_amount=Decimal("30.00"),
        gobpe_id=224,
        source_checked_on=date(2026, 9, 8),
    )
    RequirementFactory(procedure=proc, text="Pagar la tasa.")
    ChannelStepFactory(channel=ChannelFactory(procedure=proc, kind="online"), text="Entra.")
    ProcedureSectionFactory(procedure=proc)
    TopicFactory(name="Identidad", slug="identidad").procedures.add(proc)
    procedure_content_refresh(ids=[proc.pk])
    return proc


def test_document_holds_everything_the_page_and_the_api_detail_show(procedure):
    doc = _assert_current(procedure)
    assert doc["title"] == "Solicitar duplicado de DNI"
    assert doc["fee_amount"] == "30.00"
    assert doc["is_free"] is False
    assert doc["requirements"] == ["Pagar la tasa."]
    assert doc["channels"] == [
        {
            "kind": "online",
            "description": "En cualquier oficina de atención.",
            "url": "",
            "steps": ["Entra."],
        }
    ]
    assert doc["sections"] == [
        {"heading": "Antes de iniciar, debes saber", "items": ["Un párrafo.", "Otro párrafo."]}
    ]
    assert doc["topics"] == [{"slug": "identidad", "name": "Identidad", "url": "/temas/identidad/"}]
    assert doc["institution"] == {
        "slug": "reniec",
        "name": "Registro Nacional",
        "acronym": "RENIEC",
        "url": "/institucion/reniec/",
    }
    assert doc["source"] == {"url": "https://www.gob.pe/", "type": "", "checked_on": "2026-09-08"}
    assert doc["gobpe_url"] == "https://www.gob.pe/224"


def test_title_change_rebuilds_the_document(procedure, admin):
    services.procedure_update(procedure=procedure, data={"title": "Pedir otro DNI"}, by=admin)
    assert _assert_current(procedure)["title"] == "Pedir otro DNI"


def test_requirement_saved_in_the_back_office_rebuilds_the_document(procedure, admin):
    Requirement.objects.create(procedure=procedure, position=30_000, text="Llevar una foto.")
    services.procedure_content_changed(
        procedure=procedure, by=admin, summary={"requirement": {"added": ["foto"]}}
    )
    assert _assert_current(procedure)["requirements"] == ["Pagar la tasa.", "Llevar una foto."]


def test_channel_step_saved_in_the_back_office_rebuilds_the_document(procedure, admin):
    channel = procedure.channels.get()
    ChannelStepFactory(channel=channel, position=30_000, text="Recoge tu DNI.")
    services.procedure_content_changed(procedure=procedure, by=admin, summary={"step": 1})
    assert _assert_current(procedure)["channels"][0]["steps"] == ["Entra.", "Recoge tu DNI."]


def test_topic_rename_and_membership_rebuild_their_procedures_documents(procedure, admin):
    topic = procedure.topics.get()
    other = ProcedureFactory()
    services.topic_save(topic=topic, data={"name": "Identidad y DNI"}, by=admin)
    assert _assert_current(procedure)["topics"][0]["name"] == "Identidad y DNI"
    services.topic_save(topic=topic, data={"procedures": [other]}, by=admin)
    assert _assert_current(procedure)["topics"] == []
    assert _assert_current(other)["topics"][0]["slug"] == "identidad"
    services.topic_delete(topic=topic, by=admin)
    assert _assert_current(other)["topics"] == []


def test_institution_rename_rebuilds_its_procedures_documents(procedure, admin):
    institution = procedure.institution
    institution_services.institution_update(
        institution=institution, data={"acronym": "RENIEC-PE", "slug": "reniec-pe"}, by=admin
    )
    doc = _assert_current(procedure)
    assert doc["institution"]["acronym"] == "RENIEC-PE"
    assert doc["institution"]["url"] == "/institucion/reniec-pe/"


def test_publish_and_create_write_a_current_document(procedure, admin):
    services.procedure_unpublish(procedure=procedure, by=admin)
    services.procedure_publish(procedure=procedure, by=admin)
    _assert_current(procedure)
    created = services.procedure_create(
        institution=procedure.institution, data={"title": "Registrar un nacimiento"}, by=admin
    )
    assert _assert_current(created)["institution"]["slug"] == "reniec"


def test_bulk_refresh_agrees_with_single_builds_and_a_second_run_writes_nothing(procedure):
    entry = CatalogueEntryFactory(title="Consultar el padrón")
    Procedure.objects.filter(pk__in=[procedure.pk, entry.pk]).update(content={})
    rewritten, _unchanged = procedure_content_refresh()
    assert rewritten == 2
    for proc in (procedure, entry):
        _assert_current(proc)
    assert procedure_content_refresh() == (0, 2)


def test_procedure_page_is_one_query_on_the_stored_document(
    procedure, client, django_assert_num_queries
):
    url = reverse("catalogue:procedure", kwargs={"number": 224, "slug": procedure.slug})
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    assert "Pagar la tasa." in response.content.decode()


def test_stored_documents_leave_out_empty_keys(procedure):
    entry = CatalogueEntryFactory(title="Consultar el padrón")
    procedure_content_refresh(ids=[entry.pk])
    raw = Procedure.objects.filter(pk=entry.pk).values_list("content", flat=True).get()
    assert "requirements" not in raw
    assert "summary" not in raw
    assert content_unpack(raw) == _fresh(entry)


def test_a_page_whose_document_was_never_written_is_built_on_read(client):
    proc = ProcedureFactory(number=225, title="Pedir una partida")
    RequirementFactory(procedure=proc, text="Saber el número de acta.")
    response = client.get(proc.get_absolute_url())
    assert "Saber el número de acta." in response.content.decode()
