"""GovStack Information Mediator directory (listClients, listMethods, allowedMethods,
getOpenAPI). Filled in by the directory work."""

from django.http import Http404, HttpRequest, HttpResponse


def list_clients(request: HttpRequest) -> HttpResponse:
    raise Http404


def list_methods(request: HttpRequest, **ids: str) -> HttpResponse:
    raise Http404


def allowed_methods(request: HttpRequest, **ids: str) -> HttpResponse:
    raise Http404


def get_openapi(request: HttpRequest, **ids: str) -> HttpResponse:
    raise Http404
