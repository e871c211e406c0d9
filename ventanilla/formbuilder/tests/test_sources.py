"""Questions bound to registry fields (`source`): what the definition checks accept and refuse,
and that the binding survives the XLSForm and JSON round trips."""

import copy
import json
from typing import Any

import pytest
from pyxform.xls2xform import convert

from ventanilla.formbuilder.definition import default_workflow, definition_errors
from ventanilla.formbuilder.interchange import (
    definition_from_xlsform,
    definition_normalize,
    definition_to_xlsform,
    service_from_json,
    service_to_json,
)
from ventanilla.interop.sources import (
    SOURCES,
    bound_sources,
    ruc10_of,
    source_choices,
    source_value,
)


def bound_form() -> dict[str, Any]:
    return {
        "format": "ventanilla-form/1",
        "title": "Licencia de funcionamiento",
        "intro": "",
        "pages": [
            {
                "id": "titular",
                "title": "Titular",
                "questions": [
                    {
                        "id": "nombres",
                        "type": "text",
                        "label": "Nombres",
                        "required": True,
                        "source": {"from": "reniec.persona", "field": "Prenombres"},
                    },
                    {
                        "id": "nacimiento",
                        "type": "date",
                        "label": "Fecha de nacimiento",
                        "source": {"from": "reniec.persona", "field": "FechaNacimiento"},
                    },
                    {
                        "id": "domicilio",
                        "type": "address",
                        "label": "Domicilio",
                        "required": True,
                        "source": {"from": "reniec.persona", "field": "Direccion"},
                    },
                    {
                        "id": "ruc",
                        "type": "ruc",
                        "label": "RUC",
                        "source": {"from": "sunat.contribuyente", "field": "ID"},
                    },
                ],
            },
            {
                "id": "vehiculo",
                "title": "Vehículo",
                "questions": [
                    {"id": "placa", "type": "text", "label": "Placa", "required": True},
                    {
                        "id": "marca",
                        "type": "text",
                        "label": "Marca",
                        "source": {"from": "sunarp.vehiculo", "field": "Marca", "key": "placa"},
                    },
                ],
            },
        ],
        "declaration": "",
        "confirmation": "",
    }


