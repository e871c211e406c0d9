"""The directory services: identifiers checked, grants audited under the service owner's
institution, no grant without consent unless a legal basis is written, idempotent."""

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openapi_spec_validator import validate

from ventanilla.accounts.tests.factories import PlatformAdminFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.interop.models import AccessRight, Member, Service, Subsystem
from ventanilla.interop.openapi import (
    REGISTRY_ENDPOINTS,
    digital_registries_openapi,
    generic_openapi,
    registry_openapi,
)
from ventanilla.interop.openapi.records import RECORDS
from ventanilla.interop.services.directory import (
    access_right_grant,
    access_right_revoke,
    institution_subsystem,
    member_ensure,
    service_register,
    subsystem_ensure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reniec():
    return InstitutionFactory(name="Registro Nacional de Identificación", ruc="20295613620")


@pytest.fixture
def personas(reniec):
    member = member_ensure(
        instance="PE",
        member_class="GOB",
        member_code="20295613620",
        name="RENIEC",
        institution=reniec,
    )
    subsystem = subsystem_ensure(member=member, code="padron", name="Padrón")
    return service_register(
        subsystem=subsystem,
        code="personas",
        url="http://127.0.0.1:8911/data/personas/1.0",
        title="Datos de identidad",
        endpoints=REGISTRY_ENDPOINTS,
    )


@pytest.fixture
def client_subsystem():
    member = member_ensure(instance="PE", member_class="GOB", member_code="20131379944", name="MTC")
    return subsystem_ensure(member=member, code="licencias")


def test_grant_is_audited_under_the_service_owner_institution(
    personas: Service, client_subsystem: Subsystem, reniec
) -> None:
    admin = PlatformAdminFactory()
    right = access_right_grant(service=personas, client=client_subsystem, actor=admin)
    assert right.consent_required is True
    assert right.granted_by == admin
    event = AuditEvent.objects.get(action="interop.access_right_grant")
    assert event.actor == admin
    assert event.institution_id == reniec.pk
    assert event.target_id == str(right.pk)
    assert event.data["client"] == "PE/GOB/20131379944/licencias"
    assert event.data["service"] == "PE/GOB/20295613620/padron/personas"


def test_grant_twice_is_one_row_and_one_audit_row(
    personas: Service, client_subsystem: Subsystem
) -> None:
    first = access_right_grant(service=personas, client=client_subsystem, actor=None)
    second = access_right_grant(service=personas, client=client_subsystem, actor=None)
    assert first.pk == second.pk
    assert AccessRight.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="interop.access_right").count() == 1
    access_right_grant(
        service=personas,
        client=client_subsystem,
        actor=None,
        consent_required=False,
        legal_basis="Ley 00000, artículo 1",
    )
    right = AccessRight.objects.get()
    assert (right.consent_required, right.legal_basis) == (False, "Ley 00000, artículo 1")
    assert AuditEvent.objects.filter(action="interop.access_right_update").count() == 1


@pytest.mark.parametrize("legal_basis", ["", "   "])
def test_no_consent_needs_a_legal_basis(
    personas: Service, client_subsystem: Subsystem, legal_basis: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        access_right_grant(
            service=personas,
            client=client_subsystem,
            actor=None,
            consent_required=False,
            legal_basis=legal_basis,
        )
    assert "base legal" in caught.value.messages[0]
    assert not AccessRight.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="interop.access_right").exists()


def test_revoke_deletes_and_audits_once(
    personas: Service, client_subsystem: Subsystem, reniec
) -> None:
    right = access_right_grant(service=personas, client=client_subsystem, actor=None)
    admin = PlatformAdminFactory()
    access_right_revoke(access_right=right, actor=admin)
    access_right_revoke(access_right=right, actor=admin)  # a second click
    assert not AccessRight.objects.exists()
    events = AuditEvent.objects.filter(action="interop.access_right_revoke")
    assert events.count() == 1
    assert events.get().institution_id == reniec.pk
    assert events.get().data["client"] == "PE/GOB/20131379944/licencias"


