"""The notifications worker's tasks (django.tasks; `manage.py db_worker` in dev and prod)."""

import logging
from datetime import datetime

from django.tasks import task

from ventanilla.notifications.services import delivery

logger = logging.getLogger(__name__)


# A run hands over at most this many batches, then queues its own continuation behind the
# tasks already waiting: a burst on one channel no longer holds every worker while the other
# channel's messages (a phone-confirmation code, say) wait for the whole burst.
RUN_BATCHES = 5


@task()
def notifications_deliver(*, channel: str) -> int:
    """Deliver the due messages of `channel` ("email" or "sms"); how many were handed over."""
    if not notifications_deliver.get_backend().supports_defer:
        return delivery.deliver(channel=channel)  # the tests' ImmediateBackend: all at once
    handed = delivery.deliver(channel=channel, max_batches=RUN_BATCHES)
    if delivery.due_exists(channel=channel):
        try:
            notifications_deliver.enqueue(channel=channel)
        except Exception:
            logger.exception("%s delivery continuation not queued", channel)
    return handed


def later(*, channel: str, at: datetime) -> None:
    """Queue a delivery run for `at` (a retry, or the check after a batch's lease). A backend
    that cannot defer (the tests' ImmediateBackend) gets none: its callers run deliveries
    themselves. A queue that is down is logged: the next run finds the messages due."""
    try:
        backend = notifications_deliver.get_backend()
        if not backend.supports_defer:
            return
        notifications_deliver.using(run_after=at).enqueue(channel=channel)
    except Exception:
        logger.exception("deferred %s delivery run not queued", channel)
