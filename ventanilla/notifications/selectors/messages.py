"""Reads of messages for the APIs and the back office (E, F, D).

Tenancy: a message belongs to a Sender (the API key's); every API read takes the sender and
never returns another sender's message.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet

from ventanilla.notifications.models import Message, Sender, SendRequest

# GOV.UK Notify's `status` filter: a status name, or `failed` for every failure.
FAILED_STATUSES = (
    Message.Status.TEMPORARY_FAILURE,
    Message.Status.PERMANENT_FAILURE,
    Message.Status.TECHNICAL_FAILURE,
)
NOTIFY_PAGE_SIZE = 250


def message_for_sender(*, sender: Sender, message_id: Any) -> Message | None:
    """The message `message_id` (a UUID or its text) if `sender` sent it, with its template
    (GOV.UK Notify's GET /v2/notifications/{id}); None when it does not exist, is another
    sender's, or the id is not a UUID. One query."""
    try:
        pk = uuid.UUID(str(message_id))
    except ValueError:
        return None
    return Message.objects.select_related("template").filter(pk=pk, sender=sender).first()


def messages_for_sender(
    *,
    sender: Sender,
    template_type: str = "",
    statuses: Iterable[str] = (),
    reference: str = "",
    older_than: Any = None,
    limit: int = NOTIFY_PAGE_SIZE,
) -> list[Message]:
    """`sender`'s messages, newest first, at most `limit` (GOV.UK Notify's GET
    /v2/notifications): `template_type` "email"/"sms" (blank: both); `statuses` Notify's names,
    where `failed` means every failure (empty: all); `reference` exact; `older_than` a message
    id: only messages created before that one (an id that is not the sender's gives []). With
    their template, one query (two with `older_than`)."""
    query = _filtered(
        Message.objects.filter(sender=sender),
        channel=template_type,
        statuses=statuses,
        reference=reference,
    )
    if older_than:
        anchor = message_for_sender(sender=sender, message_id=older_than)
        if anchor is None:
            return []
        query = query.filter(created_at__lt=anchor.created_at) | query.filter(
            created_at=anchor.created_at, pk__lt=anchor.pk
        )
    return list(query.select_related("template").order_by("-created_at", "-pk")[:limit])


def messages_filtered(
    *,
    institution_id: int | None,
    channel: str = "",
    statuses: Iterable[str] = (),
    reference: str = "",
) -> QuerySet[Message]:
    """An institution's messages (None: every institution's, for a platform admin; the caller
    checks the permission) with the back office's filters, newest first, unevaluated so the
    caller paginates. `statuses` as in messages_for_sender."""
    query = Message.objects.all()
    if institution_id is not None:
        query = query.filter(institution_id=institution_id)
    return _filtered(query, channel=channel, statuses=statuses, reference=reference).order_by(
        "-created_at", "-pk"
    )


def _filtered(
    query: QuerySet[Message], *, channel: str, statuses: Iterable[str], reference: str
) -> QuerySet[Message]:
    if channel:
        query = query.filter(channel=channel)
    wanted: set[str] = set()
    for status in statuses:
        wanted.update(FAILED_STATUSES if status == "failed" else (status,))
    if wanted:
        query = query.filter(status__in=wanted)
    if reference:
        query = query.filter(reference=reference)
    return query


def request_status_counts(*, request: SendRequest) -> dict[str, int]:
    """How many of a GovStack SendRequest's messages are in each status, keyed by our status
    names (Message.Status values) plus `deferred`: messages back in the queue after a failed
    attempt (status created, attempts > 0) are counted there and not under `created`. A
    seeded request (`seeded_counts`) has no messages: its counts are returned as stored.
    One query."""
    if request.seeded_counts is not None:
        return dict(request.seeded_counts)
    counts: dict[str, int] = dict.fromkeys(Message.Status.values, 0)
    counts["deferred"] = 0
    rows = (
        Message.objects.filter(request=request)
        .values_list("status", "attempts")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for status, attempts, n in rows:
        key = "deferred" if status == Message.Status.QUEUED and attempts > 0 else status
        counts[key] = counts.get(key, 0) + n
    return counts
