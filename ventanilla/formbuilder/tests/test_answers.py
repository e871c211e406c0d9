import pytest
from django.http import QueryDict

from ventanilla.formbuilder.answers import (
    answer_display,
    answers_check,
    answers_summary,
    field_name,
    file_check,
    page_initial,
    page_read,
)
from ventanilla.formbuilder.tests.factories import every_type
from ventanilla.ubigeo.tests.factories import DistrictFactory, ProvinceFactory

pytestmark = pytest.mark.django_db

# 45678912 with its check digit (python-stdnum pe.cui).
DNI_OK = "45678912"


def _post(pairs: list[tuple[str, str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, value)
    return data


@pytest.fixture
def district():
    province = ProvinceFactory(
        code="1501", department__code="15", department__name="Lima", name="Lima"
    )
    return DistrictFactory(code="150122", province=province, name="Miraflores")


def _good(district) -> list[tuple[str, str]]:
    return [
        ("q-nombre", "  Rosa Quispe "),
        ("q-placa", "ABC-123"),
        ("q-motivo", "Traslado de alimentos"),
        ("q-personas", "3"),
        ("q-monto", "S/ 1,250.5"),
        ("q-fecha-day", "27"),
        ("q-fecha-month", "3"),
        ("q-fecha-year", "2026"),
        ("q-urgente", "si"),
        ("q-tipo", "carga"),
        ("q-dias", "mar"),
        ("q-dias", "lun"),
        ("q-correo", "Rosa@Ejemplo.PE"),
        ("q-celular", "+51 987 654 321"),
        ("q-dni", DNI_OK),
        ("q-ruc", "20131312955"),
        ("q-lugar-department", "15"),
        ("q-lugar-province", "1501"),
        ("q-lugar-district", "150122"),
        ("q-domicilio-street", "Av. Larco 123"),
        ("q-domicilio-department", "15"),
        ("q-domicilio-province", "1501"),
        ("q-domicilio-district", "150122"),
        ("q-sustento", "f1"),
        ("q-pasajeros-0-p_nombre", "Juan"),
        ("q-pasajeros-0-p_dni", "12345678"),
        ("q-pasajeros-1-p_nombre", ""),
        ("q-pasajeros-1-p_dni", ""),
        ("q-acepto", "on"),
    ]


def test_a_page_of_every_type_reads_into_typed_answers(district):
    outcome = page_read(
        definition=every_type(), page_id="datos", data=_post(_good(district)), answers={}
    )
    assert outcome.errors == {}
    a = outcome.answers
    assert a["nombre"] == "Rosa Quispe"
    assert a["personas"] == 3
    assert a["monto"] == "1250.50"
    assert a["fecha"] == "2026-03-27"
    assert a["urgente"] is True
    assert a["dias"] == ["lun", "mar"]
    assert a["correo"] == "rosa@ejemplo.pe"
    assert a["celular"] == "987654321"
    assert a["lugar"] == "150122"
    assert a["domicilio"] == {"street": "Av. Larco 123", "ubigeo": "150122", "reference": ""}
    assert a["sustento"] == ["f1"]
    assert a["pasajeros"] == [{"p_nombre": "Juan", "p_dni": "12345678"}]  # blank row dropped
    assert a["acepto"] is True
    assert "aviso" not in a


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q-dni", "45678912-1", "dígito de verificación no corresponde"),
        ("q-dni", "4567891", "8 dígitos"),
        ("q-ruc", "20131312954", "último no corresponde"),
        ("q-placa", "ABCD", "ABC-123"),
        ("q-personas", "11", "10 o menos"),
        ("q-personas", "2.5", "entero"),
        ("q-monto", "abc", "monto en soles"),
        ("q-monto", "6000", "S/ 5,000.00 o menos"),
        ("q-correo", "rosa@", "correo válido"),
        ("q-celular", "12345", "9 dígitos"),
        ("q-tipo", "avion", "una de las opciones"),
        ("q-motivo", "hola", "al menos 5"),
        ("q-nombre", "x" * 41, "como máximo 40"),
        ("q-fecha-year", "26", "4 cifras"),
        ("q-fecha-day", "31", "fecha real"),
        ("q-lugar-district", "999999", "distrito de la lista"),
    ],
)
def test_wrong_answers_get_a_spanish_message_next_to_their_field(district, field, value, message):
    pairs = [(k, v) for k, v in _good(district) if k != field] + [(field, value)]
    if field == "q-fecha-day":
        pairs = [(k, v) for k, v in pairs if k != "q-fecha-month"] + [("q-fecha-month", "2")]
    outcome = page_read(definition=every_type(), page_id="datos", data=_post(pairs), answers={})
    key = field if not field.startswith("q-fecha") else "q-fecha"
    assert message in outcome.errors.get(key, ""), outcome.errors
    # The other answers on the page are still read.
    assert outcome.answers["urgente"] is True


