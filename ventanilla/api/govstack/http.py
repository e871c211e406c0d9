"""HTTP details of the GovStack Registration API that the reference clients depend on:
lenient query strings, the client header, bodies as JSON or form fields, JSON errors."""

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

JSON_UTF8 = "application/json; charset=utf-8"
# The spellings of the client header seen in the wild (../shared/govstack/SOURCE.md).
CLIENT_HEADERS = ("Information-Mediator-Client", "X-Road-Client", "X-GovStack-Client")
# Applications and tasks carry personal data: no shared cache may keep them.
PRIVATE = "private, no-store"

View = Callable[..., HttpResponseBase]


def without_nul(value: Any) -> Any:
    """NUL characters dropped from every string: PostgreSQL stores none in text or JSON."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


def query(request: HttpRequest) -> dict[str, str]:
    """Query parameters, the last occurrence winning. A stray '?' inside the query string
    separates parameters too (reference clients write `…&timeframe=day?startDate=…`)."""
    params: dict[str, str] = {}
    raw = request.META.get("QUERY_STRING", "")
    for chunk in raw.replace("?", "&").replace(";", "&").split("&"):
        if not chunk:
            continue
        key, _sep, value = chunk.partition("=")
        try:
            params[without_nul(unquote_plus(key, errors="strict"))] = without_nul(
                unquote_plus(value, errors="strict")
            )
        except UnicodeDecodeError:
            continue
    return params


def integer(params: dict[str, str], name: str, default: int) -> int:
    """A paging number; anything unreadable means the default (the lists answer 200 only)."""
    try:
        return int(params.get(name, ""))
    except ValueError:
        return default


def client_of(request: HttpRequest) -> str | None:
    for header in CLIENT_HEADERS:
        value = request.headers.get(header)
        if value is not None:
            return str(without_nul(value.strip()))
    return None


def answer(data: Any, *, status: int = 200, private: bool = False) -> JsonResponse:
    response = JsonResponse(
        data,
        status=status,
        safe=False,
        content_type=JSON_UTF8,
        json_dumps_params={"ensure_ascii": False},
    )
    if private:
        response["Cache-Control"] = PRIVATE
    return response


def error(status: int, code: str, message: str, localized: str) -> JsonResponse:
    """A GovStack systemError body: {traceId, code, message, localizedMessage}."""
    trace = uuid.uuid4().hex
    if status >= 500:
        logger.error("GovStack registration error %s: %s", trace, message)
    response = answer(
        {"traceId": trace, "code": code, "message": message, "localizedMessage": localized},
        status=status,
    )
    response["Cache-Control"] = "no-cache"
    return response


def not_found(what: str) -> JsonResponse:
    return error(
        404,
        "NOT_FOUND",
        f"{what} not found",
        _("No existe %(what)s con ese identificador, o este cliente no puede verlo.")
        % {"what": what},
    )


def bad_request(message: str, localized: str) -> JsonResponse:
    return error(400, "BAD_REQUEST", message, localized)


def not_allowed(allowed: list[str]) -> JsonResponse:
    response = error(
        405,
        "METHOD_NOT_ALLOWED",
        f"Method not allowed here; use {', '.join(allowed)}",
        _("Método no permitido en esta dirección; use %(methods)s.")
        % {"methods": ", ".join(allowed)},
    )
    response["Allow"] = ", ".join(allowed)
    return response


class BodyError(ValueError):
    pass


def body_fields(request: HttpRequest) -> dict[str, Any]:
    """The request body as a dict: JSON, or form fields (urlencoded or multipart) where a
    field holding JSON text (formData, documentUrls) is read as JSON. An empty body is {}."""
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields: dict[str, Any] = {}
        for key in request.POST:
            values = request.POST.getlist(key)
            value: Any = values[-1] if len(values) == 1 or key != "documentUrls" else values
            if isinstance(value, str) and key in ("formData", "documentUrls"):
                try:
                    value = json.loads(value)
                except ValueError:
                    value = [value] if key == "documentUrls" else value
            fields[key] = value
        return without_nul(fields)
    raw = request.body
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as problem:
        raise BodyError("The body is not valid JSON") from problem
    if not isinstance(data, dict):
        raise BodyError("The body must be a JSON object")
    return without_nul(data)


def endpoint(methods: dict[str, View]) -> View:
    """One URL, a view per method. Unknown ids are found by each view, so a path that lost its
    last segment to an unencoded '#' still answers 404 rather than 405."""

    @csrf_exempt
    def dispatch(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        method = "GET" if request.method == "HEAD" else str(request.method)
        if any("\x00" in str(v) for v in kwargs.values()):
            return not_found("record")  # no id holds a NUL; PostgreSQL would refuse the query
        view = methods.get(method) or methods.get("*")
        if view is None:
            return not_allowed([m for m in methods if m != "*"])
        return view(request, **kwargs)

    return dispatch
