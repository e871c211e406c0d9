"""The portal search: the results page, the click ping of its links and suggestions as you type."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ventanilla.catalogue.selectors import procedure_popular
from ventanilla.core.pagination import PageOf
from ventanilla.search.query import MAX_QUERY_LENGTH
from ventanilla.search.registry import kinds
from ventanilla.search.selectors import SearchResults, search_suggest
from ventanilla.search.selectors import search as search_run
from ventanilla.search.services import search_click_record

# The parameters a results address keeps from one page to the next; `page` is dropped on change.
KEPT = ("q", "tipo", "institucion", "nivel", "departamento", "orden")
FACET_PARAMS = {"institution": "institucion", "level": "nivel", "department": "departamento"}
SUGGEST_MAX_AGE = 300
FEEDBACK_PATH_MAX = 300
_MAX_ID = 10**15


def _text(value: str | None, limit: int = MAX_QUERY_LENGTH * 2) -> str:
    # NUL cannot reach PostgreSQL in a string literal; nothing anyone types contains it.
    return (value or "").replace("\x00", "")[:limit]


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    selected: bool
    href: str


@dataclass(frozen=True)
class FacetGroup:
    param: str
    title: str
    links: list[FacetLink]

    @property
    def selected(self) -> bool:
        return any(link.selected for link in self.links)


def _href(params: QueryDict, **changes: list[str] | str | None) -> str:
    new = params.copy()
    for key, value in changes.items():
        if value is None:
            new.pop(key, None)
        elif isinstance(value, list):
            new.setlist(key, value)
        else:
            new[key] = value
    return f"?{new.urlencode()}"


def _kept_params(request: HttpRequest) -> QueryDict:
    params = QueryDict(mutable=True)
    for key in KEPT:
        values = [_text(v) for v in request.GET.getlist(key) if v.strip()]
        if values:
            params.setlist(key, values)
    return params


def _page_context(request: HttpRequest, results: SearchResults) -> dict[str, Any]:
    """Links of the results page: type tabs, facets, applied filters, sort, pages."""
    params = _kept_params(request)
    known = kinds()
    types = [
        FacetLink(v.label, v.count, v.selected, _href(params, tipo=v.value))
        for v in results.facets.get("type", [])
    ]
    titles = {
        "institution": _("Institución"),
        "level": _("Nivel de gobierno"),
        "department": _("Departamento"),
    }
    groups = [
        FacetGroup(
            param=param,
            title=titles[name],
            links=[
                FacetLink(v.label, v.count, v.selected, _href(params, **{param: v.value}))
                if not v.selected
                else FacetLink(v.label, v.count, True, _href(params, **{param: None}))
                for v in results.facets.get(name, [])
            ],
        )
        for name, param in FACET_PARAMS.items()
    ]
    applied = [
        FacetLink(
            str(known[t].label_plural),
            0,
            True,
            _href(params, tipo=[x for x in params.getlist("tipo") if x != t] or None),
        )
        for t in params.getlist("tipo")
        if t in known
    ] + [link for group in groups for link in group.links if link.selected]
    filtered = any(params.getlist(p) for p in ("tipo", *FACET_PARAMS.values()))
    sorts = [
        FacetLink(_("Más relevantes"), 0, results.sort == "relevance", _href(params, orden=None)),
        FacetLink(_("Más recientes"), 0, results.sort == "date", _href(params, orden="date")),
    ]
    out_of_range = bool(results.total) and results.page > results.pages
    page_of = None
    if results.total and not out_of_range:
        paginator = Paginator(range(results.total), results.per_page)
        page_of = PageOf(paginator.page(results.page), paginator, requested_out_of_range=False)
    return {
        "type_links": types,
        "type_selected": any(t.selected for t in types),
        "corrected_href": _href(params, q=results.corrected),
        "all_types_href": _href(params, tipo=None),
        "facet_groups": [g for g in groups if g.links],
        "applied": applied,
        "filtered": filtered,
        "unfiltered_href": _href(params, **dict.fromkeys(("tipo", *FACET_PARAMS.values()))),
        "sorts": sorts,
        "page_of": page_of,
        "out_of_range": out_of_range,
        "last_page_href": _href(params, page=str(results.pages)),
        "first_position": (results.page - 1) * results.per_page + 1,
    }


def _feedback_path(raw: str) -> str:
    """The address editors read beside an "I did not find it" comment: /buscar/?q=…"""
    text = raw
    while text:
        path = f"/buscar/?{urlencode({'q': text})}"
        if len(path) <= FEEDBACK_PATH_MAX:
            return path
        text = text[: len(text) - max(1, (len(path) - FEEDBACK_PATH_MAX) // 9)]
    return "/buscar/"


def search(request: HttpRequest) -> HttpResponse:
    results = search_run(
        q=_text(request.GET.get("q")),
        types=[_text(t, 40) for t in request.GET.getlist("tipo")],
        institution=_text(request.GET.get("institucion"), 200) or None,
        level=_text(request.GET.get("nivel"), 40) or None,
        department=_text(request.GET.get("departamento"), 80) or None,
        sort=_text(request.GET.get("orden"), 20) or "relevance",
        page=_text(request.GET.get("page"), 20),
        log=True,
    )
    context: dict[str, Any] = {
        "results": results,
        "query": results.query,
        "crumbs": [(_("Buscar"), None)],
    }
    if results.query.searchable:
        context.update(_page_context(request, results))
    if not results.total:
        context["popular"] = procedure_popular(limit=6)
        context["feedback_path"] = _feedback_path(results.query.raw)
    return render(request, "search/results.html", context)


def _bad_click(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _number(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and int(text) < _MAX_ID else None


# A result link's `ping` (sent by the browser, without cookies or a token): it only counts.
@csrf_exempt
def click(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = HttpResponse(
            _("Esta dirección solo cuenta clics (POST)."),
            status=405,
            content_type="text/plain; charset=utf-8",
        )
        response["Allow"] = "POST"
        return response
    log_id, object_id = _number(request.GET.get("b")), _number(request.GET.get("i"))
    position, kind = _number(request.GET.get("p")), _text(request.GET.get("t"), 40)
    if log_id is None or object_id is None or position is None or kind not in kinds():
        return _bad_click(_("Clic no válido: faltan b, t, i o p, o no son válidos."))
    search_click_record(log_id=log_id, kind=kind, object_id=object_id, position=position)
    return HttpResponse(status=204)


@require_GET
def suggestions(request: HttpRequest) -> JsonResponse:
    """Titles for the search box as it is typed; when none starts that way (a typo), the
    best results of the forgiving search instead."""
    q = _text(request.GET.get("q"), MAX_QUERY_LENGTH)
    found = [(s.title, s.url, s.type) for s in search_suggest(q, limit=8)]
    if not found and len(q.strip()) >= 3:
        found = [(h.title, h.url, h.type) for h in search_run(q=q, per_page=6).hits]
    response = JsonResponse(
        {"q": q, "suggestions": [{"title": t, "url": u, "type": k} for t, u, k in found]},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = f"public, max-age={SUGGEST_MAX_AGE}"
    return response
