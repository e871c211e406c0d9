"""Submitting: an application becomes a case, exactly once.

A double-clicked submit, a refreshed confirmation page or a retried request carries the same
idempotency key, or names an application already submitted: each gets the first case back.
Two processes racing on one application queue on its row lock (SQLite: on the IMMEDIATE
transaction); a race on the key alone ends in the key's unique index, and the loser returns
the winner's case."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.audit import services as audit
from ventanilla.cases.models import Application, Case, CaseEvent, CaseFile, CaseTask
from ventanilla.cases.permissions import can_handle_for_institution
from ventanilla.cases.services.deadlines import business_days_add
from ventanilla.cases.services.events import case_event_add, case_webhook
from ventanilla.cases.services.notifications import (
    case_citizen_notify,
    case_recipients,
    case_staff_email,
)
from ventanilla.cases.services.prefill import answer_sources_for
from ventanilla.cases.services.references import reference_next
from ventanilla.formbuilder.answers import answers_check
from ventanilla.formbuilder.conditions import answers_prune
from ventanilla.formbuilder.definition import question_index
from ventanilla.formbuilder.models import DigitalService, ServiceVersion

KEY_MAX = 80  # Case.idempotency_key
REVIEW_TASK_NAME = "Revisión de la solicitud"


def due_on_for(*, workflow: dict[str, Any], submitted_at: datetime) -> Any:
    """The last day of the legal time limit: `time_limit_days` business days counted from the
    day after submission (None when the workflow sets no limit)."""
    days = workflow.get("time_limit_days")
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        return None
    return business_days_add(timezone.localdate(submitted_at), days)


def file_ids_in(*, definition: dict[str, Any], answers: dict[str, Any]) -> set[str]:
    """The CaseFile public ids the answers to file questions name."""
    found: set[str] = set()
    for question_id, question in question_index(definition).items():
        if question.get("type") != "file":
            continue
        value = answers.get(question_id)
        for item in value if isinstance(value, list) else [value] if value else []:
            found.add(str(item))
    return found


def case_files_attach(*, case: Case, ids: set[str], application: Application | None) -> None:
    """Move the named files, still unattached (of `application` when given), onto `case`."""
    if not ids:
        return
    files = CaseFile.objects.filter(public_id__in=ids, case__isnull=True)
    if application is not None:
        files = files.filter(application=application)
    files.update(case=case)


def _key(idempotency_key: str | None) -> str | None:
    key = (idempotency_key or "").strip()
    return key[:KEY_MAX] or None


def _by_key(key: str | None) -> Case | None:
    if not key:
        return None
    return Case.objects.filter(idempotency_key=key).first()


def _case_new(
    *,
    service: DigitalService,
    version: ServiceVersion | None,
    answers: dict[str, Any],
    applicant: Any,
    applicant_ref: str,
    applicant_name: str,
    applicant_document: str,
    key: str | None,
    external: dict[str, Any] | None,
    initial: str,
    answer_sources: dict[str, Any] | None = None,
) -> Case:
    now = timezone.now()
    workflow = version.workflow if version is not None else {}
    case = Case.objects.create(
        reference=reference_next(
            prefix=service.reference_prefix, year=timezone.localdate(now).year
        ),
        institution_id=service.institution_id,
        service=service,
        service_version=version,
        applicant=applicant,
        applicant_ref=applicant_ref[:120],
        applicant_name=applicant_name[:300],
        applicant_document=applicant_document[:12],
        answers=answers,
        answer_sources=answer_sources or {},
        status=initial,
        status_changed_at=now,
        submitted_at=now,
        due_on=due_on_for(workflow=workflow, submitted_at=now),
        idempotency_key=key,
        external=external or {},
    )
    CaseTask.objects.create(
        case=case,
        name=REVIEW_TASK_NAME,
        description=_("Revisar la solicitud %(reference)s y decidir.")
        % {"reference": case.reference},
    )
    return case


def _submitted_side_effects(*, case: Case, by: Any) -> None:
    """Timeline, audit, webhook and notices of a new case (inside its transaction): the
    citizen's casilla, the institution's fixed addresses."""
    case_event_add(
        case=case,
        kind=CaseEvent.Kind.SUBMITTED,
        actor=by,
        public=True,
        data={"reference": case.reference, "status": case.status},
    )
    audit.record(
        actor=by,
        action="case.submitted",
        target=case,
        institution_id=case.institution_id,
        data={"reference": case.reference, "service": case.service_id},
    )
    case_webhook(case=case, event="case.submitted")
    service_name = case.service.name if case.service is not None else ""
    case_citizen_notify(case=case, event="case.submitted", by=by)
    case_staff_email(
        case=case,
        to=case_recipients(case, fixed=True),
        subject=_("Nueva solicitud %(reference)s") % {"reference": case.reference},
        body=_("Llegó la solicitud %(reference)s de «%(service)s» de %(name)s.")
        % {"reference": case.reference, "service": service_name, "name": case.applicant_name},
    )


def _applicant_name(user: Any) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return str(full or user.get_username())


def case_submit(*, application: Application, by: Any, idempotency_key: str) -> Case:
    """Turn the citizen's application into a case and return it; the same case again for a
    repeated key or an application already submitted. Raises PermissionDenied when `by` is
    not the applicant, ValidationError({field name: Spanish message}) when the answers are
    incomplete or invalid."""
    if not getattr(by, "is_authenticated", False) or application.applicant_id != by.pk:
        raise PermissionDenied(_("Solo quien hizo la solicitud puede enviarla."))
    key = _key(idempotency_key)
    try:
        return _submit(application=application, by=by, key=key)
    except IntegrityError:
        # Another request with this key (or on this application) committed first.
        application.refresh_from_db()
        existing = _by_key(key) or (
            Case.objects.filter(pk=application.case_id).first() if application.case_id else None
        )
        if existing is None or existing.applicant_id != by.pk:
            raise
        return existing


def _submit(*, application: Application, by: Any, key: str | None) -> Case:
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("service_version__service")
            .get(pk=application.pk)
        )
        if locked.case_id is not None:
            return Case.objects.get(pk=locked.case_id)
        existing = _by_key(key)
        if existing is not None:
            if existing.applicant_id != by.pk:
                raise PermissionDenied(_("Esa solicitud no es tuya."))
            return existing
        version = locked.service_version
        service = version.service
        if service.archived_at is not None:
            raise ValidationError({"__all__": _("Este servicio ya no recibe solicitudes.")})
        errors = answers_check(definition=version.definition, answers=locked.answers or {})
        if errors:
            raise ValidationError(errors)
        answers = answers_prune(version.definition, locked.answers or {})
        case = _case_new(
            service=service,
            version=version,
            answers=answers,
            applicant=by,
            applicant_ref=str(getattr(by, "document_number", "") or by.pk),
            applicant_name=_applicant_name(by),
            applicant_document=str(getattr(by, "document_number", "") or ""),
            key=key,
            external=None,
            initial=str(version.workflow.get("initial") or ""),
            # Where each answer read from a registry came from (once-only): kept with the case.
            answer_sources=answer_sources_for(application=locked, answers=answers),
        )
        case_files_attach(
            case=case,
            ids=file_ids_in(definition=version.definition, answers=answers),
            application=locked,
        )
        locked.submitted_at = case.submitted_at
        locked.case = case
        locked.save(update_fields=["submitted_at", "case", "updated_at"])
        _submitted_side_effects(case=case, by=by)
    application.refresh_from_db()
    return case


def case_create_external(
    *,
    service: DigitalService,
    applicant_ref: str,
    applicant_name: str,
    answers: dict[str, Any],
    by: Any = None,
    external: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> Case:
    """A case received from another system (the GovStack Registration API) or typed in by an
    official of the institution. `by` None is the system itself (the API authenticated the
    caller). Answers are checked against the service's published version when it has one.
    The same idempotency key returns the first case."""
    if by is not None and not can_handle_for_institution(by, service.institution_id):
        raise PermissionDenied(_("No puedes registrar expedientes de esta institución."))
    key = _key(idempotency_key)
    existing = _by_key(key)
    if existing is not None:
        return existing
    version = service.current_version
    answers = dict(answers or {})
    if version is not None:
        errors = answers_check(definition=version.definition, answers=answers)
        if errors:
            raise ValidationError(errors)
        answers = answers_prune(version.definition, answers)
        initial = str(version.workflow.get("initial") or "")
    else:
        initial = str((external or {}).get("status") or "PENDING")
    try:
        with transaction.atomic():
            case = _case_new(
                service=service,
                version=version,
                answers=answers,
                applicant=None,
                applicant_ref=str(applicant_ref or ""),
                applicant_name=str(applicant_name or ""),
                applicant_document=_document_in(applicant_ref),
                key=key,
                external=external,
                initial=initial,
            )
            if version is not None:
                case_files_attach(
                    case=case,
                    ids=file_ids_in(definition=version.definition, answers=answers),
                    application=None,
                )
            _submitted_side_effects(case=case, by=by)
    except IntegrityError:
        existing = _by_key(key)
        if existing is None:
            raise
        return existing
    return case


def _document_in(applicant_ref: str) -> str:
    """A DNI (8 digits) or RUC (11) given as the applicant's id is searchable as such."""
    value = str(applicant_ref or "").strip()
    return value if value.isdigit() and len(value) in (8, 11) else ""
