"""Reading gob.pe and transparency-portal names: siglas, repairs, kind of body."""

import pytest

from ventanilla.institutions.importers import search_fields
from ventanilla.institutions.importers.names import (
    infer_kind,
    infer_level,
    split_name,
    strip_unbalanced,
)
from ventanilla.institutions.models import Kind, Level


@pytest.mark.parametrize(
    ("raw", "slug", "expected"),
    [
        ("Agencia de Compras de las Fuerzas Armadas - ACFFAA", "acffaa",
         ("Agencia de Compras de las Fuerzas Armadas", "ACFFAA", "")),
        ("Municipalidad Distrital de Aco - Ancash - MDA", "muniaco-ancash",
         ("Municipalidad Distrital de Aco - Ancash", "MDA", "")),
        ("Programa Nacional de Apoyo Directo a los más Pobres - JUNTOS - JUNTOS", "juntos",
         ("Programa Nacional de Apoyo Directo a los más Pobres", "JUNTOS", "")),
        ("Municipalidad Distrital de Carumas - MD - CARUMAS", "municarumas",
         ("Municipalidad Distrital de Carumas", "MD - CARUMAS", "")),
        ("aeropuertosperu", "aeropuertosperu", ("Aeropuertosperu", "", "slug")),
        ("consulado-del-peru-en-arica", "consulado-del-peru-en-arica",
         ("Consulado del peru en arica", "", "slug")),
        ("RED ASISTENCIAL LA LIBERTAD - RALI", "red-asistencial-la-libertad",
         ("Red Asistencial la Libertad", "RALI", "caps")),
        ("Municipalidad Centro Poblado Augusto B. Leguia (Mcpabl)", "x",
         ("Municipalidad Centro Poblado Augusto B. Leguia", "Mcpabl", "")),
        ("Centro de Empleo  - FORTALECE PERÚ", "fortaleceperu",
         ("Centro de Empleo", "FORTALECE PERÚ", "")),
    ],
)  # fmt: skip
def test_split_name_separates_siglas_and_repairs_names(raw, slug, expected):
    assert split_name(raw, slug) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Real rows of entidades_pte.csv: the siglas' own dash used to cut the name at "(usi".
        ("UNIDAD DE SISTEMAS E INFORMÁTICA (USI - MDSALAVERRY)",
         ("Unidad de Sistemas e Informática", "USI - MDSALAVERRY", "caps")),
        ("AREA DE INFORMÁTICA (AI - DREUCAYALI)",
         ("Area de Informática", "AI - DREUCAYALI", "caps")),
        ("HOSPITAL REGIONAL DOCENTE MATERNO INFANTIL EL CARMEN (HRDMI - EC)",
         ("Hospital Regional Docente Materno Infantil el Carmen", "HRDMI - EC", "caps")),
        ("MUNICIPALIDAD DISTRITAL DE COCHAS - LIMA (MD - COCHAS)",
         ("Municipalidad Distrital de Cochas - Lima", "MD - COCHAS", "caps")),
        ("UNIDAD DE GESTION EDUCATIVA LOCAL - GRAN CHIMU (UGEL GRAN CHIMU)",
         ("Unidad de Gestion Educativa Local - Gran Chimu", "UGEL GRAN CHIMU", "caps")),
        ('INSTITUTO NACIONAL DE SALUD MENTAL "HONORIO DELGADO - HIDEYO NOGUCHI" (INSM "HD-HN")',
         ('Instituto Nacional de Salud Mental "honorio Delgado - Hideyo Noguchi"',
          'INSM "HD-HN"', "caps")),
    ],
)  # fmt: skip
def test_split_name_keeps_the_siglas_dash_inside_its_parenthesis(raw, expected):
    assert split_name(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Unidad de Gestion Educativa Local Arequipa Sur (oi",
         "Unidad de Gestion Educativa Local Arequipa Sur"),
        ("Oficina de Sistemas (os - Pcm) (os", "Oficina de Sistemas (os - Pcm)"),
        ("Dreucayali)", "Dreucayali"),
        ("Red de Salud N° 04 Aguaytia (red N° 04 A)", "Red de Salud N° 04 Aguaytia (red N° 04 A)"),
    ],
)  # fmt: skip
def test_strip_unbalanced_drops_a_truncated_parenthesis_only(text, expected):
    assert strip_unbalanced(text) == expected


@pytest.mark.parametrize(
    ("name", "power", "kind"),
    [
        ("Ministerio de Salud", "poder-ejecutivo", Kind.MINISTRY),
        ("Ministerio Público - Fiscalía de la Nación", "organismos-autonomos", Kind.CONSTITUTIONAL),
        ("Municipalidad Provincial de Huancayo", None, Kind.PROVINCIAL_MUNICIPALITY),
        ("Municipalidad Distrital de San Bartolo", None, Kind.DISTRICT_MUNICIPALITY),
        ("Municipalidad del Centro Poblado de Santa María", None,
         Kind.POPULATED_CENTRE_MUNICIPALITY),
        ("Gobierno Regional Moquegua", "gobiernos-regionales", Kind.REGIONAL_GOVERNMENT),
        ("Programa Nacional A Comer Pescado", "poder-ejecutivo", Kind.PROGRAM),
        ("Empresa de Administración de Infraestructura Eléctrica S.A.", "poder-ejecutivo",
         Kind.STATE_COMPANY),
        ("Corte Superior de Justicia de Huaura", "poder-judicial", Kind.COURT),
        ("Universidad Nacional Federico Villarreal", None, Kind.UNIVERSITY),
        ("Hospital Central de Majes", "gobiernos-regionales", Kind.HEALTH),
        ("Unidad de Gestión Educativa Local El Collao", "gobiernos-regionales", Kind.EDUCATION),
        ("Registro Nacional de Identificación y Estado Civil", "organismos-autonomos",
         Kind.CONSTITUTIONAL),
        ("Superintendencia Nacional de Migraciones", "poder-ejecutivo", Kind.PUBLIC_AGENCY),
    ],
)  # fmt: skip
def test_infer_kind_reads_the_kind_of_body_from_real_names(name, power, kind):
    assert infer_kind(name, power=power) == kind


def test_a_name_that_is_only_a_slug_takes_its_kind_from_the_slug():
    assert infer_kind("Ugelespinar", slug="ugelespinar") == Kind.EDUCATION
    assert infer_kind("Csjcallao", slug="csjcallao") == Kind.COURT


def test_a_municipality_is_local_even_when_gobpe_files_it_under_regional_governments():
    assert infer_level(Kind.DISTRICT_MUNICIPALITY, power="gobiernos-regionales") == Level.LOCAL
    assert infer_level(Kind.OTHER, siaf_level="2.GR") == Level.REGIONAL


def test_search_fields_fold_name_and_acronym_and_take_the_first_letter():
    fields = search_fields("Ñuñoa Árbol 016", "ÑA")
    assert fields == {"search_text": "nunoa arbol 016 na", "initial": "n"}
    assert search_fields("016 Almirante Miguel Grau", "")["initial"] == "a"
