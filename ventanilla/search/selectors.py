"""Reading the search index: ranked, faceted results and suggestions as you type; and the
home page's contents.

`search()` is the one entry point the portal page and the API share. It never raises on what a
visitor typed: an empty, over-long or punctuation-only query, an unknown filter or a page past
the end come back as a result with a Spanish message."""

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Func, IntegerField, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from markupsafe import Markup

from ventanilla.catalogue.models import LifeEvent, Procedure, ProcedureKind, Topic
from ventanilla.catalogue.selectors import procedure_popular
from ventanilla.institutions.models import Institution, Kind, Level
from ventanilla.search.backends import Filters, backend
from ventanilla.search.backends.base import BROAD_MATCHES, PRECOMPUTED_MATCHES
from ventanilla.search.facets import FacetValue, facet_counts, facet_values
from ventanilla.search.indexing import GENERATION_KEY
from ventanilla.search.models import SearchDocument, SearchGroupPrecomputed, SearchTerm
from ventanilla.search.query import ParsedQuery, group_key, query_parse, versions_read
from ventanilla.search.ranking import BODY_CANDIDATES, CANDIDATES, Candidate, rerank
from ventanilla.search.registry import kind_get, kinds
from ventanilla.search.snippets import highlight
from ventanilla.ubigeo.models import Department

PER_PAGE = 20
MAX_PER_PAGE = 50
SORTS = ("relevance", "date")
BODY_RANKED_MATCHES = 500
HIT_FIELDS = (
    "kind",
    "object_id",
    "title",
    "code",
    "url",
    "summary",
    "body",
    "subtype",
    "date",
    "institution__id",
    "institution__slug",
    "institution__name",
    "institution__acronym",
)


@dataclass(frozen=True)
class HitInstitution:
    id: int
    slug: str
    name: str
    acronym: str


@dataclass(frozen=True)
class Hit:
    type: str
    id: int
    code: str
    title: str
    url: str
    institution: HitInstitution | None
    snippet: Markup
    summary: str
    subtype: str
    subtype_label: str
    date: datetime | None
    score: float


@dataclass
class SearchResults:
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    corrected: str = ""
    corrected_applied: bool = False
    relaxed: bool = False
    filter_problems: list[str] = field(default_factory=list)
    sort: str = "relevance"
    log_id: int | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class Suggestion:
    title: str
    url: str
    type: str


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _filters(
    *,
    types: list[str] | tuple[str, ...] | None,
    institution: str | int | None,
    level: str | None,
    department: str | None,
    problems: list[str],
) -> Filters:
    known = kinds()
    kind_names = tuple(dict.fromkeys(t for t in (types or []) if t in known))
    for t in types or []:
        if t and t not in known:
            problems.append(
                _("No existe el tipo «%(value)s»; se muestran todos los tipos.") % {"value": t}
            )
    institution_id = None
    if institution not in (None, ""):
        found = Institution.objects.filter(slug=str(institution)[:120]).values_list("pk", flat=True)
        ids = list(found) or (
            list(Institution.objects.filter(pk=_int(institution, 0)).values_list("pk", flat=True))
            if str(institution).isdigit()
            else []
        )
        if ids:
            institution_id = ids[0]
        else:
            problems.append(
                _("No encontramos la institución «%(value)s»; se muestran todas.")
                % {"value": str(institution)[:80]}
            )
    level_value = ""
    if level:
        if level in Level.values:
            level_value = level
        else:
            problems.append(
                _("No existe el nivel de gobierno «%(value)s»; se muestran todos.")
                % {"value": level[:40]}
            )
    department_id = ""
    if department:
        code = (
            Department.objects.filter(code=department[:2]).values_list("code", flat=True)
            if department.isdigit()
            else Department.objects.filter(slug=department[:80]).values_list("code", flat=True)
        )
        codes = list(code)
        if codes:
            department_id = codes[0]
        else:
            problems.append(
                _("No existe el departamento «%(value)s»; se muestran todos.")
                % {"value": department[:40]}
            )
    return Filters(
        kinds=kind_names,
        institution_id=institution_id,
        level=level_value,
        department_id=department_id,
    )


def search(
    *,
    q: str | None,
    types: list[str] | tuple[str, ...] | None = None,
    institution: str | int | None = None,
    level: str | None = None,
    department: str | None = None,
    sort: str = "relevance",
    page: int | str | None = 1,
    per_page: int = PER_PAGE,
    log: bool = False,
    source: str = "web",
) -> SearchResults:
    """Ranked, faceted results for what a visitor typed, on the engine of the database in
    use. A query that matches nothing with every word is retried with any word (`relaxed`);
    a word the index does not know is corrected (`corrected`)."""
    with versions_read(GENERATION_KEY):
        return _search(
            q=q,
            types=types,
            institution=institution,
            level=level,
            department=department,
            sort=sort,
            page=page,
            per_page=per_page,
            log=log,
            source=source,
        )


