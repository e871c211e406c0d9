"""XLSForm and JSON import/export: exact round trips, real XLSForms (pyxform accepts them),
ordinary ODK forms import, and bad files give Spanish errors instead of exceptions."""

import copy
import io
import json

import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from ventanilla.formbuilder.definition import default_workflow, definition_errors, empty_definition
from ventanilla.formbuilder.interchange import (
    definition_from_xlsform,
    definition_normalize,
    definition_to_xlsform,
    service_from_json,
    service_to_json,
    workflow_from_xlsform,
)

PDF = "application/pdf"
JPEG = "image/jpeg"


def full_definition() -> dict:
    """Every question type, every condition operator, a group, an exit page, texts."""
    return {
        "format": "ventanilla-form/1",
        "title": "Permiso especial de tránsito",
        "intro": "Ten a la mano la tarjeta de propiedad.",
        "pages": [
            {
                "id": "vehiculo",
                "title": "Datos del vehículo",
                "questions": [
                    {
                        "id": "tipo",
                        "type": "choice",
                        "label": "Tipo de vehículo",
                        "required": True,
                        "choices": [
                            {"value": "carga", "label": "Carga"},
                            {"value": "particular", "label": "Particular"},
                            {"value": "otro", "label": "Otro (bus, remolque…)"},
                        ],
                    },
                    {
                        "id": "placa",
                        "type": "text",
                        "label": "Placa del vehículo",
                        "hint": "Ejemplo: ABC-123",
                        "required": True,
                        "min_length": 6,
                        "max_length": 7,
                        "pattern": "^[A-Z0-9]{3}-?[A-Z0-9]{3}$",
                        "pattern_message": "Escribe la placa como en la tarjeta de propiedad.",
                    },
                    {
                        "id": "descripcion",
                        "type": "textarea",
                        "label": "Describe la carga",
                        "min_length": 10,
                        "max_length": 500,
                        "show_if": {"question": "tipo", "op": "equals", "value": "carga"},
                    },
                    {"id": "ejes", "type": "number", "label": "Número de ejes", "min": 2, "max": 9},
                    {
                        "id": "peso",
                        "type": "number",
                        "label": "Peso bruto (toneladas)",
                        "decimals": 2,
                        "min": 0.5,
                        "max": 60.0,
                    },
                    {
                        "id": "monto",
                        "type": "money",
                        "label": "Valor de la carga",
                        "min": 0,
                        "max": 100000,
                    },
                    {
                        "id": "inicio",
                        "type": "date",
                        "label": "Desde",
                        "min": "today",
                        "max": "2030-12-31",
                    },
                    {
                        "id": "compra",
                        "type": "date",
                        "label": "Fecha de compra",
                        "min": "2000-01-01",
                    },
                    {
                        "id": "propio",
                        "type": "yes_no",
                        "label": "¿El vehículo es tuyo?",
                        "required": True,
                    },
                    {
                        "id": "rutas",
                        "type": "multi_choice",
                        "label": "Rutas",
                        "min_choices": 1,
                        "max_choices": 2,
                        "choices": [
                            {"value": "norte", "label": "Panamericana Norte"},
                            {"value": "sur", "label": "Panamericana Sur"},
                            {"value": "central", "label": "Carretera Central"},
                        ],
                    },
                    {"id": "correo", "type": "email", "label": "Correo electrónico"},
                    {"id": "telefono", "type": "phone", "label": "Celular"},
                    {"id": "dni", "type": "dni", "label": "DNI del titular", "required": True},
                    {"id": "ruc", "type": "ruc", "label": "RUC de la empresa"},
                    {"id": "distrito", "type": "ubigeo", "label": "Distrito de origen"},
                    {"id": "domicilio", "type": "address", "label": "Domicilio"},
                ],
            },
            {
                "id": "no_puede",
                "title": "No puedes solicitar este permiso",
                "show_if": {"question": "tipo", "op": "equals", "value": "particular"},
                "exit": True,
                "exit_message": "Solo los vehículos de carga pueden pedir este permiso.",
                "questions": [],
            },
            {
                "id": "documentos",
                "title": "Documentos y conductores",
                "show_if": {
                    "all": [
                        {"question": "tipo", "op": "in", "value": ["carga", "otro"]},
                        {"question": "propio", "op": "equals", "value": True},
                    ]
                },
                "questions": [
                    {
                        "id": "tarjeta",
                        "type": "file",
                        "label": "Tarjeta de propiedad",
                        "required": True,
                        "accept": [PDF, JPEG],
                        "max_size_mb": 5,
                        "max_files": 3,
                    },
                    {
                        "id": "conductores",
                        "type": "group",
                        "label": "Conductores",
                        "required": True,
                        "min_items": 1,
                        "max_items": 5,
                        "item_label": "Conductor",
                        "questions": [
                            {
                                "id": "nombre",
                                "type": "text",
                                "label": "Nombre completo",
                                "required": True,
                            },
                            {"id": "dni_conductor", "type": "dni", "label": "DNI"},
                            {
                                "id": "licencia",
                                "type": "date",
                                "label": "Vencimiento de la licencia",
                            },
                        ],
                    },
                    {
                        "id": "aviso",
                        "type": "info",
                        "label": "Importante",
                        "text": "Los datos se verifican.",
                    },
                    {
                        "id": "sobrepeso",
                        "type": "text",
                        "label": "¿Por qué tanto peso?",
                        "show_if": {
                            "any": [
                                {"question": "peso", "op": "gt", "value": 10.5},
                                {"question": "ejes", "op": "gte", "value": 3},
                            ]
                        },
                    },
                    {
                        "id": "seguro",
                        "type": "text",
                        "label": "Número de póliza",
                        "show_if": {
                            "all": [
                                {"question": "monto", "op": "lt", "value": 500},
                                {"question": "compra", "op": "lte", "value": "2020-01-01"},
                                {
                                    "any": [
                                        {"question": "tipo", "op": "not_equals", "value": "otro"},
                                        {
                                            "question": "tipo",
                                            "op": "not_in",
                                            "value": ["carga", "particular"],
                                        },
                                    ]
                                },
                            ]
                        },
                    },
                    {
                        "id": "contacto",
                        "type": "text",
                        "label": "Otro contacto",
                        "show_if": {
                            "any": [
                                {"question": "correo", "op": "not_answered"},
                                {"question": "telefono", "op": "answered"},
                                {"question": "rutas", "op": "contains", "value": "sur"},
                                {"question": "propio", "op": "equals", "value": False},
                            ]
                        },
                    },
                    {
                        "id": "declaro",
                        "type": "declaration",
                        "label": "Declaración",
                        "required": True,
                        "text": "Declaro que el vehículo cumple el reglamento.",
                    },
                    {
                        "id": "nota",
                        "type": "info",
                        "label": "",
                        "text": "Gracias por tu paciencia.",
                    },
                ],
            },
        ],
        "declaration": "Declaro bajo juramento que los datos son verdaderos (Ley 27444, art. 51).",
        "confirmation": "La MTC revisará tu solicitud en 10 días hábiles.",
    }


