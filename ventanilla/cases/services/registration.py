"""Writes the GovStack Registration API makes besides creating cases and completing tasks
(those are case_create_external and case_task_complete): documents it receives, and the
operator's form data on an application file."""

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction

from ventanilla.audit import services as audit
from ventanilla.cases.models import Case, CaseFile
from ventanilla.cases.selectors.registration import (
    REFERENCE_INSTITUTION_SLUG,
    registration_client_trusted,
)

APPLICATION_DATA_KEYS = ("applicationName", "applicantId", "created", "formData", "documentUrls")


def registration_document_store(
    *, content: bytes, name: str, content_type: str, client: str | None, metadata: str = ""
) -> CaseFile:
    """Keep a document sent to POST documents; it belongs to no case until an application
    names it. Returns the stored file (its public_id is the document's id)."""
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        stored = CaseFile(
            name=name[:255],
            content_type=content_type[:120],
            size=len(content),
            sha256=digest,
        )
        stored.file.save(f"{stored.public_id}-{name[:80]}", ContentFile(content), save=False)
        stored.save()
        audit.record(
            actor=None,
            action="case_file.received_govstack",
            target=stored,
            data={"client": client or "", "size": len(content), "metadata": metadata[:500]},
        )
    return stored


def _is_foreign(case: Case) -> bool:
    return case.service is None or bool(case.service.govstack.get("foreign"))


def case_registration_update(
    *, case: Case, application_data: dict[str, Any], client: str | None
) -> Case:
    """Store an operator's applicationFileSubmit on a case. Foreign records take it as their
    answers and applicant; our own cases keep the citizen's answers (changing those is a
    correction) and echo the operator's data. Repeating the same update changes nothing and
    leaves no second audit row."""
    if not (
        registration_client_trusted(client) or case.institution.slug == REFERENCE_INSTITUTION_SLUG
    ):
        raise PermissionDenied
    submitted = {k: application_data[k] for k in APPLICATION_DATA_KEYS if k in application_data}
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",)).select_related("service").get(pk=case.pk)
        )
        external = dict(locked.external)
        external["applicationData"] = submitted
        changes: dict[str, Any] = {"external": external}
        if _is_foreign(locked):
            form_data = submitted.get("formData") or {}
            changes["answers"] = form_data.get("data") or {}
            changes["applicant_ref"] = str(submitted.get("applicantId") or "")[:120]
            if "applicationName" in submitted:
                changes["applicant_name"] = str(submitted["applicationName"] or "")[:300]
        changed = [field for field, value in changes.items() if getattr(locked, field) != value]
        if changed:
            for field in changed:
                setattr(locked, field, changes[field])
            locked.save(update_fields=[*changed, "updated_at"])
            audit.record(
                actor=None,
                action="case.registration_updated",
                target=locked,
                data={"client": client or "", "fields": changed},
                institution_id=locked.institution_id,
            )
    return locked