@pytest.mark.parametrize(
    "fields",
    [
        {"member_code": "con/barra"},
        {"member_code": ""},
        {"instance": "espacio en medio"},
        {"member_class": "x" * 65},
    ],
)
def test_member_identifiers_are_checked(fields: dict[str, str]) -> None:
    values = {"instance": "PE", "member_class": "GOB", "member_code": "20100000001", "name": "X"}
    with pytest.raises(ValidationError) as caught:
        member_ensure(**{**values, **fields})
    assert "no es válido" in caught.value.messages[0]
    assert not Member.objects.exists()


def test_service_register_checks_url_endpoints_and_aliases(client_subsystem: Subsystem) -> None:
    base: dict[str, Any] = {"subsystem": client_subsystem, "code": "s1", "title": "S"}
    bad: list[dict[str, Any]] = [
        {"url": "ftp://registro/"},
        {"url": "no es una url"},
        {"url": "http://r/", "endpoints": [{"method": "FETCH", "path": "/x"}]},
        {"url": "http://r/", "endpoints": "todo"},
        {"url": "http://r/", "aliases": {"serviceId": "uno"}},
        {"url": "http://r/", "timeout_seconds": 0},
        {"url": "http://r/", "title": "  "},
        {"url": "http://r/", "code": "con espacio"},
    ]
    for fields in bad:
        with pytest.raises(ValidationError):
            service_register(**{**base, **fields})
    assert not Service.objects.exists()


def test_service_register_is_idempotent_and_audits_changes(client_subsystem: Subsystem) -> None:
    def register(**extra):
        return service_register(
            subsystem=client_subsystem, code="s1", url="http://r/", title="S", **extra
        )

    first = register()
    assert first.endpoints == [{"method": "*", "path": "**"}]
    register()
    assert Service.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="interop.service").count() == 1
    register(data_description="tus datos")
    assert Service.objects.get().data_description == "tus datos"
    assert AuditEvent.objects.filter(action="interop.service_update").count() == 1


def test_institution_subsystem_by_ruc_and_without_one() -> None:
    with_ruc = InstitutionFactory(name="Municipalidad Provincial de Huancayo", ruc="20172557628")
    without: Any = InstitutionFactory(name="Entidad sin RUC", ruc="")
    subsystem = institution_subsystem(with_ruc)
    assert subsystem.identifier == "PE/GOB/20172557628/ventanilla"
    assert subsystem.member.institution == with_ruc
    assert subsystem.member.name == "Municipalidad Provincial de Huancayo"
    assert institution_subsystem(with_ruc).pk == subsystem.pk
    other = institution_subsystem(without)
    assert other.identifier == f"PE/GOB/ENT{without.pk}/ventanilla"
    assert Subsystem.objects.count() == 2
    assert AuditEvent.objects.filter(action="interop.member_create").count() == 2


def test_institution_subsystem_adopts_a_member_made_before() -> None:
    member_ensure(instance="PE", member_class="GOB", member_code="20131379944", name="MTC")
    mtc = InstitutionFactory(name="Ministerio de Transportes y Comunicaciones", ruc="20131379944")
    subsystem = institution_subsystem(mtc)
    assert Member.objects.count() == 1
    assert subsystem.member.institution == mtc


@pytest.mark.parametrize("code", sorted(RECORDS))
def test_registry_openapi_documents_are_valid_openapi(code: str) -> None:
    document = json.loads(registry_openapi(code, server_url=f"/r1/PE/GOB/1/padron/{code}"))
    validate(document)
    schema_name = RECORDS[code][0]
    read = document["paths"]["/read"]["post"]
    body = read["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["query"]["properties"]["content"]["$ref"].endswith(schema_name)
    assert {p["$ref"].rsplit("/", 1)[1] for p in read["parameters"]} >= {
        "X-Road-Client",
        "X-Ventanilla-Subject",
    }


def test_other_openapi_documents_are_valid_openapi() -> None:
    validate(json.loads(digital_registries_openapi(server_url="/r1/eGovStack/GOV/1/r/data")))
    validate(
        json.loads(
            generic_openapi(
                title="x", server_url="/r1/a/b/c/d/e", endpoints=[{"method": "*", "path": "**"}]
            )
        )
    )
