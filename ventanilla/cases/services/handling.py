"""Handling a case: assigning it, moving it along its workflow, notes, messages, corrections
(subsanación) and tasks. One function per change; each checks who acts, locks the case row,
writes the timeline and the audit trail in one transaction, and notifies: the citizen through
their casilla electrónica, the officials by e-mail (both delivered after the commit).

Repeating a change (a double click, a retried request) is harmless: assigning to the current
assignee, moving to the status the case already has, the same note or message within a few
seconds, the same correction request, a correction resubmitted with the same key and a task
already completed all return what is there and change nothing."""

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.audit import services as audit
from ventanilla.cases.models import Case, CaseEvent, CaseTask, CorrectionRequest
from ventanilla.cases.permissions import (
    CASE_HANDLING_ROLES,
    can_handle_case,
    is_case_applicant,
)
from ventanilla.cases.services.deadlines import business_days_add, business_days_between
from ventanilla.cases.services.documents import date_long, document_issue, document_template
from ventanilla.cases.services.events import case_event_add, case_webhook
from ventanilla.cases.services.notifications import (
    case_citizen_notify,
    case_recipients,
    case_staff_email,
)
from ventanilla.cases.services.submission import case_files_attach, file_ids_in
from ventanilla.formbuilder.answers import answers_check
from ventanilla.formbuilder.conditions import answers_prune
from ventanilla.formbuilder.definition import ENDING_KINDS, NO_ANSWER_TYPES, status_of
from ventanilla.notifications.attachments import Attachment

TEXT_MAX = 5000
# A second identical note or message this soon after the first is a double click.
REPEAT_WINDOW = timedelta(seconds=30)
TASK_DONE = "APPROVED"
# Business days the citizen is given to correct their application, unless the workflow says
# otherwise (`correction_days`); told in the notice, the case's own clock stops meanwhile.
CORRECTION_DAYS = 10
# Questions a correction may not ask for: nothing to answer, or a group's child (the group
# as a whole is asked for).
_NOT_CORRECTABLE = frozenset({*NO_ANSWER_TYPES, "declaration"})


# --- helpers ---------------------------------------------------------------------------------


def _deny() -> PermissionDenied:
    return PermissionDenied(_("No puedes gestionar este expediente."))


def _require_handler(by: Any, case: Case) -> None:
    if not can_handle_case(by, case):
        raise _deny()


def _locked(case: Case) -> Case:
    """The case row again, locked until the transaction ends (SQLite: the IMMEDIATE
    transaction already holds the write lock)."""
    fresh = (
        Case.objects.select_for_update(of=("self",))
        .select_related("service", "service_version", "applicant", "assignee")
        .get(pk=case.pk)
    )
    return fresh


def _refresh(target: Case, source: Case) -> Case:
    """Copy the saved row onto the caller's object, so it sees the change it asked for."""
    for field in Case._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    for name in ("service", "service_version", "applicant", "assignee"):
        if name in source._state.fields_cache:
            target._state.fields_cache[name] = source._state.fields_cache[name]
        else:
            target._state.fields_cache.pop(name, None)
    return target


def _workflow(case: Case) -> dict[str, Any]:
    version = case.service_version
    return version.workflow if version is not None else {}


def _label(case: Case, code: str) -> str:
    status = status_of(_workflow(case), code)
    return str(status.get("label") or code) if status else code


def _text(text: str, *, field: str, required: str) -> str:
    value = (text or "").strip()
    if not value:
        raise ValidationError({field: required})
    if len(value) > TEXT_MAX:
        raise ValidationError(
            {field: _("El texto es demasiado largo (máximo %(n)d caracteres).") % {"n": TEXT_MAX}}
        )
    return value


def _repeated(case: Case, *, kind: str, actor: Any, text: str) -> CaseEvent | None:
    since = timezone.now() - REPEAT_WINDOW
    return (
        CaseEvent.objects.filter(
            case=case, kind=kind, actor_id=actor.pk, text=text, created_at__gte=since
        )
        .order_by("-pk")
        .first()
    )


def _service_name(case: Case) -> str:
    return case.service.name if case.service is not None else ""