def test_required_answers_missing_are_named(district):
    outcome = page_read(definition=every_type(), page_id="datos", data=_post([]), answers={})
    assert set(outcome.errors) == {"q-nombre", "q-urgente", "q-tipo", "q-dni", "q-acepto"}
    assert outcome.errors["q-nombre"] == "Completa este dato: Nombre."


def test_a_group_row_missing_a_required_child_is_flagged_on_that_row(district):
    pairs = [*_good(district), ("q-pasajeros-1-p_dni", "87654321")]
    outcome = page_read(definition=every_type(), page_id="datos", data=_post(pairs), answers={})
    assert "q-pasajeros-1-p_nombre" in outcome.errors


def test_a_whole_application_checks_and_prefills_from_stored_answers(district):
    definition = every_type()
    outcome = page_read(
        definition=definition, page_id="datos", data=_post(_good(district)), answers={}
    )
    answers = outcome.answers
    assert answers_check(definition=definition, answers=answers) == {
        "q-peso": "Completa este dato: Peso (kg)."
    }
    answers["peso"] = 1200
    assert answers_check(definition=definition, answers=answers) == {}
    initial = page_initial(definition=definition, page_id="datos", answers=answers)
    assert initial[field_name("fecha", part="day")] == "27"
    assert initial[field_name("pasajeros", item=0, child="p_nombre")] == "Juan"


def test_an_application_that_reaches_an_exit_page_cannot_be_sent(district):
    errors = answers_check(definition=every_type(), answers={"tipo": "particular"})
    assert errors["__all__"] == "Los vehículos particulares no necesitan este permiso."


def test_answers_read_as_people_say_them(district):
    definition = every_type()
    answers = page_read(
        definition=definition, page_id="datos", data=_post(_good(district)), answers={}
    ).answers
    shown = {
        q["id"]: text
        for _page, rows in answers_summary(definition=definition, answers=answers)
        for q, text in rows
    }
    assert shown["monto"] == "S/ 1,250.50"
    assert shown["fecha"] == "27 de marzo de 2026"
    assert shown["urgente"] == "Sí"
    assert shown["tipo"] == "Carga"
    assert shown["dias"] == "Lunes, Martes"
    assert shown["lugar"] == "Miraflores, Lima, Lima"
    assert shown["sustento"] == "1 archivo"
    assert shown["pasajeros"] == "Juan · 12345678"
    assert answer_display(question={"type": "yes_no"}, value=False) == "No"


@pytest.mark.parametrize(
    ("name", "size", "head", "message"),
    [
        ("a.pdf", 10, b"%PDF-1.7", None),
        ("a.jpg", 10, b"\xff\xd8\xff\xe0", None),
        ("a.pdf", 10, b"MZ\x90\x00", "no es de un tipo admitido"),
        ("a.pdf", 6 * 1024 * 1024, b"%PDF-1.7", "pesa más de 5 MB"),
        ("a.pdf", 0, b"", "está vacío"),
    ],
)
def test_uploads_are_judged_by_their_bytes_and_size(name, size, head, message):
    found = file_check(
        question={"type": "file"}, name=name, size=size, content_type="application/pdf", head=head
    )
    assert found is None if message is None else message in found
