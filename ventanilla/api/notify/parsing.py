"""What a Notify client sends, checked as Notify's JSON schemas check it (every problem of the
request at once, as ValidationError), with Spanish messages. Files come inside
`personalisation` as `prepare_upload` builds them: `{"file": base64, "filename": …,
"confirm_email_before_download": …, "retention_period": …}`; here they become e-mail
attachments (2 MB each) and the placeholder says the file is attached."""

import base64
import binascii
import mimetypes
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ventanilla.api.notify.http import bad_request, invalid
from ventanilla.notifications.attachments import Attachment
from ventanilla.notifications.models import Channel
from ventanilla.notifications.recipients import email_normalise, phone_normalise

REFERENCE_MAX = 255
RETENTION = re.compile(r"^(\d{1,2}) weeks?$")
# The file types Notify lets a service send (by extension), and what each is.
FILE_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "txt": "text/plain",
    "json": "application/json",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
}
SNIFF = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))
# Notify's statuses (a list filter names them); `failed` is every failure.
FAILED = ("technical-failure", "temporary-failure", "permanent-failure")
STATUSES = (
    "cancelled",
    "created",
    "sending",
    "sent",
    "delivered",
    "pending",
    "failed",
    "technical-failure",
    "temporary-failure",
    "permanent-failure",
    "pending-virus-check",
    "validation-failed",
    "virus-scan-failed",
    "returned-letter",
    "accepted",
    "received",
)
TEMPLATE_TYPES = ("sms", "email", "letter")
LIST_PARAMETERS = ("template_type", "status", "reference", "older_than", "include_jobs")


@dataclass
class SendInput:
    channel: str
    recipient: str
    template_id: uuid.UUID
    personalisation: dict[str, Any]
    reference: str
    attachments: list[Attachment] = field(default_factory=list)


