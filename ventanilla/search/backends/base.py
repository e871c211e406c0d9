"""What an engine answers: ranked document ids, counts and facets for a parsed query, and
typo candidates from its vocabulary. Filters and facets are plain SQL on SearchDocument and
shared; each engine supplies how a query matches and how it scores."""

import heapq
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from ventanilla.institutions.models import Institution
from ventanilla.search.query import Group, Memo, TypoFinder

FACET_NAMES = ("type", "institution", "level", "department")
FACET_LIMIT = 50
# Above this many matches, walking the boost index beats collecting and sorting the matches.
BROAD_MATCHES = 4000
# A one-word search (or one word with its synonyms) matching at least this many documents
# answers from facets and candidates worked out when the index changes: counting a few
# thousand matches is most of what such a search would cost.
PRECOMPUTED_MATCHES = 1000
PLACES_SECONDS = 60


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    institution_id: int | None = None
    level: str = ""
    department_id: str = ""
    exclude_ids: tuple[int, ...] = ()

    def sql(self) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        if self.kinds:
            parts.append(f"d.kind IN ({', '.join(['%s'] * len(self.kinds))})")
            params.extend(self.kinds)
        if self.institution_id is not None:
            parts.append("d.institution_id = %s")
            params.append(self.institution_id)
        if self.level:
            parts.append("d.level = %s")
            params.append(self.level)
        if self.department_id:
            parts.append("d.department_id = %s")
            params.append(self.department_id)
        if self.exclude_ids:
            parts.append(f"d.id NOT IN ({', '.join(['%s'] * len(self.exclude_ids))})")
            params.extend(self.exclude_ids)
        return "".join(f" AND {p}" for p in parts), params


@dataclass(frozen=True)
class Match:
    """How an engine matches and scores: FROM and WHERE fragments and a score expression
    (higher is better), each with its parameters."""

    from_sql: str
    where_sql: str
    where_params: list[Any]
    score_sql: str
    score_params: list[Any] = field(default_factory=list)


class Backend(TypoFinder):
    name = "base"

    def match(self, groups: list[Group], *, any_group: bool, fields: str = "all") -> Match:
        """`fields`: "all", "names" (title and keywords) or "title"."""
        raise NotImplementedError

    def _fetch(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def ranked(
        self, match: Match, filters: Filters, *, limit: int, offset: int = 0
    ) -> list[tuple[int, float]]:
        """(document id, engine score) best first."""
        where, params = filters.sql()
        sql = (
            f"SELECT d.id, {match.score_sql} AS score FROM {match.from_sql} "
            f"WHERE {match.where_sql}{where} ORDER BY score DESC, d.id LIMIT %s OFFSET %s"
        )
        rows = self._fetch(sql, [*match.score_params, *match.where_params, *params, limit, offset])
        return [(int(pk), float(score)) for pk, score in rows]

    def best_documents(
        self, match: Match, filters: Filters, *, limit: int, broad: bool = False
    ) -> list[tuple[int, float]]:
        """(document id, 0) of the matches with the highest static prior: the candidates
        among title matches, whose order the re-ranker decides. For a `broad` query (thousands
        of matches) the engine walks the boost index and stops at `limit`; otherwise it
        collects the matches and sorts them, which is cheaper when they are few."""
        where, params = filters.sql()
        sql = self.best_documents_sql(match, where, broad=broad)
        rows = self._fetch(sql, [*match.where_params, *params, limit])
        return [(int(pk), 0.0) for pk, _ in rows]

    def best_documents_sql(self, match: Match, where: str, *, broad: bool) -> str:
        return (
            f"SELECT d.id, 0 FROM {match.from_sql} WHERE {match.where_sql}{where} "
            "ORDER BY d.boost DESC, d.id LIMIT %s"
        )

    def by_date(
        self, match: Match, filters: Filters, *, limit: int, offset: int = 0
    ) -> list[tuple[int, float]]:
        where, params = filters.sql()
        sql = (
            f"SELECT d.id, 0 FROM {match.from_sql} WHERE {match.where_sql}{where} "
            "ORDER BY d.date DESC, d.id DESC LIMIT %s OFFSET %s"
        )
        rows = self._fetch(sql, [*match.where_params, *params, limit, offset])
        return [(int(pk), 0.0) for pk, _ in rows]

    def count(self, match: Match, filters: Filters) -> int:
        where, params = filters.sql()
        sql = f"SELECT COUNT(*) FROM {match.from_sql} WHERE {match.where_sql}{where}"
        return int(self._fetch(sql, [*match.where_params, *params])[0][0])

    def facets(self, match: Match, filters: Filters) -> dict[str, list[tuple[Any, int]]]:
        """Counts of the matching documents by type, institution, level and department, in
        one query grouped by type and institution: an institution's level and department
        are its own, so they are summed here rather than grouped in the database."""
        where, params = filters.sql()
        sql = (
            f"SELECT d.kind, d.institution_id, COUNT(*) FROM {match.from_sql} "
            f"WHERE {match.where_sql}{where} GROUP BY d.kind, d.institution_id"
        )
        by_kind: dict[Any, int] = {}
        by_institution: dict[Any, int] = {}
        for kind, institution_id, n in self._fetch(sql, [*match.where_params, *params]):
            by_kind[kind] = by_kind.get(kind, 0) + n
            if institution_id is not None:
                by_institution[institution_id] = by_institution.get(institution_id, 0) + n
        places = institution_places()
        by_level: dict[Any, int] = {}
        by_department: dict[Any, int] = {}
        for institution_id, n in by_institution.items():
            level, department_id = places.get(institution_id, ("", None))
            if level:
                by_level[level] = by_level.get(level, 0) + n
            if department_id:
                by_department[department_id] = by_department.get(department_id, 0) + n
        counters = {
            "type": by_kind,
            "institution": by_institution,
            "level": by_level,
            "department": by_department,
        }
        return {
            name: heapq.nsmallest(
                FACET_LIMIT, counter.items(), key=lambda item: (-item[1], str(item[0]))
            )
            for name, counter in counters.items()
        }


def _build_places() -> dict[int, tuple[str, str | None]]:
    rows = Institution.objects.values_list("pk", "level", "department_id")
    return {pk: (level, department) for pk, level, department in rows}


_places = Memo("search:places:v1", _build_places, seconds=PLACES_SECONDS)


def institution_places() -> dict[int, tuple[str, str | None]]:
    """Every institution's (level, department code), kept in memory for a minute."""
    return _places.get()
