"""The GovStack Registration reference records (fixtures.json of the building block): seeded
under their own institution and put back to the fixture values on every run, because the
reference clients change them (PUT applications, POST tasks/…/complete, new applications)."""

import hashlib
import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from ventanilla.accounts.models import Membership, Role, User
from ventanilla.audit import services as audit
from ventanilla.cases.models import Case, CaseTask
from ventanilla.cases.selectors.registration import REFERENCE_INSTITUTION_SLUG, REFERENCE_ORIGIN
from ventanilla.formbuilder.definition import default_workflow
from ventanilla.formbuilder.models import DigitalService, ServiceVersion
from ventanilla.institutions.models import Institution, Kind, Level

REFERENCE_INSTITUTION_NAME = "eGovStack (registros de referencia)"
REFERENCE_PREFIX = "EGS"
OPERATOR_USERNAME = "govstack-operator"
SERVICE_KEYS = ("version", "type", "isExecutable", "isClosed", "serviceBody")
APPLICATION_ECHO_KEYS = (
    "mainTaskId",
    "taskTitle",
    "roleId",
    "roleName",
    "assigneeId",
    "operatorName",
    "status",
    "created",
    "description",
    "serviceId",
    "serviceName",
    "eformId",
    "documentUrls",
    "additionalMeta",
    "applicationData",
)
TASK_ECHO_KEYS = (
    "mainTaskId",
    "name",
    "assigneeId",
    "roleId",
    "created",
    "serviceId",
    "serviceName",
    "fileId",
    "eFormId",
    "status",
)


def _when(value: Any) -> datetime:
    parsed = parse_datetime(str(value or "")) if value else None
    return parsed or timezone.now()


def _institution() -> Institution:
    institution, _created = Institution.objects.update_or_create(
        slug=REFERENCE_INSTITUTION_SLUG,
        defaults={
            "name": REFERENCE_INSTITUTION_NAME,
            "acronym": "eGovStack",
            "level": Level.NATIONAL,
            "kind": Kind.OTHER,
            "source": Institution.Source.MANUAL,
            "description": (
                "Registros de ejemplo del bloque de construcción Registration de GovStack, "
                "para que los clientes de referencia prueben la API. No son trámites reales."
            ),
        },
    )
    return institution


def _operator(institution: Institution, statistics: dict[str, Any]) -> User:
    first, _sep, last = str(statistics["operator"]["name"]).partition(" ")
    user, _created = User.objects.update_or_create(
        username=OPERATOR_USERNAME,
        defaults={"first_name": first, "last_name": last, "is_active": True},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, institution=institution, role=Role.CASE_OFFICER)
    return user


def _version(service: DigitalService, eform: dict[str, Any]) -> ServiceVersion:
    definition = eform.get("schema") or {}
    workflow = default_workflow()
    fields = {
        "eform_id": eform["eFormId"],
        "name": eform.get("name") or service.name,
        "definition": definition,
        "workflow": workflow,
        "digest": hashlib.sha256(
            json.dumps([definition, workflow], sort_keys=True).encode()
        ).hexdigest(),
        "published_at": timezone.now(),
    }
    existing = ServiceVersion.objects.filter(service=service, number=1).first()
    if existing is None:
        return ServiceVersion.objects.create(service=service, number=1, **fields)
    # Published versions are immutable to the platform; only this reseed puts them back.
    ServiceVersion.objects.filter(pk=existing.pk).update(**fields)
    existing.refresh_from_db()
    return existing


