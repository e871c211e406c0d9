"""Submitting an application makes exactly one case, with its reference, deadline, task,
timeline, audit row, files and notices."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from ventanilla.accounts.tests.factories import CitizenFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.cases.models import Case, CaseEvent, CaseTask, ReferenceCounter
from ventanilla.cases.services.deadlines import business_days_add
from ventanilla.cases.services.references import reference_next
from ventanilla.cases.services.submission import case_create_external, case_submit
from ventanilla.cases.tests.factories import (
    ANSWERS,
    application_ready,
    file_uploaded,
    service_published,
)
from ventanilla.notifications.models import InboxItem, Message

pytestmark = pytest.mark.django_db


def test_reference_numbers_count_up_per_prefix_and_year():
    assert reference_next(prefix="MTC", year=2026) == "MTC-2026-000001"
    assert reference_next(prefix="MTC", year=2026) == "MTC-2026-000002"
    assert reference_next(prefix="MML", year=2026) == "MML-2026-000001"
    assert reference_next(prefix="MTC", year=2027) == "MTC-2027-000001"


def test_reference_number_of_a_rolled_back_case_is_given_again():
    from django.db import transaction

    def numbered_then_failed() -> None:
        with transaction.atomic():
            reference_next(prefix="MTC", year=2026)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        numbered_then_failed()
    assert reference_next(prefix="MTC", year=2026) == "MTC-2026-000001"


def test_case_submit_creates_the_case_with_reference_deadline_task_and_timeline():
    service = service_published(prefix="MTC")
    application = application_ready(service=service)
    citizen = application.applicant
    case = case_submit(application=application, by=citizen, idempotency_key="k-1")

    year = timezone.localdate().year
    assert case.reference == f"MTC-{year}-000001"
    assert case.status == "recibido"
    assert case.answers == ANSWERS
    assert case.applicant == citizen
    assert case.applicant_document == citizen.document_number
    assert case.institution_id == service.institution_id
    assert case.due_on == business_days_add(timezone.localdate(), 10)
    application.refresh_from_db()
    assert application.case == case
    assert application.submitted_at is not None
    assert CaseTask.objects.filter(case=case, status="PENDING").count() == 1
    event = CaseEvent.objects.get(case=case)
    assert event.kind == CaseEvent.Kind.SUBMITTED
    assert event.public
    assert AuditEvent.objects.filter(action="case.submitted", target_id=str(case.pk)).exists()
    item = InboxItem.objects.get(recipient=citizen)
    assert item.kind == "case.submitted"
    assert item.subject == f"Recibimos tu solicitud {case.reference}"
    assert item.reference == case.reference
    sent = {m.recipient: m for m in Message.objects.all()}
    assert set(sent) == {citizen.email, "mesa@mtc.gob.pe"}
    assert sent[citizen.email].subject == f"Recibimos tu solicitud {case.reference}"
    assert sent[citizen.email].inbox_item == item
    assert sent["mesa@mtc.gob.pe"].subject == f"Nueva solicitud {case.reference}"
    assert sent["mesa@mtc.gob.pe"].inbox_item is None


def test_case_submit_twice_with_the_same_key_returns_the_same_case():
    service = service_published()
    application = application_ready(service=service)
    first = case_submit(application=application, by=application.applicant, idempotency_key="k")
    again = case_submit(application=application, by=application.applicant, idempotency_key="k")
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert ReferenceCounter.objects.get().last == 1


def test_case_submit_of_an_already_submitted_application_returns_its_case_whatever_the_key():
    service = service_published()
    application = application_ready(service=service)
    first = case_submit(application=application, by=application.applicant, idempotency_key="a")
    again = case_submit(application=application, by=application.applicant, idempotency_key="b")
    assert again.pk == first.pk
    assert Case.objects.count() == 1


def test_case_submit_by_someone_else_is_refused():
    service = service_published()
    application = application_ready(service=service)
    with pytest.raises(PermissionDenied):
        case_submit(application=application, by=CitizenFactory(), idempotency_key="k")
    assert Case.objects.count() == 0


def test_case_submit_with_invalid_answers_says_which_field_and_creates_nothing():
    service = service_published()
    application = application_ready(service=service, answers={"placa": "ABC-123"})
    with pytest.raises(ValidationError) as caught:
        case_submit(application=application, by=application.applicant, idempotency_key="k")
    assert "q-tipo" in caught.value.message_dict
    assert Case.objects.count() == 0
    assert ReferenceCounter.objects.filter(last__gt=0).count() == 0


def test_case_submit_moves_the_named_files_onto_the_case():
    service = service_published()
    application = application_ready(service=service)
    kept = file_uploaded(application=application)
    stray = file_uploaded(application=application)
    application.answers = {**ANSWERS, "sustento": [str(kept.public_id)]}
    application.save()
    case = case_submit(application=application, by=application.applicant, idempotency_key="k")
    kept.refresh_from_db()
    stray.refresh_from_db()
    assert kept.case == case
    assert stray.case is None


def test_case_create_external_repeats_safely_with_its_key():
    service = service_published()
    first = case_create_external(
        service=service,
        applicant_ref="45678912",
        applicant_name="Ana Quispe",
        answers=dict(ANSWERS),
        idempotency_key="ext-1",
        external={"source": "govstack"},
    )
    again = case_create_external(
        service=service,
        applicant_ref="45678912",
        applicant_name="Ana Quispe",
        answers=dict(ANSWERS),
        idempotency_key="ext-1",
    )
    assert again.pk == first.pk
    assert first.applicant is None
    assert first.applicant_document == "45678912"
    assert first.external == {"source": "govstack"}


def test_case_create_external_checks_the_answers():
    service = service_published()
    with pytest.raises(ValidationError):
        case_create_external(
            service=service, applicant_ref="x", applicant_name="X", answers={"placa": "??"}
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_application_make_one_case_and_gap_free_references():
    """Two threads (two connections) submit the same application, and others submit their
    own: one case for the shared application, references 1..n without gaps or repeats."""
    service = service_published(prefix="CON")
    shared = application_ready(service=service)
    others = [application_ready(service=service) for _ in range(4)]
    results: list[object] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def submit(application, key):
        try:
            barrier.wait()
            results.append(
                case_submit(application=application, by=application.applicant, idempotency_key=key)
            )
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit, args=(shared, f"shared-{i}")) for i in range(2)]
    threads += [threading.Thread(target=submit, args=(a, f"own-{a.pk}")) for a in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Case.objects.count() == 5
    shared_cases = {c.pk for c in results if c.applicant_id == shared.applicant_id}
    assert len(shared_cases) == 1
    year = timezone.localdate().year
    references = sorted(Case.objects.values_list("reference", flat=True))
    assert references == [f"CON-{year}-{n:06d}" for n in range(1, 6)]
