"""Facets of a search: how many matches of each type, institution, level of government and
department, counted by the engine and labelled for people."""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from ventanilla.institutions.models import Institution, Level
from ventanilla.search.backends import Filters
from ventanilla.search.indexing import index_generation
from ventanilla.search.query import Memo
from ventanilla.search.registry import kinds
from ventanilla.ubigeo.models import Department

FACETS_SECONDS = 3600


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def facet_counts(engine: Any, match: Any, filters: Filters) -> dict[str, list[tuple[Any, int]]]:
    """Facet counts of a match, kept until the index next changes: counting every match of
    a broad query ("municipalidad") is the dearest part of a search, and the broad queries
    are the ones many people repeat."""
    key = hashlib.blake2b(
        repr((engine.name, match.where_sql, match.where_params, filters)).encode(), digest_size=16
    ).hexdigest()
    key = f"search:facets:{index_generation()}:{key}"
    facets: dict[str, list[tuple[Any, int]]] | None = cache.get(key)
    if facets is None:
        facets = engine.facets(match, filters)
        cache.set(key, facets, timeout=FACETS_SECONDS)
    return facets


def _build_institution_labels() -> dict[int, tuple[str, str]]:
    rows = Institution.objects.values_list("pk", "slug", "name")
    return {pk: (slug, name) for pk, slug, name in rows}


_institutions = Memo("search:institution-labels:v1", _build_institution_labels, seconds=60)


def _institution_labels(ids: list[int]) -> dict[int, tuple[str, str]]:
    """(slug, name) of institutions, from a copy kept a minute in this process; one made since
    is read from the database."""
    known = _institutions.get()
    found = {pk: known[pk] for pk in ids if pk in known}
    missing = [pk for pk in ids if pk not in known]
    if missing:
        rows = Institution.objects.filter(pk__in=missing).values_list("pk", "slug", "name")
        found.update((pk, (slug, name)) for pk, slug, name in rows)
    return found


def _build_department_names() -> dict[str, str]:
    return dict(Department.objects.values_list("code", "name"))


_departments = Memo("search:departments:v1", _build_department_names, seconds=3600)


def _department_names() -> dict[str, str]:
    return _departments.get()


def facet_values(
    facets: dict[str, list[tuple[Any, int]]], filters: Filters
) -> dict[str, list[FacetValue]]:
    known = kinds()
    institution_rows = facets.get("institution", [])[:20]
    institution_info = _institution_labels([v for v, _n in institution_rows])
    departments = _department_names()
    levels = dict(Level.choices)
    return {
        "type": [
            FacetValue(
                str(v),
                str(known[v].label_plural) if v in known else str(v),
                n,
                v in filters.kinds,
            )
            for v, n in facets.get("type", [])
        ],
        "institution": [
            FacetValue(
                institution_info[v][0], institution_info[v][1], n, v == filters.institution_id
            )
            for v, n in institution_rows
            if v in institution_info
        ],
        "level": [
            FacetValue(str(v), str(levels.get(v, v)), n, v == filters.level)
            for v, n in facets.get("level", [])
        ],
        "department": [
            FacetValue(str(v), departments.get(v, str(v)), n, v == filters.department_id)
            for v, n in facets.get("department", [])
        ],
    }
