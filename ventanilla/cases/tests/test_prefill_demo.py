"""The once-only demo service: Huancayo's bodega licence, prefilled from RENIEC and SUNAT."""

from typing import Any

import pytest

from ventanilla.cases.demo import BODEGA_FILE, DemoOutcome, _bodega_ensure, reference_service
from ventanilla.formbuilder.definition import definition_errors, workflow_errors
from ventanilla.formbuilder.models import DigitalService
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.interop.models import MessageLogEntry
from ventanilla.interop.sources import bound_sources

pytestmark = pytest.mark.django_db


def _user_ensure(username: str, **fields: Any) -> tuple[Any, bool]:
    from ventanilla.accounts.models import User

    user, created = User.objects.get_or_create(username=username)
    return user, created


def test_the_bodega_licence_reads_the_person_from_reniec_and_the_business_from_sunat():
    data = reference_service(BODEGA_FILE)
    assert definition_errors(data["definition"]) == []
    assert workflow_errors(data["workflow"]) == []
    bound = bound_sources(data["definition"])
    reniec = {q["source"]["field"] for q in bound["reniec.persona"]}
    sunat = {q["source"]["field"] for q in bound["sunat.contribuyente"]}
    assert {"Prenombres", "FechaNacimiento", "Direccion"} <= reniec
    assert {"ID", "RazonSocial", "Estado", "Condicion", "DomicilioFiscal"} <= sunat


def test_the_demo_publishes_it_for_huancayo_without_reading_any_registry_and_twice_is_once():
    huancayo = InstitutionFactory(slug="munihuancayo", name="Municipalidad Provincial de Huancayo")
    outcome = DemoOutcome()
    _bodega_ensure(muni=huancayo, user_ensure=_user_ensure, outcome=outcome)
    service = DigitalService.objects.get(slug="mph-licencia-funcionamiento-bodega")
    assert service.institution == huancayo
    assert service.current_version is not None
    assert ("Licencia de funcionamiento para bodega", f"/servicios/{service.slug}/",
            huancayo.name) in outcome.services  # fmt: skip
    assert not MessageLogEntry.objects.exists()
    again = DemoOutcome()
    _bodega_ensure(muni=huancayo, user_ensure=_user_ensure, outcome=again)
    assert again.changes == 0


def test_without_huancayo_the_demo_says_why_the_service_is_missing():
    outcome = DemoOutcome()
    _bodega_ensure(muni=InstitutionFactory(), user_ensure=_user_ensure, outcome=outcome)
    assert not DigitalService.objects.filter(slug="mph-licencia-funcionamiento-bodega").exists()
    assert any("Huancayo" in note for note in outcome.notes)