def as_uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _file_type(name: str, content: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a file sent, by its name or, without one, its content."""
    if name:
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        found = FILE_TYPES.get(extension)
        return (extension, found) if found else None
    for magic, extension in SNIFF:
        if content.startswith(magic):
            return extension, FILE_TYPES[extension]
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "txt", FILE_TYPES["txt"]


def _attachment(key: str, value: dict[str, Any], problems: list[str]) -> Attachment | None:
    """The file a personalisation value carries; problems noted, or BadRequestError raised."""
    text = value.get("file")
    filename = value.get("filename")
    confirm = value.get("confirm_email_before_download")
    retention = value.get("retention_period")
    if not isinstance(text, str):
        problems.append(_("personalisation %(key)s file debe ser texto en base64.") % {"key": key})
        return None
    if filename is not None and not isinstance(filename, str):
        problems.append(_("personalisation %(key)s filename debe ser texto.") % {"key": key})
        return None
    if confirm is not None and not isinstance(confirm, bool):
        problems.append(
            _("personalisation %(key)s confirm_email_before_download debe ser true o false.")
            % {"key": key}
        )
        return None
    if retention is not None:
        match = RETENTION.match(str(retention)) if isinstance(retention, str) else None
        if match is None or not 1 <= int(match.group(1)) <= 78:
            raise bad_request(
                _(
                    "Periodo de conservación no admitido «%(value)s». Se admiten de 1 a 78 "
                    "semanas («26 weeks»)."
                )
                % {"value": str(retention)[:40]}
            )
    cleaned = "".join(text.split())
    limit = settings.NOTIFICATIONS_EMAIL_ATTACHMENT_MAX_BYTES
    if len(cleaned) > (limit + 2) // 3 * 4 + 4:
        raise bad_request(_("El archivo supera %(n)s MB.") % {"n": limit // (1024 * 1024)})
    try:
        content = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(
            _("El archivo de «%(key)s» no está codificado en base64.") % {"key": key}
        ) from None
    if len(content) > limit:
        raise bad_request(_("El archivo supera %(n)s MB.") % {"n": limit // (1024 * 1024)})
    # Only the file's own name: a client's folder names stay with the client.
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    kind = _file_type(name, content)
    if kind is None:
        raise bad_request(
            _("Tipo de archivo no admitido «%(name)s». Se admiten: %(types)s.")
            % {
                "name": name or mimetypes.guess_type(name)[0] or "?",
                "types": ", ".join(sorted({f".{e}" for e in FILE_TYPES})),
            }
        )
    extension, content_type = kind
    return Attachment(
        name=name or f"{key}.{extension}"[:200], content=content, content_type=content_type
    )


def send_input(data: dict[str, Any], *, channel: str) -> SendInput:
    """The send request checked: ValidationError (all the request's problems) or BadRequestError."""
    field_name = "email_address" if channel == Channel.EMAIL else "phone_number"
    problems: list[str] = []
    recipient = ""
    raw_recipient = data.get(field_name)
    if raw_recipient is None:
        problems.append(_("%(field)s es obligatorio.") % {"field": field_name})
    elif not isinstance(raw_recipient, str):
        problems.append(_("%(field)s debe ser texto.") % {"field": field_name})
    else:
        try:
            recipient = (
                email_normalise(raw_recipient)
                if channel == Channel.EMAIL
                else phone_normalise(raw_recipient)
            )
        except ValidationError as error:
            problems.append(f"{field_name} {error.messages[0]}")
    template_id = as_uuid(data.get("template_id"))
    if "template_id" not in data:
        problems.append(_("template_id es obligatorio."))
    elif template_id is None:
        problems.append(_("template_id no es un UUID válido."))
    personalisation = data.get("personalisation")
    if personalisation is None:
        personalisation = {}
    elif not isinstance(personalisation, dict):
        problems.append(_("personalisation debe ser un objeto JSON."))
        personalisation = {}
    reference = data.get("reference")
    if reference is None:
        reference = ""
    elif not isinstance(reference, str):
        problems.append(_("reference debe ser texto."))
        reference = ""
    elif len(reference) > REFERENCE_MAX:
        problems.append(_("reference no puede superar %(n)s caracteres.") % {"n": REFERENCE_MAX})
    for name in ("email_reply_to_id", "sms_sender_id"):
        if data.get(name) is not None and as_uuid(data.get(name)) is None:
            problems.append(_("%(field)s no es un UUID válido.") % {"field": name})
    if data.get("scheduled_for") is not None:
        problems.append(_("scheduled_for no se admite: los avisos se envían en el momento."))
    files = {k: v for k, v in personalisation.items() if isinstance(v, dict) and "file" in v}
    if files and channel != Channel.EMAIL:
        raise bad_request(_("Solo se pueden enviar archivos por correo electrónico."))
    attachments: list[Attachment] = []
    values = dict(personalisation)
    for key, value in files.items():
        attachment = _attachment(str(key), value, problems)
        if attachment is not None:
            attachments.append(attachment)
            values[key] = _("«%(name)s» (archivo adjunto a este correo)") % {
                "name": attachment.name
            }
    if problems:
        raise invalid(*problems)
    assert template_id is not None
    return SendInput(
        channel=channel,
        recipient=recipient,
        template_id=template_id,
        personalisation=values,
        reference=reference,
        attachments=attachments,
    )


@dataclass
class ListInput:
    template_types: list[str]
    statuses: list[str]  # our statuses, `failed` expanded
    reference: str | None
    older_than: uuid.UUID | None
    params: list[tuple[str, str]]  # as given, for links


def list_input(query: Any) -> ListInput:
    """GET /v2/notifications' query (a QueryDict) checked as Notify checks it."""
    problems: list[str] = []
    unknown = sorted(k for k in query if k not in LIST_PARAMETERS)
    if unknown:
        problems.append(_("Parámetros no admitidos: %(names)s.") % {"names": ", ".join(unknown)})
    types = query.getlist("template_type")
    for value in types:
        if value not in TEMPLATE_TYPES:
            problems.append(
                _("template_type %(value)s no es uno de [%(allowed)s].")
                % {"value": value[:40], "allowed": ", ".join(TEMPLATE_TYPES)}
            )
    statuses: list[str] = []
    for value in query.getlist("status"):
        if value not in STATUSES:
            problems.append(
                _("status %(value)s no es uno de [%(allowed)s].")
                % {"value": value[:40], "allowed": ", ".join(STATUSES)}
            )
        statuses.extend(FAILED if value == "failed" else (value,))
    older_than = None
    if "older_than" in query:
        older_than = as_uuid(query.get("older_than"))
        if older_than is None:
            problems.append(_("older_than no es un UUID válido."))
    if problems:
        raise invalid(*problems)
    params = [(k, v) for k in LIST_PARAMETERS if k != "older_than" for v in query.getlist(k)]
    return ListInput(
        template_types=types,
        statuses=statuses,
        reference=query.get("reference"),
        older_than=older_than,
        params=params,
    )


def preview_personalisation(data: dict[str, Any]) -> dict[str, Any]:
    personalisation = data.get("personalisation")
    if personalisation is None:
        return {}
    if not isinstance(personalisation, dict):
        raise invalid(_("personalisation debe ser un objeto JSON."))
    return {
        k: (v.get("filename") or k) if isinstance(v, dict) and "file" in v else v
        for k, v in personalisation.items()
    }
