"""The home page, the language switch and the error pages."""

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from ventanilla.core.pagecache import citizen_page
from ventanilla.search.selectors import portal_home

LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


@citizen_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"home": portal_home()})


def safe_local_path(candidate: str | None, default: str = "/") -> str:
    """`candidate` if it is a path on this site ('/tramites/?q=dni'), else `default`."""
    if (
        candidate
        and candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None)
    ):
        return candidate
    return default


def language_switch(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the chosen language in the `lang` cookie and go back to the page."""
    if code not in {c for c, _name in settings.LANGUAGES}:
        raise Http404
    response = HttpResponseRedirect(safe_local_path(request.GET.get("next")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
    )
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseBadRequest(loader.render_to_string("400.html", request=request))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: context processors might touch the session or the database,
    # which may be what just failed.
    return HttpResponseServerError(loader.render_to_string("500.html"))