def _services(institution: Institution, fixtures: dict[str, Any]) -> dict[str, DigitalService]:
    eforms = {e["eFormId"]: e for e in fixtures["eForms"]}
    registration_name = fixtures["statistics"]["registrationName"]
    seeded: dict[str, DigitalService] = {}
    for position, record in enumerate(fixtures["services"]):
        eform = eforms[record["eFormIds"][0]]
        prefix = registration_name if position == 0 else REFERENCE_PREFIX
        govstack = {key: record[key] for key in SERVICE_KEYS if key in record}
        govstack["foreign"] = True
        govstack["eForm"] = {
            "description": eform.get("description", ""),
            "version": eform.get("version", "1"),
            "latest": eform.get("latest", True),
        }
        service, _created = DigitalService.objects.update_or_create(
            public_id=record["id"],
            defaults={
                "institution": institution,
                "slug": f"egovstack-{slugify(record['id'])}"[:120],
                "name": record["name"],
                "description": record.get("description", ""),
                "reference_prefix": prefix,
                "archived_at": None,
                "govstack": govstack,
                "draft_definition": {},
                "draft_workflow": {},
                "procedure": None,
            },
        )
        service.current_version = _version(service, eform)
        service.save(update_fields=["current_version", "updated_at"])
        seeded[record["id"]] = service
    return seeded


def _applications(
    institution: Institution, fixtures: dict[str, Any], services: dict[str, DigitalService]
) -> list[str]:
    file_ids = []
    for position, record in enumerate(fixtures["applications"], start=1):
        service = services.get(record["serviceId"])
        data = record.get("applicationData") or {}
        registered = _when(record.get("registered"))
        defaults = {
            "reference": f"{REFERENCE_PREFIX}-{registered.year}-{position:06d}",
            "institution": institution,
            "service": service,
            "service_version": service.current_version if service else None,
            "applicant": None,
            "applicant_ref": record.get("applicantId", ""),
            "applicant_name": data.get("applicationName", ""),
            "applicant_document": "",
            "answers": (data.get("formData") or {}).get("data") or {},
            "status": str(default_workflow()["initial"]),
            "status_changed_at": None,
            "assignee": None,
            "submitted_at": registered,
            "due_on": None,
            "decided_at": None,
            "ended": bool(record.get("ended", False)),
            "idempotency_key": None,
            "external": {k: record[k] for k in APPLICATION_ECHO_KEYS if k in record},
        }
        case, _created = Case.objects.update_or_create(file_id=record["fileId"], defaults=defaults)
        case.tasks.all().delete()
        case.events.all().delete()
        case.files.all().delete()
        file_ids.append(case.file_id)
    return file_ids


def _tasks(fixtures: dict[str, Any]) -> list[str]:
    task_ids = []
    for record in fixtures["tasks"]:
        external = {k: record[k] for k in TASK_ECHO_KEYS if k in record}
        external["origin"] = REFERENCE_ORIGIN
        task, _created = CaseTask.objects.update_or_create(
            task_id=record["taskId"],
            defaults={
                "case": None,
                "name": record.get("taskName") or record.get("name") or "",
                "description": record.get("description", ""),
                "assignee": None,
                "status": (record.get("status") or {}).get("code", "PENDING"),
                "data": record.get("data") or {},
                "form_variables": record.get("formVariables") or {},
                "completed_at": None,
                "external": external,
            },
        )
        CaseTask.objects.filter(pk=task.pk).update(created_at=_when(record.get("created")))
        task_ids.append(task.task_id)
    return task_ids


def registration_reference_load(*, fixtures: dict[str, Any]) -> dict[str, int]:
    """(Re)seed exactly the records of the fixtures: anything else the reference clients left
    under the reference institution (new applications, their tasks) is removed. Returns the
    counts seeded."""
    with transaction.atomic():
        institution = _institution()
        operator = _operator(institution, fixtures["statistics"])
        services = _services(institution, fixtures)
        file_ids = _applications(institution, fixtures, services)
        task_ids = _tasks(fixtures)
        Case.objects.filter(institution=institution).exclude(file_id__in=file_ids).delete()
        CaseTask.objects.filter(case__isnull=True, external__origin=REFERENCE_ORIGIN).exclude(
            task_id__in=task_ids
        ).delete()
        DigitalService.objects.filter(institution=institution).exclude(
            public_id__in=list(services)
        ).delete()
        counts = {
            "services": len(services),
            "eForms": len(
                {v.current_version.eform_id for v in services.values() if v.current_version}
            ),
            "applications": len(file_ids),
            "tasks": len(task_ids),
        }
        audit.record(
            actor=None,
            action="govstack.reference_loaded",
            target=institution,
            data={**counts, "operator": operator.username},
            institution_id=institution.pk,
        )
    return counts
