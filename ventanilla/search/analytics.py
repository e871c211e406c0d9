"""What visitors searched, for the editors: the most frequent searches, those that found
nothing, and those that found something nobody followed. Each table is one aggregate query
over the search log; the query text is already folded and masked when it is logged."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from ventanilla.search.models import SearchClick, SearchLog

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
ROWS = 100


@dataclass(frozen=True)
class TopQuery:
    query: str
    searches: int
    average_results: float
    clicked: int

    @property
    def click_through(self) -> float:
        """Share of these searches after which a result was followed (0 to 1)."""
        return self.clicked / self.searches if self.searches else 0.0


@dataclass(frozen=True)
class ZeroResultQuery:
    query: str
    searches: int
    last_seen: datetime


@dataclass(frozen=True)
class NoClickQuery:
    query: str
    searches: int
    average_results: float
    last_seen: datetime


def analytics_since(days: int, *, now: datetime | None = None) -> datetime:
    """The start of a period of `days` days ending now."""
    return (now or timezone.now()) - timedelta(days=days)


def _clicked() -> Exists:
    return Exists(SearchClick.objects.filter(log=OuterRef("pk")))


def search_top_queries(*, since: datetime, limit: int = ROWS) -> list[TopQuery]:
    """The most frequent searches since `since`, with their average number of results and how
    many were followed by a click. One query."""
    rows = (
        SearchLog.objects.filter(page=1, created_at__gte=since)
        .values("query")
        .annotate(
            searches=Count("pk"),
            average_results=Avg("results"),
            clicked=Count("pk", filter=Q(_clicked())),
        )
        .order_by("-searches", "query")[:limit]
    )
    return [
        TopQuery(
            query=row["query"],
            searches=row["searches"],
            average_results=float(row["average_results"] or 0),
            clicked=row["clicked"],
        )
        for row in rows
    ]


def search_zero_result_queries(*, since: datetime, limit: int = ROWS) -> list[ZeroResultQuery]:
    """Searches that found nothing since `since`, most frequent first: the pages or synonyms
    that are missing. One query."""
    rows = (
        SearchLog.objects.filter(page=1, created_at__gte=since, results=0)
        .values("query")
        .annotate(searches=Count("pk"), last_seen=Max("created_at"))
        .order_by("-searches", "-last_seen", "query")[:limit]
    )
    return [
        ZeroResultQuery(query=row["query"], searches=row["searches"], last_seen=row["last_seen"])
        for row in rows
    ]


def search_no_click_queries(*, since: datetime, limit: int = ROWS) -> list[NoClickQuery]:
    """Searches since `since` that found results of which none was followed, most frequent
    first: the results did not look like what was wanted. One query."""
    rows = (
        SearchLog.objects.filter(page=1, created_at__gte=since, results__gt=0)
        .filter(~Q(_clicked()))
        .values("query")
        .annotate(
            searches=Count("pk"),
            average_results=Avg("results"),
            last_seen=Max("created_at"),
        )
        .order_by("-searches", "-last_seen", "query")[:limit]
    )
    return [
        NoClickQuery(
            query=row["query"],
            searches=row["searches"],
            average_results=float(row["average_results"] or 0),
            last_seen=row["last_seen"],
        )
        for row in rows
    ]
