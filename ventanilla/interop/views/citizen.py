"""The citizen's "Mis datos": who read their data, and the consents they gave."""

from django.http import Http404, HttpRequest, HttpResponse


def data_reads(request: HttpRequest) -> HttpResponse:
    raise Http404


def consents(request: HttpRequest) -> HttpResponse:
    raise Http404


def consent_withdraw(request: HttpRequest, record_id: str) -> HttpResponse:
    raise Http404
