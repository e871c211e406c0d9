"""The application's URLs plus /bench/vacia/: an empty Django view behind every middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from config import urls as application


def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/vacia/", empty),
    *application.urlpatterns,
]
handler400 = application.handler400
handler404 = application.handler404
handler500 = application.handler500
