"""Placeholder views: the portal work replaces each one."""

from django.http import HttpResponse


def page_feedback(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("feedback.page_feedback")

