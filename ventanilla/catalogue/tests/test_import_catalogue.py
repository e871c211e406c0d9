"""Parsing the curated procedures, the gob.pe fichas and the gob.pe catalogue titles."""

from datetime import date
from decimal import Decimal

import pytest

from ventanilla.catalogue.importers.curated import (
    Curated,
    parse_channels,
    parse_checked_on,
    parse_fee,
)
from ventanilla.catalogue.importers.fichas import merge_ficha
from ventanilla.catalogue.importers.gobpe_catalogue import InstitutionIndex, guess_kind
from ventanilla.catalogue.models import Channel, ProcedureKind
from ventanilla.core.importing import ImportReport


def test_fee_empty_is_unknown_zero_is_free_and_amounts_are_exact():
    assert parse_fee("") is None
    assert parse_fee("0.00") == Decimal("0.00")
    assert parse_fee("120.90") == Decimal("120.90")
    with pytest.raises(ValueError, match="gratis"):
        parse_fee("gratis")


def test_partial_source_dates_take_the_first_day_and_are_flagged():
    assert parse_checked_on("2026-09-08") == (date(2026, 9, 8), False)
    assert parse_checked_on("2023-06") == (date(2023, 6, 1), True)
    assert parse_checked_on("2024") == (date(2024, 1, 1), True)
    assert parse_checked_on("") == (None, False)


def test_channels_are_parsed_from_the_source_text_which_they_keep():
    mixed = "mixto (web, Agente Reniec, presencial en Centro Reniec/MAC)"
    channels = parse_channels(mixed, online_url="https://www.gob.pe/224")
    assert [c["kind"] for c in channels] == [Channel.Kind.ONLINE, Channel.Kind.IN_PERSON]
    assert channels[0]["url"] == "https://www.gob.pe/224"
    assert channels[1]["url"] == ""
    assert all(c["description"] == mixed for c in channels)
    assert [c["kind"] for c in parse_channels("presencial", online_url="")] == ["in_person"]
    assert parse_channels("", online_url="") == []


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("solicitar duplicado de dni", ProcedureKind.PROCEDURE),
        ("obtener licencia de conducir brevete por primera vez", ProcedureKind.PROCEDURE),
        ("consultar el estado de tramite de tu dni", ProcedureKind.SERVICE),
        ("acceder al nuevo rus", ProcedureKind.SERVICE),
        ("que es la varicela", ProcedureKind.GUIDANCE),
        ("como presentar una denuncia", ProcedureKind.GUIDANCE),
        ("preguntas frecuentes", ProcedureKind.GUIDANCE),
        ("ministerio de salud que hacemos", ProcedureKind.PAGE),
        ("organizacion de la sunat", ProcedureKind.PAGE),
    ],
)
def test_guess_kind_reads_the_leading_verb_of_gobpe_titles(title, kind):
    assert guess_kind(title) == kind


def test_a_catalogue_title_is_linked_to_the_longest_institution_name_it_starts_with():
    index = InstitutionIndex(
        [(1, "Municipalidad Distrital de San Bartolo", "MDSB"), (2, "Municipalidad Distrital", "")]
    )
    title = "municipalidad distrital de san bartolo para negocios de riesgo alto"
    assert index.match(title) == (1, "para negocios de riesgo alto")
    assert index.match("solicitar duplicado de dni") == (None, "solicitar duplicado de dni")


def test_a_ficha_fills_summary_requirements_channel_steps_and_sections(tmp_path):
    item = Curated(
        code="P001",
        line=2,
        fields={"kind": ProcedureKind.PROCEDURE, "source_checked_on": date(2025, 1, 1)},
        requirements=["del CSV"],
        channels=parse_channels("mixto (web y presencial)", online_url=""),
    )
    ficha = {
        "kind": "Servicio",
        "lastChanged": "2026-09-08",
        "sections": [
            {"heading": "", "items": ["Qué es.", "Cuándo procede."]},
            {"heading": "Requisitos", "items": ["Recibo de pago."]},
            {"heading": "Puedes Solicitar Online", "items": ["Paga en línea"]},
            {"heading": "También puedes hacerlo:", "items": ["Presencial"]},
            {"heading": "Hazlo en 2 pasos:", "items": ["Acércate al centro", "Recoge en la sede"]},
        ],
    }
    merge_ficha(item, ficha, ImportReport(data_dir=tmp_path))
    assert item.fields["summary"] == "Qué es.\n\nCuándo procede."
    assert item.requirements == ["Recibo de pago."]
    steps = {c["kind"]: c["steps"] for c in item.channels}
    assert steps == {
        "online": ["Paga en línea"],
        "in_person": ["Acércate al centro", "Recoge en la sede"],
    }
    assert item.sections == [{"heading": "También puedes hacerlo:", "items": ["Presencial"]}]
    assert item.fields["kind"] == ProcedureKind.SERVICE
    assert item.fields["source_checked_on"] == date(2026, 9, 8)