def _xlsx(survey, choices=None, settings=None, sheet="survey") -> bytes:
    book = Workbook()
    first = book.active
    first.title = sheet
    for row in survey:
        first.append(row)
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows is not None:
            extra = book.create_sheet(title)
            for row in rows:
                extra.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_full_definition_is_valid_and_already_normalised():
    definition = full_definition()
    assert definition_errors(definition) == []
    assert definition_normalize(definition) == definition


def test_xlsform_round_trip_gives_the_same_definition():
    definition = full_definition()
    content = definition_to_xlsform(definition=definition, workflow=default_workflow())
    imported, errors = definition_from_xlsform(content=content)
    assert errors == []
    assert imported == definition
    assert definition_errors(imported) == []


def test_xlsform_round_trip_is_stable_when_exported_again():
    content = definition_to_xlsform(definition=full_definition())
    imported, _errors = definition_from_xlsform(content=content)
    assert definition_to_xlsform(definition=imported) is not None
    again, errors = definition_from_xlsform(content=definition_to_xlsform(definition=imported))
    assert errors == []
    assert again == imported


def test_xlsform_round_trip_applies_the_documented_normalisation():
    definition = full_definition()
    page = definition["pages"][0]
    page["show_if"] = None
    page["questions"][0]["hint"] = ""
    page["questions"][3]["required"] = False
    page["questions"][3]["decimals"] = 0
    page["questions"][3]["unknown_key"] = "x"
    page["questions"][2]["show_if"] = {
        "all": [{"question": "tipo", "op": "in", "value": ["carga"]}]
    }
    page["questions"][9]["show_if"] = {"question": "propio", "op": "equals", "value": "si"}
    imported, errors = definition_from_xlsform(content=definition_to_xlsform(definition=definition))
    assert errors == []
    assert imported == definition_normalize(definition)
    assert imported["pages"][0]["questions"][2]["show_if"] == {
        "question": "tipo",
        "op": "equals",
        "value": "carga",
    }
    assert imported["pages"][0]["questions"][9]["show_if"]["value"] is True
    assert "unknown_key" not in imported["pages"][0]["questions"][3]


