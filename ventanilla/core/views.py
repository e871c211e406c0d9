"""Placeholder views: the portal work replaces each one."""

from django.http import HttpResponse


def home(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("core.home")


def language_switch(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("core.language_switch")


def bad_request(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("core.bad_request")


def page_not_found(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("core.page_not_found")


def server_error(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("core.server_error")

