"""What can be found: each kind of published thing registers once, and indexing, rebuilding,
facets and the API pick it up. A new kind (news, datasets) is one `register()` call."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.functional import Promise

StrOrPromise = str | Promise


@dataclass(frozen=True)
class IndexEntry:
    """One published thing as the index sees it. `keywords` are words it should be found by
    that are not in its title (an institution's name and acronym, a code)."""

    object_id: int
    title: str
    url: str
    code: str = ""
    keywords: str = ""
    summary: str = ""
    body: str = ""
    subtype: str = ""
    institution_id: int | None = None
    level: str = ""
    department_id: str | None = None
    date: datetime | None = None
    popularity: int = 0
    # A static prior: a full procedure page outranks a title-only catalogue page.
    quality: float = 1.0


@dataclass(frozen=True)
class SearchKind:
    """A kind of published thing. `entries` turns a batch of objects into index entries
    (leaving out what is not published); `queryset` lists every object a rebuild reads;
    `watch` maps other models to the ids of this kind that a change to them touches."""

    name: str
    label: StrOrPromise
    label_plural: StrOrPromise
    model: type[models.Model]
    queryset: Callable[[], models.QuerySet[Any]]
    entries: Callable[[Iterable[Any]], Iterable[IndexEntry]]
    # Prior of the kind in ranking; procedures lead task-like queries.
    weight: float = 1.0
    task_weight: float = 1.0
    watch: tuple[tuple[type[models.Model], Callable[[Any], list[int]]], ...] = ()


_KINDS: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> SearchKind:
    _KINDS[kind.name] = kind
    return kind


def kinds() -> dict[str, SearchKind]:
    return dict(_KINDS)


def kind_get(name: str) -> SearchKind | None:
    return _KINDS.get(name)


def kind_for_model(model: type[models.Model]) -> SearchKind | None:
    for kind in _KINDS.values():
        if kind.model is model:
            return kind
    return None