def test_xlsform_export_is_a_real_xlsform_that_pyxform_converts():
    content = definition_to_xlsform(definition=full_definition(), workflow=default_workflow())
    warnings: list[str] = []
    xform = convert(xlsform=content, warnings=warnings, file_type=".xlsx").xform
    assert "<h:title>Permiso especial de tránsito</h:title>" in xform
    assert 'appearance="field-list"' in xform
    assert "regex(., '^[A-Z0-9]{3}-?[A-Z0-9]{3}$')" in xform
    assert "<repeat nodeset=" in xform
    assert 'accept="application/pdf,image/jpeg"' in xform
    assert "selected( /data/vehiculo/rutas , 'sur')" in xform


def test_xlsform_export_uses_the_spanish_label_column_and_settings():
    content = definition_to_xlsform(definition=full_definition())
    book = load_workbook(io.BytesIO(content))
    assert {"survey", "choices", "settings"} <= set(book.sheetnames)
    assert "ventanilla_workflow" not in book.sheetnames
    header = [c.value for c in next(book["survey"].iter_rows(max_row=1))]
    assert "label::Español (es)" in header
    assert "ventanilla::type" in header
    settings = dict(
        zip(*[[c.value for c in row] for row in book["settings"].iter_rows()], strict=True)
    )
    assert settings["form_id"] == "permiso_especial_de_transito"
    assert settings["form_title"] == "Permiso especial de tránsito"
    assert settings["version"]
    rows = {r[1].value: r for r in book["survey"].iter_rows(min_row=2) if r[1].value}
    assert rows["placa"][6].value is None
    assert rows["descripcion"][6].value == "${tipo} = 'carga'"
    assert (
        rows["documentos"][6].value
        == "(${tipo} = 'carga' or ${tipo} = 'otro') and (${propio} = 'si')"
    )
    assert (
        rows["placa"][7].value == "string-length(.) >= 6 and string-length(.) <= 7"
        " and regex(., '^[A-Z0-9]{3}-?[A-Z0-9]{3}$')"
    )
    assert rows["monto"][0].value == "decimal"
    assert rows["monto"][11].value == "money"
    assert rows["propio"][0].value == "select_one si_no"


def test_workflow_travels_in_its_own_sheet():
    workflow = default_workflow()
    content = definition_to_xlsform(definition=full_definition(), workflow=workflow)
    assert workflow_from_xlsform(content=content) == (workflow, [])
    no_workflow = definition_to_xlsform(definition=full_definition())
    assert workflow_from_xlsform(content=no_workflow) == (None, [])


def test_an_edited_workflow_sheet_reports_its_problems():
    content = definition_to_xlsform(definition=full_definition(), workflow=default_workflow())
    book = load_workbook(io.BytesIO(content))
    rows = {row[0].value: row for row in book["ventanilla_workflow"].iter_rows(min_row=2)}
    rows["initial"][1].value = '"inexistente"'
    rows["time_limit_days"][1].value = "{roto"
    out = io.BytesIO()
    book.save(out)
    _workflow, errors = workflow_from_xlsform(content=out.getvalue())
    assert any("el valor no es JSON válido" in e for e in errors), errors
    rows["time_limit_days"][1].value = "10"
    out = io.BytesIO()
    book.save(out)
    workflow, errors = workflow_from_xlsform(content=out.getvalue())
    assert workflow["time_limit_days"] == 10
    assert errors == ["El estado inicial no es uno de los estados."]


def test_json_round_trip_gives_back_exactly_what_was_exported():
    definition, workflow = full_definition(), default_workflow()
    meta = {"name": "Permiso especial de tránsito", "slug": "permiso", "institution": "MTC"}
    content = service_to_json(definition=definition, workflow=workflow, meta=meta)
    assert service_from_json(content=content) == (definition, workflow, [])
    document = json.loads(content)
    assert document["format"] == "ventanilla-service/1"
    assert document["meta"] == meta
    assert "tránsito" in content.decode("utf-8")  # readable UTF-8, not \u escapes
    assert content == service_to_json(
        definition=copy.deepcopy(definition), workflow=workflow, meta=meta
    )
    assert list(document) == sorted(document)


