"""A form that asks every question type, and published services built from definitions."""

import copy
from typing import Any

from django.utils import timezone

from ventanilla.formbuilder.definition import default_workflow
from ventanilla.formbuilder.models import DigitalService, ServiceVersion
from ventanilla.formbuilder.services import _digest
from ventanilla.institutions.tests.factories import InstitutionFactory

EVERY_TYPE: dict[str, Any] = {
    "format": "ventanilla-form/1",
    "title": "Servicio de prueba",
    "intro": "",
    "pages": [
        {
            "id": "datos",
            "title": "Datos",
            "questions": [
                {"id": "aviso", "type": "info", "label": "Aviso", "text": "Lee con atención."},
                {
                    "id": "nombre",
                    "type": "text",
                    "label": "Nombre",
                    "required": True,
                    "max_length": 40,
                },
                {
                    "id": "placa",
                    "type": "text",
                    "label": "Placa",
                    "pattern": "^[A-Z0-9]{3}-?[A-Z0-9]{3}$",
                    "pattern_message": "Escribe la placa como ABC-123.",
                },
                {"id": "motivo", "type": "textarea", "label": "Motivo", "min_length": 5},
                {"id": "personas", "type": "number", "label": "Personas", "min": 1, "max": 10},
                {"id": "monto", "type": "money", "label": "Monto", "max": 5000},
                {"id": "fecha", "type": "date", "label": "Fecha", "min": "2020-01-01"},
                {"id": "urgente", "type": "yes_no", "label": "¿Es urgente?", "required": True},
                {
                    "id": "tipo",
                    "type": "choice",
                    "label": "Tipo",
                    "required": True,
                    "choices": [
                        {"value": "carga", "label": "Carga"},
                        {"value": "particular", "label": "Particular"},
                    ],
                },
                {
                    "id": "dias",
                    "type": "multi_choice",
                    "label": "Días",
                    "choices": [
                        {"value": "lun", "label": "Lunes"},
                        {"value": "mar", "label": "Martes"},
                    ],
                },
                {"id": "correo", "type": "email", "label": "Correo"},
                {"id": "celular", "type": "phone", "label": "Celular"},
                {"id": "dni", "type": "dni", "label": "DNI", "required": True},
                {"id": "ruc", "type": "ruc", "label": "RUC"},
                {"id": "lugar", "type": "ubigeo", "label": "Lugar"},
                {"id": "domicilio", "type": "address", "label": "Domicilio"},
                {"id": "sustento", "type": "file", "label": "Sustento", "max_files": 2},
                {
                    "id": "pasajeros",
                    "type": "group",
                    "label": "Pasajeros",
                    "max_items": 3,
                    "item_label": "Pasajero",
                    "questions": [
                        {"id": "p_nombre", "type": "text", "label": "Nombre", "required": True},
                        {"id": "p_dni", "type": "dni", "label": "DNI"},
                    ],
                },
                {
                    "id": "acepto",
                    "type": "declaration",
                    "label": "Declaración",
                    "text": "Declaro que es verdad.",
                    "required": True,
                },
            ],
        },
        {
            "id": "carga",
            "title": "Datos de la carga",
            "show_if": {"question": "tipo", "op": "equals", "value": "carga"},
            "questions": [{"id": "peso", "type": "number", "label": "Peso (kg)", "required": True}],
        },
        {
            "id": "no_puede",
            "title": "No puedes solicitarlo",
            "exit": True,
            "exit_message": "Los vehículos particulares no necesitan este permiso.",
            "show_if": {"question": "tipo", "op": "equals", "value": "particular"},
            "questions": [],
        },
    ],
    "declaration": "Declaro bajo juramento que los datos son verdaderos.",
    "confirmation": "Te responderemos en 3 días hábiles.",
}


def every_type() -> dict[str, Any]:
    return copy.deepcopy(EVERY_TYPE)


def published_service(
    *,
    institution: Any = None,
    definition: dict[str, Any] | None = None,
    workflow: dict[str, Any] | None = None,
    slug: str = "servicio-prueba",
    prefix: str = "PRU",
) -> DigitalService:
    """A service with version 1 published, built directly (no permission needed)."""
    definition = definition or every_type()
    workflow = workflow or default_workflow()
    service = DigitalService.objects.create(
        institution=institution or InstitutionFactory.create(),
        slug=slug,
        name=str(definition.get("title")),
        reference_prefix=prefix,
        draft_definition=definition,
        draft_workflow=workflow,
    )
    version = ServiceVersion.objects.create(
        service=service,
        number=1,
        name=service.name,
        definition=definition,
        workflow=workflow,
        digest=_digest(definition, workflow),
        published_at=timezone.now(),
    )
    service.current_version = version
    service.save(update_fields=["current_version"])
    return service
