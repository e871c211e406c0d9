"""Placeholder views: the portal work replaces each one."""

from django.http import HttpResponse


def procedure_list(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("catalogue.procedure_list")


def procedure_detail(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("catalogue.procedure_detail")


def procedure_by_number(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("catalogue.procedure_by_number")


def topic_list(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("catalogue.topic_list")


def topic_detail(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("catalogue.topic_detail")


def life_event_list(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("catalogue.life_event_list")


def life_event_detail(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("catalogue.life_event_detail")

