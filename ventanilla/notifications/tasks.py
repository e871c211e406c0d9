"""The notifications worker's tasks (django.tasks; `manage.py db_worker` in dev and prod)."""

import logging
from datetime import datetime

from django.tasks import task

from ventanilla.notifications.services import delivery

logger = logging.getLogger(__name__)


@task()
def notifications_deliver(*, channel: str) -> int:
    """Deliver the due messages of `channel` ("email" or "sms"); how many were handed over."""
    return delivery.deliver(channel=channel)


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