def _search(
    *,
    q: str | None,
    types: list[str] | tuple[str, ...] | None,
    institution: str | int | None,
    level: str | None,
    department: str | None,
    sort: str,
    page: int | str | None,
    per_page: int,
    log: bool,
    source: str,
) -> SearchResults:
    engine = backend()
    problems: list[str] = []
    filters = _filters(
        types=types, institution=institution, level=level, department=department, problems=problems
    )
    if sort not in SORTS:
        problems.append(_("Orden desconocido; se ordena por relevancia."))
        sort = "relevance"
    per_page = min(max(_int(per_page, PER_PAGE), 1), MAX_PER_PAGE)
    page_number = max(_int(page, 1), 1)
    query = query_parse(q, typo=engine)
    results = SearchResults(
        query=query,
        page=page_number,
        per_page=per_page,
        filter_problems=problems,
        sort=sort,
        corrected=query.corrected,
        corrected_applied=bool(query.corrected),
    )
    if query.searchable:
        _run(results, engine, filters)
    if log and query.searchable:
        from ventanilla.search.services import search_log_record

        results.log_id = search_log_record(results=results, filters=filters, source=source).pk
    return results


def _precomputed(query: ParsedQuery, filters: Filters) -> dict[str, Any] | None:
    """What the index worked out in advance for a one-word search without filters that
    matches thousands: the word alone, or with its synonyms."""
    if filters != Filters() or len(query.required) != 1 or query.required[0].prefix:
        return None
    group = query.required[0]
    alternatives = group.alternatives
    if len(alternatives) > 1:
        found: dict[str, Any] | None = (
            SearchGroupPrecomputed.objects.filter(key=group_key(group))
            .values_list("precomputed", flat=True)
            .first()
        )
        return found
    if len(alternatives[0]) != 1:
        return None
    term = alternatives[0][0]
    if query.term_documents.get(term, 0) < PRECOMPUTED_MATCHES:
        return None
    found = SearchTerm.objects.filter(term=term).values_list("precomputed", flat=True).first()
    return found


def _run(results: SearchResults, engine: Any, filters: Filters) -> None:
    query = results.query
    groups, any_group = query.required, False
    match = engine.match(groups, any_group=False)
    precomputed = _precomputed(query, filters)
    facets = precomputed["facets"] if precomputed else facet_counts(engine, match, filters)
    total = sum(n for _v, n in facets["type"])
    if not total and len(query.groups) > 1:
        groups, any_group = query.without_common(query.groups, BROAD_MATCHES), True
        match = engine.match(groups, any_group=True)
        facets = facet_counts(engine, match, filters)
        total = sum(n for _v, n in facets["type"])
        results.relaxed = bool(total)
    results.total = total
    if filters.kinds:
        # The type facet counts as if no type were chosen, so every tab keeps its number.
        facets = {**facets, "type": facet_counts(engine, match, replace(filters, kinds=()))["type"]}
    results.facets = facet_values(facets, filters)
    offset = (results.page - 1) * results.per_page
    if not total or offset >= total:
        return
    if results.sort == "date":
        ranked = engine.by_date(match, filters, limit=results.per_page, offset=offset)
        results.hits = _hits(ranked, query)
        return
    # Candidates: the best-regarded pages whose title or keywords hold the query, and the
    # engine's best by full text; the re-ranker orders them, the engine's order follows.
    if precomputed:
        merged = dict.fromkeys(precomputed["names_top"], 0.0)
    else:
        names = engine.match(groups, any_group=any_group, fields="names")
        merged = dict(
            engine.best_documents(names, filters, limit=CANDIDATES, broad=total > BROAD_MATCHES)
        )
    # When titles alone fill the candidates, a body match would not reach the first pages:
    # ranking every body of a broad query ("municipalidad") would cost the most and show nothing.
    if len(merged) < CANDIDATES:
        # Scoring every body is worth it for a few hundred matches; past that, the best
        # regarded ones are the candidates (scoring reads each match's whole vector).
        if total <= BODY_RANKED_MATCHES:
            body = engine.ranked(match, filters, limit=BODY_CANDIDATES)
        elif precomputed and "body_top" in precomputed:
            body = [(pk, 0.0) for pk in precomputed["body_top"]]
        else:
            body = engine.best_documents(
                match, filters, limit=BODY_CANDIDATES, broad=total > BROAD_MATCHES
            )
        for pk, score in body:
            merged[pk] = max(merged.get(pk, 0.0), score)
    ordered = rerank(query, _candidates(list(merged.items())))
    ranked = [(c.id, c.score) for c in ordered[offset : offset + results.per_page]]
    missing = results.per_page - len(ranked)
    # Past the re-ranked candidates, the engine's own order follows (without repeating them).
    if missing > 0 and len(ordered) < results.total:
        rest = replace(filters, exclude_ids=tuple(c.id for c in ordered))
        ranked += engine.ranked(match, rest, limit=missing, offset=max(0, offset - len(ordered)))
    results.hits = _hits(ranked, query)


