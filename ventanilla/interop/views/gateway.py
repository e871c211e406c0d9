"""`/r1/{instance}/{class}/{member}/{subsystem}/{service}[/path]`: the mediator's request
entry point. Filled in by the mediator work."""

from django.http import Http404, HttpRequest, HttpResponse


def mediate(request: HttpRequest, **parts: str) -> HttpResponse:
    raise Http404
