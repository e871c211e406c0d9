"""Putting the procedure a citizen wants first.

The engine's score (BM25 or ts_rank_cd over title, keywords and body, times the document's
static prior: kind, full page or title only, popularity) picks the candidates; this module
re-orders the first of them with what the engine cannot see: how much of the query the *title*
answers, an exact code, the institution an acronym names, and whether the query asks to do
something (procedures first) or names an institution."""

import math
from dataclasses import dataclass
from functools import lru_cache

from ventanilla.search.analysis import analyze, stem, tokens
from ventanilla.search.query import Group, Memo, ParsedQuery
from ventanilla.search.registry import kind_get
from ventanilla.ubigeo.models import Department, District, Province

CANDIDATES = 100
BODY_CANDIDATES = 50

# Actions few people come for: a title built on one of them ("Verificar si estás afiliado",
# "Suspender mi pensión", "Reposición de actas") yields to the common task («afiliarme al sis»,
# «partida de nacimiento») unless the query asks for it.
SECONDARY_ACTIONS = frozenset(
    stem(w)
    for w in [
        "verificar",
        "verifica",
        "verificacion",
        "validar",
        "reposicion",
        "reponer",
        "reconstitucion",
        "rectificar",
        "rectificacion",
        "suspender",
        "suspension",
        "cancelar",
        "cancelacion",
        "anular",
        "anulacion",
        "renunciar",
        "desafiliar",
        "desafiliacion",
    ]
)
# Place names that are also common words: never read as a place.
_NOT_PLACES = frozenset(
    [
        "independencia",
        "libertad",
        "union",
        "progreso",
        "paz",
        "esperanza",
        "victoria",
        "pampa",
        "pampas",
        "salud",
        "trabajo",
        "industrial",
        "comercio",
        "alto",
        "bajo",
        "nueva",
        "nuevo",
        "providencia",
    ]
)


def _build_places() -> frozenset[tuple[str, ...]]:
    """Department, province and district names as the analyzer reads them."""
    names: set[str] = set()
    for model in (Department, Province, District):
        names.update(model.objects.values_list("name", flat=True))
    places = set()
    for name in names:
        terms = tuple(analyze(name))
        words = tokens(name)
        if len(terms) > 1 or (
            terms and len(words) == 1 and len(words[0]) >= 4 and words[0] not in _NOT_PLACES
        ):
            places.add(terms)
    return frozenset(places)


_places = Memo("search:place-names:v1", _build_places, seconds=3600)


@lru_cache(maxsize=65536)
def _title_places(title_terms: str) -> tuple[frozenset[str], ...]:
    """The place names a title holds, as sets of terms (kept per title: titles repeat)."""
    places = _places.get()
    words = title_terms.split()
    found = []
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            gram = tuple(words[i : i + size])
            if gram in places:
                found.append(frozenset(gram))
    return tuple(found)


def _names_a_place(title_terms: str, query_terms: set[str]) -> bool:
    """Does the title name a place the query does not (a municipality's own copy of a
    procedure: "… en Lamas")?"""
    return any(not gram <= query_terms for gram in _title_places(title_terms))


@dataclass
class Candidate:
    id: int
    kind: str
    code: str
    institution_id: int | None
    title_terms: str
    keyword_terms: str
    boost: float
    engine_score: float
    score: float = 0.0


def _holds(group: Group, terms: set[str], words: list[str]) -> bool:
    for alt in group.alternatives:
        if group.prefix:
            *whole, last = alt
            if all(t in terms for t in whole) and any(w.startswith(last) for w in words):
                return True
        elif all(t in terms for t in alt):
            return True
    return False


def _matched_terms(groups: list[Group], title_words: list[str]) -> int:
    """How many of the title's words the query accounts for."""
    title = set(title_words)
    wanted: set[str] = set()
    for group in groups:
        for alt in group.alternatives:
            if group.prefix:
                wanted.update(t for t in alt[:-1] if t in title)
                wanted.update(w for w in title if w.startswith(alt[-1]))
            else:
                wanted.update(t for t in alt if t in title)
    return len(wanted)


class _Holder:
    """`_holds` and `_matched_terms` for one query's groups, worked out once per re-rank:
    each alternative as a set, and every term of the groups without a prefix."""

    def __init__(self, groups: list[Group]) -> None:
        self.groups = [(g, [frozenset(alt) for alt in g.alternatives]) for g in groups]
        self.plain_terms = frozenset(
            t for g in groups if not g.prefix for alt in g.alternatives for t in alt
        )
        self.prefixed = [g for g in groups if g.prefix]

    def holds(self, terms: set[str], words: list[str]) -> int:
        """How many of the groups `terms` holds."""
        return sum(
            (_holds(g, terms, words) if g.prefix else any(a <= terms for a in alts))
            for g, alts in self.groups
        )

    def matched(self, title_words: list[str], title: set[str]) -> int:
        if self.prefixed:
            return _matched_terms([g for g, _a in self.groups], title_words)
        return len(title & self.plain_terms)


def rerank(query: ParsedQuery, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates best first. The title decides first (how much of the query it holds,
    and how little else), then the document's prior (full page, popularity, kind), then the
    engine's full-text score; codes and acronyms settle the rest."""
    if not candidates:
        return candidates
    top = max(c.engine_score for c in candidates) or 1.0
    required = _Holder(query.required)
    optional = _Holder(query.optional)
    every = _Holder(query.groups)
    n = len(query.required) or 1
    query_terms = {t for g in query.groups for alt in g.alternatives for t in alt}
    for c in candidates:
        title_words = c.title_terms.split()
        title = set(title_words)
        keywords = set(c.keyword_terms.split())
        in_title = required.holds(title, title_words)
        in_names = required.holds(title | keywords, title_words) if keywords else in_title
        score = 2.0 * in_title / n + 0.6 * (in_names - in_title) / n
        # Tightness: "Solicitar duplicado de DNI" answers «duplicado dni» better than a
        # twenty-word title that also holds both words.
        score += 0.8 * every.matched(title_words, title) / max(len(title), 1)
        score += 0.15 * optional.holds(title, title_words)
        score += 0.6 * math.log(max(c.boost, 0.1))
        if (title & SECONDARY_ACTIONS) - query_terms:
            score -= 0.35
        if c.kind != "institution" and _names_a_place(c.title_terms, query_terms):
            score -= 0.4
        score += 0.2 * max(c.engine_score, 0.0) / top
        if query.code and c.code.upper() == query.code:
            score += 10.0
        if query.acronym_institutions and c.institution_id in query.acronym_institutions:
            if c.kind == "institution":
                score += 1.5 if query.acronym_only else 0.3
            else:
                score += 0.3
        kind = kind_get(c.kind)
        if kind is not None and query.task_like:
            score += math.log(kind.task_weight)
        c.score = score
    return sorted(candidates, key=lambda c: (-c.score, c.id))
