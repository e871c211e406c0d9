"""schemathesis against the GovStack Registration OpenAPI documents, in-process (WSGI), over
the reference records. Bounded: a few examples per operation, positive and negative data."""

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from ventanilla.api.govstack.tests.conftest import BASE

OPENAPI = Path(__file__).resolve().parents[1] / "openapi"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


BAD_REQUEST = {
    "description": "Invalid body (fixtures.json notes: a POST without body answers 400)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/systemError"}}},
}


def _document(name: str) -> dict[str, Any]:
    """The upstream document with the deviations the building block's own fixtures.json
    notes require (docs/decisions/0011-govstack-registration-api.md), and our base path."""
    document: dict[str, Any] = json.loads((OPENAPI / name).read_text(encoding="utf-8"))
    patched = copy.deepcopy(document)
    patched["servers"] = [{"url": BASE.rstrip("/")}]
    paths = patched["paths"]
    for path, method in (
        ("/services/{serviceId}/applications", "post"),
        ("/applications/{fileId}", "put"),
        ("/tasks/{taskId}/complete", "post"),
    ):
        if path in paths:
            paths[path][method]["responses"]["400"] = BAD_REQUEST
    # GET services/{serviceId} answers [service], as the reference mock does.
    if "/services/{serviceId}" in paths:
        ok = paths["/services/{serviceId}"]["get"]["responses"]["200"]["content"]
        ok["application/json"]["schema"] = {
            "type": "array",
            "items": {"$ref": "#/components/schemas/service"},
        }
    # formData.data holds answers as they are (ExamplePayload.json, the building block's own
    # example for formData: strings, booleans, lists), not only objects.
    schemas = patched["components"]["schemas"]
    if "formData" in schemas:
        schemas["formData"]["properties"]["data"]["additionalProperties"] = {}
    # Ids are opaque strings, "some of them malformed on purpose" (fixtures.json): echoed,
    # never validated as UUIDs. Statistics echo "" for a date not given ("no nulls").
    for schema in patched["components"]["schemas"].values():
        for field in (schema.get("properties") or {}).values():
            if field.get("format") in ("uuid", "date"):
                del field["format"]
    return patched


registration = schemathesis.openapi.from_dict(_document("GovStack_Registration_BB_API.json"))
statistics = schemathesis.openapi.from_dict(
    _document("GovStack_Registration_BB_API_statistics.json")
)
for loaded in (registration, statistics):
    loaded.app = application
    loaded.config.generation.update(max_examples=8, deterministic=True)

PLAIN = {"Accept-Encoding": "identity"}
SETTINGS = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def loaded_reference(reference: Any) -> Iterator[Any]:
    # As django.test.Client does: the WSGI handler would otherwise close the test's
    # connection (and its transaction) at the end of every request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield reference
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@registration.parametrize()
@SETTINGS
def test_registration_api_conforms(case: Any, loaded_reference: Any) -> None:
    # The in-process client does not gunzip: ask for the plain body.
    case.call_and_validate(checks=CHECKS, headers=PLAIN)


@statistics.parametrize()
@SETTINGS
def test_statistics_api_conforms(case: Any, loaded_reference: Any) -> None:
    # The in-process client does not gunzip: ask for the plain body.
    case.call_and_validate(checks=CHECKS, headers=PLAIN)
