"""Reads of the GovStack Messaging API: a key's requests and their counts per GovStack status.

GovStack names six statuses; a message's (GOV.UK Notify's) status maps onto them:
created → scheduled (deferred once a delivery attempt failed), sending → processing,
delivered → delivered, permanent-failure → bounced, temporary- or technical-failure → notSent.
Clients spell the last one notSent, "not sent" or not_sent: `status_canonical` reads all three.
"""

from django.db.models import Count, Q

from ventanilla.notifications.models import ApiKey, Message, SendRequest

STATUSES = ("scheduled", "processing", "deferred", "bounced", "notSent", "delivered")
_BY_FOLDED = {name.lower(): name for name in STATUSES}

_QUEUED = Q(status=Message.Status.QUEUED)
STATUS_FILTERS: dict[str, Q] = {
    "scheduled": _QUEUED & Q(attempts=0),
    "deferred": _QUEUED & Q(attempts__gt=0),
    "processing": Q(status=Message.Status.SENDING),
    "delivered": Q(status=Message.Status.DELIVERED),
    "bounced": Q(status=Message.Status.PERMANENT_FAILURE),
    "notSent": Q(status__in=[Message.Status.TEMPORARY_FAILURE, Message.Status.TECHNICAL_FAILURE]),
}


def status_canonical(name: str) -> str | None:
    """The GovStack status a client's spelling names ("not sent", "not_sent", "NotSent" →
    notSent), or None when it names none."""
    folded = "".join(name.split()).replace("_", "").replace("-", "").lower()
    return _BY_FOLDED.get(folded)


def govstack_request_for_key(*, api_key: ApiKey, uid: str) -> SendRequest | None:
    """The request `uid` of the key's sender (any of its keys may ask); None for another
    sender's request or an unknown one."""
    if not uid or len(uid) > 64:
        return None
    return SendRequest.objects.filter(uid=uid, sender_id=api_key.sender_id).first()


def govstack_request_counts(*, request: SendRequest) -> dict[str, int]:
    """How many of the request's messages are in each GovStack status (one query), plus the
    counts it was seeded with (the building block's example requests)."""
    counts = Message.objects.filter(request=request).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in STATUS_FILTERS.items()}
    )
    result = {name: int(counts.get(name) or 0) for name in STATUSES}
    for name, value in (request.seeded_counts or {}).items():
        canonical = status_canonical(str(name))
        if canonical is not None and isinstance(value, int):
            result[canonical] += value
    return result
