"""Messages: e-mails and SMS checked, rendered, saved `created` and queued for the worker.

Every check happens before anything is written: a bad recipient, template or attachment raises
ValidationError (a Spanish message and a `code`) and saves nothing. Delivery runs after the
commit (services/delivery.py); provider reports come back through `message_status_update`.
"""

import logging
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr, parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.audit import services as audit
from ventanilla.institutions.models import Institution
from ventanilla.notifications import rendering
from ventanilla.notifications.attachments import Attachment
from ventanilla.notifications.models import (
    ApiKey,
    Channel,
    InboxItem,
    Message,
    MessageAttachment,
    MessageEvent,
    Sender,
    SendRequest,
    Template,
)
from ventanilla.notifications.recipients import email_normalise, phone_normalise

logger = logging.getLogger(__name__)

FINAL_STATUSES = frozenset(
    {
        Message.Status.DELIVERED,
        Message.Status.PERMANENT_FAILURE,
        Message.Status.TEMPORARY_FAILURE,
        Message.Status.TECHNICAL_FAILURE,
    }
)
# More delivery runs than this per channel and send would only find the queue empty.
MAX_RUNS_PER_SEND = 4


@dataclass
class _Prepared:
    message: Message
    attachments: Sequence[Attachment]


def _invalid(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _sender_name(sender: Sender | None, institution: Institution | None) -> str:
    if sender is not None:
        return sender.name
    if institution is not None:
        return institution.name
    return "Ventanilla"


def _prepare(
    *,
    channel: str,
    recipient: str,
    institution: Institution | None,
    template: Template | None = None,
    personalisation: Mapping[str, Any] | None = None,
    subject: str = "",
    body: str = "",
    sender: Sender | None = None,
    api_key: ApiKey | None = None,
    reference: str = "",
    attachments: Sequence[Attachment] = (),
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    request: SendRequest | None = None,
    inbox_item: InboxItem | None = None,
    by: Any = None,
) -> _Prepared:
    """The unsaved message, every check passed; ValidationError otherwise."""
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise _invalid(_("Canal de envío desconocido: %(c)s.") % {"c": channel}, "channel")
    if sender is None and api_key is not None:
        sender = api_key.sender
    if institution is None and sender is not None:
        institution = sender.institution

    if channel == Channel.EMAIL:
        to = email_normalise(recipient)
        copies = {
            "cc": [email_normalise(a) for a in cc],
            "bcc": [email_normalise(a) for a in bcc],
        }
    else:
        to = phone_normalise(recipient)
        copies = {"cc": [], "bcc": []}

    version: int | None = None
    if template is not None:
        if template.archived_at is not None:
            raise _invalid(
                _("La plantilla «%(name)s» está archivada: ya no se puede usar.")
                % {"name": template.name},
                "template_archived",
            )
        if (
            template.institution_id is not None
            and institution is not None
            and template.institution_id != institution.pk
        ):
            raise _invalid(_("La plantilla indicada no existe."), "template_unknown")
        if template.channel != channel:
            raise _invalid(
                _("La plantilla «%(name)s» es para %(template)s, no para %(channel)s.")
                % {
                    "name": template.name,
                    "template": Channel(template.channel).label,
                    "channel": Channel(channel).label,
                },
                "template_channel",
            )
        subject, body, version = template.subject, template.body, template.version

    if template is None and personalisation is None:
        # A finished text (GovStack Messaging's content, an official's e-mail): taken as it
        # is, so a literal "((x))" in it is text, not a placeholder.
        rendered_subject, rendered_body = subject.strip(), body
    else:
        texts = [subject, body] if channel == Channel.EMAIL else [body]
        missing = rendering.missing_values(texts, personalisation)
        if missing:
            raise _invalid(str(rendering.MissingPlaceholders(missing)), "missing_placeholders")
        rendered_subject = rendering.render(subject, personalisation).strip()
        rendered_body = rendering.render(body, personalisation)
    if not rendered_body.strip():
        raise _invalid(_("El mensaje no tiene texto."), "empty")

    name = _sender_name(sender, institution)
    message = Message(
        id=uuid.uuid4(),
        channel=channel,
        institution=institution,
        sender=sender,
        api_key=api_key,
        key_kind=api_key.kind if api_key is not None else "",
        template=template,
        template_version=version,
        request=request,
        inbox_item=inbox_item,
        recipient=to,
        copies=copies if copies["cc"] or copies["bcc"] else {},
        reference=(reference or "")[:255],
        created_by=by if getattr(by, "pk", None) else None,
    )
    if channel == Channel.EMAIL:
        if not rendered_subject:
            raise _invalid(_("El correo no tiene asunto."), "empty")
        if len(rendered_subject) > rendering.SUBJECT_MAX_CHARACTERS:
            raise _invalid(
                _("El asunto tiene %(n)s caracteres; el máximo es %(max)s.")
                % {"n": len(rendered_subject), "max": rendering.SUBJECT_MAX_CHARACTERS},
                "too_long",
            )
        limit = settings.NOTIFICATIONS_EMAIL_ATTACHMENT_MAX_BYTES
        for attachment in attachments:
            if attachment.size > limit:
                raise _invalid(
                    _("El adjunto «%(name)s» pesa %(size)s MB; el máximo es %(max)s MB.")
                    % {
                        "name": attachment.name,
                        "size": f"{attachment.size / 1048576:.1f}",
                        "max": f"{limit / 1048576:g}",
                    },
                    "attachment_too_large",
                )
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
        message.from_email = formataddr((name, address))
        message.reply_to = sender.email_reply_to if sender is not None else ""
        message.subject = rendered_subject
        message.body = rendering.body_text(rendered_body)
        message.html = rendering.email_html(
            subject=rendered_subject, body=rendered_body, institution=name
        )
    else:
        if attachments:
            raise _invalid(_("Un SMS no puede llevar adjuntos."), "attachment_too_large")
        text = rendering.sms_text(rendered_body)
        length = rendering.sms_length(text)
        if length.too_long:
            raise _invalid(
                _("El SMS tiene %(n)s caracteres; el máximo es %(max)s.")
                % {"n": length.characters, "max": rendering.SMS_MAX_CHARACTERS},
                "too_long",
            )
        message.body = text
        # An SMS's "from" is the sender name shown on the phone (≤ 11 characters).
        message.from_email = (
            sender.sms_sender if sender is not None and sender.sms_sender else ""
        ) or settings.NOTIFICATIONS_SMS_SENDER
    if api_key is not None and api_key.kind == ApiKey.Kind.TEST:
        # A test key's message never leaves: it is delivered at once (GOV.UK Notify's rule).
        now = timezone.now()
        message.status = Message.Status.DELIVERED
        message.provider = "test"
        message.sent_at = message.completed_at = now
    return _Prepared(message, attachments)


def _save_attachments(prepared: Sequence[_Prepared]) -> None:
    for item in prepared:
        for attachment in item.attachments:
            row = MessageAttachment(
                message=item.message,
                name=attachment.name[:200],
                content_type=attachment.content_type[:100],
                size=attachment.size,
            )
            row.file.save(attachment.name, ContentFile(attachment.content), save=False)
            row.save()


def _queue(counts: dict[str, int]) -> None:
    """Queue delivery runs: one per channel and batch of queued messages, at most a few (each
    run goes on until the queue is empty). A queue that is down fails no committed send: the
    next run finds the messages due."""
    from ventanilla.notifications.tasks import notifications_deliver

    batch = max(1, settings.NOTIFICATIONS_BATCH_SIZE)
    for channel, count in counts.items():
        for _run in range(min(MAX_RUNS_PER_SEND, math.ceil(count / batch))):
            try:
                notifications_deliver.enqueue(channel=channel)
            except Exception:
                logger.exception("delivery of %s messages not queued", channel)


def _queue_after_commit(messages: Iterable[Message]) -> None:
    counts: dict[str, int] = {}
    for message in messages:
        if message.status == Message.Status.QUEUED:
            counts[message.channel] = counts.get(message.channel, 0) + 1
    if counts:
        transaction.on_commit(partial(_queue, counts))


def message_create(
    *,
    channel: str,
    recipient: str,
    institution: Institution | None,
    template: Template | None = None,
    personalisation: Mapping[str, Any] | None = None,
    subject: str = "",
    body: str = "",
    sender: Sender | None = None,
    api_key: ApiKey | None = None,
    reference: str = "",
    attachments: Sequence[Attachment] = (),
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    request: SendRequest | None = None,
    inbox_item: InboxItem | None = None,
    by: Any = None,
) -> Message:
    """Check everything, render (the template's subject/body, or the given ones, filled with
    `personalisation`), save the message `created` and queue its delivery after the commit.
    Works inside or outside the caller's transaction. ValidationError (Spanish message; `code`
    one of invalid_email, invalid_phone, missing_placeholders, template_channel,
    template_archived, template_unknown, too_long, attachment_too_large, empty) and nothing
    saved. A `test` API key's message is saved delivered and never leaves."""
    prepared = _prepare(
        channel=channel,
        recipient=recipient,
        institution=institution,
        template=template,
        personalisation=personalisation,
        subject=subject,
        body=body,
        sender=sender,
        api_key=api_key,
        reference=reference,
        attachments=attachments,
        cc=cc,
        bcc=bcc,
        request=request,
        inbox_item=inbox_item,
        by=by,
    )
    message = prepared.message
    with transaction.atomic():
        message.save(force_insert=True)
        _save_attachments([prepared])
        audit.record(
            actor=by,
            action="notifications.message_created",
            target=message,
            institution_id=message.institution_id,
            data={"channel": channel, "reference": message.reference, "status": message.status},
        )
        _queue_after_commit([message])
    return message


def messages_create_many(*, items: Sequence[dict[str, Any]]) -> list[Message]:
    """`message_create(**item)` for every item, all or nothing: one bulk insert, one audit row
    and one queueing (a GovStack batch, the bench). The ValidationError of the first bad item
    carries its position in `error.index`."""
    prepared: list[_Prepared] = []
    for index, item in enumerate(items):
        try:
            prepared.append(_prepare(**item))
        except ValidationError as error:
            error.index = index  # type: ignore[attr-defined]
            raise
    messages = [p.message for p in prepared]
    if not messages:
        return []
    with transaction.atomic():
        Message.objects.bulk_create(messages, batch_size=1000)
        _save_attachments([p for p in prepared if p.attachments])
        first = messages[0]
        audit.record(
            actor=items[0].get("by"),
            action="notifications.messages_created",
            target=first.request if first.request is not None else first,
            institution_id=first.institution_id,
            data={
                "count": len(messages),
                "channels": sorted({m.channel for m in messages}),
            },
        )
        _queue_after_commit(messages)
    return messages


def staff_email(
    *, to: Iterable[str], subject: str, body: str, institution: Institution | None
) -> list[Message]:
    """Plain e-mails to officials (no template, no casilla), one per valid address; addresses
    that are not valid are skipped (logged), so a typo in one official's profile does not
    stop the others' e-mails."""
    items: list[dict[str, Any]] = []
    for address in dict.fromkeys(a for a in to if a):
        try:
            email_normalise(address)
        except ValidationError:
            logger.warning("staff e-mail to an invalid address skipped: %r", address)
            continue
        items.append(
            {
                "channel": Channel.EMAIL,
                "recipient": address,
                "institution": institution,
                "subject": subject.replace("((", "(").replace("))", ")"),
                "body": body.replace("((", "(").replace("))", ")"),
            }
        )
    return messages_create_many(items=items)


def _message_pk(channel: str, provider_ref: str) -> uuid.UUID | None:
    # Our Message-ID is "<uuid>@domain" and our SMS messageId the uuid: the report names the
    # row even when it arrives before the worker has saved the hand-over.
    local = provider_ref.strip().strip("<>").split("@", 1)[0]
    try:
        return uuid.UUID(local)
    except ValueError:
        return None


def message_status_update(
    *,
    channel: str,
    provider_ref: str,
    status: str,
    reason: str = "",
    at: datetime | None = None,
    source: str = "callback",
) -> Message | None:
    """Apply a provider's report on one message (None when it names no message of ours). A
    final status (delivered, *-failure) is never overwritten, so a late or repeated report
    changes nothing; otherwise the message takes `status` and a MessageEvent row is added."""
    updated = messages_status_update(
        channel=channel,
        reports=[(provider_ref, status, reason, at)],
        source=source,
    )
    if not updated:
        pk = _message_pk(channel, provider_ref)
        return Message.objects.filter(pk=pk, channel=channel).first() if pk else None
    return Message.objects.get(pk=updated[0])


def messages_status_update(
    *,
    channel: str,
    reports: Sequence[tuple[str, str, str, datetime | None]],
    source: str = "callback",
) -> list[uuid.UUID]:
    """Many provider reports (provider_ref, status, reason, at) in one go: one read, one update
    per (status, reason) group and one bulk insert of events. Returns the ids that changed."""
    wanted: dict[uuid.UUID, tuple[str, str, datetime]] = {}
    now = timezone.now()
    for provider_ref, status, reason, at in reports:
        if status not in Message.Status.values:
            raise ValueError(f"unknown message status {status!r}")
        pk = _message_pk(channel, provider_ref)
        if pk is not None:
            wanted[pk] = (status, reason[:300], at or now)
    if not wanted:
        return []
    with transaction.atomic():
        open_ids = set(
            Message.objects.filter(pk__in=list(wanted), channel=channel)
            .exclude(status__in=FINAL_STATUSES)
            .values_list("pk", flat=True)
        )
        groups: dict[tuple[str, str], list[uuid.UUID]] = {}
        for pk in open_ids:
            status, reason, _at = wanted[pk]
            groups.setdefault((status, reason), []).append(pk)
        for (status, reason), ids in groups.items():
            fields: dict[str, Any] = {"status": status, "status_reason": reason}
            if status in FINAL_STATUSES:
                fields["completed_at"] = now
            Message.objects.filter(pk__in=ids).exclude(status__in=FINAL_STATUSES).update(**fields)
        MessageEvent.objects.bulk_create(
            [
                MessageEvent(
                    message_id=pk,
                    at=wanted[pk][2],
                    status=wanted[pk][0],
                    reason=wanted[pk][1],
                    source=source,
                )
                for pk in open_ids
            ]
        )
    return list(open_ids)