def _question(definition: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(q for p in definition["pages"] for q in p["questions"] if q["id"] == qid)


def test_a_form_bound_to_registry_fields_is_valid():
    definition = bound_form()
    assert definition_errors(definition) == []
    assert set(bound_sources(definition)) == {
        "reniec.persona",
        "sunat.contribuyente",
        "sunarp.vehiculo",
    }


@pytest.mark.parametrize(
    ("qid", "source", "expected"),
    [
        ("nombres", {"from": "reniec.padron", "field": "Prenombres"}, "«reniec.padron» no existe"),
        (
            "nombres",
            {"from": "reniec.persona", "field": "Apodo"},
            "RENIEC no tiene el dato «Apodo»",
        ),
        (
            "nacimiento",
            {"from": "reniec.persona", "field": "Prenombres"},
            "no sirve para una pregunta de este tipo",
        ),
        ("nombres", "reniec.persona", "el origen del dato no es válido"),
        (
            "nombres",
            {"from": "reniec.persona", "field": "Prenombres", "key": "ruc"},
            "se consulta con el documento del ciudadano",
        ),
        (
            "marca",
            {"from": "sunarp.vehiculo", "field": "Marca"},
            "que no es una pregunta anterior",
        ),
        (
            "marca",
            {"from": "sunarp.vehiculo", "field": "Marca", "key": "marca"},
            "que no es una pregunta anterior",
        ),
        (
            "marca",
            {"from": "sunarp.vehiculo", "field": "Marca", "key": "nacimiento"},
            "no sirve para buscar en SUNARP",
        ),
        (
            "marca",
            {"from": "sunarp.vehiculo", "field": "Marca", "key": "nombres"},
            "debe responderla el ciudadano",
        ),
    ],
)
def test_a_wrong_binding_is_named_in_spanish(qid, source, expected):
    definition = bound_form()
    _question(definition, qid)["source"] = source
    errors = definition_errors(definition)
    assert any(expected in e for e in errors), errors
    # Also refused in a draft: a wrong binding is a mistake, not an unfinished form.
    assert definition_errors(definition, draft=True)


def test_a_question_in_a_group_cannot_be_bound():
    definition = bound_form()
    definition["pages"][1]["questions"].append(
        {
            "id": "socios",
            "type": "group",
            "label": "Socios",
            "questions": [
                {
                    "id": "socio_nombre",
                    "type": "text",
                    "label": "Nombre",
                    "source": {"from": "reniec.persona", "field": "Prenombres"},
                }
            ],
        }
    )
    errors = definition_errors(definition)
    assert any("no toman datos de un registro" in e for e in errors)


def test_the_designer_is_offered_only_fields_that_suit_the_type():
    dates = dict(source_choices("date"))
    assert "reniec.persona:FechaNacimiento" in dates
    assert "reniec.persona:Prenombres" not in dates
    assert dates["reniec.persona:FechaNacimiento"] == "RENIEC — Fecha de nacimiento"
    assert source_choices("file") == []


def test_xlsform_round_trip_keeps_the_binding():
    definition = bound_form()
    content = definition_to_xlsform(definition=definition, workflow=default_workflow())
    imported, errors = definition_from_xlsform(content=content)
    assert errors == []
    assert imported == definition_normalize(definition)
    assert _question(imported, "marca")["source"] == {
        "from": "sunarp.vehiculo",
        "field": "Marca",
        "key": "placa",
    }
    assert _question(imported, "nombres")["source"] == {
        "from": "reniec.persona",
        "field": "Prenombres",
    }
    # Still an XLSForm other tools read (the extra column is ignored by them).
    convert(xlsform=content, warnings=[], file_type=".xlsx")


def test_json_round_trip_keeps_the_binding():
    definition = bound_form()
    content = service_to_json(definition=definition, workflow=default_workflow(), meta={})
    again, _workflow, errors = service_from_json(content=content)
    assert errors == []
    assert _question(again, "domicilio")["source"] == {
        "from": "reniec.persona",
        "field": "Direccion",
    }
    assert json.loads(content)["definition"] == definition


def test_registry_values_become_answers_of_the_question_type():
    persona = SOURCES["reniec.persona"]
    record = {
        "Prenombres": "ROSA ELENA",
        "FechaNacimiento": "1985-04-12",
        "Direccion": "JR. ICA 345",
        "UbigeoDomicilio": "120101",
        "EstadoCivil": "CASADO",
    }
    form = bound_form()
    assert (
        source_value(
            question=_question(form, "nombres"),
            source=persona,
            field_name="Prenombres",
            record=record,
        )
        == "ROSA ELENA"
    )
    assert source_value(
        question=_question(form, "domicilio"),
        source=persona,
        field_name="Direccion",
        record=record,
    ) == {"street": "JR. ICA 345", "ubigeo": "120101", "reference": ""}
    civil = {
        "id": "civil",
        "type": "choice",
        "choices": [
            {"value": "soltero", "label": "Soltero"},
            {"value": "casado", "label": "Casado"},
        ],
    }
    assert source_value(
        question=civil, source=persona, field_name="EstadoCivil", record=record
    ) == ("casado")
    broken = copy.deepcopy(record)
    broken["FechaNacimiento"] = "12/04/1985"
    assert (
        source_value(
            question=_question(form, "nacimiento"),
            source=persona,
            field_name="FechaNacimiento",
            record=broken,
        )
        is None
    )


def test_a_persons_ruc_is_10_dni_and_check_digit():
    ruc = ruc10_of("45678912")
    assert ruc.startswith("1045678912")
    assert len(ruc) == 11
