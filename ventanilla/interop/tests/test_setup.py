"""The demo's directories: the Peruvian one (interop_setup) and the GovStack reference one
(interop_govstack_load), idempotent, with the contracts' identifiers and grants."""

from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.models import Kind, Level
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.interop.models import AccessRight, Member, Service, Subsystem
from ventanilla.interop.selectors import service_by_id, subsystem_by_id
from ventanilla.interop.services.setup import (
    GOVSTACK_LEGAL_BASIS,
    PLATFORM_LEGAL_BASIS,
    directory_setup,
    govstack_directory_load,
    govstack_fixtures,
)

pytestmark = pytest.mark.django_db

URLS = {
    "reniec": "http://reniec.test:8911",
    "migraciones": "http://127.0.0.1:8912/",
    "sunat": "http://127.0.0.1:8913",
    "sunarp": "http://127.0.0.1:8914",
    "mtc": "http://127.0.0.1:8915",
}
SERVICES = {
    "PE/GOB/20295613620/padron/personas": "http://reniec.test:8911/data/personas/1.0",
    "PE/GOB/20551239692/padron/extranjeros": "http://127.0.0.1:8912/data/extranjeros/1.0",
    "PE/GOB/20131312955/padron/contribuyentes": "http://127.0.0.1:8913/data/contribuyentes/1.0",
    "PE/GOB/20267073580/registros/vehiculos": "http://127.0.0.1:8914/data/vehiculos/1.0",
    "PE/GOB/20267073580/registros/predios": "http://127.0.0.1:8914/data/predios/1.0",
    "PE/GOB/20131379944/licencias/licencias": "http://127.0.0.1:8915/data/licencias/1.0",
}


