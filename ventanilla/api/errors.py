"""Every API error is JSON with a Spanish `detail` (and `errors` for invalid parameters)."""

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def json_error(status: int, detail: str, **extra: Any) -> JsonResponse:
    """A JSON error answer, the same shape everywhere in the API."""
    return JsonResponse(
        {"detail": detail, **extra},
        status=status,
        json_dumps_params={"ensure_ascii": False},
        content_type=JSON_CONTENT_TYPE,
    )


def status_message(status: int) -> str:
    """The generic Spanish message for a status the API did not word itself."""
    messages = {
        400: _("La solicitud no es válida."),
        403: _("No tiene permiso para acceder a esta dirección."),
        404: _("No existe nada en esta dirección de la API."),
        405: _("Método no permitido: la API solo acepta GET."),
        413: _("La solicitud es demasiado grande."),
        429: _("Demasiadas solicitudes: espere un momento y vuelva a intentarlo."),
    }
    if status in messages:
        return messages[status]
    if status >= 500:
        return _("Error interno del servidor. Ya quedó registrado; vuelva a intentarlo más tarde.")
    return _("La solicitud no pudo atenderse.")


def _field_message(error: dict[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind in {"int_parsing", "int_from_float", "int_type"}:
        return _("debe ser un número entero")
    if kind in {"bool_parsing", "bool_type"}:
        return _("debe ser true o false")
    if kind == "greater_than_equal":
        return _("debe ser mayor o igual que %(n)s") % {"n": ctx.get("ge")}
    if kind == "greater_than":
        return _("debe ser mayor que %(n)s") % {"n": ctx.get("gt")}
    if kind == "less_than_equal":
        return _("debe ser menor o igual que %(n)s") % {"n": ctx.get("le")}
    if kind == "less_than":
        return _("debe ser menor que %(n)s") % {"n": ctx.get("lt")}
    if kind == "string_too_long":
        return _("debe tener como máximo %(n)s caracteres") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("debe tener al menos %(n)s caracteres") % {"n": ctx.get("min_length")}
    if kind == "missing":
        return _("es obligatorio")
    return _("no es válido")


def validation_errors(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Pydantic's errors as a Spanish summary and one Spanish entry per parameter."""
    items, sentences = [], []
    for error in errors:
        loc = [part for part in error.get("loc", ()) if isinstance(part, str | int)]
        field = ".".join(str(part) for part in (loc[1:] or loc))
        phrase = _field_message(error)
        sentences.append(
            _("El parámetro «%(field)s» no es válido: %(problem)s.")
            % {"field": field, "problem": phrase}
        )
        items.append(
            {
                "loc": loc,
                "field": field,
                "message": f"{phrase[:1].upper()}{phrase[1:]}.",
                "type": str(error.get("type", "")),
            }
        )
    return " ".join(sentences) or _("Los parámetros de la consulta no son válidos."), items


def install_handlers(api: NinjaAPI) -> None:
    """Replace django-ninja's English defaults with Spanish JSON answers."""

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return json_error(exc.status_code, str(exc))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return json_error(404, status_message(404))

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        detail, errors = validation_errors(exc.errors)
        return json_error(422, detail, errors=errors)

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with its traceback; the caller gets JSON, never Django's HTML page.
        logger.exception("API error on %s", request.path)
        return json_error(500, status_message(500))

    # The decorator form: ninja's add_exception_handler types its handler too loosely for mypy.
    api.exception_handler(HttpError)(on_http_error)
    api.exception_handler(Http404)(on_not_found)
    api.exception_handler(ValidationError)(on_validation_error)
    api.exception_handler(Exception)(on_unexpected)
