"""Handling a case: who may act, what the timeline and the audit trail say, and that repeating
an action (a double click) changes nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import CitizenFactory, PlatformAdminFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.cases.models import CaseEvent, CaseTask, CorrectionRequest, IssuedDocument
from ventanilla.cases.services.deadlines import business_days_add, business_days_between
from ventanilla.cases.services.documents import date_long
from ventanilla.cases.services.handling import (
    case_assign,
    case_correction_request,
    case_correction_submit,
    case_message_reply,
    case_message_send,
    case_note_add,
    case_task_complete,
    case_transition,
)
from ventanilla.cases.tests.factories import case_made, officer, service_published, workflow
from ventanilla.notifications.models import InboxItem, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    return service_published()


@pytest.fixture
def official(service):
    return officer(service.institution)


def _events(case, kind):
    return list(CaseEvent.objects.filter(case=case, kind=kind))


def _emails() -> list[str]:
    return [m.recipient for m in Message.objects.filter(channel="email").order_by("created_at")]


def test_case_assign_records_the_assignee_timeline_audit_and_mails_them(service, official):
    case = case_made(service=service)
    colleague = officer(service.institution, Role.CASE_SUPERVISOR)
    case_assign(case=case, assignee=colleague, by=official)
    case.refresh_from_db()
    assert case.assignee == colleague
    assert CaseTask.objects.get(case=case).assignee == colleague
    assert len(_events(case, CaseEvent.Kind.ASSIGNED)) == 1
    assert AuditEvent.objects.filter(action="case.assigned", target_id=str(case.pk)).count() == 1
    assert _emails() == [colleague.email]
    assert not InboxItem.objects.exists()


def test_case_assign_again_to_the_same_person_changes_nothing(service, official):
    case = case_made(service=service)
    case_assign(case=case, assignee=official, by=official)
    case_assign(case=case, assignee=official, by=official)
    assert len(_events(case, CaseEvent.Kind.ASSIGNED)) == 1


def test_case_assign_to_nobody_unassigns(service, official):
    case = case_made(service=service, assignee=official)
    case_assign(case=case, assignee=None, by=official)
    case.refresh_from_db()
    assert case.assignee is None


def test_case_assign_refuses_an_official_of_another_institution(service, official):
    case = case_made(service=service)
    stranger = officer(service_published().institution)
    with pytest.raises(ValidationError) as caught:
        case_assign(case=case, assignee=stranger, by=official)
    assert "assignee" in caught.value.message_dict


@pytest.mark.parametrize(
    "role", [Role.EDITOR, Role.PUBLISHER, Role.SERVICE_DESIGNER], ids=lambda r: str(r)
)
def test_roles_without_case_handling_cannot_act(service, role):
    case = case_made(service=service)
    outsider = officer(service.institution, role)
    with pytest.raises(PermissionDenied):
        case_assign(case=case, assignee=None, by=outsider)
    with pytest.raises(PermissionDenied):
        case_transition(case=case, to_status="en_revision", by=outsider)
    with pytest.raises(PermissionDenied):
        case_note_add(case=case, text="x", by=outsider)


def test_an_official_of_another_institution_cannot_touch_the_case(service):
    case = case_made(service=service)
    stranger = officer(service_published().institution, Role.INSTITUTION_ADMIN)
    with pytest.raises(PermissionDenied):
        case_transition(case=case, to_status="en_revision", by=stranger)
    with pytest.raises(PermissionDenied):
        case_message_send(case=case, text="Hola", by=stranger)


def test_platform_admins_handle_any_case(service):
    case = case_made(service=service)
    case_transition(case=case, to_status="en_revision", by=PlatformAdminFactory())
    assert case.status == "en_revision"


def test_case_transition_along_the_workflow_records_and_notifies(service, official):
    case = case_made(service=service, assignee=official)
    case_transition(case=case, to_status="en_revision", by=official, note="Lo revisamos.")
    case.refresh_from_db()
    assert case.status == "en_revision"
    assert not case.ended
    event = _events(case, CaseEvent.Kind.STATUS)[0]
    assert event.public
    assert event.text == "Lo revisamos."
    assert event.data["from"] == "recibido"
    assert event.data["to"] == "en_revision"
    audit = AuditEvent.objects.get(action="case.status_changed", target_id=str(case.pk))
    assert audit.data == {"from": "recibido", "to": "en_revision"}
    item = InboxItem.objects.get(recipient=case.applicant)
    assert item.kind == "case.status_changed"
    assert item.reference == case.reference
    assert item.subject == f"Tu expediente {case.reference}: En revisión"
    assert "Lo revisamos." in item.body
    assert sorted(_emails()) == sorted([case.applicant.email, official.email, "mesa@mtc.gob.pe"])
    assert Message.objects.get(recipient=case.applicant.email).inbox_item == item


def test_case_transition_not_in_the_workflow_is_refused_in_spanish(service, official):
    case = case_made(service=service)
    with pytest.raises(ValidationError) as caught:
        case_transition(case=case, to_status="aprobado", by=official)
    assert caught.value.message_dict["to_status"] == [
        "El expediente no puede pasar de «Recibido» a «Aprobado»."
    ]
    with pytest.raises(ValidationError):
        case_transition(case=case, to_status="no-existe", by=official)
    case.refresh_from_db()
    assert case.status == "recibido"


def test_case_transition_to_the_correction_status_asks_for_the_correction_form(service, official):
    case = case_made(service=service)
    with pytest.raises(ValidationError) as caught:
        case_transition(case=case, to_status="observado", by=official)
    assert "Pedir subsanación" in caught.value.message_dict["to_status"][0]


def test_case_transition_repeated_is_harmless(service, official):
    case = case_made(service=service, status="en_revision")
    case_transition(case=case, to_status="denegado", by=official)
    case_transition(case=case, to_status="denegado", by=official)
    assert len(_events(case, CaseEvent.Kind.STATUS)) == 1
    case.refresh_from_db()
    assert case.ended
    assert case.decided_at is not None
    task = CaseTask.objects.get(case=case)
    assert task.status == "REJECTED"
    assert task.completed_at is not None


def test_case_transition_to_approved_issues_the_document_and_deposits_it_with_the_decision(
    service, official
):
    case = case_made(service=service, status="en_revision")
    case_transition(case=case, to_status="aprobado", by=official, note="Conforme.")
    case.refresh_from_db()
    assert case.ended
    document = IssuedDocument.objects.get(case=case)
    assert document.title == "Permiso especial de tránsito"
    item = InboxItem.objects.get(recipient=case.applicant)
    assert item.kind == "case.decided"
    assert item.subject == f"Resolución de tu expediente {case.reference}: Aprobado"
    attachment = item.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == document.sha256
    case_transition(case=case, to_status="aprobado", by=official)
    assert IssuedDocument.objects.filter(case=case).count() == 1
    assert InboxItem.objects.count() == 1


def test_case_transition_to_approved_without_a_document_issues_none(official):
    service = service_published(institution=official.memberships.get().institution,
                                flow=workflow(document=None))  # fmt: skip
    case = case_made(service=service, status="en_revision")
    case_transition(case=case, to_status="aprobado", by=official)
    assert not IssuedDocument.objects.filter(case=case).exists()
    item = InboxItem.objects.get(recipient=case.applicant)
    assert item.kind == "case.decided"
    assert not item.attachments.exists()


def test_case_note_is_internal_and_a_double_click_adds_one(service, official):
    case = case_made(service=service)
    first = case_note_add(case=case, text="  Falta revisar SOAT. ", by=official)
    again = case_note_add(case=case, text="Falta revisar SOAT.", by=official)
    assert again.pk == first.pk
    assert not first.public
    assert first.text == "Falta revisar SOAT."
    assert AuditEvent.objects.filter(action="case.note_added").count() == 1


def test_case_note_empty_is_refused_in_spanish(service, official):
    case = case_made(service=service)
    with pytest.raises(ValidationError) as caught:
        case_note_add(case=case, text="   ", by=official)
    assert caught.value.message_dict == {"text": ["Escribe la nota."]}


def test_case_message_reaches_the_citizen_casilla_and_their_reply_the_assignee(service, official):
    case = case_made(service=service, assignee=official)
    out = case_message_send(case=case, text="Adjunte el SOAT, por favor.", by=official)
    assert out.public
    assert out.kind == CaseEvent.Kind.MESSAGE_OUT
    item = InboxItem.objects.get(recipient=case.applicant, kind="case.message")
    assert "Adjunte el SOAT" in item.body
    email = Message.objects.get(inbox_item=item)
    assert email.recipient == case.applicant.email
    assert "Adjunte el SOAT" in email.body
    case_message_send(case=case, text="Adjunte el SOAT, por favor.", by=official)
    assert InboxItem.objects.count() == 1  # a double click notifies once
    reply = case_message_reply(case=case, text="Ya lo adjunté.", by=case.applicant)
    assert reply.public
    assert reply.kind == CaseEvent.Kind.MESSAGE_IN
    assert _emails()[-1] == official.email
    assert InboxItem.objects.count() == 1


def test_only_the_applicant_replies_on_their_case(service, official):
    case = case_made(service=service)
    with pytest.raises(PermissionDenied):
        case_message_reply(case=case, text="Hola", by=CitizenFactory())
    with pytest.raises(PermissionDenied):
        case_message_reply(case=case, text="Hola", by=official)


def test_correction_request_moves_the_case_and_only_the_asked_fields_change(service, official):
    case = case_made(service=service, status="en_revision")
    correction = case_correction_request(
        case=case, fields=["placa"], message="La placa no coincide.", by=official
    )
    case.refresh_from_db()
    assert case.status == "observado"
    assert correction.return_status == "en_revision"
    assert correction.fields == ["placa"]
    event = _events(case, CaseEvent.Kind.CORRECTION_REQUESTED)[0]
    assert event.public
    deadline = business_days_add(timezone.localdate(), 10)
    assert event.data["deadline"] == deadline.isoformat()
    item = InboxItem.objects.get(recipient=case.applicant)
    assert item.kind == "case.correction_requested"
    assert "La placa no coincide." in item.body
    assert date_long(deadline) in item.body
    assert item.link == f"/mis-tramites/{case.reference}/"

    case_correction_submit(
        case=case,
        answers={"placa": "XYZ-987", "tipo": "pasajeros"},
        by=case.applicant,
        idempotency_key="c-1",
    )
    case.refresh_from_db()
    assert case.status == "en_revision"
    assert case.answers["placa"] == "XYZ-987"
    assert case.answers["tipo"] == "carga"  # not asked for: unchanged
    correction.refresh_from_db()
    assert correction.resolved_at is not None
    event = _events(case, CaseEvent.Kind.CORRECTED)[0]
    assert event.data["changed"] == ["placa"]
    assert AuditEvent.objects.filter(action="case.corrected").count() == 1


def test_correction_request_twice_returns_the_pending_one(service, official):
    case = case_made(service=service)
    first = case_correction_request(case=case, fields=["placa"], message="Corrija.", by=official)
    again = case_correction_request(case=case, fields=["placa"], message="Corrija.", by=official)
    assert again.pk == first.pk
    assert CorrectionRequest.objects.count() == 1
    with pytest.raises(ValidationError):
        case_correction_request(case=case, fields=["tipo"], message="Otra.", by=official)


def test_correction_request_needs_fields_known_to_the_form_and_a_message(service, official):
    case = case_made(service=service)
    with pytest.raises(ValidationError) as caught:
        case_correction_request(case=case, fields=[], message="", by=official)
    assert "message" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        case_correction_request(case=case, fields=[], message="Corrija.", by=official)
    assert "fields" in caught.value.message_dict
    with pytest.raises(ValidationError):
        case_correction_request(case=case, fields=["inventado"], message="Corrija.", by=official)


def test_correction_request_on_an_ended_case_is_refused(service, official):
    case = case_made(service=service, status="denegado", ended=True)
    with pytest.raises(ValidationError):
        case_correction_request(case=case, fields=["placa"], message="Corrija.", by=official)


def test_correction_submit_with_the_same_key_is_applied_once(service, official):
    case = case_made(service=service)
    case_correction_request(case=case, fields=["placa"], message="Corrija.", by=official)
    case_correction_submit(case=case, answers={"placa": "XYZ-987"}, by=case.applicant,
                           idempotency_key="same")  # fmt: skip
    case_correction_submit(case=case, answers={"placa": "QQQ-111"}, by=case.applicant,
                           idempotency_key="same")  # fmt: skip
    case.refresh_from_db()
    assert case.answers["placa"] == "XYZ-987"
    assert len(_events(case, CaseEvent.Kind.CORRECTED)) == 1


def test_correction_submit_with_invalid_answers_keeps_the_case_waiting(service, official):
    case = case_made(service=service)
    case_correction_request(case=case, fields=["placa"], message="Corrija.", by=official)
    with pytest.raises(ValidationError) as caught:
        case_correction_submit(case=case, answers={"placa": "mal"}, by=case.applicant,
                               idempotency_key="k")  # fmt: skip
    assert "q-placa" in caught.value.message_dict
    case.refresh_from_db()
    assert case.status == "observado"
    assert case.answers["placa"] == "ABC-123"


def test_correction_submit_without_a_pending_request_or_by_someone_else_is_refused(
    service, official
):
    case = case_made(service=service)
    with pytest.raises(ValidationError):
        case_correction_submit(case=case, answers={}, by=case.applicant, idempotency_key="k")
    case_correction_request(case=case, fields=["placa"], message="Corrija.", by=official)
    with pytest.raises(PermissionDenied):
        case_correction_submit(case=case, answers={}, by=CitizenFactory(), idempotency_key="k")


def test_the_clock_stops_while_the_citizen_corrects(service, official):
    """Asked two weeks ago and corrected today: the deadline moves by the business days the
    case waited (ten, or fewer when a holiday fell in between)."""
    case = case_made(service=service)
    case.due_on = date(2026, 3, 27)
    case.save()
    correction = case_correction_request(
        case=case, fields=["placa"], message="Corrija.", by=official
    )
    asked = timezone.now() - timedelta(days=14)
    CorrectionRequest.objects.filter(pk=correction.pk).update(requested_at=asked)
    case_correction_submit(case=case, answers={"placa": "XYZ-987"}, by=case.applicant,
                           idempotency_key="k")  # fmt: skip
    case.refresh_from_db()
    waited = business_days_between(timezone.localdate(asked), timezone.localdate())
    assert 7 <= waited <= 10
    assert case.due_on == business_days_add(date(2026, 3, 27), waited)
    assert (
        CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CORRECTED).data["waited_days"]
        == waited
    )


def test_a_correction_answered_the_same_day_keeps_the_deadline(service, official):
    case = case_made(service=service)
    due = case.due_on
    case_correction_request(case=case, fields=["placa"], message="Corrija.", by=official)
    case_correction_submit(case=case, answers={"placa": "XYZ-987"}, by=case.applicant,
                           idempotency_key="k")  # fmt: skip
    case.refresh_from_db()
    assert case.due_on == due


def test_case_task_complete_is_repeat_safe(service, official):
    case = case_made(service=service)
    task = CaseTask.objects.get(case=case)
    done = case_task_complete(task=task, data={"comment": "ok"}, by=official)
    assert done.status == "APPROVED"
    assert done.completed_at is not None
    again = case_task_complete(task=task, data={"comment": "otra"}, by=official)
    assert again.data == {"comment": "ok"}
    assert len(_events(case, CaseEvent.Kind.TASK_COMPLETED)) == 1
    with pytest.raises(PermissionDenied):
        case_task_complete(task=task, data={}, by=officer(service_published().institution))


def test_submission_and_status_changes_reach_the_institutions_webhook(service, official):
    from ventanilla.cases.models import Webhook, WebhookDelivery
    from ventanilla.cases.services.submission import case_submit
    from ventanilla.cases.tests.factories import application_ready

    Webhook.objects.create(
        institution=service.institution, url="https://sistema.mtc.gob.pe/hook", secret="s" * 32
    )
    application = application_ready(service=service)
    case = case_submit(application=application, by=application.applicant, idempotency_key="w")
    case_transition(case=case, to_status="en_revision", by=official)
    case_transition(case=case, to_status="en_revision", by=official)  # repeated: no new event
    events = list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))
    assert events == ["case.submitted", "case.status_changed"]
