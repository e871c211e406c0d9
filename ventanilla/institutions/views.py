"""Placeholder views: the portal work replaces each one."""

from django.http import HttpResponse


def institution_list(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("institutions.institution_list")


def institution_detail(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("institutions.institution_detail")

