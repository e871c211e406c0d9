"""The directories the demo and the tests start from (idempotent: run twice, same rows).

`directory_setup` writes the Peruvian one: the platform (PCM), the registries of RENIEC,
Migraciones, SUNAT, SUNARP and MTC with their services, and who may call them.
`govstack_directory_load` writes the GovStack reference one (the Information Mediator
building block's fixtures.json, plus the Digital Registries reference registry)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from ventanilla.institutions.models import Institution
from ventanilla.interop.identifiers import parse_client_id
from ventanilla.interop.models import Member, Service, Subsystem
from ventanilla.interop.openapi import (
    REGISTRY_ENDPOINTS,
    digital_registries_openapi,
    generic_openapi,
    registry_openapi,
)
from ventanilla.interop.services.directory import (
    access_right_grant,
    institution_subsystem,
    member_ensure,
    service_register,
    subsystem_ensure,
)

GOVSTACK_FIXTURES = (
    Path(__file__).resolve().parents[1]
    / "reference"
    / "govstack_information_mediator_fixtures.json"
)

PLATFORM_NAME = "Presidencia del Consejo de Ministros"
PLATFORM_LEGAL_BASIS = "Verificación de identidad al crear la cuenta (D. Leg. 1246)"
GOVSTACK_LEGAL_BASIS = "Registros de referencia GovStack, datos sintéticos"
GOVSTACK_REGISTRIES = "eGovStack/GOV/90000010/registries"
MTC_RUC = "20131379944"
HUANCAYO_SLUG = "munihuancayo"
HUANCAYO_NAME = "Municipalidad Provincial de Huancayo"


@dataclass(frozen=True)
class RegistryService:
    code: str
    registry: str  # the Digital Registries registry name at the provider
    title: str
    data_description: str  # what a citizen is told it holds


@dataclass(frozen=True)
class Provider:
    key: str  # registry_urls key
    ruc: str
    name: str
    subsystem: str
    subsystem_name: str
    services: tuple[RegistryService, ...]


PROVIDERS = (
    Provider(
        "reniec",
        "20295613620",
        "Registro Nacional de Identificación y Estado Civil",
        "padron",
        "Registro Único de Identificación de las Personas Naturales",
        (
            RegistryService(
                "personas",
                "personas",
                "Datos de identidad (DNI)",
                "tus nombres, fecha de nacimiento, domicilio y estado civil",
            ),
        ),
    ),
    Provider(
        "migraciones",
        "20551239692",
        "Superintendencia Nacional de Migraciones",
        "padron",
        "Registro de extranjeros",
        (
            RegistryService(
                "extranjeros",
                "extranjeros",
                "Datos del carné de extranjería",
                "tus nombres, fecha de nacimiento, nacionalidad y calidad migratoria",
            ),
        ),
    ),
    Provider(
        "sunat",
        "20131312955",
        "Superintendencia Nacional de Aduanas y de Administración Tributaria",
        "padron",
        "Padrón del RUC",
        (
            RegistryService(
                "contribuyentes",
                "contribuyentes",
                "Datos del contribuyente (RUC)",
                "tu número de RUC, razón social, estado y condición, domicilio fiscal y "
                "actividad económica",
            ),
        ),
    ),
    Provider(
        "sunarp",
        "20267073580",
        "Superintendencia Nacional de los Registros Públicos",
        "registros",
        "Registros de propiedad vehicular y de predios",
        (
            RegistryService(
                "vehiculos",
                "vehiculos",
                "Vehículos inscritos",
                "los vehículos inscritos a tu nombre: placa, marca, modelo, año y color",
            ),
            RegistryService(
                "predios",
                "predios",
                "Predios inscritos",
                "los predios inscritos a tu nombre: partida, dirección y área",
            ),
        ),
    ),
    Provider(
        "mtc",
        MTC_RUC,
        "Ministerio de Transportes y Comunicaciones",
        "licencias",
        "Registro Nacional de Licencias de Conducir",
        (
            RegistryService(
                "licencias",
                "licencias",
                "Licencia de conducir",
                "tu licencia de conducir: clase, categoría, vigencia, estado y puntos",
            ),
        ),
    ),
)
# What the digital services of the MTC and of the Municipalidad Provincial de Huancayo may
# read, each time with the citizen's consent.
INSTITUTION_GRANTS = ("personas", "contribuyentes", "vehiculos", "licencias")
PLATFORM_GRANTS = ("personas", "extranjeros")


def _institution_by_ruc(ruc: str) -> Institution | None:
    return Institution.objects.filter(ruc=ruc).order_by("pk").first()


def _huancayo() -> Institution | None:
    return (
        Institution.objects.filter(slug=HUANCAYO_SLUG).first()
        or Institution.objects.filter(name__istartswith=HUANCAYO_NAME).order_by("pk").first()
    )


def _service(identifier: str) -> Service | None:
    *client, code = identifier.split("/")
    c = parse_client_id("/".join(client))
    return Service.objects.filter(
        subsystem__member__instance=c.instance,
        subsystem__member__member_class=c.member_class,
        subsystem__member__member_code=c.member_code,
        subsystem__code=c.subsystem,
        code=code,
    ).first()


def _member(identifier: str, *, name: str, institution: Institution | None = None) -> Member:
    instance, member_class, member_code = identifier.split("/")
    return member_ensure(
        instance=instance,
        member_class=member_class,
        member_code=member_code,
        name=institution.name if institution is not None else name,
        institution=institution,
    )


@transaction.atomic
def directory_setup(*, registry_urls: dict[str, str]) -> None:
    """The Peruvian directory. `registry_urls` maps reniec, migraciones, sunat, sunarp, mtc
    to the registry's base URL; a registry not named is left out."""
    instance = settings.INTEROP_INSTANCE
    platform_id = parse_client_id(settings.INTEROP_PLATFORM_CLIENT)
    platform_member = _member(
        f"{platform_id.instance}/{platform_id.member_class}/{platform_id.member_code}",
        name=PLATFORM_NAME,
        institution=_institution_by_ruc(platform_id.member_code),
    )
    platform = subsystem_ensure(
        member=platform_member,
        code=platform_id.subsystem,
        name="Ventanilla única: verificación de identidad",
    )
    services: dict[str, Service] = {}
    for provider in PROVIDERS:
        base = (registry_urls.get(provider.key) or "").rstrip("/")
        if not base:
            continue
        member = _member(
            f"{instance}/GOB/{provider.ruc}",
            name=provider.name,
            institution=_institution_by_ruc(provider.ruc),
        )
        subsystem = subsystem_ensure(
            member=member, code=provider.subsystem, name=provider.subsystem_name
        )
        for spec in provider.services:
            services[spec.code] = service_register(
                subsystem=subsystem,
                code=spec.code,
                url=f"{base}/data/{spec.registry}/1.0",
                title=spec.title,
                version="1.0",
                openapi=registry_openapi(
                    spec.code, server_url=f"/r1/{subsystem.identifier}/{spec.code}"
                ),
                endpoints=REGISTRY_ENDPOINTS,
                data_description=spec.data_description,
                personal_data=True,
            )
    for code in PLATFORM_GRANTS:
        if code in services:
            access_right_grant(
                service=services[code],
                client=platform,
                actor=None,
                consent_required=False,
                legal_basis=PLATFORM_LEGAL_BASIS,
            )
    for institution in (_institution_by_ruc(MTC_RUC), _huancayo()):
        if institution is None:
            continue  # the institutions were not loaded (a bare test database)
        client = institution_subsystem(institution)
        for code in INSTITUTION_GRANTS:
            if code in services:
                access_right_grant(
                    service=services[code], client=client, actor=None, consent_required=True
                )


