"""Webhooks to an institution's own system: signed deliveries after the commit, retries with
back-off, giving up, and the back-office admin. The receiver is the fake, in its own process."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import OfficialFactory, PlatformAdminFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.cases.models import Webhook, WebhookDelivery
from ventanilla.cases.services.webhooks import (
    BACKOFF,
    MAX_ATTEMPTS,
    webhook_create,
    webhook_event,
    webhook_update,
    webhooks_for_user,
    webhooks_retry,
)
from ventanilla.cases.tests.docs_factories import case_made, service_made
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.integrations.institution_webhook import testing as receiver_testing
from ventanilla.integrations.institution_webhook.client import signature_verify
from ventanilla.integrations.institution_webhook.testing import FakeReceiverProcess

# The fake receiver, in its own process (fixtures shared through this module).
webhook_receiver_process = receiver_testing.webhook_receiver_process
webhook_receiver = receiver_testing.webhook_receiver

pytestmark = pytest.mark.django_db


def hook_for(case, receiver: FakeReceiverProcess, **fields) -> Webhook:
    values = {"institution_id": case.institution_id, "url": f"{receiver.url}/hooks/ventanilla"}
    values.update(fields)
    return Webhook.objects.create(secret=receiver.secret, **values)


def test_a_submission_is_delivered_signed_and_the_receiver_verifies_it(
    webhook_receiver, django_capture_on_commit_callbacks
):
    case = case_made(status="recibido")
    hook_for(case, webhook_receiver)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_event(case=case, event="case.submitted")

    delivery = WebhookDelivery.objects.get()
    assert delivery.delivered_at is not None
    assert delivery.attempts == 1
    assert delivery.last_status == 200
    [received] = webhook_receiver.deliveries()
    assert received["signature_ok"] is True
    assert received["event"] == "case.submitted"
    assert received["delivery"] == str(delivery.event_id)
    assert received["path"] == "/hooks/ventanilla"
    body = received["body"]
    assert body["event_id"] == str(delivery.event_id)
    assert body["event"] == "case.submitted"
    assert body["case"]["reference"] == case.reference
    assert body["case"]["file_id"] == case.file_id
    assert body["case"]["status"] == "recibido"
    assert body["case"]["status_label"] == "Recibido"
    assert body["case"]["applicant_document"] == "45678912"
    assert body["case"]["service"]["slug"] == case.service.slug
    assert body["case"]["due_on"] == case.due_on.isoformat()


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(
    webhook_receiver, django_capture_on_commit_callbacks
):
    case = case_made()
    hook = hook_for(case, webhook_receiver)
    Webhook.objects.filter(pk=hook.pk).update(secret="otro-secreto")

    with django_capture_on_commit_callbacks(execute=True):
        webhook_event(case=case, event="case.status_changed")

    delivery = WebhookDelivery.objects.get()
    assert delivery.delivered_at is None
    assert delivery.last_status == 401
    assert webhook_receiver.deliveries()[0]["signature_ok"] is False


def test_a_failed_delivery_is_retried_after_the_backoff_and_then_succeeds(
    webhook_receiver, django_capture_on_commit_callbacks
):
    case = case_made()
    hook_for(case, webhook_receiver)
    webhook_receiver.fail_next(1)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_event(case=case, event="case.status_changed")

    delivery = WebhookDelivery.objects.get()
    assert delivery.delivered_at is None
    assert delivery.attempts == 1
    assert delivery.last_status == 500
    assert delivery.next_attempt_at > timezone.now() + BACKOFF[0] - timedelta(seconds=30)

    # Not due yet: nothing is sent.
    assert webhooks_retry()["delivered"] == 0
    assert len(webhook_receiver.deliveries()) == 1

    assert webhooks_retry(now=timezone.now() + BACKOFF[0] + timedelta(seconds=1)) == {
        "delivered": 1,
        "retry": 0,
        "failed": 0,
        "skipped": 0,
    }
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert delivery.attempts == 2
    first, second = webhook_receiver.deliveries()
    assert (first["status"], second["status"]) == (500, 200)
    # One event, the same id and body on every attempt: receivers can drop repeats.
    assert first["delivery"] == second["delivery"]
    assert first["body"] == second["body"]


def test_a_delivery_is_given_up_after_six_attempts(
    webhook_receiver, django_capture_on_commit_callbacks
):
    case = case_made()
    hook_for(case, webhook_receiver)
    webhook_receiver.fail_next(100)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_event(case=case, event="case.status_changed")
    moment = timezone.now()
    for wait in BACKOFF:
        moment += wait + timedelta(seconds=1)
        webhooks_retry(now=moment)

    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == MAX_ATTEMPTS == 6
    assert delivery.failed_at is not None
    assert delivery.delivered_at is None
    assert delivery.next_attempt_at is None
    assert len(webhook_receiver.deliveries()) == 6
    assert AuditEvent.objects.filter(action="webhook.delivery_failed").count() == 1
    # Given up means given up.
    assert webhooks_retry(now=moment + timedelta(days=7))["failed"] == 0
    assert len(webhook_receiver.deliveries()) == 6


def test_the_retry_command_delivers_what_is_due(webhook_receiver):
    case = case_made()
    hook = hook_for(case, webhook_receiver)
    # Written but never queued (the queue was down): the command finds it due.
    WebhookDelivery.objects.create(
        webhook=hook, event="case.submitted", payload={"x": 1}, next_attempt_at=timezone.now()
    )
    call_command("webhooks_retry", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert WebhookDelivery.objects.get().delivered_at is not None
    assert webhook_receiver.deliveries()[0]["signature_ok"] is True


def test_nothing_is_sent_when_the_transaction_rolls_back(
    webhook_receiver, django_capture_on_commit_callbacks
):
    case = case_made()
    hook_for(case, webhook_receiver)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                webhook_event(case=case, event="case.status_changed")
                raise RuntimeError("the status change failed")
        except RuntimeError:
            pass

    assert callbacks == []
    assert not WebhookDelivery.objects.exists()
    assert webhook_receiver.deliveries() == []


def test_only_active_webhooks_of_the_institution_and_service_are_told():
    case = case_made()
    other_service = service_made(institution=case.institution)
    wide = Webhook.objects.create(institution=case.institution, url="http://a.test/", secret="s")
    mine = Webhook.objects.create(
        institution=case.institution, service=case.service, url="http://b.test/", secret="s"
    )
    Webhook.objects.create(
        institution=case.institution, service=other_service, url="http://c.test/", secret="s"
    )
    Webhook.objects.create(
        institution=case.institution, url="http://d.test/", secret="s", active=False
    )
    Webhook.objects.create(institution=InstitutionFactory(), url="http://e.test/", secret="s")

    webhook_event(case=case, event="case.submitted")

    told = set(WebhookDelivery.objects.values_list("webhook_id", flat=True))
    assert told == {wide.pk, mine.pk}


def test_signature_verification_refuses_altered_bodies_and_old_timestamps():
    from ventanilla.integrations.institution_webhook.client import signature

    body = json.dumps({"a": 1}).encode()
    header = signature(secret="k", body=body, timestamp=1_700_000_000)
    assert signature_verify(secret="k", body=body, header=header, now=1_700_000_010)
    assert not signature_verify(secret="k", body=body + b" ", header=header, now=1_700_000_010)
    assert not signature_verify(secret="x", body=body, header=header, now=1_700_000_010)
    assert not signature_verify(secret="k", body=body, header=header, now=1_700_001_000)
    assert not signature_verify(secret="k", body=body, header="garbage", now=1_700_000_010)


# --- Configuring ---------------------------------------------------------------------------------


def test_an_institution_admin_creates_a_webhook_with_a_generated_secret_audited():
    institution = InstitutionFactory()
    admin = OfficialFactory(institution=institution, role=Role.INSTITUTION_ADMIN)

    hook, secret = webhook_create(institution=institution, url="https://sistema.gob.pe/h", by=admin)

    assert len(secret) >= 40
    assert hook.secret == secret
    assert AuditEvent.objects.filter(action="webhook.created", target_id=str(hook.pk)).exists()
    _, rotated = webhook_update(webhook=hook, by=admin, changes={}, secret_rotate=True)
    assert rotated
    assert rotated != secret


def test_officials_of_other_institutions_or_other_roles_cannot_configure_webhooks():
    institution = InstitutionFactory()
    stranger = OfficialFactory(institution=InstitutionFactory(), role=Role.INSTITUTION_ADMIN)
    officer = OfficialFactory(institution=institution, role=Role.CASE_OFFICER)
    for user in (stranger, officer):
        with pytest.raises(PermissionDenied):
            webhook_create(institution=institution, url="https://x.gob.pe/", by=user)
    Webhook.objects.create(institution=institution, url="https://x.gob.pe/", secret="s")
    assert not webhooks_for_user(user=stranger).exists()


def test_the_webhook_admin_shows_an_institution_admin_only_their_webhooks(client):
    mine, theirs = InstitutionFactory(), InstitutionFactory()
    admin = OfficialFactory(institution=mine, role=Role.INSTITUTION_ADMIN)
    Webhook.objects.create(institution=mine, url="https://mio.gob.pe/h", secret="s")
    Webhook.objects.create(institution=theirs, url="https://ajeno.gob.pe/h", secret="s")
    client.force_login(admin)

    response = client.get("/gestion/cases/webhook/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "mio.gob.pe" in body
    assert "ajeno.gob.pe" not in body


def test_the_webhook_admin_generates_the_secret_and_shows_it_once(client):
    institution = InstitutionFactory()
    client.force_login(PlatformAdminFactory())

    response = client.post(
        "/gestion/cases/webhook/add/",
        {"institution": institution.pk, "url": "https://sistema.gob.pe/h", "active": "on"},
        follow=True,
    )

    assert response.status_code == 200
    hook = Webhook.objects.get()
    assert len(hook.secret) >= 40
    assert hook.secret in response.content.decode()
    change = client.get(f"/gestion/cases/webhook/{hook.pk}/change/")
    assert change.status_code == 200
    assert hook.secret not in change.content.decode()
