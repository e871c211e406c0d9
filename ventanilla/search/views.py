"""Placeholder views: the portal work replaces each one."""

from django.http import HttpResponse


def search(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("search.search")