def case_handlers(*, case: Case) -> Any:
    """The active accounts that may be given this case (its institution's case handlers)."""
    User = get_user_model()
    return (
        User.objects.filter(
            is_active=True,
            memberships__institution_id=case.institution_id,
            memberships__role__in=CASE_HANDLING_ROLES,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- assignment ------------------------------------------------------------------------------


def case_assign(*, case: Case, assignee: Any, by: Any) -> Case:
    """Give the case to `assignee` (an official who handles this institution's cases), or
    to nobody with None. Assigning to the current assignee changes nothing."""
    _require_handler(by, case)
    if assignee is not None and (
        not getattr(assignee, "is_active", False) or not can_handle_case(assignee, case)
    ):
        raise ValidationError(
            {"assignee": _("Esa persona no gestiona expedientes de esta institución.")}
        )
    with transaction.atomic():
        locked = _locked(case)
        new_id = assignee.pk if assignee is not None else None
        if locked.assignee_id == new_id:
            return _refresh(case, locked)
        previous = locked.assignee_id
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        CaseTask.objects.filter(case=locked, completed_at__isnull=True).update(assignee=assignee)
        name = (assignee.get_full_name() or assignee.get_username()) if assignee else ""
        case_event_add(
            case=locked,
            kind=CaseEvent.Kind.ASSIGNED,
            actor=by,
            text=name,
            data={"assignee": new_id, "previous": previous},
        )
        audit.record(
            actor=by,
            action="case.assigned",
            target=locked,
            institution_id=locked.institution_id,
            data={"assignee": new_id, "previous": previous},
        )
        if assignee is not None and assignee.pk != getattr(by, "pk", None):
            case_staff_email(
                case=locked,
                to=case_recipients(locked, assignee=True),
                subject=_("Te asignaron el expediente %(reference)s")
                % {"reference": locked.reference},
                body=_("Te asignaron el expediente %(reference)s de «%(service)s».")
                % {"reference": locked.reference, "service": _service_name(locked)},
            )
    return _refresh(case, locked)


# --- status ----------------------------------------------------------------------------------


def _clock_restart(case: Case, correction: CorrectionRequest) -> int:
    """Move the deadline by the business days the case waited for the citizen; returns them."""
    waited = business_days_between(
        timezone.localdate(correction.requested_at), timezone.localdate()
    )
    if case.due_on is not None and waited > 0:
        case.due_on = business_days_add(case.due_on, waited)
    return waited


def _status_set(case: Case, code: str) -> None:
    status = status_of(_workflow(case), code) or {}
    now = timezone.now()
    case.status = code
    case.status_changed_at = now
    if status.get("kind") in ENDING_KINDS:
        case.ended = True
        case.decided_at = now
    else:
        case.ended = False
        case.decided_at = None


def _status_notify(case: Case, *, note: str, by: Any, document: Any = None) -> None:
    """The citizen hears of the new status in their casilla (an ending status is the decision,
    with the issued document attached); the assignee and the fixed addresses by e-mail."""
    label = _label(case, case.status)
    attachments: list[Attachment] = []
    if document is not None:
        with document.pdf.open("rb") as pdf:
            attachments.append(
                Attachment(name=document.pdf.name.rsplit("/", 1)[-1], content=pdf.read())
            )
    case_citizen_notify(
        case=case,
        event="case.decided" if case.ended else "case.status_changed",
        values={"estado": label, "mensaje": note},
        attachments=attachments,
        by=by,
    )
    body = _("El expediente %(reference)s de «%(service)s» pasó a «%(status)s».") % {
        "reference": case.reference,
        "service": _service_name(case),
        "status": label,
    }
    if note:
        body += "\n\n" + note
    subject = _("Expediente %(reference)s: %(status)s") % {
        "reference": case.reference,
        "status": label,
    }
    case_staff_email(
        case=case,
        to=case_recipients(case, assignee=True, fixed=True),
        subject=subject,
        body=body,
    )


def case_transition(*, case: Case, to_status: str, by: Any, note: str = "") -> Case:
    """Move the case to `to_status` along its workflow's transitions; entering an "approved"
    status issues the workflow's document. Moving to the status the case already has changes
    nothing. Raises ValidationError (Spanish) for a move the workflow does not allow; a
    correction is asked for with case_correction_request, which says which fields."""
    _require_handler(by, case)
    note = (note or "").strip()[:TEXT_MAX]
    with transaction.atomic():
        locked = _locked(case)
        if locked.status == to_status:
            return _refresh(case, locked)
        workflow = _workflow(locked)
        target = status_of(workflow, to_status)
        allowed = any(
            t.get("from") == locked.status and t.get("to") == to_status
            for t in workflow.get("transitions") or []
        )
        if target is None or not allowed:
            raise ValidationError(
                {
                    "to_status": _("El expediente no puede pasar de «%(from)s» a «%(to)s».")
                    % {"from": _label(locked, locked.status), "to": _label(locked, to_status)}
                },
                code="transition",
            )
        if target.get("kind") == "correction":
            raise ValidationError(
                {
                    "to_status": _(
                        "Para pedir una subsanación usa «Pedir subsanación» e indica qué datos "
                        "debe corregir el ciudadano."
                    )
                },
                code="transition",
            )
        previous = locked.status
        data: dict[str, Any] = {"from": previous, "to": to_status}
        # Leaving the correction status by hand: the request is closed, the clock restarts.
        pending = locked.corrections.filter(resolved_at__isnull=True).first()
        fields = ["status", "status_changed_at", "ended", "decided_at", "updated_at"]
        if pending is not None:
            data["waited_days"] = _clock_restart(locked, pending)
            pending.resolved_at = timezone.now()
            pending.save(update_fields=["resolved_at"])
            fields.append("due_on")
        _status_set(locked, to_status)
        locked.save(update_fields=fields)
        if locked.ended:
            CaseTask.objects.filter(case=locked, completed_at__isnull=True).update(
                status=str(target.get("kind") or "").upper()
                if target.get("kind") in {"approved", "rejected"}
                else "REJECTED",
                completed_at=locked.decided_at,
            )
        case_event_add(
            case=locked,
            kind=CaseEvent.Kind.STATUS,
            actor=by,
            public=True,
            text=note,
            data={**data, "label": _label(locked, to_status)},
        )
        audit.record(
            actor=by,
            action="case.status_changed",
            target=locked,
            institution_id=locked.institution_id,
            data=data,
        )
        document = None
        if target.get("kind") == "approved" and document_template(locked) is not None:
            document = document_issue(case=locked, by=by)
        case_webhook(case=locked, event="case.status_changed")
        _status_notify(locked, note=note, by=by, document=document)
    return _refresh(case, locked)


# --- notes and messages ----------------------------------------------------------------------


def _text_event_add(
    *, case: Case, kind: str, by: Any, text: str, action: str, public: bool = False
) -> tuple[CaseEvent, bool]:
    """In the caller's transaction: a note or message on the locked case's timeline with its
    audit row, or the identical one the same person wrote moments ago (a double click) and
    False, so nothing is sent twice."""
    locked = _locked(case)
    again = _repeated(locked, kind=kind, actor=by, text=text)
    if again is not None:
        return again, False
    event = case_event_add(case=locked, kind=kind, actor=by, public=public, text=text)
    audit.record(
        actor=by,
        action=action,
        target=locked,
        institution_id=locked.institution_id,
        data={"event": event.pk},
    )
    return event, True


def case_note_add(*, case: Case, text: str, by: Any) -> CaseEvent:
    """An internal note on the timeline (officials only see it)."""
    _require_handler(by, case)
    value = _text(text, field="text", required=_("Escribe la nota."))
    with transaction.atomic():
        event, _new = _text_event_add(
            case=case, kind=CaseEvent.Kind.NOTE, by=by, text=value, action="case.note_added"
        )
    return event


def case_message_send(*, case: Case, text: str, by: Any) -> CaseEvent:
    """A message from the institution to the citizen: on the timeline the citizen sees, and in
    their casilla."""
    _require_handler(by, case)
    value = _text(text, field="text", required=_("Escribe el mensaje para el ciudadano."))
    with transaction.atomic():
        event, new = _text_event_add(
            case=case,
            kind=CaseEvent.Kind.MESSAGE_OUT,
            by=by,
            text=value,
            action="case.message_sent",
            public=True,
        )
        if not new:
            return event
        case_citizen_notify(case=event.case, event="case.message", values={"mensaje": value}, by=by)
    return event


def case_message_reply(*, case: Case, text: str, by: Any) -> CaseEvent:
    """The citizen's message to the institution about their own case."""
    if not is_case_applicant(by, case):
        raise PermissionDenied(_("Solo quien presentó la solicitud puede escribir sobre ella."))
    value = _text(text, field="text", required=_("Escribe tu mensaje."))
    with transaction.atomic():
        event, new = _text_event_add(
            case=case,
            kind=CaseEvent.Kind.MESSAGE_IN,
            by=by,
            text=value,
            action="case.message_received",
            public=True,
        )
        if not new:
            return event
        locked = event.case
        to = case_recipients(locked, assignee=True) or case_recipients(locked, fixed=True)
        case_staff_email(
            case=locked,
            to=to,
            subject=_("Mensaje del ciudadano en %(reference)s") % {"reference": locked.reference},
            body=_("%(name)s escribió sobre el expediente %(reference)s:")
            % {"name": locked.applicant_name, "reference": locked.reference}
            + "\n\n"
            + value,
        )
    return event


# --- corrections (subsanación) ---------------------------------------------------------------


def correctable_questions(*, case: Case) -> list[dict[str, Any]]:
    """The questions of the case's version an official may ask the citizen to correct, in
    form order (top-level questions: a group is corrected as a whole)."""
    version = case.service_version
    if version is None:
        return []
    found = []
    for page in version.definition.get("pages") or []:
        if page.get("exit"):
            continue
        for question in page.get("questions") or []:
            if question.get("type") not in _NOT_CORRECTABLE:
                found.append(question)
    return found


def correction_deadline(case: Case) -> Any:
    """The last day the citizen has to correct, counted in business days from today."""
    days = _workflow(case).get("correction_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        days = CORRECTION_DAYS
    return business_days_add(timezone.localdate(), days)


def case_correction_request(
    *, case: Case, fields: list[str], message: str, by: Any
) -> CorrectionRequest:
    """Ask the citizen to correct `fields` (question ids) with `message`: the case moves to
    the workflow's correction status and its clock stops until they resubmit. The same
    request again returns the pending one."""
    _require_handler(by, case)
    value = _text(message, field="message", required=_("Explica qué debe corregir el ciudadano."))
    wanted = list(dict.fromkeys(str(f) for f in fields or []))
    if not wanted:
        raise ValidationError({"fields": _("Elige al menos un dato que deba corregir.")})
    allowed = {str(q["id"]) for q in correctable_questions(case=case)}
    unknown = [f for f in wanted if f not in allowed]
    if unknown:
        raise ValidationError(
            {"fields": _("Estos datos no se pueden pedir: %(ids)s.") % {"ids": ", ".join(unknown)}}
        )
    with transaction.atomic():
        locked = _locked(case)
        pending = locked.corrections.filter(resolved_at__isnull=True).first()
        if pending is not None:
            if pending.fields == wanted and pending.message == value:
                return pending
            raise ValidationError(
                {"fields": _("Ya hay un pedido de subsanación pendiente para este expediente.")}
            )
        workflow = _workflow(locked)
        correction_code = next(
            (
                str(s.get("code"))
                for s in workflow.get("statuses") or []
                if s.get("kind") == "correction"
            ),
            None,
        )
        allowed_move = correction_code is not None and any(
            t.get("from") == locked.status and t.get("to") == correction_code
            for t in workflow.get("transitions") or []
        )
        if locked.ended or not allowed_move:
            raise ValidationError(
                {
                    "fields": _("En el estado «%(status)s» no se puede pedir una subsanación.")
                    % {"status": _label(locked, locked.status)}
                },
                code="transition",
            )
        assert correction_code is not None
        correction = CorrectionRequest.objects.create(
            case=locked,
            fields=wanted,
            message=value,
            requested_by=by if getattr(by, "pk", None) else None,
            return_status=locked.status,
        )
        previous = locked.status
        deadline = correction_deadline(locked)
        _status_set(locked, correction_code)
        locked.save(
            update_fields=["status", "status_changed_at", "ended", "decided_at", "updated_at"]
        )
        case_event_add(
            case=locked,
            kind=CaseEvent.Kind.CORRECTION_REQUESTED,
            actor=by,
            public=True,
            text=value,
            data={
                "fields": wanted,
                "correction": correction.pk,
                "from": previous,
                "deadline": deadline.isoformat(),
            },
        )
        audit.record(
            actor=by,
            action="case.correction_requested",
            target=locked,
            institution_id=locked.institution_id,
            data={"fields": wanted, "from": previous, "to": correction_code},
        )
        case_webhook(case=locked, event="case.status_changed")
        case_citizen_notify(
            case=locked,
            event="case.correction_requested",
            values={"mensaje": value, "plazo": date_long(deadline)},
            by=by,
        )
    _refresh(case, locked)
    return correction


def case_correction_submit(
    *, case: Case, answers: dict[str, Any], by: Any, idempotency_key: str
) -> Case:
    """The citizen's corrected answers: only the fields asked for change, the case returns to
    the status it came from and its deadline moves by the business days it waited. The same
    key again returns the case unchanged. ValidationError({field name: message}) when the
    corrected answers are not valid."""
    if not is_case_applicant(by, case):
        raise PermissionDenied(_("Solo quien presentó la solicitud puede corregirla."))
    key = (idempotency_key or "").strip()[:80]
    with transaction.atomic():
        locked = _locked(case)
        if (
            key
            and locked.events.filter(
                kind=CaseEvent.Kind.CORRECTED, data__idempotency_key=key
            ).exists()
        ):
            return _refresh(case, locked)
        correction = locked.corrections.filter(resolved_at__isnull=True).first()
        if correction is None:
            raise ValidationError(
                {"__all__": _("Este expediente no tiene un pedido de subsanación pendiente.")},
                code="no_correction",
            )
        version = locked.service_version
        definition = version.definition if version is not None else {}
        merged = dict(locked.answers or {})
        for field in correction.fields:
            if field in answers and answers[field] not in (None, "", [], {}):
                merged[field] = answers[field]
            else:
                merged.pop(field, None)
        errors = answers_check(definition=definition, answers=merged)
        if errors:
            raise ValidationError(errors)
        merged = answers_prune(definition, merged)
        changed = [f for f in correction.fields if merged.get(f) != (locked.answers or {}).get(f)]
        waited = _clock_restart(locked, correction)
        locked.answers = merged
        previous = locked.status
        _status_set(locked, correction.return_status or str(_workflow(locked).get("initial") or ""))
        locked.save(
            update_fields=[
                "answers", "due_on", "status", "status_changed_at", "ended", "decided_at",
                "updated_at",
            ]
        )  # fmt: skip
        case_files_attach(
            case=locked,
            ids=file_ids_in(definition=definition, answers=merged),
            application=getattr(locked, "application", None),
        )
        correction.resolved_at = timezone.now()
        correction.save(update_fields=["resolved_at"])
        case_event_add(
            case=locked,
            kind=CaseEvent.Kind.CORRECTED,
            actor=by,
            public=True,
            data={
                "fields": correction.fields,
                "changed": changed,
                "correction": correction.pk,
                "waited_days": waited,
                "from": previous,
                "to": locked.status,
                "idempotency_key": key,
            },
        )
        audit.record(
            actor=by,
            action="case.corrected",
            target=locked,
            institution_id=locked.institution_id,
            data={"fields": correction.fields, "changed": changed, "waited_days": waited},
        )
        case_webhook(case=locked, event="case.status_changed")
        to = case_recipients(locked, assignee=True) or case_recipients(locked, fixed=True)
        case_staff_email(
            case=locked,
            to=to,
            subject=_("Subsanación presentada en %(reference)s") % {"reference": locked.reference},
            body=_("%(name)s corrigió los datos pedidos del expediente %(reference)s.")
            % {"name": locked.applicant_name, "reference": locked.reference},
        )
    return _refresh(case, locked)


# --- tasks -----------------------------------------------------------------------------------


def case_task_complete(*, task: CaseTask, data: dict[str, Any], by: Any = None) -> CaseTask:
    """Mark a task done with `data` (merged into its data). `by` None is the system (the
    Registration API authenticated the caller). A task already done is returned unchanged."""
    if by is not None and task.case_id is not None:
        _require_handler(by, task.case)  # type: ignore[arg-type]
    with transaction.atomic():
        locked = CaseTask.objects.select_for_update().get(pk=task.pk)
        if locked.completed_at is not None:
            return locked
        status = str((data or {}).get("status") or TASK_DONE).upper()
        if status not in {"APPROVED", "REJECTED", "SENDBACK"}:
            status = TASK_DONE
        locked.status = status
        locked.data = {**(locked.data or {}), **(data or {})}
        locked.completed_at = timezone.now()
        if by is not None and getattr(by, "pk", None) and locked.assignee_id is None:
            locked.assignee = by
        locked.save(update_fields=["status", "data", "completed_at", "assignee", "updated_at"])
        if locked.case_id is not None:
            case_event_add(
                case=locked.case,  # type: ignore[arg-type]
                kind=CaseEvent.Kind.TASK_COMPLETED,
                actor=by,
                text=locked.name,
                data={"task": locked.task_id, "status": status},
            )
        audit.record(
            actor=by,
            action="case.task_completed",
            target=locked,
            institution_id=locked.case.institution_id if locked.case_id else None,  # type: ignore[union-attr]
            data={"task": locked.task_id, "status": status},
        )
    return locked
