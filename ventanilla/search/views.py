"""The portal search page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ventanilla.catalogue.selectors import procedure_popular
from ventanilla.search.selectors import search as search_run


def search(request: HttpRequest) -> HttpResponse:
    results = search_run(
        q=request.GET.get("q"),
        types=request.GET.getlist("tipo"),
        institution=request.GET.get("institucion"),
        level=request.GET.get("nivel"),
        department=request.GET.get("departamento"),
        sort=request.GET.get("orden") or "relevance",
        page=request.GET.get("page"),
        log=True,
    )
    context: dict[str, object] = {
        "results": results,
        "query": results.query,
        "crumbs": [(_("Buscar"), None)],
    }
    if not results.hits:
        context["popular"] = procedure_popular(limit=6)
    return render(request, "search/results.html", context)
