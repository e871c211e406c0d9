"""GovStack Registration API: the public half (services, e-forms, documents, statistics)."""

import base64
import binascii
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from ventanilla.api.govstack import http
from ventanilla.api.govstack.serializers import document_url, eform_json, service_json
from ventanilla.cases.selectors.registration import (
    registration_client_trusted,
    registration_client_valid,
    registration_document,
    registration_eform,
    registration_eforms,
    registration_service,
    registration_service_by_name,
    registration_services,
    registration_statistics,
)
from ventanilla.cases.services.registration import registration_document_store

# The platform's own cap on an uploaded file (the form builder's MAX_FILE_MB is 20).
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
TIMEFRAMES = ("day", "week", "month", "year")
SNIFF = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"PK\x03\x04", "application/zip", "zip"),
)


def services(request: HttpRequest) -> HttpResponse:
    name = http.query(request).get("name")
    return http.answer([service_json(s) for s in registration_services(name=name)])


def service(request: HttpRequest, service_id: str) -> HttpResponse:
    found = registration_service(service_id=service_id)
    if found is None:
        return http.not_found("service")
    # An array holding the one service: what the reference mock answers and clients read.
    return http.answer([service_json(found)])


def service_eforms(request: HttpRequest, service_id: str) -> HttpResponse:
    found = registration_service(service_id=service_id)
    if found is None:
        return http.answer([])
    return http.answer(
        [eform_json(v, with_schema=False) for v in registration_eforms(service=found)]
    )


def eform(request: HttpRequest, eform_id: str) -> HttpResponse:
    found = registration_eform(eform_id=eform_id)
    if found is None:
        return http.not_found("eForm")
    return http.answer(eform_json(found, with_schema=True))


# --- documents ---------------------------------------------------------------------------------


def _too_big() -> HttpResponse:
    return http.bad_request(
        f"The document exceeds {DOCUMENT_MAX_BYTES // (1024 * 1024)} MB",
        _("El documento supera el máximo de %(n)s MB.")
        % {"n": DOCUMENT_MAX_BYTES // (1024 * 1024)},
    )


def _sniffed(content: bytes) -> tuple[str, str]:
    for magic, content_type, extension in SNIFF:
        if content.startswith(magic):
            return content_type, extension
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream", "bin"
    return "text/plain", "txt"


def _decoded(text: str) -> bytes | None:
    cleaned = "".join(text.split())
    if "," in cleaned and cleaned.startswith("data:"):
        cleaned = cleaned.split(",", 1)[1]  # a data: URL
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _documents_in(request: HttpRequest) -> list[tuple[bytes, str]] | HttpResponse:
    """(content, name) of each document sent, or the 400 to answer."""
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        try:
            uploads = request.FILES.getlist("file")
            texts = request.POST.getlist("file")
        except RequestDataTooBig:
            return _too_big()
        found = []
        for upload in uploads:
            if upload.size is not None and upload.size > DOCUMENT_MAX_BYTES:
                return _too_big()
            found.append((upload.read(), upload.name or ""))
    else:
        # Read straight from the stream: base64 of a 10 MB file is past Django's in-memory cap.
        raw = request.read(DOCUMENT_MAX_BYTES * 4 // 3 + 64 * 1024 + 1)
        if len(raw) > DOCUMENT_MAX_BYTES * 4 // 3 + 64 * 1024:
            return _too_big()
        try:
            fields = parse_qs(raw.decode("ascii"), keep_blank_values=True)
        except UnicodeDecodeError:
            fields = {}
        texts = fields.get("file", [])
        found = []
    for text in texts:
        content = _decoded(text)
        if content is None:
            return http.bad_request(
                "The field file is not base64 text",
                _("El campo «file» no es texto en base64."),
            )
        found.append((content, ""))
    return found


def documents(request: HttpRequest) -> HttpResponse:
    sent = _documents_in(request)
    if isinstance(sent, HttpResponse):
        return sent
    if not sent:
        return http.bad_request(
            "Send the document in the field file",
            _("Falta el documento: envíelo en el campo «file» (archivo o texto en base64)."),
        )
    if len(sent) > 1:
        return http.bad_request(
            "Send one document per request",
            _("Envíe un documento por solicitud."),
        )
    content, name = sent[0]
    if not content:
        return http.bad_request("The document is empty", _("El documento está vacío."))
    if len(content) > DOCUMENT_MAX_BYTES:
        return _too_big()
    content_type, extension = _sniffed(content)
    stored = registration_document_store(
        content=content,
        name=name or f"documento.{extension}",
        content_type=content_type,
        client=http.client_of(request),
        metadata=http.query(request).get("additionalMetadata", ""),
    )
    return http.answer(
        {
            "code": 200,
            "type": content_type,
            "message": _("Documento recibido."),
            "url": request.build_absolute_uri(document_url(str(stored.public_id))),
        }
    )


def document(request: HttpRequest, document_id: str) -> HttpResponseBase:
    """A document received through POST documents, for the clients that see personal data."""
    client = http.client_of(request)
    found = registration_document(document_id=document_id)
    if found is None or not registration_client_trusted(client):
        return http.not_found("document")
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.name}"'
    response["Cache-Control"] = http.PRIVATE
    return response


# --- statistics --------------------------------------------------------------------------------


def _date(params: dict[str, str], name: str) -> date | None:
    value = params.get(name, "").strip()
    return date.fromisoformat(value) if value else None


def statistics(request: HttpRequest) -> HttpResponse:
    client = http.client_of(request)
    if not registration_client_valid(client):
        return http.bad_request(
            "Missing or malformed Information-Mediator-Client (INSTANCE/CLASS/MEMBER/SUBSYSTEM)",
            _(
                "Falta la cabecera Information-Mediator-Client o no tiene la forma "
                "INSTANCIA/CLASE/MIEMBRO/SUBSISTEMA."
            ),
        )
    params = http.query(request)
    try:
        start, end = _date(params, "startDate"), _date(params, "endDate")
    except ValueError:
        return http.bad_request(
            "startDate and endDate are dates (YYYY-MM-DD)",
            _("Las fechas startDate y endDate van como AAAA-MM-DD."),
        )
    if start and end and end < start:
        return http.bad_request(
            "endDate is before startDate", _("La fecha final es anterior a la inicial.")
        )
    timeframe = params.get("timeframe", "")
    if timeframe and timeframe not in TIMEFRAMES:
        return http.bad_request(
            "timeframe is one of day, week, month, year",
            _("El periodo (timeframe) es day, week, month o year."),
        )
    name = params.get("registrationName", "")
    found = None
    if name:
        found = registration_service_by_name(registration_name=name)
        if found is None:
            return http.not_found("registration")
    counts = registration_statistics(
        service=found,
        start=start,
        end=end,
        operator=params.get("operator") or None,
        role=params.get("role") or None,
    )
    references: dict[str, Any] = {
        "startDate": params.get("startDate", ""),
        "endDate": params.get("endDate", ""),
        "registrationName": name,
        "operator": params.get("operator", ""),
        "role": params.get("role", ""),
        **{f"timeframe{t.title()}": timeframe == t for t in TIMEFRAMES},
    }
    return http.answer(
        [
            {
                "processed": counts.processed,
                "approved": counts.approved,
                "sentBack": counts.sent_back,
                "rejected": counts.rejected,
                "references": references,
            }
        ]
    )
