"""The committed OpenAPI document is the live one, valid, and documented in Spanish."""

import json

import pytest
from django.core.management import CommandError, call_command
from openapi_spec_validator import validate

from ventanilla.api.openapi import DOCUMENT_PATH, openapi_document

OPERATIONS = {
    ("/api/v1/institutions", "get"),
    ("/api/v1/institutions/{slug}", "get"),
    ("/api/v1/procedures", "get"),
    ("/api/v1/procedures/{id}", "get"),
    ("/api/v1/search", "get"),
}


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))


def test_committed_openapi_document_equals_the_live_schema():
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == openapi_document(), (
        "docs/api/openapi.json está desactualizado: ejecute `python manage.py export_openapi`."
    )


def test_openapi_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_openapi_document_lists_every_endpoint_with_spanish_docs(document):
    operations = {
        (path, method): op
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert set(operations) == OPERATIONS
    for op in operations.values():
        assert op["summary"]
        assert op["description"]
        assert op["tags"][0] in {"Instituciones", "Trámites y servicios", "Búsqueda"}
        assert {"200", "404"} <= set(op["responses"])
        assert all(not r["description"].startswith(("OK", "Not")) for r in op["responses"].values())
        for param in op.get("parameters", []):
            assert param["description"], param["name"]
            assert "example" in param, param["name"]


def test_list_operations_document_pagination_limits_and_validation_errors(document):
    for path in ("/api/v1/institutions", "/api/v1/procedures"):
        op = document["paths"][path]["get"]
        params = {p["name"]: p["schema"] for p in op["parameters"]}
        assert params["page_size"]["maximum"] == 100
        assert params["page_size"]["default"] == 20
        assert params["page"]["minimum"] == 1
        assert op["responses"]["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ValidationErrorOut"
        }


def test_procedure_detail_documents_that_a_code_is_accepted(document):
    op = document["paths"]["/api/v1/procedures/{id}"]["get"]
    assert "P001" in op["description"]
    assert "P001" in op["parameters"][0]["description"]


def test_export_openapi_check_passes_on_the_committed_file():
    call_command("export_openapi", "--check")


def test_export_openapi_check_fails_with_a_clear_message_when_the_file_differs(tmp_path):
    stale = tmp_path / "openapi.json"
    stale.write_text('{"openapi": "3.1.0"}\n', encoding="utf-8")

    with pytest.raises(CommandError, match="no coincide con el esquema actual"):
        call_command("export_openapi", "--check", "--output", str(stale))


def test_export_openapi_writes_sorted_indented_text_with_trailing_newline(tmp_path):
    target = tmp_path / "openapi.json"

    call_command("export_openapi", "--output", str(target))

    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
