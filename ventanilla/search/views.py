"""The portal search page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ventanilla.catalogue.selectors import procedure_popular
from ventanilla.core.pagecache import citizen_page
from ventanilla.core.pagination import paginate
from ventanilla.search.selectors import (
    search_institutions_first,
    search_procedures,
    search_query_parse,
)

INSTITUTIONS_SHOWN = 5


@citizen_page
def search(request: HttpRequest) -> HttpResponse:
    query = search_query_parse(request.GET.get("q"))
    context: dict[str, object] = {"query": query, "crumbs": [(_("Buscar"), None)]}
    if query.searchable:
        first_institutions, institution_count = search_institutions_first(
            query=query, limit=INSTITUTIONS_SHOWN
        )
        page_of = paginate(search_procedures(query=query), request.GET.get("page"))
        context.update(
            page_of=page_of, institutions=first_institutions, institution_count=institution_count
        )
        if not page_of.paginator.count and not institution_count:
            context["popular"] = procedure_popular(limit=6)
    else:
        context["popular"] = procedure_popular(limit=6)
    return render(request, "search/results.html", context)
