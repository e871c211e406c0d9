"""Which transparency-portal entities are public bodies, and how a portal row and a gob.pe row
are recognised as the same body, on real rows of entidades_pte.csv."""

import pytest

from ventanilla.institutions.importers.matching import muni_key, name_key, typed_keys, words_key
from ventanilla.institutions.importers.names import split_name
from ventanilla.institutions.importers.places import Place, sound
from ventanilla.institutions.importers.triage import Nature, nature_of
from ventanilla.institutions.models import Kind


def _nature(raw: str) -> Nature:
    return nature_of(split_name(raw)[0])


@pytest.mark.parametrize(
    "raw",
    [
        "AREA DE INFORMÁTICA (AI - DREUCAYALI)",
        "SOPORTE TECNICO (ST-DRTCPIURA)",
        "OFICINA DE TECNOLOGÍAS DE LA INFORMACIÓN (OTI-PERU COMPRAS)",
        "UNIDAD DE SISTEMAS E INFORMÁTICA (USI - MDSALAVERRY)",
        "SUB GERENCIA DE ESTADISTICA E INFORMATICA (SGEI - MDLAPERLA)",
        "IMAGEN INSTITUCIONAL E INFORMATICA (OIII - MDSBARTOLO)",
        "GERENCIA DE TECNOLOGÍAS DE LA INFORMACIÓN (GTI - RENIEC)",
        "CENTRO DE COMPUTO (CC - HRC)",
        "EQUIPO DE INFORMÁTICA (EI - HNDM)",
        "DIVISION DE SISTEMAS (AS - AGROBANCO)",
        "SECRETARIA GENERAL (SG-MDPACARAN)",
        "INTENDENCIA NACIONAL DE SISTEMAS DE INFORMACIÓN (INSI - SUNAT)",
        "INSTITUTO DE INFORMÁTICA - UNSA (INFO - UNSA)",
        "INHABILITACIONES DEL PODER JUDICIAL",
    ],
)
def test_an_internal_office_is_not_a_body(raw):
    assert _nature(raw) == Nature.OFFICE


@pytest.mark.parametrize(
    "raw",
    [
        "0035 NUESTRA SEÑORA DE LA VISITACIÓN",
        "I.E.I HERMASIA PAGET",
        "IEI 075 SANTA MARIA DE GUADALUPE (SMG)",
        "I.E. N° 1076 RABINDRANATH TAGORE",
        "Nº 1147-ANDRES ROSALES VALENCIA",
        "CEBA MIGUEL GRAU",
        "CETPRO EL PORVENIR",
    ],
)
def test_a_school_is_not_a_body_of_its_own(raw):
    assert _nature(raw) == Nature.SCHOOL


@pytest.mark.parametrize(
    "raw",
    [
        "GOBIERNO REGIONAL DE UCAYALI (GR-UCAYALI)",
        "MUNICIPALIDAD DISTRITAL DE YANAHUANCA (MD-YANAHUANCA)",
        "UNIDAD DE GESTIÓN EDUCATIVA LOCAL HUARAZ (UGEL HUARAZ)",
        "UNIDAD DEGESTION EDUCATIVA LOCAL DE CHINCHEROS (UGELCH)",
        "RED DE SALUD DE DOS DE MAYO - UNIDAD EJECUTORA 406 (RSDM)",
        "HOSPITAL REGIONAL DOCENTE MATERNO INFANTIL EL CARMEN (HRDMI - EC)",
        "UNIVERSIDAD NACIONAL AGRARIA LA MOLINA (UNALM)",
        "PROYECTO ESPECIAL BICENTENARIO DE LA INDEPENDENCIA DEL PERÚ (PEB)",
        "BANCO DE LA NACIÓN (BN)",
        "OFICINA NACIONAL DE GOBIERNO INTERIOR (ONAGI)",
        "FONDO DE INVERSIÓN EN TELECOMUNICACIONES (FITEL)",
        "AUTORIDAD AUTÓNOMA DEL SISTEMA ELÉCTRICO DE TRANSPORTE MASIVO DE LIMA Y CALLAO (AATE)",
        "ZONA REGISTRAL N° IX - SEDE LIMA (Z.R.IX)",
        "IESP BAMBAMARCA (IESP B)",
        "EMBAJADA DEL PERÚ EN AUSTRIA (E-AUSTRIA)",
    ],
)
def test_a_name_that_names_a_public_body_is_a_body(raw):
    assert _nature(raw) == Nature.BODY


def test_a_name_that_says_nothing_is_unknown_and_needs_its_own_siaf_unit():
    assert _nature("ANGÉLICA PALMA ROMÁN") == Nature.UNKNOWN
    assert _nature("TRANSPORTES METROPOLITANOS DE TRUJILLO (TMT)") == Nature.UNKNOWN


def test_typed_keys_meet_a_slug_and_the_portal_spelling():
    assert typed_keys("Ugel16barranca") == typed_keys(
        "Unidad de Gestion Educativa Local Nº 16 Barranca"
    )
    assert (
        typed_keys("Regionucayali")
        == typed_keys("Gobierno Regional de Ucayali")
        == {("gore", "ucayali")}
    )
    assert typed_keys("regionlalibertad") == typed_keys("Gobierno Regional de La Libertad")
    assert typed_keys("Csjlimanorte") == typed_keys("Corte Superior de Justicia de Lima Norte")
    # A bare kind names no body.
    assert typed_keys("Unidad de Gestión Educativa Local") == set()


def test_name_and_word_keys_ignore_accents_small_words_and_company_suffixes():
    assert name_key("Banco de Materiales S.A.C.") == name_key("BANCO DE MATERIALES SAC")
    assert name_key("Gobierno Regional Apurímac") == name_key("Gobierno Regional de Apurimac")
    assert words_key("Oficina regional norte chiclayo inpe") == words_key(
        "Inpe - Oficina Regional Norte Chiclayo"
    )


def test_a_capital_districts_municipality_is_its_provinces():
    yanahuanca = Place("19", "1902", "190201")
    assert muni_key(Kind.DISTRICT_MUNICIPALITY, yanahuanca) == "1902"
    assert muni_key(Kind.PROVINCIAL_MUNICIPALITY, yanahuanca) == "1902"
    assert muni_key(Kind.DISTRICT_MUNICIPALITY, Place("19", "1902", "190202")) == "190202"


def test_place_names_meet_across_spellings():
    assert sound("Zaña") == sound("Saña")
    assert sound("Kañaris") == sound("Cañaris")
    assert sound("los banos de inca") == sound("Los Baños del Inca")
    assert sound("Ciudad Eten") == sound("Eten")