def govstack_fixtures() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(GOVSTACK_FIXTURES.read_text(encoding="utf-8"))
    return loaded


def _subsystem(identifier: str, *, name: str = "") -> Subsystem:
    """A GovStack reference subsystem; its member is named after its code, always the same."""
    c = parse_client_id(identifier)
    member = _member(
        f"{c.instance}/{c.member_class}/{c.member_code}", name=f"GovStack {c.member_code}"
    )
    return subsystem_ensure(member=member, code=c.subsystem, name=name)


@transaction.atomic
def govstack_directory_load(*, registry_url: str) -> None:
    """The GovStack reference directory: consumers, providers, services and access rights
    exactly as fixtures.json has them, and the Digital Registries reference registry at
    `registry_url` as provider eGovStack/GOV/90000010/registries."""
    fixtures = govstack_fixtures()
    base = registry_url.rstrip("/")
    consumers = [_subsystem(c["clientId"]) for c in fixtures["consumers"]]
    for provider in fixtures["providers"]:
        subsystem = _subsystem(provider["clientId"])
        for spec in provider["services"]:
            endpoints = spec.get("endpointList", {}).get("member")
            server_url = f"/r1/{subsystem.identifier}/{spec['serviceCode']}"
            service_register(
                subsystem=subsystem,
                code=spec["serviceCode"],
                # The reference providers have no system of their own: the reference
                # registry answers for them.
                url=base,
                title=f"GovStack {spec['serviceCode']}",
                version=spec.get("serviceVersion") or "v1",
                service_type=spec.get("serviceType") or "OPENAPI",
                openapi=generic_openapi(
                    title=f"GovStack {spec['serviceCode']}",
                    server_url=server_url,
                    endpoints=endpoints or [],
                ),
                endpoints=endpoints,
                aliases=spec.get("filterAliases") or {},
                personal_data=False,
                data_description="datos sintéticos de referencia de GovStack",
            )
    for right in fixtures["accessRights"]:
        service = _service(f"{right['provider']}/{right['serviceCode']}")
        client = _subsystem(right["client"])
        if service is not None:
            access_right_grant(
                service=service,
                client=client,
                actor=None,
                consent_required=False,
                legal_basis=GOVSTACK_LEGAL_BASIS,
            )
    registries = _subsystem(GOVSTACK_REGISTRIES, name="Registros de referencia GovStack")
    for code in ("data", "databases", "database"):
        server_url = f"/r1/{GOVSTACK_REGISTRIES}/{code}"
        openapi = (
            digital_registries_openapi(server_url=server_url)
            if code == "data"
            else generic_openapi(
                title=f"GovStack Digital Registries · {code}",
                server_url=server_url,
                endpoints=[{"method": "*", "path": "**"}],
            )
        )
        service = service_register(
            subsystem=registries,
            code=code,
            url=f"{base}/{code}",
            title=f"GovStack Digital Registries · {code}",
            version="1.3.0",
            openapi=openapi,
            data_description="datos sintéticos de referencia de GovStack",
            personal_data=False,
        )
        for consumer in consumers:
            access_right_grant(
                service=service,
                client=consumer,
                actor=None,
                consent_required=False,
                legal_basis=GOVSTACK_LEGAL_BASIS,
            )
