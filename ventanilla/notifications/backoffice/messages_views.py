"""/gestion/avisos/mensajes/: the e-mails and SMS an institution sent, 50 a page, filtered by
channel, status and reference, each with its status and reason; one message's delivery
events. Filters that make no sense are dropped with a Spanish message, never an error page."""

import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ventanilla.notifications.backoffice.common import (
    institution_chosen,
    managed_institutions,
    manager_view,
    page,
)
from ventanilla.notifications.backoffice.selectors import (
    FAILED,
    MESSAGES_COUNT_CAP,
    MessageFilters,
    message_for_manager,
    messages_for_manager,
    messages_page,
)
from ventanilla.notifications.models import Channel, Message
from ventanilla.notifications.recipients import phone_display

FIELD_IDS = {"channel": "f-canal", "status": "f-estado", "reference": "f-referencia"}
CHANNELS = (Channel.EMAIL, Channel.SMS)


def _status_options() -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in Message.Status.choices] + [
        (FAILED, _("Cualquier falla"))
    ]


def _filters(params: Any, institution_id: int | None) -> tuple[MessageFilters, dict[str, str]]:
    errors: dict[str, str] = {}
    channel = str(params.get("canal") or "").strip()[:10]
    if channel and channel not in CHANNELS:
        errors["channel"] = _("Elige correo electrónico o SMS.")
        channel = ""
    status = str(params.get("estado") or "").strip()[:30]
    if status and status not in dict(_status_options()):
        errors["status"] = _("Ese estado no existe; se muestran todos.")
        status = ""
    reference = str(params.get("referencia") or "").strip()
    if len(reference) > 255:
        errors["reference"] = _("La referencia tiene como máximo 255 caracteres.")
        reference = ""
    return MessageFilters(institution_id, channel, status, reference), errors


@manager_view
@require_GET
def messages_view(request: HttpRequest) -> HttpResponse:
    institutions = managed_institutions(request.user)
    institution = institution_chosen(request, institutions)
    filters, field_errors = _filters(request.GET, institution.pk if institution else None)
    page_of = messages_page(
        messages=messages_for_manager(user=request.user, filters=filters),
        page=request.GET.get("page"),
    )
    context = {
        "institutions": institutions,
        "institution": institution,
        "filters": filters,
        "page_of": page_of,
        "count_cap": MESSAGES_COUNT_CAP,
        "channels": [(str(c.value), str(c.label)) for c in CHANNELS],
        "statuses": _status_options(),
        "status_labels": dict(Message.Status.choices),
        "channel_labels": dict(Channel.choices),
        "recipient": _recipient,
    }
    return page(
        request,
        "notifications/backoffice/messages.html",
        context,
        title=_("Mensajes enviados"),
        section="messages",
        field_errors=field_errors,
        field_ids=FIELD_IDS,
    )


def _recipient(message: Message) -> str:
    return phone_display(message.recipient) if message.channel == Channel.SMS else message.recipient


@manager_view
@require_GET
def message_view(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    message = message_for_manager(user=request.user, pk=pk)
    if message is None:
        raise Http404(_("No existe ese mensaje o no es de tu institución."))
    context = {
        "message": message,
        "recipient": _recipient(message),
        "status_labels": dict(Message.Status.choices),
        "channel_labels": dict(Channel.choices),
        "events": list(message.events.all()),
    }
    return page(
        request,
        "notifications/backoffice/message.html",
        context,
        title=_("Mensaje a %(r)s") % {"r": _recipient(message)},
        section="messages",
        trail=[(_("Mensajes enviados"), reverse("notifications_backoffice:messages"))],
    )
