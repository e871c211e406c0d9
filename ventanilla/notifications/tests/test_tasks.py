"""The worker's task: a run stops after RUN_BATCHES batches and queues its continuation, so a
burst on one channel does not hold every worker while the other channel waits."""

import pytest

from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications import tasks
from ventanilla.notifications.models import Message
from ventanilla.notifications.services.messages import messages_create_many

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_long_run_hands_over_its_share_and_queues_the_rest_behind_waiting_tasks(
    sms_gateway, settings
):
    settings.NOTIFICATIONS_SMS_URL = sms_gateway.url
    settings.NOTIFICATIONS_SMS_API_KEY = sms_gateway.api_key
    settings.NOTIFICATIONS_BATCH_SIZE = 2
    # A backend that can defer, like the database one, but keeps what is queued in memory.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    institution = InstitutionFactory()
    share = tasks.RUN_BATCHES * 2
    messages_create_many(
        items=[
            {"channel": "sms", "recipient": "987654321", "institution": institution, "body": "Hola"}
            for _n in range(share + 3)
        ]
    )
    backend = tasks.notifications_deliver.get_backend()
    backend.clear()  # the queueing after the commit: this test runs the task itself

    handed = tasks.notifications_deliver.call(channel="sms")

    assert handed == share
    assert Message.objects.filter(status=Message.Status.QUEUED).count() == 3
    # Queued now (the check after the batches' lease is queued for later, with run_after).
    continuation = [r for r in backend.results if r.task.run_after is None]
    assert [r.kwargs for r in continuation] == [{"channel": "sms"}]
    assert tasks.notifications_deliver.call(channel="sms") == 3
    assert Message.objects.filter(status=Message.Status.QUEUED).count() == 0


def test_a_message_whose_provider_never_reports_ends_as_a_temporary_failure(settings):
    from datetime import timedelta

    from django.utils import timezone

    from ventanilla.notifications.services import delivery

    institution = InstitutionFactory()
    old, recent = messages_create_many(
        items=[
            {"channel": "sms", "recipient": "987654321", "institution": institution, "body": "Hola"}
            for _n in range(2)
        ]
    )
    now = timezone.now()
    given_up = now - timedelta(seconds=settings.NOTIFICATIONS_GIVE_UP_SECONDS + 60)
    Message.objects.filter(pk=old.pk).update(status=Message.Status.SENDING, sent_at=given_up)
    Message.objects.filter(pk=recent.pk).update(status=Message.Status.SENDING, sent_at=now)

    assert delivery.reports_overdue_end(channel="sms") == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == Message.Status.TEMPORARY_FAILURE
    assert old.status_reason == "El proveedor no confirmó la entrega."
    assert old.events.filter(status="temporary-failure").count() == 1
    assert recent.status == Message.Status.SENDING
