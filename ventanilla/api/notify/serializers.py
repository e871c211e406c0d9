"""Notify's JSON shapes, field for field: a sent notification (POST answer), a notification
(GET), a template, a template preview. Times are UTC `2026-01-31T14:05:09.123456Z`."""

from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

from ventanilla.notifications import rendering
from ventanilla.notifications.models import Channel, Message, Template, TemplateVersion

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Letter fields Notify always answers with; no letters here, so always null.
LETTER_FIELDS = ("line_1", "line_2", "line_3", "line_4", "line_5", "line_6", "postcode")


def when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime(DATETIME_FORMAT) if value is not None else None


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def template_ref(request: HttpRequest, message: Message) -> dict[str, Any]:
    template_id = str(message.template_id) if message.template_id else None
    return {
        "id": template_id,
        "version": message.template_version,
        "uri": f"{_base(request)}/v2/template/{template_id}" if template_id else None,
    }


def sent_json(request: HttpRequest, message: Message) -> dict[str, Any]:
    """The 201 answer to POST /v2/notifications/email|sms."""
    if message.channel == Channel.EMAIL:
        content: dict[str, Any] = {
            "body": message.body,
            "subject": message.subject,
            "from_email": parseaddr(message.from_email)[1] or message.from_email,
            "one_click_unsubscribe_url": None,
        }
    else:
        content = {"body": message.body, "from_number": message.from_email}
    return {
        "id": str(message.id),
        "reference": message.reference or None,
        "content": content,
        "uri": f"{_base(request)}/v2/notifications/{message.id}",
        "template": template_ref(request, message),
        "scheduled_for": None,
    }


def notification_json(request: HttpRequest, message: Message) -> dict[str, Any]:
    """GET /v2/notifications/{id}, and each item of the list."""
    created_by = message.created_by
    data: dict[str, Any] = {
        "id": str(message.id),
        "reference": message.reference or None,
        "email_address": message.recipient if message.channel == Channel.EMAIL else None,
        "phone_number": message.recipient if message.channel == Channel.SMS else None,
    }
    data.update(dict.fromkeys(LETTER_FIELDS))
    data.update(
        {
            "type": message.channel,
            "status": message.status,
            "template": template_ref(request, message),
            "body": message.body,
            "subject": message.subject if message.channel == Channel.EMAIL else None,
            "created_at": when(message.created_at),
            "created_by_name": created_by.get_full_name() if created_by is not None else None,
            "sent_at": when(message.sent_at),
            "completed_at": when(message.completed_at),
            "scheduled_for": None,
            "postage": None,
            "one_click_unsubscribe_url": None,
        }
    )
    return data


def list_json(
    request: HttpRequest, messages: list[Message], params: list[tuple[str, str]]
) -> dict[str, Any]:
    """GET /v2/notifications: the page and its links (`next` whenever the page is not empty,
    as Notify: the official client's iterator expects it)."""
    url = f"{_base(request)}/v2/notifications"
    links = {"current": f"{url}?{urlencode(params)}" if params else url}
    if messages:
        links["next"] = f"{url}?{urlencode([*params, ('older_than', str(messages[-1].id))])}"
    return {
        "notifications": [notification_json(request, m) for m in messages],
        "links": links,
    }


def template_json(template: Template, row: TemplateVersion | None = None) -> dict[str, Any]:
    """GET /v2/template/{id}[/version/{v}] and each item of GET /v2/templates. `row` is the
    version asked for (None: the template as it is now)."""
    subject = row.subject if row is not None else template.subject
    body = row.body if row is not None else template.body
    author = row.created_by if row is not None else (template.updated_by or template.created_by)
    texts = [subject, body] if template.channel == Channel.EMAIL else [body]
    return {
        "id": str(template.id),
        "name": template.name,
        "type": template.channel,
        "created_at": when(template.created_at),
        "updated_at": when(row.created_at if row is not None else template.updated_at),
        "created_by": author.email if author is not None else None,
        "version": row.version if row is not None else template.version,
        "body": body,
        "subject": subject if template.channel == Channel.EMAIL else None,
        "personalisation": {n: {"required": True} for n in rendering.placeholders(*texts)},
        "postage": None,
        "letter_contact_block": None,
    }


def preview_json(template: Template, personalisation: dict[str, Any]) -> dict[str, Any]:
    """POST /v2/template/{id}/preview: the text as it would be sent (MissingPlaceholders when
    a value is missing)."""
    if template.channel == Channel.EMAIL:
        subject: str | None = rendering.render(template.subject, personalisation).strip()
        rendered = rendering.render(template.body, personalisation)
        body = rendering.body_text(rendered)
        html: str | None = rendering.body_html(rendered)
    else:
        subject, html = None, None
        body = rendering.sms_text(rendering.render(template.body, personalisation))
    return {
        "id": str(template.id),
        "type": template.channel,
        "version": template.version,
        "body": body,
        "subject": subject,
        "html": html,
        "postage": None,
    }