def test_json_import_reads_a_bare_definition_with_the_default_workflow():
    content = json.dumps(full_definition()).encode()
    definition, workflow, errors = service_from_json(content=content)
    assert errors == []
    assert definition == full_definition()
    assert workflow == default_workflow()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "vacío"),
        (b"\xff\xfe{", "UTF-8"),
        (b'{"format": ', "JSON válido (línea 1"),
        (b"[1, 2]", "formato de un servicio"),
        (b'{"format": "otra-cosa/1"}', "no es una exportación"),
        (
            b'{"format": "ventanilla-service/1", "definition": 3, "workflow": {}}',
            "Falta el formulario",
        ),
        (
            b'{"format": "ventanilla-service/1", "definition": {"title": "x", "pages": []}}',
            "Falta el flujo",
        ),
    ],
)
def test_json_import_of_bad_files_gives_spanish_errors(content, expected):
    _definition, _workflow, errors = service_from_json(content=content)
    assert any(expected in e for e in errors), errors


def test_json_import_reports_invalid_definitions_and_workflows():
    definition = full_definition()
    definition["pages"][0]["questions"][0]["id"] = "Tipo Malo"
    workflow = default_workflow()
    workflow["initial"] = "inexistente"
    content = service_to_json(definition=definition, workflow=workflow, meta={})
    _d, _w, errors = service_from_json(content=content)
    assert any("Tipo Malo" in e for e in errors)
    assert any("estado inicial" in e for e in errors)


ODK_SURVEY = [
    [
        "type",
        "name",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
        "constraint_message",
        "appearance",
    ],
    ["start", "start"],
    ["today", "today"],
    ["text", "NombreCompleto", "¿Cómo te llamas?", "Como en tu DNI", "yes"],
    [
        "integer",
        "edad",
        "Edad",
        None,
        "true()",
        None,
        ". >= 18 and . < 100",
        "Debes ser mayor de edad",
    ],
    ["select_one yes_no", "tiene_hijos", "¿Tienes hijos?"],
    [
        "begin group",
        "hijos",
        "Tus hijos",
        None,
        None,
        "selected(${tiene_hijos}, 'yes')",
        None,
        None,
        "field-list",
    ],
    ["integer", "cuantos", "¿Cuántos?", None, None, None, ". > 0"],
    ["select_multiple colegios", "colegio", "Tipo de colegio", None, None, "${cuantos} >= 1"],
    ["end group"],
    ["begin repeat", "hermanos", "Hermanos"],
    ["text", "hermano", "Nombre del hermano"],
    ["end repeat"],
    [
        "text",
        "comentario",
        "Comentarios",
        None,
        None,
        "${edad} > 30 and ${NombreCompleto} != ''",
        None,
        None,
        "multiline",
    ],
    ["note", "fin", "Gracias por responder."],
]
ODK_CHOICES = [
    ["list_name", "name", "label"],
    ["yes_no", "yes", "Sí"],
    ["yes_no", "no", "No"],
    ["colegios", "publico", "Público"],
    ["colegios", "privado", "Privado"],
]


def test_a_hand_made_odk_form_imports():
    content = _xlsx(ODK_SURVEY, ODK_CHOICES, [["form_title", "form_id"], ["Encuesta", "encuesta"]])
    definition, errors = definition_from_xlsform(content=content)
    assert errors == []
    assert definition_errors(definition) == []
    assert definition["title"] == "Encuesta"
    pages = definition["pages"]
    assert [p["id"] for p in pages] == ["pagina_1", "hijos", "hermanos_pagina", "pagina_4"]
    nombre, edad, hijos = pages[0]["questions"]
    assert nombre == {
        "id": "nombrecompleto",
        "type": "text",
        "label": "¿Cómo te llamas?",
        "hint": "Como en tu DNI",
        "required": True,
    }
    assert edad == {
        "id": "edad",
        "type": "number",
        "label": "Edad",
        "required": True,
        "min": 18,
        "max": 99,
    }
    assert hijos["type"] == "choice"
    assert hijos["choices"][0] == {"value": "yes", "label": "Sí"}
    assert pages[1]["show_if"] == {"question": "tiene_hijos", "op": "equals", "value": "yes"}
    assert pages[1]["questions"][0]["min"] == 1
    assert pages[1]["questions"][1]["type"] == "multi_choice"
    assert pages[1]["questions"][1]["show_if"] == {"question": "cuantos", "op": "gte", "value": 1}
    assert pages[2]["questions"][0]["type"] == "group"
    assert pages[2]["questions"][0]["questions"][0]["id"] == "hermano"
    comentario, fin = pages[3]["questions"]
    assert comentario["type"] == "textarea"
    assert comentario["show_if"] == {
        "all": [
            {"question": "edad", "op": "gt", "value": 30},
            {"question": "nombrecompleto", "op": "answered"},
        ]
    }
    assert fin == {"id": "fin", "type": "info", "label": "", "text": "Gracias por responder."}


