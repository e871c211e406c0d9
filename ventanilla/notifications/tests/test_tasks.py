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
