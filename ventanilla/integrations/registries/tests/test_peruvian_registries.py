"""RENIEC, Migraciones, SUNAT, SUNARP and MTC as fakes: the records the contract fixes, reads
by ID and by document over real HTTP, and the usage log each keeps of the reads it served."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from stdnum.pe import ruc as pe_ruc

from ventanilla.integrations.civil_registry.fake_people import RECORDS, UNKNOWN_DNI
from ventanilla.integrations.registries import data
from ventanilla.integrations.registries.data import (
    DEMO_CITIZEN_DNI,
    DEMO_CITIZEN_LICENCE,
    DEMO_CITIZEN_PLATE,
    DEMO_CITIZEN_RUC,
    records,
)

from .client import call

MTC_CLIENT = "PE/GOB/20131379944/ventanilla"
REGISTRY_OF = {
    "reniec": "personas",
    "migraciones": "extranjeros",
    "sunat": "contribuyentes",
    "sunarp": "vehiculos",
    "mtc": "licencias",
}
FIELDS = {
    ("reniec", "personas"): data.PERSONA_FIELDS,
    ("migraciones", "extranjeros"): data.EXTRANJERO_FIELDS,
    ("sunat", "contribuyentes"): data.CONTRIBUYENTE_FIELDS,
    ("sunarp", "vehiculos"): data.VEHICULO_FIELDS,
    ("sunarp", "predios"): data.PREDIO_FIELDS,
    ("mtc", "licencias"): data.LICENCIA_FIELDS,
}


@pytest.fixture
def fakes(registry_processes: Any) -> Any:
    registry_processes.reset()
    return registry_processes


def read(url: str, name: str, query: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return call(
        url, "POST", f"data/{name}/1.0/read", {"query": {"content": query}}, headers=headers
    )


@pytest.mark.parametrize(("registry", "name"), list(FIELDS))
def test_every_record_has_exactly_the_contract_fields_and_a_unique_id(registry, name) -> None:
    rows = records(registry, name)
    assert len(rows) > 5
    assert all(tuple(r) == FIELDS[(registry, name)] for r in rows)
    assert len({r["ID"] for r in rows}) == len(rows)


def test_reniec_holds_every_dni_person_of_fake_people_unchanged() -> None:
    by_dni = {r["ID"]: r for r in records("reniec", "personas")}
    for person in (r for r in RECORDS if r.document_type == "dni"):
        held = by_dni[person.number]
        assert (held["Prenombres"], held["ApellidoPaterno"], held["ApellidoMaterno"]) == (
            person.given_names,
            person.first_surname,
            person.second_surname,
        )
        assert held["FechaNacimiento"] == person.born.isoformat()
        assert (held["Direccion"], held["Restriccion"]) == (person.address, person.restriction)
        assert held["EstadoCivil"] == (person.marital_status or "SOLTERO")
        assert held["UbigeoDomicilio"] == data.RESIDENCE_UBIGEO[person.residence]
    assert UNKNOWN_DNI not in by_dni


def test_reniec_synthetic_population_looks_peruvian() -> None:
    people = records("reniec", "personas")
    assert len(people) >= data.POPULATION
    places = {code for code, _w in data.DISTRICTS} | set(data.RESIDENCE_UBIGEO.values())
    for person in people:
        assert re.fullmatch(r"\d{8}", person["ID"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", person["FechaNacimiento"])
        assert person["Sexo"] in ("M", "F")
        assert person["UbigeoDomicilio"] in places
        assert person["Restriccion"] in ("", "FALLECIMIENTO", "CANCELADO")
    assert {p["Sexo"] for p in people} == {"M", "F"}


def test_migraciones_holds_the_foreign_card_holders() -> None:
    held = {r["ID"]: r for r in records("migraciones", "extranjeros")}
    holders = [r for r in RECORDS if r.document_type == "ce"]
    assert set(held) == {r.number for r in holders}
    for holder in holders:
        assert held[holder.number]["Nombres"] == holder.given_names
        assert held[holder.number]["CalidadMigratoria"] == holder.migratory_status
        assert re.fullmatch(r"\d{9}", holder.number)


def test_sunat_rucs_are_valid_and_persons_carry_their_dni() -> None:
    people = {p["ID"] for p in records("reniec", "personas")}
    taxpayers = records("sunat", "contribuyentes")
    assert sum(t["ID"].startswith("10") for t in taxpayers) > 300
    assert sum(t["ID"].startswith("20") for t in taxpayers) >= data.COMPANIES
    for taxpayer in taxpayers:
        assert pe_ruc.is_valid(taxpayer["ID"]), taxpayer["ID"]
        if taxpayer["ID"].startswith("10"):
            assert taxpayer["ID"][2:10] == taxpayer["DNI"]
            assert taxpayer["DNI"] in people
        else:
            assert taxpayer["DNI"] == ""


def test_demo_citizen_has_a_ruc_a_vehicle_and_a_licence() -> None:
    body = "10" + DEMO_CITIZEN_DNI
    assert body + pe_ruc.calc_check_digit(body) == DEMO_CITIZEN_RUC
    taxpayer = next(t for t in records("sunat", "contribuyentes") if t["ID"] == DEMO_CITIZEN_RUC)
    assert (taxpayer["Estado"], taxpayer["Condicion"], taxpayer["Tipo"]) == (
        "ACTIVO",
        "HABIDO",
        "PERSONA NATURAL CON NEGOCIO",
    )
    assert taxpayer["ActividadEconomica"]
    assert taxpayer["DNI"] == DEMO_CITIZEN_DNI
    vehicle = next(v for v in records("sunarp", "vehiculos") if v["ID"] == DEMO_CITIZEN_PLATE)
    assert vehicle["PropietarioDocumento"] == DEMO_CITIZEN_DNI
    assert re.fullmatch(r"[A-Z0-9]{3}\d{3}", DEMO_CITIZEN_PLATE)
    licence = next(v for v in records("mtc", "licencias") if v["ID"] == DEMO_CITIZEN_LICENCE)
    assert (licence["DNI"], licence["Estado"]) == (DEMO_CITIZEN_DNI, "VIGENTE")
    assert [p for p in records("sunarp", "predios") if p["TitularDocumento"] == DEMO_CITIZEN_DNI]


def test_the_seed_is_the_same_on_every_build_and_quick() -> None:
    started = time.perf_counter()
    data._build.cache_clear()
    data._people.cache_clear()
    for registry in data.REGISTRIES:
        data.seed(registry)
    assert time.perf_counter() - started < 1.0
    first = records("sunat", "contribuyentes")
    data._build.cache_clear()
    data._people.cache_clear()
    assert records("sunat", "contribuyentes") == first


@pytest.mark.parametrize(
    ("registry", "name", "record_id"),
    [
        ("reniec", "personas", DEMO_CITIZEN_DNI),
        ("migraciones", "extranjeros", "001234567"),
        ("sunat", "contribuyentes", DEMO_CITIZEN_RUC),
        ("sunarp", "vehiculos", DEMO_CITIZEN_PLATE),
        ("sunarp", "predios", data.DEMO_CITIZEN_PREDIO),
        ("mtc", "licencias", DEMO_CITIZEN_LICENCE),
    ],
)
def test_read_by_id_answers_the_record(fakes, registry, name, record_id) -> None:
    url = fakes.url(registry)
    answer = read(url, name, {"ID": record_id})
    assert answer.status == 200
    assert answer.content_type.startswith("application/json")
    expected = next(r for r in records(registry, name) if r["ID"] == record_id)
    assert answer.json() == {"content": expected}


@pytest.mark.parametrize(
    ("registry", "name", "query", "expected_id"),
    [
        ("sunat", "contribuyentes", {"DNI": DEMO_CITIZEN_DNI}, DEMO_CITIZEN_RUC),
        ("mtc", "licencias", {"DNI": DEMO_CITIZEN_DNI}, DEMO_CITIZEN_LICENCE),
        ("sunarp", "vehiculos", {"PropietarioDocumento": DEMO_CITIZEN_DNI}, DEMO_CITIZEN_PLATE),
        ("sunarp", "vehiculos", {"ID": DEMO_CITIZEN_PLATE, "Anio": "2019"}, DEMO_CITIZEN_PLATE),
    ],
)
def test_read_by_the_holders_dni(fakes, registry, name, query, expected_id) -> None:
    answer = read(fakes.url(registry), name, query)
    assert answer.status == 200
    assert answer.json()["content"]["ID"] == expected_id


@pytest.mark.parametrize("registry", list(REGISTRY_OF))
def test_an_unknown_record_is_404_no_record_found(fakes, registry) -> None:
    answer = read(fakes.url(registry), REGISTRY_OF[registry], {"ID": UNKNOWN_DNI})
    assert answer.status == 404
    assert answer.content_type.startswith("application/json")
    assert answer.json() == {"detail": "no record found"}


def test_reads_are_remembered_for_my_personal_data_usage(fakes) -> None:
    url = fakes.url("reniec")
    usage = f"data/MyPersonalDataUsage/1.0?userID={DEMO_CITIZEN_DNI}&DatabaseID=reniec"
    assert call(url, "GET", usage).json() == []
    headers = {
        "X-Road-Client": MTC_CLIENT,
        "X-Road-UserId": "usuario:gestor.mtc",
        "X-Road-Issue": "EXP-2026-000123",
        "X-Road-Id": "5f0c7c1e-2f6b-4a57-9a51-0f2d0b8d1a11",
    }
    assert read(url, "personas", {"ID": DEMO_CITIZEN_DNI}, headers).status == 200
    assert read(url, "personas", {"ID": "41234567"}, headers).status == 200  # someone else
    assert read(url, "personas", {"ID": UNKNOWN_DNI}, headers).status == 404  # nothing served
    entries = call(url, "GET", usage).json()
    assert len(entries) == 1
    entry = entries[0]
    assert list(entry) == [
        "ID",
        "ReaderID",
        "ReaderInitials",
        "ReaderInstitutionID",
        "ReaderInstitutionName",
        "ReaderApplicationName",
        "SearchDateTime",
        "Refrences",
    ]
    assert entry["ID"] == headers["X-Road-Id"]
    assert (entry["ReaderID"], entry["ReaderInitials"]) == ("usuario:gestor.mtc", "GM")
    assert entry["ReaderInstitutionID"] == "20131379944"
    assert entry["ReaderInstitutionName"] == "Ministerio de Transportes y Comunicaciones"
    assert entry["ReaderApplicationName"] == MTC_CLIENT
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["SearchDateTime"])
    assert entry["Refrences"] == [{"ReferenceID": "EXP-2026-000123"}]
    # The registry's own name for the database, and the spec's spelling, say the same.
    spec_spelling = f"data/myPersonalDataUsage?userId={DEMO_CITIZEN_DNI}&databaseId=personas"
    assert call(url, "GET", spec_spelling).json() == entries
    fakes.reset()
    assert call(url, "GET", usage).json() == []


def test_read_value_of_a_person_is_remembered_too(fakes) -> None:
    url = fakes.url("sunat")
    answer = call(
        url,
        "GET",
        f"data/contribuyentes/1.0/{DEMO_CITIZEN_RUC}/read-value/Condicion.json",
        headers={"X-Road-Client": MTC_CLIENT, "X-Road-UserId": f"DNI:{DEMO_CITIZEN_DNI}"},
    )
    assert (answer.status, answer.json()) == (200, "HABIDO")
    usage = call(
        url, "GET", f"data/MyPersonalDataUsage/1.0?userID={DEMO_CITIZEN_RUC}&DatabaseID=sunat"
    )
    (entry,) = usage.json()
    assert (entry["ReaderID"], entry["ReaderInitials"], entry["Refrences"]) == (
        f"DNI:{DEMO_CITIZEN_DNI}",
        "",
        [],
    )


def test_writes_keep_to_the_registry_fields_and_unique_ids(fakes) -> None:
    url = fakes.url("mtc")
    licence = {"ID": "Z12345678", "DNI": "12345678", "Clase": "A", "Categoria": "I", "Puntos": 0}
    created = call(url, "POST", "data/licencias/1.0/create", {"write": {"content": licence}})
    assert created.status == 200
    assert created.json()["content"] == dict.fromkeys(data.LICENCIA_FIELDS, "") | licence
    again = call(url, "POST", "data/licencias/1.0/create", {"write": {"content": licence}})
    assert again.status == 200  # the same record, repeated: stored once
    clash = call(
        url, "POST", "data/licencias/1.0/create", {"write": {"content": licence | {"Puntos": 5}}}
    )
    assert clash.status == 409
    unknown = call(
        url,
        "POST",
        "data/licencias/1.0/create",
        {"write": {"content": {"ID": "Z1", "Color": "ROJO"}}},
    )
    assert unknown.status == 400
    no_id = call(url, "POST", "data/licencias/1.0/create", {"write": {"content": {"DNI": "1"}}})
    assert no_id.status == 400
    listed = call(url, "GET", "data/licencias/1.0?filter=ID&search=Z12345678").json()
    assert listed["count"] == 1


def test_list_of_a_big_registry_by_query_field(fakes) -> None:
    url = fakes.url("sunarp")
    answer = call(url, "GET", f"data/vehiculos/1.0?query.PropietarioDocumento={DEMO_CITIZEN_DNI}")
    body = answer.json()
    assert [v["ID"] for v in body["results"]] == [DEMO_CITIZEN_PLATE]
    assert body["count"] == 1
    paged = call(url, "GET", "data/predios/1.0?page=2&pageSize=50").json()
    assert paged["count"] == len(records("sunarp", "predios"))
    assert [p["ID"] for p in paged["results"]] == [
        p["ID"] for p in records("sunarp", "predios")[50:100]
    ]
