"""Personal data never reaches the database through a feedback comment."""

import pytest

from ventanilla.feedback.masking import mask_personal_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mi DNI es 12345678", "Mi DNI es [DNI]"),
        ("DNI 12345678-9 por favor", "DNI [DNI] por favor"),
        ("DNI 10117410 - 2.", "DNI [DNI]."),
        ("con letra 10117410-G y 10117410K", "con letra [DNI] y [DNI]"),
        ("sin guion 101174102", "sin guion [DNI]"),
        ("agrupado 12.345.678", "agrupado [DNI]"),
        ("(DNI:45215942)", "(DNI:[DNI])"),
    ],
)
def test_dnis_with_or_without_check_digit_are_masked(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("escribe a juan.perez@gmail.com", "escribe a [correo]"),
        ("MARIA_Q+tramites@municipalidad.gob.pe.", "[correo]."),
        ("correo: a.b-c@sub.dominio.com.pe, gracias", "correo: [correo], gracias"),
        ("ñandú@correo.pe", "[correo]"),
    ],
)
def test_email_addresses_are_masked(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("llámame al +51 987 654 321", "llámame al [teléfono]"),
        ("+51987654321", "[teléfono]"),
        ("+51-987-654-321", "[teléfono]"),
        ("0051 987654321", "[teléfono]"),
        ("cel 987654321", "cel [teléfono]"),
        ("cel 987 654 321.", "cel [teléfono]."),
        ("cel 987-654-321", "cel [teléfono]"),
        ("central (01) 426-7800", "central [teléfono]"),
        ("(01)4267800", "[teléfono]"),
        ("01-4267800", "[teléfono]"),
        ("Arequipa (054) 123456", "Arequipa [teléfono]"),
        ("Cusco 084-234567", "Cusco [teléfono]"),
        ("+51 1 426 7800", "[teléfono]"),
        ("fijo 426-7800", "fijo [teléfono]"),
    ],
)
def test_peruvian_phone_numbers_are_masked(text, expected):
    assert mask_personal_data(text) == expected


def test_personal_ruc_is_masked_but_a_company_ruc_is_kept():
    assert mask_personal_data("RUC 10101174102") == "RUC [RUC]"
    assert mask_personal_data("RUC de RENIEC 20295613620") == "RUC de RENIEC 20295613620"


@pytest.mark.parametrize(
    "text",
    [
        "El trámite cuesta S/ 30.00 y demora 10 días hábiles.",
        "Según el D.S. 033-2018-PCM y la Ley 27444.",
        "Fui el 12/03/2024 a las 10:30 y había 150 personas.",
        "La página 224-solicitar-duplicado-de-dni no carga.",
        "Código TUPA 02121, expediente 2024-000123.",
    ],
)
def test_ordinary_numbers_are_left_alone(text):
    assert mask_personal_data(text) == text


def test_several_kinds_in_one_comment_are_all_masked():
    text = "Soy 45215942, escríbeme a yo@correo.pe o al 999888777; fijo (01) 315-2700."
    assert mask_personal_data(text) == (
        "Soy [DNI], escríbeme a [correo] o al [teléfono]; fijo [teléfono]."
    )
