"""/v2/…: GOV.UK Notify's REST API (e-mail and SMS), for institutions whose systems already
speak to Notify. Each view: authenticate the key, parse, call the service or read, answer in
Notify's shape."""

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from ventanilla.api.notify import reads
from ventanilla.api.notify.auth import authenticate
from ventanilla.api.notify.http import (
    NotifyError,
    answer,
    bad_request,
    body_json,
    invalid,
    not_found,
)
from ventanilla.api.notify.parsing import (
    TEMPLATE_TYPES,
    as_uuid,
    list_input,
    preview_personalisation,
    send_input,
)
from ventanilla.api.notify.serializers import (
    list_json,
    notification_json,
    preview_json,
    sent_json,
    template_json,
)
from ventanilla.notifications import rendering
from ventanilla.notifications.models import ApiKey, Channel, Template
from ventanilla.notifications.services.messages import message_create

# message_create's refusals that are about the request's data (Notify: ValidationError);
# the others are about the template or the content (BadRequestError).
FIELD_CODES = {"invalid_email": "email_address", "invalid_phone": "phone_number"}


def _missing(names: list[str]) -> NotifyError:
    return bad_request(_("Falta personalización: %(names)s") % {"names": ", ".join(names)})


def _template(key: ApiKey, template_id: uuid.UUID, channel: str) -> Template:
    template = reads.template_for_key(key=key, template_id=template_id)
    if template is None:
        raise bad_request(_("No se encontró la plantilla."))
    if template.archived_at is not None:
        raise bad_request(_("La plantilla %(id)s fue eliminada.") % {"id": template.id})
    if template.channel != channel:
        raise bad_request(
            _("Una plantilla de %(template)s no sirve para una notificación de %(channel)s.")
            % {"template": template.channel, "channel": channel}
        )
    return template


def _send(request: HttpRequest, channel: str) -> JsonResponse:
    key = authenticate(request)
    sent = send_input(body_json(request), channel=channel)
    template = _template(key, sent.template_id, channel)
    texts = [template.subject, template.body] if channel == Channel.EMAIL else [template.body]
    missing = rendering.missing_values(texts, sent.personalisation)
    if missing:
        raise _missing(missing)
    try:
        message = message_create(
            channel=channel,
            recipient=sent.recipient,
            institution=key.sender.institution,
            sender=key.sender,
            api_key=key,
            template=template,
            personalisation=sent.personalisation,
            reference=sent.reference,
            attachments=sent.attachments,
        )
    except ValidationError as error:
        text = " ".join(error.messages)
        if error.code in FIELD_CODES:
            raise invalid(f"{FIELD_CODES[error.code]} {text}") from None
        raise bad_request(text) from None
    return answer(sent_json(request, message), status=201)


def send_email(request: HttpRequest) -> JsonResponse:
    return _send(request, Channel.EMAIL)


def send_sms(request: HttpRequest) -> JsonResponse:
    return _send(request, Channel.SMS)


def notification(request: HttpRequest, notification_id: str) -> JsonResponse:
    key = authenticate(request)
    message_id = as_uuid(notification_id)
    if message_id is None:
        raise invalid(_("notification_id no es un UUID válido."))
    found = reads.message_for_key(key=key, message_id=message_id)
    if found is None:
        raise not_found()
    return answer(notification_json(request, found))


def notifications(request: HttpRequest) -> JsonResponse:
    key = authenticate(request)
    asked = list_input(request.GET)
    page = reads.messages_for_key(
        key=key,
        channels=asked.template_types,
        statuses=asked.statuses,
        reference=asked.reference,
        older_than=asked.older_than,
    )
    return answer(list_json(request, page, asked.params))


def _template_id(value: str) -> uuid.UUID:
    found = as_uuid(value)
    if found is None:
        raise invalid(_("id no es un UUID válido."))
    return found


def template(request: HttpRequest, template_id: str) -> JsonResponse:
    key = authenticate(request)
    found = reads.template_for_key(key=key, template_id=_template_id(template_id))
    if found is None:
        raise not_found()
    return answer(template_json(found))


def template_version(request: HttpRequest, template_id: str, version: str) -> JsonResponse:
    key = authenticate(request)
    wanted = _template_id(template_id)
    if not version.isdigit() or int(version) < 1:
        raise invalid(_("version debe ser un número entero mayor que cero."))
    found = reads.template_version_for_key(key=key, template_id=wanted, version=int(version))
    if found is None:
        raise not_found()
    return answer(template_json(*found))


def templates(request: HttpRequest) -> JsonResponse:
    key = authenticate(request)
    template_type = request.GET.get("type") or None
    if template_type is not None and template_type not in TEMPLATE_TYPES:
        raise invalid(
            _("type %(value)s no es uno de [%(allowed)s].")
            % {"value": template_type[:40], "allowed": ", ".join(TEMPLATE_TYPES)}
        )
    rows = (
        []
        if template_type == "letter"
        else reads.templates_for_key(key=key, template_type=template_type)
    )
    return answer({"templates": [template_json(t) for t in rows]})


def template_preview(request: HttpRequest, template_id: str) -> JsonResponse:
    key = authenticate(request)
    wanted = _template_id(template_id)
    personalisation = preview_personalisation(body_json(request))
    found = reads.template_for_key(key=key, template_id=wanted)
    if found is None:
        raise not_found()
    try:
        return answer(preview_json(found, personalisation))
    except rendering.MissingPlaceholders as error:
        raise _missing(error.names) from None
