"""Reads of the notifications back office, each limited to the institutions the user manages
(platform administrators: every one). Another institution's row is simply not found."""

import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.core.pagination import PageOf
from ventanilla.institutions.models import Institution
from ventanilla.notifications.backoffice.common import managed_institution_ids
from ventanilla.notifications.events import EVENTS
from ventanilla.notifications.models import ApiKey, Channel, Message, Sender, Template

MESSAGES_PER_PAGE = 50
# Past this many rows the list says "más de 10 000": counting more costs more than the page.
MESSAGES_COUNT_CAP = 10_000
FAILED = "failed"
FAILED_STATUSES = (
    Message.Status.TEMPORARY_FAILURE,
    Message.Status.PERMANENT_FAILURE,
    Message.Status.TECHNICAL_FAILURE,
)


def _scoped(user: Any, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
    if is_platform_admin(user):
        return queryset
    return queryset.filter(**{f"{field}__in": managed_institution_ids(user)})


# --- templates ---------------------------------------------------------------------------------


def templates_for_manager(
    *, user: Any, institution: Institution | None, archived: bool = False
) -> list[Template]:
    """The templates `user` manages (of `institution` when given), live or archived, by
    institution, channel and name (one query)."""
    templates = _scoped(
        user, Template.objects.select_related("institution"), "institution_id"
    ).filter(archived_at__isnull=not archived)
    if institution is not None:
        templates = templates.filter(institution=institution)
    return list(templates.order_by("institution__name", "channel", "name")[:500])


def template_for_manager(*, user: Any, pk: uuid.UUID) -> Template | None:
    return (
        _scoped(user, Template.objects.select_related("institution"), "institution_id")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class Coverage:
    event: str
    label: str
    channel: str
    channel_label: str
    template: Template | None


def event_coverage(*, templates: list[Template]) -> list[Coverage]:
    """For one institution's live templates: each case notice on each channel, and the
    template that words it (None: the platform's wording is used)."""
    live = {(t.event, t.channel): t for t in templates if t.event and t.archived_at is None}
    return [
        Coverage(code, str(event.label), channel, str(label), live.get((code, channel)))
        for code, event in EVENTS.items()
        for channel, label in Channel.choices
    ]


# --- API keys ----------------------------------------------------------------------------------


def keys_for_manager(*, user: Any, institution: Institution) -> list[ApiKey]:
    """The API keys of `institution`'s senders, live first, newest first."""
    if not (is_platform_admin(user) or institution.pk in managed_institution_ids(user)):
        return []
    return list(
        ApiKey.objects.select_related("sender", "created_by")
        .filter(sender__institution=institution)
        .order_by("revoked_at", "-created_at")
        .defer("secret")[:500]
    )


def key_for_manager(*, user: Any, pk: uuid.UUID) -> ApiKey | None:
    return (
        _scoped(
            user, ApiKey.objects.select_related("sender__institution"), "sender__institution_id"
        )
        .filter(pk=pk)
        .first()
    )


def senders_of(*, institution: Institution) -> list[Sender]:
    return list(Sender.objects.filter(institution=institution).order_by("created_at"))


# --- sent messages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageFilters:
    institution: int | None = None
    channel: str = ""
    status: str = ""
    reference: str = ""


class CappedPaginator(Paginator[Any]):
    """A paginator whose count stops at MESSAGES_COUNT_CAP + 1 (LIMIT inside the COUNT)."""

    @cached_property
    def count(self) -> int:
        return int(self.object_list[: MESSAGES_COUNT_CAP + 1].count())  # type: ignore[attr-defined]


def messages_for_manager(*, user: Any, filters: MessageFilters) -> QuerySet[Message]:
    """The e-mails and SMS of the institutions `user` manages, newest first, filtered."""
    found = _scoped(user, Message.objects.all(), "institution_id")
    if filters.institution is not None:
        found = found.filter(institution_id=filters.institution)
    if filters.channel:
        found = found.filter(channel=filters.channel)
    if filters.status == FAILED:
        found = found.filter(status__in=FAILED_STATUSES)
    elif filters.status:
        found = found.filter(status=filters.status)
    if filters.reference:
        found = found.filter(reference=filters.reference)
    return (
        found.select_related("template", "institution")
        .defer("body", "html", "copies")
        .order_by("-created_at", "-pk")
    )


def messages_page(*, messages: QuerySet[Message], page: str | None) -> PageOf:
    """One page of 50; a page that is not a number or past the end gives the nearest."""
    paginator = CappedPaginator(messages, MESSAGES_PER_PAGE)
    try:
        number = int(page or "1")
    except ValueError:
        number = 1
    last = max(paginator.num_pages, 1)
    out_of_range = number < 1 or number > last
    return PageOf(paginator.get_page(min(max(number, 1), last)), paginator, out_of_range)


def message_for_manager(*, user: Any, pk: uuid.UUID) -> Message | None:
    """One message with its delivery events, if `user` manages its institution."""
    return (
        _scoped(
            user,
            Message.objects.select_related("template", "institution", "api_key", "sender"),
            "institution_id",
        )
        .prefetch_related("events")
        .filter(pk=pk)
        .first()
    )