def _candidates(ranked: list[tuple[int, float]]) -> list[Candidate]:
    scores = dict(ranked)
    if not scores:
        return []
    # Plain SQL: for the 150 rows every search reads, building the ORM query cost more than
    # running it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, kind, code, institution_id, title_terms, keyword_terms, boost "  # noqa: S608 - placeholders only
            f"FROM search_searchdocument WHERE id IN ({', '.join(['%s'] * len(scores))})",
            list(scores),
        )
        rows = cursor.fetchall()
    return [
        Candidate(
            id=pk,
            kind=kind,
            code=code,
            institution_id=institution_id,
            title_terms=title_terms,
            keyword_terms=keyword_terms,
            boost=boost,
            engine_score=scores[pk],
        )
        for pk, kind, code, institution_id, title_terms, keyword_terms, boost in rows
    ]


_SUBTYPE_LABELS: dict[tuple[str, str, str], str] = {}


def _subtype_label(kind: str, subtype: str) -> str:
    key = (get_language() or "", kind, subtype)
    label = _SUBTYPE_LABELS.get(key)
    if label is None:
        if kind == "procedure" and subtype in ProcedureKind.values:
            label = str(ProcedureKind(subtype).label)
        elif kind == "institution" and subtype in Kind.values:
            label = str(Kind(subtype).label)
        else:
            found = kind_get(kind)
            label = str(found.label) if found else kind
        _SUBTYPE_LABELS[key] = label
    return label


def _hits(ranked: list[tuple[int, float]], query: ParsedQuery) -> list[Hit]:
    rows = SearchDocument.objects.filter(pk__in=[pk for pk, _s in ranked]).values_list(
        "pk", *HIT_FIELDS
    )
    docs = {row[0]: row[1:] for row in rows}
    hits = []
    for pk, score in ranked:
        d = docs.get(pk)
        if d is None:
            continue
        kind, object_id, title, code, url, summary, body, subtype, date, *institution = d
        source = summary or body
        hits.append(
            Hit(
                type=kind,
                id=object_id,
                code=code if kind == "procedure" else "",
                title=title,
                url=url,
                institution=HitInstitution(*institution)
                if institution[0] is not None and kind != "institution"
                else None,
                snippet=highlight(source, query.groups) if source else Markup(""),
                summary=summary[:300],
                subtype=subtype,
                subtype_label=_subtype_label(kind, subtype),
                date=date,
                score=round(score, 4),
            )
        )
    return hits


def search_suggest(prefix: str | None, limit: int = 8) -> list[Suggestion]:
    """Titles that complete what is being typed, for the search box: the last word may be
    half-typed. Every word must be in the title."""
    with versions_read():
        query = query_parse(prefix, typo=None)
    if not query.searchable or len((prefix or "").strip()) < 2:
        return []
    groups = list(query.required)
    last = groups[-1]
    if not (prefix or "").endswith(" ") and len(last.alternatives) == 1:
        # The word as typed ("certif") or its stem ("licencia" is indexed as "licenci").
        alternatives = tuple(dict.fromkeys([(last.source,), *last.alternatives]))
        groups[-1] = type(last)(alternatives=alternatives, source=last.source, prefix=True)
    engine = backend()
    match = engine.match(groups, any_group=False, fields="title")
    ranked = engine.ranked(match, Filters(), limit=limit)
    docs = {
        d["pk"]: d
        for d in SearchDocument.objects.filter(pk__in=[pk for pk, _s in ranked]).values(
            "pk", "title", "url", "kind"
        )
    }
    return [
        Suggestion(title=docs[pk]["title"], url=docs[pk]["url"], type=docs[pk]["kind"])
        for pk, _s in ranked
        if pk in docs
    ]


@dataclass(frozen=True)
class HomeContents:
    popular: list[Procedure]
    topics: list[Topic]
    life_events: list[LifeEvent]
    institution_count: int
    procedure_count: int


def portal_home() -> HomeContents:
    """What the home page shows: popular procedures, topics, life events and two figures
    (four queries)."""
    # Both figures in one query: two scalar subqueries read on the first institution row.
    institutions = Institution.objects.order_by()
    published = Procedure.objects.filter(is_published=True).order_by()
    # COUNT(*) (not COUNT(id)): SQLite answers an unfiltered one from the table's b-tree.
    count = Func(template="COUNT(*)", output_field=IntegerField())
    figures = list(
        institutions.annotate(
            i=Subquery(institutions.annotate(n=count).values("n")),
            p=Subquery(published.annotate(n=count).values("n")),
        ).values_list("i", "p")[:1]
    ) or [(0, published.count())]
    institution_count, procedure_count = figures[0]
    return HomeContents(
        popular=procedure_popular(limit=8),
        topics=list(Topic.objects.order_by("position", "name").only("slug", "name")[:24]),
        life_events=list(
            LifeEvent.objects.order_by("position", "title").only("slug", "title", "summary")[:6]
        ),
        institution_count=institution_count,
        procedure_count=procedure_count,
    )
