"""What a Notify key may read: its institution's e-mail and SMS templates, and the messages
sent with its sender's Notify keys (a test key lists only test messages, a live key none of
them, as in Notify). Another institution's rows are "not found"."""

import uuid

from django.db.models import Q, QuerySet

from ventanilla.notifications.models import ApiKey, Channel, Message, Template, TemplateVersion

API_CHANNELS = (Channel.EMAIL, Channel.SMS)
PAGE_SIZE = 250


def template_for_key(*, key: ApiKey, template_id: uuid.UUID) -> Template | None:
    """The template (archived too: a sent message may name it) of the key's institution."""
    return (
        Template.objects.select_related("created_by", "updated_by")
        .filter(
            pk=template_id,
            institution_id=key.sender.institution_id,
            channel__in=API_CHANNELS,
        )
        .first()
    )


def template_version_for_key(
    *, key: ApiKey, template_id: uuid.UUID, version: int
) -> tuple[Template, TemplateVersion | None] | None:
    """The template and the row of its `version` (None for the current version when no row
    was kept); None when the template or version does not exist."""
    template = template_for_key(key=key, template_id=template_id)
    if template is None:
        return None
    row = (
        TemplateVersion.objects.select_related("created_by")
        .filter(template=template, version=version)
        .first()
    )
    if row is None and version != template.version:
        return None
    return template, row


def templates_for_key(*, key: ApiKey, template_type: str | None) -> list[Template]:
    """The live (not archived) templates of the key's institution, newest first."""
    channels = [template_type] if template_type else list(API_CHANNELS)
    return list(
        Template.objects.select_related("created_by", "updated_by")
        .filter(
            institution_id=key.sender.institution_id,
            channel__in=channels,
            archived_at__isnull=True,
        )
        .order_by("-created_at", "-pk")
    )


def _messages(key: ApiKey) -> QuerySet[Message]:
    return Message.objects.filter(
        sender_id=key.sender_id, api_key__protocol=ApiKey.Protocol.NOTIFY
    ).select_related("created_by")


def message_for_key(*, key: ApiKey, message_id: uuid.UUID) -> Message | None:
    """One message sent with a Notify key of the key's sender (test or live)."""
    return _messages(key).filter(pk=message_id).first()


def messages_for_key(
    *,
    key: ApiKey,
    channels: list[str],
    statuses: list[str],
    reference: str | None,
    older_than: uuid.UUID | None,
) -> list[Message]:
    """A page (PAGE_SIZE) of the sender's messages, newest first, older than the message
    `older_than` (an unknown one: an empty page)."""
    rows = _messages(key)
    if key.kind == ApiKey.Kind.TEST:
        rows = rows.filter(key_kind=ApiKey.Kind.TEST)
    else:
        rows = rows.exclude(key_kind=ApiKey.Kind.TEST)
    if channels:
        rows = rows.filter(channel__in=channels)
    if statuses:
        rows = rows.filter(status__in=statuses)
    if reference is not None:
        rows = rows.filter(reference=reference)
    if older_than is not None:
        anchor = _messages(key).filter(pk=older_than).values("created_at", "pk").first()
        if anchor is None:
            return []
        rows = rows.filter(
            Q(created_at__lt=anchor["created_at"])
            | Q(created_at=anchor["created_at"], pk__lt=anchor["pk"])
        )
    return list(rows.order_by("-created_at", "-pk")[:PAGE_SIZE])
