"""Notifying a citizen about their case: a notification deposited in their casilla electrónica
(always; it is the one with legal effect) and, as they chose, an e-mail and an SMS pointing to it.

The wording is the institution's template for the event and channel when it wrote one, else the
platform's (events.py). An institution's template that cannot be filled (it names a value the
event does not give) falls back to the platform's wording: the citizen is notified all the same,
and the fault is logged for the institution to fix."""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation

from ventanilla.institutions.models import Institution
from ventanilla.notifications.attachments import Attachment
from ventanilla.notifications.events import EVENTS
from ventanilla.notifications.models import Channel, InboxItem, Template
from ventanilla.notifications.rendering import MissingPlaceholders, render
from ventanilla.notifications.services.inbox import inbox_deposit
from ventanilla.notifications.services.messages import message_create
from ventanilla.notifications.services.preferences import preference_get
from ventanilla.notifications.services.templates import template_for_event

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """`path` on the public site (settings.PUBLIC_BASE_URL); an absolute address as it is."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.PUBLIC_BASE_URL}{path if path.startswith('/') else '/' + path}"


def date_spoken(moment: Any) -> str:
    """«5 de marzo de 2026», in Lima's day."""
    with translation.override("es"):
        return formats.date_format(timezone.localdate(moment), r"j \d\e F \d\e Y")


def _wording(
    *, institution: Institution, event: str, channel: str, values: Mapping[str, str]
) -> tuple[Template | None, str, str]:
    """(template or None, subject, body) for the channel: the institution's template when it
    renders with `values`, else the platform's wording."""
    template, subject, body = template_for_event(
        institution=institution, event=event, channel=channel
    )
    if template is None:
        return None, subject, body
    try:
        render(subject, values)
        render(body, values)
    except MissingPlaceholders as exc:
        logger.warning(
            "template %s of %s for %s does not render (%s): platform wording used",
            template.pk,
            institution.pk,
            event,
            ", ".join(exc.names),
        )
        _none, subject, body = template_for_event(institution=None, event=event, channel=channel)
        return None, subject, body
    return template, subject, body


def _send(*, channel: str, recipient: str, item: InboxItem, institution: Institution,
          event: str, values: Mapping[str, str], reference: str, by: Any) -> None:  # fmt: skip
    """One e-mail or SMS about the deposited item; a refusal (an address that is not valid)
    is logged and leaves the casilla's notification in place."""
    template, subject, body = _wording(
        institution=institution, event=event, channel=channel, values=values
    )
    try:
        with transaction.atomic():
            message_create(
                channel=channel,
                recipient=recipient,
                institution=institution,
                template=template,
                personalisation=values,
                subject="" if template is not None else subject,
                body="" if template is not None else body,
                reference=reference,
                inbox_item=item,
                by=by,
            )
    except ValidationError as exc:
        logger.warning(
            "%s about casilla item %s not queued: %s", channel, item.pk, "; ".join(exc.messages)
        )


def citizen_notify(
    *,
    user: Any,
    institution: Institution,
    event: str,
    values: Mapping[str, str],
    reference: str = "",
    link: str = "",
    attachments: Sequence[Attachment] = (),
    by: Any = None,
) -> InboxItem | None:
    """Inside the caller's transaction: deposit the notification of `event` (a key of
    events.EVENTS) in `user`'s casilla, then queue the e-mail and/or SMS their preference asks
    for (e-mail by default when the account has an address; SMS only to a confirmed number).
    `values` fills the event's placeholders; nombre, institucion, fecha and enlace are added
    (enlace: `link` on the public site in the casilla, the casilla notification itself in the
    e-mail and SMS). None, and nothing done, for a user who is not an active citizen."""
    if user is None or not getattr(user, "document_number", "") or not user.is_active:
        return None
    if event not in EVENTS:
        raise KeyError(event)
    now = timezone.now()
    base = {
        "nombre": user.get_full_name() or user.get_username(),
        "institucion": institution.name,
        "fecha": date_spoken(now),
        "referencia": reference,
        "servicio": "",
        **{k: "" if v is None else str(v) for k, v in values.items()},
    }
    inbox_values = {
        **base,
        "enlace": absolute_url(link) or absolute_url(reverse("notifications_inbox:list")),
    }
    template, subject, body = _wording(
        institution=institution, event=event, channel=Channel.INBOX, values=inbox_values
    )
    item = inbox_deposit(
        recipient=user,
        institution=institution,
        subject=render(subject, inbox_values),
        body=render(body, inbox_values),
        kind=event,
        reference=reference,
        link=link,
        attachments=attachments,
        template=template,
        template_version=template.version if template is not None else None,
        by=by,
    )
    sent_values = {
        **base,
        "enlace": absolute_url(reverse("notifications_inbox:detail", args=[item.pk])),
    }
    preference = preference_get(user=user)
    if preference.email_enabled and user.email:
        _send(channel=Channel.EMAIL, recipient=user.email, item=item, institution=institution,
              event=event, values=sent_values, reference=reference, by=by)  # fmt: skip
    if preference.sms_enabled and preference.phone and preference.phone_verified_at:
        _send(channel=Channel.SMS, recipient=preference.phone, item=item, institution=institution,
              event=event, values=sent_values, reference=reference, by=by)  # fmt: skip
    return item
