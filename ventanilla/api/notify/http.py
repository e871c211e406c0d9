"""HTTP details of the Notify-compatible API: Notify's error body, JSON answers, one view per
method (405 with Allow otherwise), the JSON body read from the stream.

Every error is GOV.UK Notify's shape, so its clients read it as they read Notify's:
`{"status_code": 400, "errors": [{"error": "BadRequestError", "message": "…"}]}`; the messages
are in Spanish."""

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

# A request may carry a few 2 MB files (base64 adds a third); a body past this is refused
# before it is parsed.
BODY_MAX_BYTES = 12 * 1024 * 1024

View = Callable[..., HttpResponseBase]


class NotifyError(Exception):
    """An answer in Notify's error shape. `messages` may hold several (schema errors)."""

    def __init__(self, status: int, error: str, *messages: str) -> None:
        super().__init__(messages[0] if messages else error)
        self.status = status
        self.error = error
        self.messages = list(messages)


def bad_request(message: str, status: int = 400) -> NotifyError:
    return NotifyError(status, "BadRequestError", message)


def invalid(*messages: str) -> NotifyError:
    return NotifyError(400, "ValidationError", *messages)


def not_found() -> NotifyError:
    return NotifyError(404, "NoResultFound", _("No se encontró ningún resultado."))


def answer(data: Any, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    # Messages and recipients are personal data: no cache keeps them.
    response["Cache-Control"] = "no-store"
    return response


def error_answer(problem: NotifyError) -> JsonResponse:
    return answer(
        {
            "status_code": problem.status,
            "errors": [{"error": problem.error, "message": m} for m in problem.messages],
        },
        status=problem.status,
    )


def body_json(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object; NotifyError otherwise. Read from the stream, as the
    base64 of a 2 MB file is past Django's in-memory cap for `request.body`."""
    raw = request.read(BODY_MAX_BYTES + 1)
    if len(raw) > BODY_MAX_BYTES:
        raise bad_request(
            _("La solicitud supera %(n)s MB.") % {"n": BODY_MAX_BYTES // (1024 * 1024)},
            status=413,
        )
    try:
        data = json.loads(raw) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        raise bad_request(_("Los datos enviados por POST no son JSON válido.")) from None
    if data is None:
        raise bad_request(_("Los datos enviados por POST no son JSON válido."))
    if not isinstance(data, dict):
        raise invalid(_("El cuerpo de la solicitud debe ser un objeto JSON."))
    return data


def endpoint(methods: dict[str, View]) -> View:
    """One URL, a view per method: another method is a 405 with Allow, before the key is
    checked. Answers in the platform's language whatever the caller's cookie, and never an
    HTML page: a NotifyError becomes its body, anything unexpected a logged 500 in Notify's
    shape."""
    allowed = ", ".join(methods)

    @csrf_exempt
    def dispatch(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        with translation.override(settings.LANGUAGE_CODE):
            method = "GET" if request.method == "HEAD" else str(request.method)
            view = methods.get(method)
            try:
                if view is None:
                    response: HttpResponseBase = error_answer(
                        bad_request(
                            _("Método no permitido en esta dirección; use %(methods)s.")
                            % {"methods": allowed},
                            status=405,
                        )
                    )
                    response["Allow"] = allowed
                    return response
                return view(request, **kwargs)
            except NotifyError as problem:
                return error_answer(problem)
            except Exception:
                logger.exception("Notify API error on %s %s", request.method, request.path)
                return error_answer(NotifyError(500, "Exception", _("Error interno del servidor.")))

    return dispatch


@csrf_exempt
def unknown_path(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
    with translation.override(settings.LANGUAGE_CODE):
        return error_answer(
            NotifyError(
                404, "NotFound", _("La dirección pedida no existe en la API de avisos (v2).")
            )
        )
