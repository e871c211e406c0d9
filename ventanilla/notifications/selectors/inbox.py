"""Reads of the casilla electrónica, with their rules: a citizen sees only their own items; an
official sees the items of the institutions whose cases they handle; the public check by code
shows times and hash, never content."""

import uuid
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.notifications.models import InboxAttachment, InboxItem, Message
from ventanilla.notifications.permissions import (
    can_read_inbox_for_institution,
    inbox_institution_ids,
)
from ventanilla.notifications.services.inbox import (
    UNREAD_ATTR,
    inbox_code_is_wellformed,
    inbox_code_normalise,
    inbox_content_hash,
)

PER_PAGE = 20


class _CountedPaginator(Paginator):
    """A paginator told its count (the list's aggregate already has it: one query fewer)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


def _citizen_id(user: Any) -> int | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return int(user.pk)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def inbox_for_citizen(*, user: Any, page: int = 1) -> Page:
    """One page (20, newest first) of `user`'s casilla, institution joined, texts not read.
    Two queries: one aggregate (total and unread; the unread count is kept for the header)
    and the page's rows. A page past the end gives the last one."""
    citizen_id = _citizen_id(user)
    if citizen_id is None:
        return _CountedPaginator(InboxItem.objects.none(), PER_PAGE, count=0).page(1)
    mine = InboxItem.objects.filter(recipient_id=citizen_id)
    totals = mine.aggregate(
        total=Count("pk"), unread=Count("pk", filter=Q(first_opened_at__isnull=True))
    )
    setattr(user, UNREAD_ATTR, totals["unread"])
    rows = mine.select_related("institution").defer("body").order_by("-deposited_at", "-pk")
    paginator = _CountedPaginator(rows, PER_PAGE, count=totals["total"])
    number = min(max(int(page), 1), paginator.num_pages)
    return paginator.page(number)


def inbox_item_for_citizen(*, user: Any, item_id: Any) -> InboxItem | None:
    """`user`'s own item with its institution, the item it corrects, its corrections and its
    attachments; None for anyone else's item (the caller answers 404)."""
    citizen_id = _citizen_id(user)
    pk = _uuid(item_id)
    if citizen_id is None or pk is None:
        return None
    return (
        InboxItem.objects.filter(pk=pk, recipient_id=citizen_id)
        .select_related("institution", "corrects")
        .prefetch_related(
            "attachments",
            Prefetch(
                "corrections",
                queryset=InboxItem.objects.only("id", "deposited_at", "corrects_id").order_by(
                    "deposited_at"
                ),
            ),
        )
        .first()
    )


def inbox_unread_count(*, user: Any) -> int:
    """How many of `user`'s items were never opened (0 for anyone who is not a citizen, with
    no query). Kept on the user object: one query per request however often it is asked."""
    cached = getattr(user, UNREAD_ATTR, None)
    if cached is not None:
        return int(cached)
    citizen_id = _citizen_id(user)
    if citizen_id is None or not getattr(user, "document_number", ""):
        return 0
    count = InboxItem.objects.filter(recipient_id=citizen_id, first_opened_at__isnull=True).count()
    setattr(user, UNREAD_ATTR, count)
    return count


def _official_items(user: Any) -> QuerySet[InboxItem]:
    items = InboxItem.objects.all()
    if is_platform_admin(user):
        return items
    return items.filter(institution_id__in=sorted(inbox_institution_ids(user)))


def inbox_items_for_case(*, user: Any, institution_id: int, reference: str) -> list[InboxItem]:
    """The items `institution_id` deposited about the case `reference`, oldest first, each
    with its attachments and its e-mails/SMS (`messages`: channel, status, status reason)
    prefetched — three queries. [] for a user who does not handle that institution's cases."""
    if not reference or not can_read_inbox_for_institution(user, institution_id):
        return []
    return list(
        InboxItem.objects.filter(institution_id=institution_id, reference=reference)
        .defer("body")
        .order_by("deposited_at", "pk")
        .prefetch_related(
            "attachments",
            Prefetch(
                "messages",
                queryset=Message.objects.only(
                    "id",
                    "inbox_item_id",
                    "channel",
                    "recipient",
                    "status",
                    "status_reason",
                    "created_at",
                    "sent_at",
                    "completed_at",
                ).order_by("created_at"),
            ),
        )
    )


def inbox_item_for_official(*, user: Any, item_id: Any) -> InboxItem | None:
    """An item of an institution whose cases `user` handles (any item for a platform
    administrator), with its institution and attachments; None otherwise."""
    pk = _uuid(item_id)
    if pk is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        _official_items(user)
        .filter(pk=pk)
        .select_related("institution")
        .prefetch_related("attachments")
        .first()
    )


def inbox_attachment_of(*, item: InboxItem, attachment_id: Any) -> InboxAttachment | None:
    """The attachment `attachment_id` of `item` (from the prefetched list), or None."""
    try:
        wanted = int(attachment_id)
    except (TypeError, ValueError):
        return None
    return next((a for a in item.attachments.all() if a.pk == wanted), None)


def inbox_item_by_code(*, code: str) -> InboxItem | None:
    """The item a constancia's code names (any spelling a reader may type), institution
    joined and attachments prefetched; None for a code nobody was given."""
    canonical = inbox_code_normalise(code)
    if not inbox_code_is_wellformed(canonical):
        return None
    return (
        InboxItem.objects.filter(code=canonical)
        .select_related("institution")
        .prefetch_related("attachments")
        .first()
    )


def inbox_item_intact(*, item: InboxItem) -> bool:
    """Does the item's content still hash to the SHA-256 recorded at deposit? (Attachments
    must be prefetched or are read once.)"""
    return inbox_content_hash(item=item, attachments=list(item.attachments.all())) == (
        item.content_sha256
    )
