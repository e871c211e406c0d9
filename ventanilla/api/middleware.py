"""HTTP rules for everything under /api/: JSON errors, Spanish, open CORS, public caching.

It sits right after LanguageMiddleware, so answers it rewrites (the over-long query string
page, Django's 404 and 405) are still compressed and given an ETag by the middleware above."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ventanilla.api.errors import json_error, status_message

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# Open data changes when an editor publishes; a minute of staleness keeps caches useful.
PUBLIC_CACHE_CONTROL = "public, max-age=60"


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (request.path_info + "/").startswith(API_PREFIX):
            return self.get_response(request)
        # The API speaks the portal's default language whatever the visitor's cookie says,
        # so a response depends on its URL only and any cache may keep it.
        with translation.override(settings.LANGUAGE_CODE):
            response = self._answer(request)
            response["Content-Language"] = settings.LANGUAGE_CODE
        response["Access-Control-Allow-Origin"] = "*"
        if "Cache-Control" in response:
            pass  # a view that chose its own (private data, e.g. GovStack applications) keeps it
        elif response.status_code == 200 and request.method in ("GET", "HEAD"):
            response["Cache-Control"] = PUBLIC_CACHE_CONTROL
        else:
            response["Cache-Control"] = "no-cache"
        return response

    def _answer(self, request: HttpRequest) -> HttpResponse:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self._not_found(request)
        if match.url_name == "api-root" and request.method in ("GET", "HEAD"):
            return self._index(request)
        if request.method == "OPTIONS":
            return self._preflight()
        if len(request.META.get("QUERY_STRING", "")) > settings.MAX_QUERY_STRING_LENGTH:
            return json_error(
                400,
                _("La consulta es demasiado larga (máximo %(n)s caracteres).")
                % {"n": settings.MAX_QUERY_STRING_LENGTH},
            )
        head = request.method == "HEAD"
        if head:
            # Answered as GET; the server drops the body, as for Django's own views.
            request.method = "GET"
        try:
            response = self.get_response(request)
        except Exception:
            # Only when Django's own error pages fail; the API still answers JSON.
            logger.exception("API request failed outside its views: %s", request.path)
            response = json_error(500, status_message(500))
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code >= 400 and not _is_json(response):
            response = self._as_json(request, response)
        return response

    @staticmethod
    def _not_found(request: HttpRequest) -> HttpResponse:
        path = request.path_info
        for candidate in (path.rstrip("/"), f"{path}/"):
            if candidate != path and candidate.startswith(API_PREFIX):
                try:
                    resolve(candidate)
                except Resolver404:
                    continue
                return json_error(
                    404,
                    _("No existe nada en %(path)s. ¿Quiso decir %(candidate)s?")
                    % {"path": path[:200], "candidate": candidate},
                )
        return json_error(
            404,
            _("No existe nada en %(path)s. La documentación de la API está en %(docs)s.")
            % {"path": path[:200], "docs": "/api/v1/docs"},
        )

    @staticmethod
    def _index(request: HttpRequest) -> HttpResponse:
        """What /api/v1/ answers: where the documentation and the collections are."""
        links = {
            name: request.build_absolute_uri(reverse(f"api-v1:{name}"))
            for name in (
                "openapi-json",
                "openapi-view",
                "institution_list",
                "procedure_list",
                "search",
            )
        }
        return JsonResponse(
            {
                "detail": _("API pública de Ventanilla, versión 1."),
                "openapi": links["openapi-json"],
                "docs": links["openapi-view"],
                "institutions": links["institution_list"],
                "procedures": links["procedure_list"],
                "search": links["search"],
            },
            json_dumps_params={"ensure_ascii": False},
        )

    @staticmethod
    def _preflight() -> HttpResponse:
        response = HttpResponse(status=204)
        del response["Content-Type"]
        response["Allow"] = ALLOWED_METHODS
        response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
        response["Access-Control-Max-Age"] = "86400"
        return response

    @staticmethod
    def _as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        if status == 405:
            detail = _("El método %(method)s no está permitido aquí: la API solo acepta GET.") % {
                "method": request.method
            }
        else:
            detail = status_message(status)
        rewritten = json_error(status, detail)
        if status == 405:
            rewritten["Allow"] = ALLOWED_METHODS
        return rewritten
