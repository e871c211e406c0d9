"""The simple portal search and the home page's contents, across the catalogue and the directory.

Search is deliberately plain until the search issue: the query is accent-folded and split into
words, and every word must appear in a record's folded text. Full procedure pages come first."""

from dataclasses import dataclass, field

from django.db.models import Count, Func, IntegerField, QuerySet, Subquery, Window
from django.utils.translation import gettext as _

from ventanilla.catalogue.models import LifeEvent, Procedure, Topic
from ventanilla.catalogue.selectors import LIST_FIELDS, procedure_popular
from ventanilla.core.text import fold_words
from ventanilla.institutions.models import Institution
from ventanilla.institutions.selectors import institution_search_q

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8


@dataclass(frozen=True)
class SearchQuery:
    """A visitor's query as typed, the words we search for, and what was wrong with it."""

    raw: str
    words: list[str] = field(default_factory=list)
    problem: str = ""

    @property
    def searchable(self) -> bool:
        return bool(self.words)


def search_query_parse(raw: str | None) -> SearchQuery:
    """Fold and split a query. Empty, over-long or word-less queries get a Spanish message
    instead of words; more than eight words keep the first eight."""
    text = (raw or "").strip()
    if not text:
        return SearchQuery(raw="", problem=_("Escribe qué trámite o institución buscas."))
    if len(text) > MAX_QUERY_LENGTH:
        return SearchQuery(
            raw=text[:MAX_QUERY_LENGTH],
            problem=_(
                "Tu búsqueda es demasiado larga (más de %(n)s caracteres). "
                "Prueba con pocas palabras, por ejemplo «duplicado de DNI»."
            )
            % {"n": MAX_QUERY_LENGTH},
        )
    words = fold_words(text).split()
    if not words:
        return SearchQuery(
            raw=text,
            problem=_(
                "Tu búsqueda no tiene letras ni números. Prueba con una palabra, como «DNI»."
            ),
        )
    return SearchQuery(raw=text, words=words[:MAX_WORDS])


def search_procedures(*, query: SearchQuery) -> QuerySet[Procedure]:
    """Published procedures whose folded text holds every word: full pages first."""
    qs = Procedure.objects.filter(is_published=True).select_related("institution")
    qs = qs.only(*LIST_FIELDS)
    if not query.searchable:
        return qs.none()
    for word in query.words:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("-has_detail", "-popularity", "title", "id")


def search_institutions(*, query: SearchQuery) -> QuerySet[Institution]:
    """Institutions whose folded name or acronym holds every word, A–Z."""
    qs = Institution.objects.select_related("department", "province", "district")
    if not query.searchable:
        return qs.none()
    return qs.filter(institution_search_q(query.words)).order_by("name", "id")


def search_institutions_first(*, query: SearchQuery, limit: int) -> tuple[list[Institution], int]:
    """The first `limit` matching institutions and how many match, in one query (a window
    count rides on each row)."""
    counted = search_institutions(query=query).annotate(total=Window(Count("pk")))
    rows: list[Institution] = list(counted[:limit])
    return rows, (getattr(rows[0], "total", 0) if rows else 0)


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