def test_odk_form_with_translated_labels_prefers_spanish():
    survey = [
        ["type", "name", "label::English (en)", "label::Español (es)"],
        ["text", "nombre", "Name", "Nombre"],
    ]
    definition, errors = definition_from_xlsform(content=_xlsx(survey))
    assert errors == []
    assert definition["pages"][0]["questions"][0]["label"] == "Nombre"


def test_nested_groups_inside_a_page_flatten_under_their_condition():
    survey = [
        ["type", "name", "label", "relevant"],
        ["begin_group", "pagina", "Página"],
        ["integer", "n", "N"],
        ["begin_group", "interno", "Interno", "${n} > 2"],
        ["text", "t", "T", "${n} < 10"],
        ["end_group"],
        ["end_group"],
    ]
    definition, errors = definition_from_xlsform(content=_xlsx(survey))
    assert errors == []
    assert definition["pages"][0]["questions"][1]["show_if"] == {
        "all": [
            {"question": "n", "op": "gt", "value": 2},
            {"question": "n", "op": "lt", "value": 10},
        ]
    }


BASE = ["type", "name", "label", "relevant", "constraint"]


@pytest.mark.parametrize(
    ("survey", "choices", "expected"),
    [
        ([BASE, ["geopoint", "lugar", "Lugar"]], None, "fila 2: el tipo «geopoint»"),
        ([BASE, ["barcode", "codigo", "Código"]], None, "fila 2: el tipo «barcode»"),
        ([BASE, ["calculate", "total", "Total"]], None, "fila 2: el tipo «calculate»"),
        (
            [BASE, ["text", "a", "A"], ["text", "b", "B", "${a} + 1 > 2"]],
            None,
            "fila 3: la condición",
        ),
        (
            [BASE, ["text", "a", "A"], ["text", "b", "B", "count(${a}) > 2"]],
            None,
            "fila 3: la condición",
        ),
        ([BASE, ["text", "b", "B", "${nadie} = 'x'"]], None, "${nadie} no es una pregunta"),
        ([BASE, ["integer", "a", "A", None, ". * 2 > 3"]], None, "fila 2: la validación"),
        ([BASE, ["decimal", "a", "A", None, ". > 2.5"]], None, "fila 2: la validación"),
        (
            [BASE, ["text", "a", "A"], ["text", "a", "B"]],
            None,
            "fila 3: el nombre «a» se repite (fila 2)",
        ),
        (
            [BASE, ["text", "A", "A"], ["text", "a", "B"]],
            None,
            "fila 3: el nombre «a» se repite (fila 2)",
        ),
        (
            [BASE, ["begin_group", "g", "G"], ["text", "a", "A"]],
            None,
            "fila 2: el grupo «g» no se cierra",
        ),
        ([BASE, ["text", "a", "A"], ["end_group"]], None, "fila 3: «end_group» no cierra"),
        (
            [BASE, ["begin_repeat", "r", "R"], ["text", "a", "A"], ["end_group"]],
            None,
            "fila 4: «end_group»",
        ),
        ([BASE, ["select_one nolista", "a", "A"]], None, "la lista de opciones «nolista» no está"),
        (
            [BASE, ["select_one l", "a", "A"]],
            [["list_name", "name", "label"], ["l", "x", "X"], ["l", "x", "Y"]],
            "Hoja «choices», fila 3: la opción «x»",
        ),
        ([BASE, ["text", None, "Sin nombre"]], None, "fila 2: falta el nombre"),
        ([BASE, [None, "sin_tipo", "Sin tipo"]], None, "fila 2: falta el tipo"),
        ([["name", "label"], ["a", "A"]], None, "columnas «type» y «name»"),
        ([BASE], None, "no tiene preguntas"),
        (
            [
                BASE,
                ["begin_repeat", "r", "R"],
                ["begin_repeat", "s", "S"],
                ["text", "a", "A"],
                ["end_repeat"],
                ["end_repeat"],
            ],
            None,
            "fila 3: un grupo que se repite no puede contener otro",
        ),
        (
            [[*BASE, "body::accept"], ["file", "f", "F", None, None, ".exe"]],
            None,
            "«.exe» no se admite",
        ),
    ],
)
def test_malformed_xlsforms_give_spanish_errors_with_sheet_and_row(survey, choices, expected):
    content = _xlsx(survey, choices)
    definition, errors = definition_from_xlsform(content=content)
    assert isinstance(definition, dict)
    assert any(expected in e for e in errors), errors
    assert all(e.startswith(("Hoja «", "La hoja", "El archivo")) for e in errors), errors


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "El archivo está vacío."),
        (b"hola, esto no es excel", "no es una hoja de cálculo .xlsx"),
        (b"PK\x03\x04 roto", "no es una hoja de cálculo .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "(.xls)"),
        (b"0" * (5 * 1024 * 1024 + 1), "5 MB"),
    ],
)
def test_files_that_are_not_xlsx_give_spanish_errors(content, expected):
    definition, errors = definition_from_xlsform(content=content)
    assert definition == {}
    assert len(errors) == 1
    assert expected in errors[0]


