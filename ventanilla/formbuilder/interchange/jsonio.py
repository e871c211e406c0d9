"""A service as one JSON document: {"format": "ventanilla-service/1", "meta", "definition",
"workflow"}, UTF-8, indented, keys sorted, so two exports of the same service are identical
and diff well. Import gives back exactly what was exported."""

import json
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.formbuilder.definition import (
    FORMAT,
    default_workflow,
    definition_errors,
    workflow_errors,
)

SERVICE_FORMAT = "ventanilla-service/1"
MAX_BYTES = 5 * 1024 * 1024


def service_to_json(
    *, definition: dict[str, Any], workflow: dict[str, Any], meta: dict[str, Any]
) -> bytes:
    """The service as indented UTF-8 JSON with sorted keys (stable across exports)."""
    document = {
        "format": SERVICE_FORMAT,
        "meta": meta,
        "definition": definition,
        "workflow": workflow,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(
        "utf-8"
    )


def service_from_json(*, content: bytes) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(definition, workflow, Spanish errors). Also reads a bare definition
    (`"format": "ventanilla-form/1"`), which gets the default workflow. No errors means both
    are valid (`definition_errors`, `workflow_errors`)."""
    if not content:
        return {}, {}, [_("El archivo está vacío.")]
    if len(content) > MAX_BYTES:
        return {}, {}, [_("El archivo pesa más de 5 MB; un servicio no necesita tanto.")]
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return {}, {}, [_("El archivo no está en UTF-8; no es una exportación JSON de Ventanilla.")]
    except json.JSONDecodeError as error:
        return (
            {},
            {},
            [
                _("El archivo no es JSON válido (línea %(l)s, columna %(c)s).")
                % {"l": error.lineno, "c": error.colno}
            ],
        )
    if not isinstance(document, dict):
        return {}, {}, [_("El archivo no tiene el formato de un servicio de Ventanilla.")]
    definition: Any
    workflow: Any
    if document.get("format") == FORMAT:
        definition, workflow = document, default_workflow()
    elif document.get("format") == SERVICE_FORMAT:
        definition, workflow = document.get("definition"), document.get("workflow")
    else:
        return (
            {},
            {},
            [
                _("El formato «%(f)s» no es «%(s)s»; no es una exportación de Ventanilla.")
                % {"f": document.get("format") or "", "s": SERVICE_FORMAT}
            ],
        )
    errors: list[str] = []
    if not isinstance(definition, dict):
        errors.append(_("Falta el formulario («definition»)."))
        definition = {}
    else:
        errors += definition_errors(definition)
    if not isinstance(workflow, dict):
        errors.append(_("Falta el flujo de estados («workflow»)."))
        workflow = {}
    else:
        errors += workflow_errors(workflow)
    return definition, workflow, errors
