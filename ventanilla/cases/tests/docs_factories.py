"""Rows for the documents, verification and webhook tests, made directly with models: an
institution, a published service whose workflow issues a document, and a case on it."""

import hashlib
import uuid
from typing import Any

from django.utils import timezone

from ventanilla.cases.models import Case
from ventanilla.formbuilder.models import DigitalService, ServiceVersion
from ventanilla.institutions.tests.factories import InstitutionFactory

DEFINITION: dict[str, Any] = {
    "format": "ventanilla-form/1",
    "title": "Permiso especial de tránsito",
    "pages": [
        {
            "id": "vehiculo",
            "title": "Datos del vehículo",
            "questions": [
                {"id": "placa", "type": "text", "label": "Placa del vehículo"},
                {
                    "id": "tipo",
                    "type": "choice",
                    "label": "Tipo de vehículo",
                    "choices": [
                        {"value": "carga", "label": "Carga pesada"},
                        {"value": "pasajeros", "label": "Pasajeros"},
                    ],
                },
                {"id": "inicio", "type": "date", "label": "¿Desde cuándo?"},
                {"id": "sustento", "type": "file", "label": "Tarjeta de propiedad"},
            ],
        }
    ],
}
WORKFLOW: dict[str, Any] = {
    "statuses": [
        {"code": "recibido", "label": "Recibido", "kind": "open"},
        {"code": "aprobado", "label": "Aprobado", "kind": "approved"},
        {"code": "denegado", "label": "Denegado", "kind": "rejected"},
    ],
    "initial": "recibido",
    "transitions": [
        {"from": "recibido", "to": "aprobado"},
        {"from": "recibido", "to": "denegado"},
    ],
    "time_limit_days": 10,
    "notify": {"citizen": False, "assignee": False, "emails": []},
    "document": {
        "title": "Permiso especial de tránsito",
        "body": (
            "Se autoriza a {applicant_name} a circular con el vehículo de placa {placa} "
            "({tipo}) desde el {inicio}. Expediente {reference}, {date}. {desconocido}"
        ),
        "validity_days": 30,
    },
}
ANSWERS: dict[str, Any] = {"placa": "ABC-123", "tipo": "carga", "inicio": "2026-03-27"}


def service_made(
    *, institution: Any = None, workflow: dict[str, Any] | None = None
) -> DigitalService:
    institution = institution or InstitutionFactory(
        name="Ministerio de Transportes y Comunicaciones"
    )
    slug = f"permiso-{uuid.uuid4().hex[:8]}"
    service = DigitalService.objects.create(
        institution=institution, slug=slug, name="Permiso especial de tránsito",
        reference_prefix="MTC",
    )  # fmt: skip
    version = ServiceVersion.objects.create(
        service=service,
        number=1,
        name=service.name,
        definition=DEFINITION,
        workflow=workflow or WORKFLOW,
        digest=hashlib.sha256(slug.encode()).hexdigest(),
        published_at=timezone.now(),
    )
    service.current_version = version
    service.save(update_fields=["current_version"])
    return service


def case_made(
    *, service: DigitalService | None = None, status: str = "aprobado", **fields: Any
) -> Case:
    service = service or service_made()
    values: dict[str, Any] = {
        "reference": f"MTC-2026-{uuid.uuid4().int % 10**6:06d}",
        "institution_id": service.institution_id,
        "service": service,
        "service_version": service.current_version,
        "applicant_ref": "45678912",
        "applicant_name": "Rosa María Quispe Huamán",
        "applicant_document": "45678912",
        "answers": dict(ANSWERS),
        "status": status,
        "submitted_at": timezone.now(),
        "due_on": timezone.localdate(),
    }
    values.update(fields)
    return Case.objects.create(**values)
