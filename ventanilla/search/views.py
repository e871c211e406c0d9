"""The portal search page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ventanilla.catalogue.selectors import procedure_popular
from ventanilla.core.pagecache import citizen_page
from ventanilla.core.pagination import paginate
from ventanilla.search.selectors import search_institutions, search_procedures, search_query_parse

INSTITUTIONS_SHOWN = 5


@citizen_page
def search(request: HttpRequest) -> HttpResponse:
    query = search_query_parse(request.GET.get("q"))
    context: dict[str, object] = {"query": query, "crumbs": [(_("Buscar"), None)]}
    if query.searchable:
        institutions = search_institutions(query=query)
        first_institutions = list(institutions[:INSTITUTIONS_SHOWN])
        institution_count = len(first_institutions)
        if institution_count == INSTITUTIONS_SHOWN:
            institution_count = institutions.count()
        page_of = paginate(search_procedures(query=query), request.GET.get("page"))
        context.update(
            page_of=page_of, institutions=first_institutions, institution_count=institution_count
        )
        if not page_of.paginator.count and not institution_count:
            context["popular"] = procedure_popular(limit=6)
    else:
        context["popular"] = procedure_popular(limit=6)
    return render(request, "search/results.html", context)
