"""OpenAPI documents of the services the mediator lists (getOpenAPI answers them).

The Peruvian registries speak the GovStack Digital Registries API (the template copied beside
this file, 1.3.0). Each service's document is that template narrowed to what the mediator
offers — `read` and `exists` of one registry — with the registry's own record schema
(records.py) in place of the template's `Example`, and the X-Road headers the mediator asks.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .records import RECORDS

TEMPLATE = Path(__file__).with_name("GovStack_Digital_registries_BB_Data_API_template-1.3.0.yaml")
_TEMPLATE_PREFIX = "/data/{registryName}/{versionNumber}"
# What the mediator forwards to a Peruvian registry: reads only, never writes.
REGISTRY_OPERATIONS = ("/read", "/exists")
REGISTRY_ENDPOINTS = [{"method": "POST", "path": path} for path in REGISTRY_OPERATIONS]

_HEADERS: dict[str, dict[str, Any]] = {
    "X-Road-Client": {
        "in": "header",
        "name": "X-Road-Client",
        "required": True,
        "description": "Subsistema que consulta: INSTANCIA/CLASE/MIEMBRO/SUBSISTEMA "
        "(también X-GovStack-Client o Information-Mediator-Client).",
        "example": "PE/GOB/20131379944/ventanilla",
        "schema": {"type": "string"},
    },
    "X-Road-UserId": {
        "in": "header",
        "name": "X-Road-UserId",
        "required": False,
        "description": "Quién usa el sistema que consulta (funcionario o la propia persona).",
        "example": "usuario:gestor.mtc",
        "schema": {"type": "string"},
    },
    "X-Road-Issue": {
        "in": "header",
        "name": "X-Road-Issue",
        "required": False,
        "description": "Expediente o trámite para el que se piden los datos.",
        "example": "MTC-2026-000123",
        "schema": {"type": "string"},
    },
    "X-Ventanilla-Subject": {
        "in": "header",
        "name": "X-Ventanilla-Subject",
        "required": True,
        "description": "La persona cuyos datos se leen (DNI:… o CE:…).",
        "example": "DNI:45678912",
        "schema": {"type": "string"},
    },
}
_XROAD_ERROR = {
    "type": "object",
    "description": "Respuesta de error del mediador (forma X-Road); el tipo va también en la "
    "cabecera X-Road-Error.",
    "properties": {
        "type": {"type": "string", "example": "Server.AccessDenied"},
        "message": {"type": "string"},
        "detail": {"type": "string", "description": "El X-Road-Id del intercambio"},
    },
    "required": ["type", "message", "detail"],
}


@cache
def _template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    return loaded


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1)


def registry_openapi(service_code: str, *, server_url: str, personal_data: bool = True) -> str:
    """The OpenAPI document (JSON text) of a Peruvian registry service: `personas`,
    `contribuyentes`… `server_url` is where clients call it (`/r1/PE/GOB/…/personas`)."""
    schema_name, title, description, properties = RECORDS[service_code]
    template = copy.deepcopy(_template())
    header_refs = [{"$ref": f"#/components/parameters/{name}"} for name in _HEADERS]
    if not personal_data:
        header_refs = [r for r in header_refs if not r["$ref"].endswith("Subject")]
    paths: dict[str, Any] = {}
    for operation in REGISTRY_OPERATIONS:
        item = template["paths"][_TEMPLATE_PREFIX + operation]
        for method in item.values():
            method["parameters"] = list(header_refs)
            method["tags"] = [title]
            method["responses"]["default"] = {
                "description": "El mediador rechazó la consulta o el registro no respondió.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/XRoadError"}}
                },
            }
        paths[operation] = item
    text = json.dumps(paths).replace(
        "#/components/schemas/Example", f"#/components/schemas/{schema_name}"
    )
    document: dict[str, Any] = {
        "openapi": template["openapi"],
        "info": {
            "title": title,
            "description": description
            + " Derivado de la plantilla GovStack Digital Registries "
            + str(template["info"]["version"])
            + ".",
            "version": "1.0",
            "license": template["info"]["license"],
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": title, "description": description}],
        "paths": json.loads(text),
        "components": {
            "securitySchemes": template["components"]["securitySchemes"],
            "parameters": copy.deepcopy(_HEADERS),
            "schemas": {
                schema_name: {"type": "object", "properties": copy.deepcopy(properties)},
                "XRoadError": _XROAD_ERROR,
            },
        },
        "security": [{"apiKey": []}],
    }
    return _dump(document)


def digital_registries_openapi(*, server_url: str) -> str:
    """The Digital Registries template itself, served under `server_url` (the reference
    registries' `data` service: its paths drop the template's leading /data)."""
    template = copy.deepcopy(_template())
    template["paths"] = {
        path.removeprefix("/data"): item for path, item in template["paths"].items()
    }
    template["servers"] = [{"url": server_url}]
    return _dump(template)


def generic_openapi(*, title: str, server_url: str, endpoints: list[dict[str, str]]) -> str:
    """A minimal document for a service that registered none: its endpoints, any body."""
    paths: dict[str, Any] = {}
    for endpoint in endpoints or [{"method": "*", "path": "**"}]:
        path = endpoint.get("path") or "/"
        path = "/{path}" if path in ("*", "**", "/*", "/**") else path
        method = (endpoint.get("method") or "*").lower()
        methods = ["get", "post", "put", "delete"] if method == "*" else [method]
        for verb in methods:
            paths.setdefault(path, {})[verb] = {
                "summary": title,
                "parameters": (
                    [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}]
                    if "{path}" in path
                    else []
                ),
                "responses": {"200": {"description": "Respuesta del proveedor."}},
            }
    return _dump(
        {
            "openapi": "3.0.0",
            "info": {"title": title, "version": "1.0"},
            "servers": [{"url": server_url}],
            "paths": paths,
        }
    )