def test_a_workbook_without_a_survey_sheet_says_so():
    definition, errors = definition_from_xlsform(content=_xlsx([["a"]], sheet="encuesta"))
    assert definition == {}
    assert errors == ["El archivo no tiene la hoja «survey» que exige XLSForm."]


def test_an_empty_zip_is_not_an_xlsx():
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hola.txt", "hola")
    _definition, errors = definition_from_xlsform(content=out.getvalue())
    assert errors == ["El archivo no es una hoja de cálculo .xlsx válida."]


def test_imported_problems_of_the_definition_itself_are_reported():
    survey = [BASE, ["begin_group", "vacia", "Vacía"], ["end_group"]]
    definition, errors = definition_from_xlsform(content=_xlsx(survey))
    assert definition["pages"][0]["id"] == "vacia"
    assert errors == definition_errors(definition)
    assert errors


def test_the_hand_made_odk_fixture_is_itself_a_valid_xlsform():
    content = _xlsx(ODK_SURVEY, ODK_CHOICES, [["form_title", "form_id"], ["Encuesta", "encuesta"]])
    assert "<h:title>Encuesta</h:title>" in convert(xlsform=content, file_type=".xlsx").xform


def test_reference_services_round_trip_through_json_and_xlsform():
    from pathlib import Path

    import ventanilla.formbuilder as formbuilder

    paths = sorted((Path(formbuilder.__file__).parent / "reference" / "services").glob("*.json"))
    assert paths
    for path in paths:
        definition, workflow, errors = service_from_json(content=path.read_bytes())
        assert errors == [], path.name
        content = definition_to_xlsform(definition=definition, workflow=workflow)
        convert(xlsform=content, file_type=".xlsx")
        assert definition_from_xlsform(content=content) == (definition_normalize(definition), [])
        assert workflow_from_xlsform(content=content) == (workflow, [])


def test_an_unfinished_draft_still_exports_and_its_problems_show_on_import():
    draft = empty_definition("Nuevo servicio")
    imported, errors = definition_from_xlsform(content=definition_to_xlsform(definition=draft))
    assert imported == definition_normalize(draft)
    assert errors == definition_errors(imported)
    broken = full_definition()
    broken["pages"][0]["questions"][0] = "no es una pregunta"
    broken["pages"][2]["show_if"] = {"question": "nadie", "op": {}}
    broken["pages"][2]["questions"][0]["accept"] = 3
    broken["title"] = "Con\x00control"
    _imported, errors = definition_from_xlsform(content=definition_to_xlsform(definition=broken))
    assert isinstance(errors, list)


def test_control_characters_and_quotes_survive_as_far_as_xlsx_allows():
    definition = full_definition()
    definition["pages"][0]["questions"][1]["label"] = "Placa\x07 «del» vehículo"
    definition["pages"][0]["questions"][2]["show_if"]["value"] = 'l\'a "b"'
    imported, errors = definition_from_xlsform(content=definition_to_xlsform(definition=definition))
    assert errors == []
    assert imported["pages"][0]["questions"][1]["label"] == "Placa «del» vehículo"
    assert imported["pages"][0]["questions"][2]["show_if"]["value"] == 'l\u2019a "b"'