def _rows() -> dict[str, Any]:
    return {
        "members": sorted(Member.objects.values_list("pk", "name", "institution_id")),
        "subsystems": sorted(Subsystem.objects.values_list("pk", "code", "name")),
        "services": sorted(Service.objects.values_list("pk", "url", "openapi", "updated_at")),
        "rights": sorted(
            AccessRight.objects.values_list("pk", "consent_required", "legal_basis", "updated_at")
        ),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def institutions() -> dict[str, Any]:
    return {
        "mtc": InstitutionFactory(
            name="Ministerio de Transportes y Comunicaciones", ruc="20131379944"
        ),
        "huancayo": InstitutionFactory(
            name="Municipalidad Provincial de Huancayo",
            slug="munihuancayo",
            level=Level.LOCAL,
            kind=Kind.PROVINCIAL_MUNICIPALITY,
            ruc="",
        ),
        "reniec": InstitutionFactory(
            name="Registro Nacional de Identificación y Estado Civil", ruc="20295613620"
        ),
    }


def test_peruvian_directory_has_the_fixed_identifiers(institutions: dict[str, Any]) -> None:
    directory_setup(registry_urls=URLS)
    for identifier, url in SERVICES.items():
        service = service_by_id(identifier)
        assert service is not None, identifier
        assert service.url == url
        assert service.personal_data is True
        assert service.data_description
        assert service.openapi
    personas = service_by_id("PE/GOB/20295613620/padron/personas")
    assert personas is not None
    assert personas.data_description == "tus nombres, fecha de nacimiento, domicilio y estado civil"
    assert personas.subsystem.member.institution == institutions["reniec"]
    assert subsystem_by_id(settings.INTEROP_PLATFORM_CLIENT) is not None


def test_peruvian_grants(institutions: dict[str, Any]) -> None:
    directory_setup(registry_urls=URLS)
    platform = subsystem_by_id(settings.INTEROP_PLATFORM_CLIENT)
    platform_rights = AccessRight.objects.filter(client=platform)
    assert {r.service.code for r in platform_rights} == {"personas", "extranjeros"}
    assert all(not r.consent_required for r in platform_rights)
    assert {r.legal_basis for r in platform_rights} == {PLATFORM_LEGAL_BASIS}
    huancayo_id = f"PE/GOB/ENT{institutions['huancayo'].pk}/ventanilla"
    for client_id in ("PE/GOB/20131379944/ventanilla", huancayo_id):
        client = subsystem_by_id(client_id)
        assert client is not None, client_id
        rights = AccessRight.objects.filter(client=client)
        assert {r.service.code for r in rights} == {
            "personas",
            "contribuyentes",
            "vehiculos",
            "licencias",
        }
        assert all(r.consent_required for r in rights)
    huancayo = subsystem_by_id(huancayo_id)
    assert huancayo is not None
    assert huancayo.member.institution == institutions["huancayo"]
    grants = AuditEvent.objects.filter(action="interop.access_right_grant")
    assert grants.count() == AccessRight.objects.count() == 10
    # Each grant is in the trail of the service owner's institution, when it is loaded.
    personas_grants = grants.filter(data__service="PE/GOB/20295613620/padron/personas")
    assert set(personas_grants.values_list("institution_id", flat=True)) == {
        institutions["reniec"].pk
    }


def test_peruvian_directory_twice_is_the_same_rows(institutions: dict[str, Any]) -> None:
    directory_setup(registry_urls=URLS)
    first = _rows()
    directory_setup(registry_urls=URLS)
    assert _rows() == first


def test_a_registry_not_named_and_institutions_not_loaded_are_skipped() -> None:
    directory_setup(registry_urls={"reniec": URLS["reniec"]})
    assert set(Service.objects.values_list("code", flat=True)) == {"personas"}
    # Neither the MTC nor Huancayo are in this database: only the platform's grant.
    assert AccessRight.objects.count() == 1
    assert not Subsystem.objects.filter(code="ventanilla").exclude(
        member__member_code="20168999926"
    )


def test_interop_setup_command_uses_the_settings_and_overrides() -> None:
    call_command("interop_setup", "--url", "mtc=http://licencias.test:9999", verbosity=0)
    host, ports = settings.INTEROP_REGISTRY_HOST, settings.INTEROP_REGISTRY_PORTS
    personas = service_by_id("PE/GOB/20295613620/padron/personas")
    assert personas is not None
    assert personas.url == f"http://{host}:{ports['reniec']}/data/personas/1.0"
    licencias = service_by_id("PE/GOB/20131379944/licencias/licencias")
    assert licencias is not None
    assert licencias.url == "http://licencias.test:9999/data/licencias/1.0"


@pytest.mark.parametrize("bad", ["reniec", "pide=http://x", "mtc=", "mtc=no es url"])
def test_interop_setup_refuses_a_bad_url(bad: str) -> None:
    with pytest.raises(CommandError):
        call_command("interop_setup", "--url", bad, verbosity=0)
    assert not Service.objects.exists()


def test_govstack_directory_as_the_fixtures_say() -> None:
    govstack_directory_load(registry_url="http://127.0.0.1:8916")
    fixtures = govstack_fixtures()
    for consumer in fixtures["consumers"]:
        assert subsystem_by_id(consumer["clientId"]) is not None
    for provider in fixtures["providers"]:
        for spec in provider["services"]:
            service = service_by_id(f"{provider['clientId']}/{spec['serviceCode']}")
            assert service is not None
            assert service.endpoints == spec["endpointList"]["member"]
            assert service.aliases == spec["filterAliases"]
            assert service.version == spec["serviceVersion"]
    for right in fixtures["accessRights"]:
        service = service_by_id(f"{right['provider']}/{right['serviceCode']}")
        client = subsystem_by_id(right["client"])
        assert AccessRight.objects.filter(service=service, client=client).exists()
    registries = {
        s.code: s
        for s in Service.objects.filter(
            subsystem=subsystem_by_id("eGovStack/GOV/90000010/registries")
        )
    }
    assert {code: s.url for code, s in registries.items()} == {
        "data": "http://127.0.0.1:8916/data",
        "databases": "http://127.0.0.1:8916/databases",
        "database": "http://127.0.0.1:8916/database",
    }
    assert not any(s.personal_data for s in registries.values())
    for service in registries.values():
        rights = AccessRight.objects.filter(service=service)
        assert {r.client.identifier for r in rights} == {
            c["clientId"] for c in fixtures["consumers"]
        }
        assert {(r.consent_required, r.legal_basis) for r in rights} == {
            (False, GOVSTACK_LEGAL_BASIS)
        }


def test_govstack_directory_twice_is_the_same_rows() -> None:
    call_command("interop_govstack_load", verbosity=0)
    first = _rows()
    call_command("interop_govstack_load", verbosity=0)
    assert _rows() == first
    data = service_by_id("eGovStack/GOV/90000010/registries/data")
    assert data is not None
    port = settings.INTEROP_REGISTRY_PORTS["govstack"]
    assert data.url == f"http://{settings.INTEROP_REGISTRY_HOST}:{port}/data"
