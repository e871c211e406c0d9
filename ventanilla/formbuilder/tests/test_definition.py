import pytest

from ventanilla.formbuilder.conditions import answers_prune, condition_holds, pages_visible
from ventanilla.formbuilder.definition import (
    default_workflow,
    definition_errors,
    empty_definition,
    govstack_status,
    question_index,
    transitions_from,
    workflow_errors,
)
from ventanilla.formbuilder.tests.factories import every_type


def test_the_form_asking_every_type_is_valid_and_indexes_group_children():
    definition = every_type()
    assert definition_errors(definition) == []
    index = question_index(definition)
    assert {"p_nombre", "p_dni", "pasajeros", "acepto"} <= set(index)


def test_a_new_service_draft_is_unfinished_but_savable():
    definition = empty_definition("Mesa de partes")
    assert definition_errors(definition, draft=True) == []
    errors = definition_errors(definition)
    assert any("no tiene preguntas" in e for e in errors)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["pages"][0]["questions"][1].update(type="firma"), "el tipo «firma» no existe"),
        (lambda d: d["pages"][0]["questions"][1].update(id="Nombre Completo"), "identificador"),
        (lambda d: d["pages"][0]["questions"][2].update(id="nombre"), "se repite"),
        (lambda d: d["pages"][0]["questions"][2].update(pattern="[abc"), "expresión regular"),
        (lambda d: d["pages"][0]["questions"][4].update(min=20, max=5), "el mínimo supera"),
        (lambda d: d["pages"][0]["questions"][8].update(choices=[]), "al menos una opción"),
        (
            lambda d: d["pages"][1].update(
                show_if={"question": "peso", "op": "equals", "value": 1}
            ),
            "no es una pregunta anterior",
        ),
        (
            lambda d: d["pages"][1].update(show_if={"question": "nombre", "op": "gt", "value": 1}),
            "mayor/menor",
        ),
        (lambda d: d["pages"][2].update(exit_message=""), "mensaje que explica"),
        (lambda d: d["pages"][0]["questions"][16].update(max_size_mb=500), "tamaño máximo"),
        (
            lambda d: d["pages"][0]["questions"][17]["questions"].append(
                {"id": "foto", "type": "file", "label": "Foto"}
            ),
            "no puede contener",
        ),
    ],
)
def test_definition_errors_name_the_problem_in_spanish(change, expected):
    definition = every_type()
    change(definition)
    errors = definition_errors(definition)
    assert any(expected in e for e in errors), errors


def test_the_default_workflow_is_valid_and_maps_to_govstack_codes():
    workflow = default_workflow()
    assert workflow_errors(workflow) == []
    assert govstack_status(workflow, "recibido") == "PENDING"
    assert govstack_status(workflow, "observado") == "SENDBACK"
    assert govstack_status(workflow, "aprobado") == "APPROVED"
    assert govstack_status(workflow, "denegado") == "REJECTED"
    assert [s["code"] for s in transitions_from(workflow, "en_revision")] == [
        "observado",
        "aprobado",
        "denegado",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda w: w.update(initial="aprobado"), "en trámite"),
        (lambda w: w.update(initial="nada"), "estado inicial"),
        (lambda w: w["transitions"].append({"from": "aprobado", "to": "recibido"}), "estado final"),
        (lambda w: w.update(time_limit_days=0), "plazo legal"),
        (lambda w: w["notify"].update(emails=["no-es-correo"]), "no es un correo"),
        (lambda w: w.update(document={"title": "Permiso", "body": ""}), "necesita un texto"),
        (
            lambda w: w["statuses"].append({"code": "otra", "label": "Otra", "kind": "correction"}),
            "un estado de subsanación",
        ),
    ],
)
def test_workflow_errors_name_the_problem_in_spanish(change, expected):
    workflow = default_workflow()
    change(workflow)
    assert any(expected in e for e in workflow_errors(workflow)), workflow_errors(workflow)


def test_branching_shows_the_cargo_page_and_stops_at_the_exit_page():
    definition = every_type()
    assert [p["id"] for p in pages_visible(definition, {"tipo": "carga"})] == ["datos", "carga"]
    assert [p["id"] for p in pages_visible(definition, {"tipo": "particular"})] == [
        "datos",
        "no_puede",
    ]


def test_answers_to_questions_that_became_hidden_are_dropped():
    definition = every_type()
    kept = answers_prune(definition, {"tipo": "particular", "peso": 100, "nombre": "Ana"})
    assert kept == {"tipo": "particular", "nombre": "Ana"}


@pytest.mark.parametrize(
    ("condition", "answers", "holds"),
    [
        ({"question": "a", "op": "equals", "value": "si"}, {"a": True}, True),
        ({"question": "a", "op": "equals", "value": "5"}, {"a": 5}, True),
        ({"question": "a", "op": "not_equals", "value": "x"}, {}, False),
        ({"question": "a", "op": "in", "value": ["x", "y"]}, {"a": "y"}, True),
        ({"question": "a", "op": "not_in", "value": ["x"]}, {"a": "y"}, True),
        ({"question": "a", "op": "answered"}, {"a": []}, False),
        ({"question": "a", "op": "not_answered"}, {}, True),
        ({"question": "a", "op": "gt", "value": 10}, {"a": "10.50"}, True),
        ({"question": "a", "op": "lte", "value": "2026-01-01"}, {"a": "2025-12-31"}, True),
        ({"question": "a", "op": "lt", "value": 3}, {"a": "2025-12-31"}, False),
        ({"question": "a", "op": "contains", "value": "lun"}, {"a": ["lun", "mar"]}, True),
        (
            {"all": [{"question": "a", "op": "answered"}, {"question": "b", "op": "answered"}]},
            {"a": 1},
            False,
        ),
        (
            {"any": [{"question": "a", "op": "answered"}, {"question": "b", "op": "answered"}]},
            {"a": 1},
            True,
        ),
    ],
)
def test_conditions(condition, answers, holds):
    assert condition_holds(condition, answers) is holds
