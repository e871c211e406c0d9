"""A tiny published service (two questions and a file, the default workflow with a document)
built directly with models, its officials, and applications or cases on it."""

import copy
import hashlib
import uuid
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import CitizenFactory, OfficialFactory
from ventanilla.cases.models import Application, Case, CaseFile, CaseTask
from ventanilla.formbuilder.definition import default_workflow
from ventanilla.formbuilder.models import DigitalService, ServiceVersion
from ventanilla.institutions.tests.factories import InstitutionFactory

DEFINITION: dict[str, Any] = {
    "format": "ventanilla-form/1",
    "title": "Permiso especial de tránsito",
    "intro": "",
    "pages": [
        {
            "id": "vehiculo",
            "title": "Datos del vehículo",
            "questions": [
                {
                    "id": "placa",
                    "type": "text",
                    "label": "Placa del vehículo",
                    "required": True,
                    "pattern": "^[A-Z0-9]{3}-?[A-Z0-9]{3}$",
                    "pattern_message": "Escribe la placa como ABC-123.",
                },
                {
                    "id": "tipo",
                    "type": "choice",
                    "label": "Tipo de vehículo",
                    "required": True,
                    "choices": [
                        {"value": "carga", "label": "Carga"},
                        {"value": "pasajeros", "label": "Pasajeros"},
                    ],
                },
                {"id": "sustento", "type": "file", "label": "Tarjeta de propiedad"},
            ],
        }
    ],
    "declaration": "",
    "confirmation": "",
}
ANSWERS: dict[str, Any] = {"placa": "ABC-123", "tipo": "carga"}


def workflow(**changes: Any) -> dict[str, Any]:
    flow = default_workflow()
    flow["time_limit_days"] = 10
    flow["notify"] = {"citizen": True, "assignee": True, "emails": ["mesa@mtc.gob.pe"]}
    flow["document"] = {
        "title": "Permiso especial de tránsito",
        "body": "Se autoriza al vehículo de placa {placa}.",
        "validity_days": 30,
    }
    flow.update(changes)
    return flow


def service_published(
    *, institution: Any = None, prefix: str = "MTC", definition: dict[str, Any] | None = None,
    flow: dict[str, Any] | None = None,
) -> DigitalService:  # fmt: skip
    """A digital service with version 1 published."""
    institution = institution or InstitutionFactory()
    slug = f"permiso-{uuid.uuid4().hex[:8]}"
    service = DigitalService.objects.create(
        institution=institution,
        slug=slug,
        name="Permiso especial de tránsito",
        reference_prefix=prefix,
        draft_definition=copy.deepcopy(definition or DEFINITION),
        draft_workflow=copy.deepcopy(flow or workflow()),
    )
    version = ServiceVersion.objects.create(
        service=service,
        number=1,
        name=service.name,
        definition=copy.deepcopy(definition or DEFINITION),
        workflow=copy.deepcopy(flow or workflow()),
        digest=hashlib.sha256(slug.encode()).hexdigest(),
        published_at=timezone.now(),
    )
    service.current_version = version
    service.save(update_fields=["current_version"])
    return service


def officer(institution: Any, role: str = Role.CASE_OFFICER, **kwargs: Any) -> Any:
    return OfficialFactory(institution=institution, role=role, **kwargs)


def application_ready(
    *, service: DigitalService, applicant: Any = None, answers: dict[str, Any] | None = None
) -> Application:
    """A complete, unsent application."""
    assert service.current_version is not None
    return Application.objects.create(
        service_version=service.current_version,
        applicant=applicant or CitizenFactory(),  # type: ignore[misc]
        answers=copy.deepcopy(ANSWERS if answers is None else answers),
        completed_pages=["vehiculo"],
    )


def file_uploaded(*, application: Application, question: str = "sustento") -> CaseFile:
    content = b"%PDF-1.4 tarjeta"
    case_file = CaseFile(
        application=application,
        question=question,
        name="tarjeta.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=application.applicant,
    )
    case_file.file.save("tarjeta.pdf", ContentFile(content), save=True)
    return case_file


_counter = {"n": 0}


def case_made(
    *, service: DigitalService, status: str | None = None, applicant: Any = None,
    assignee: Any = None, days_ago: int = 0, due_in: int | None = 10, document: str = "",
    **kwargs: Any,
) -> Case:  # fmt: skip
    """A case straight in the database (no services): for lists and permissions."""
    _counter["n"] += 1
    version = service.current_version
    assert version is not None
    applicant = applicant if applicant is not None else CitizenFactory()
    submitted = timezone.now() - timedelta(days=days_ago)
    case = Case.objects.create(
        reference=f"{service.reference_prefix}-2026-{_counter['n']:06d}",
        institution_id=service.institution_id,
        service=service,
        service_version=version,
        applicant=applicant,
        applicant_ref=applicant.document_number,
        applicant_name=applicant.get_full_name(),
        applicant_document=document or applicant.document_number,
        answers=copy.deepcopy(ANSWERS),
        status=status or version.workflow["initial"],
        status_changed_at=submitted,
        submitted_at=submitted,
        due_on=None if due_in is None else timezone.localdate() + timedelta(days=due_in),
        assignee=assignee,
        **kwargs,
    )
    CaseTask.objects.create(case=case, name="Revisión de la solicitud")
    return case
