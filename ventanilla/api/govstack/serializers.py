"""Our records as the GovStack Registration API draws them. Foreign records (received from
elsewhere, or the reference fixtures) echo the fields they came with; ours are derived."""

from datetime import UTC, datetime
from typing import Any

from django.urls import reverse

from ventanilla.cases.models import Case, CaseTask
from ventanilla.cases.selectors.registration import registration_case_status
from ventanilla.formbuilder.models import DigitalService, ServiceVersion

STATUS_CODES = ("PENDING", "APPROVED", "SENDBACK", "REJECTED")
STATUS_TITLES = {
    "PENDING": "Pendiente",
    "APPROVED": "Aprobado",
    "SENDBACK": "Devuelto para subsanar",
    "REJECTED": "Rechazado",
}


def iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def service_json(service: DigitalService) -> dict[str, Any]:
    echo = service.govstack or {}
    version = service.current_version
    body = echo.get("serviceBody")
    if body is None:
        body = [
            {"code": "institution", "value": service.institution.name},
            {"code": "url", "value": f"/servicios/{service.slug}/"},
            {"code": "referencePrefix", "value": service.reference_prefix},
        ]
    return {
        "id": service.public_id,
        "name": service.name,
        "version": str(echo.get("version") or (version.number if version else "")),
        "type": echo.get("type", "Public"),
        "isExecutable": bool(echo.get("isExecutable", service.archived_at is None)),
        "isClosed": bool(echo.get("isClosed", False)),
        "description": service.description,
        "serviceBody": body,
    }


def eform_json(version: ServiceVersion, *, with_schema: bool) -> dict[str, Any]:
    service = version.service
    echo = (service.govstack or {}).get("eForm") if service.govstack.get("foreign") else None
    if echo is not None:
        item = {
            "eFormId": version.eform_id,
            "name": version.name,
            "description": str(echo.get("description", "")),
            "version": str(echo.get("version", version.number)),
            "latest": bool(echo.get("latest", True)),
        }
    else:
        item = {
            "eFormId": version.eform_id,
            "name": version.name,
            "description": str(version.definition.get("intro") or service.description),
            "version": str(version.number),
            "latest": version.pk == service.current_version_id,
        }
    if with_schema:
        schema = version.definition
        item["schema"] = schema if isinstance(schema, dict) else {}
    return item


def _status(code: str, title: str | None = None) -> dict[str, str]:
    code = code if code in STATUS_CODES else "PENDING"
    return {"code": code, "title": title or STATUS_TITLES[code]}


def _main_task(case: Case) -> CaseTask | None:
    tasks = sorted(case.tasks.all(), key=lambda t: (t.created_at, t.pk))
    return tasks[0] if tasks else None


def application_json(case: Case) -> dict[str, Any]:
    """One application file: the list fields and the detail fields together (the schemas
    allow extra keys, and reference clients read either)."""
    echo = case.external or {}
    service = case.service
    version = case.service_version
    task = _main_task(case)
    code, title = registration_case_status(case)
    eform_id = version.eform_id if version else ""
    created = iso(case.submitted_at)
    derived: dict[str, Any] = {
        "fileId": case.file_id,
        "mainTaskId": case.file_id,
        "taskTitle": task.name if task else case.reference,
        "roleId": "case_officer",
        "roleName": "Gestor de expedientes",
        "assigneeId": str(case.assignee_id or ""),
        "operatorName": case.assignee.get_full_name() if case.assignee else "",
        "status": _status(code, title),
        "applicantId": case.applicant_ref,
        "created": created,
        "registered": created,
        "description": case.reference,
        "serviceName": service.name if service else "",
        "serviceId": service.public_id if service else "",
        "eformId": eform_id,
        "documentUrls": [],
        "additionalMeta": {"data": {}},
        "ended": case.ended,
    }
    derived.update({k: v for k, v in echo.items() if k in derived and k != "status"})
    derived["fileId"] = case.file_id
    derived["ended"] = case.ended
    derived["applicantId"] = case.applicant_ref
    derived["registered"] = iso(case.submitted_at)
    derived["applicationData"] = echo.get("applicationData") or {
        "applicationName": case.applicant_name,
        "applicantId": case.applicant_ref,
        "created": derived["created"],
        "formData": {"data": case.answers, "eFormId": eform_id},
        "documentUrls": derived["documentUrls"],
    }
    return derived


def task_json(task: CaseTask) -> dict[str, Any]:
    """userTaskResponse and dataUserTaskResponse fields together."""
    echo = task.external or {}
    case = task.case
    service = case.service if case else None
    version = case.service_version if case else None
    derived: dict[str, Any] = {
        "taskId": task.task_id,
        "taskName": task.name,
        "name": task.name,
        "mainTaskId": case.file_id if case else "",
        "assigneeId": str(task.assignee_id or ""),
        "roleId": "case_officer",
        "created": iso(task.created_at),
        "description": task.description,
        "serviceId": service.public_id if service else "",
        "serviceName": service.name if service else "",
        "fileId": case.file_id if case else "",
        "eFormId": version.eform_id if version else "",
        "status": _status(task.status),
        "formVariables": task.form_variables if isinstance(task.form_variables, dict) else {},
        "data": task.data if isinstance(task.data, dict) else {},
    }
    derived.update(
        {k: v for k, v in echo.items() if k in derived and k not in ("taskId", "status")}
    )
    echoed = echo.get("status") or {}
    if echoed.get("code") == task.status and echoed.get("title"):
        derived["status"] = _status(task.status, str(echoed["title"]))
    return derived


def completed_json(task: CaseTask) -> dict[str, Any]:
    item = task_json(task)
    return {
        "taskId": item["taskId"],
        "fileId": item["fileId"],
        "serviceId": item["serviceId"],
        "status": item["status"],
        "variables": {"data": {"data": item["data"]}},
    }


def document_url(public_id: str) -> str:
    return reverse("govstack-registration:document", kwargs={"document_id": public_id})
