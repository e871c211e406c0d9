"""HTTP details of the GovStack Messaging API that reference clients depend on
(../shared/govstack/messaging/fixtures.json, its notes): the key header spelled `api_key` or
`apiKey`; every refusal a 405 ("Invalid input") with an Allow header, the method checked before
anything else; JSON answers; bodies read leniently."""

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ventanilla.notifications.models import ApiKey
from ventanilla.notifications.services.keys import govstack_key_authenticate

JSON_UTF8 = "application/json; charset=utf-8"
# api_key (what reference clients send; the server stack must let an underscore through, see
# ventanilla/core/devserver.py and deploy/) becomes HTTP_API_KEY; the spec's apiKey HTTP_APIKEY.
KEY_HEADERS = ("HTTP_API_KEY", "HTTP_APIKEY")
UID_HEADERS = ("HTTP_REQUESTUID", "HTTP_REQUEST_UID")
# Answers depend on the key: no shared cache may keep them.
PRIVATE = "private, no-store"

View = Callable[..., HttpResponseBase]


class Refused(Exception):
    """A refusal: the view answers 405 with these messages."""

    def __init__(self, message: str, localized: str) -> None:
        super().__init__(message)
        self.message = message
        self.localized = localized


def answer(data: Any, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data,
        status=status,
        safe=False,
        content_type=JSON_UTF8,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = PRIVATE
    return response


def refused(allow: str, message: str, localized: str) -> JsonResponse:
    """The spec's one refusal: 405 "Invalid input", with the path's method in Allow."""
    response = answer({"code": 405, "message": message, "localizedMessage": localized}, status=405)
    response["Allow"] = allow
    return response


def endpoint(method: str, view: View) -> View:
    """One URL, one method: any other answers 405 with Allow before the key is looked at; a
    Refused raised by the view answers 405 too."""

    @csrf_exempt
    def dispatch(request: HttpRequest) -> HttpResponseBase:
        if request.method != method:
            return refused(
                method,
                f"Method not allowed here; use {method}",
                _("Método no permitido en esta dirección; use %(method)s.") % {"method": method},
            )
        try:
            return view(request)
        except Refused as refusal:
            return refused(method, refusal.message, refusal.localized)

    return dispatch


def without_nul(text: str) -> str:
    return text.replace("\x00", "")  # PostgreSQL stores no NUL in text


def header(request: HttpRequest, names: tuple[str, ...]) -> str:
    for name in names:
        value = str(request.META.get(name, "")).strip()
        if value:
            return without_nul(value)
    return ""


def api_key_of(request: HttpRequest) -> ApiKey:
    raw = header(request, KEY_HEADERS)
    if not raw:
        raise Refused(
            "Missing api_key header",
            _("Falta la clave de API: envíela en la cabecera api_key (o apiKey)."),
        )
    key = govstack_key_authenticate(raw)
    if key is None:
        raise Refused(
            "Invalid api_key", _("La clave de API no existe o fue revocada (cabecera api_key).")
        )
    return key


def request_uid_of(request: HttpRequest) -> str:
    uid = header(request, UID_HEADERS)
    if not uid:
        raise Refused(
            "Missing requestUID header",
            _("Falta la cabecera requestUID con el identificador que devolvió el envío."),
        )
    return uid


def query_list(request: HttpRequest) -> list[tuple[str, str]]:
    """Every (name, value) of the query string, in order, repeated names kept."""
    try:
        return parse_qsl(
            request.META.get("QUERY_STRING", ""), keep_blank_values=True, errors="strict"
        )
    except UnicodeDecodeError:
        raise Refused(
            "The query string is not UTF-8", _("La consulta no está codificada en UTF-8.")
        ) from None


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The body as a JSON object: the request body itself, or (the spec says `in: query`) a
    `body` field of the query string or of a form. Missing or empty: Refused."""
    try:
        raw = request.body
    except RequestDataTooBig:
        raise Refused(
            "The body is too large", _("El cuerpo de la solicitud es demasiado grande.")
        ) from None
    text: str | bytes = raw
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        text = request.POST.get("body", "")
    if not text.strip():
        text = dict(query_list(request)).get("body", "")
    if not text.strip():
        raise Refused("Missing body", _("Falta el cuerpo de la solicitud (JSON)."))
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise Refused("The body is not valid JSON", _("El cuerpo no es JSON válido.")) from None
    if not isinstance(data, dict) or not data:
        raise Refused(
            "The body must be a non-empty JSON object",
            _("El cuerpo debe ser un objeto JSON con datos."),
        )
    return data
