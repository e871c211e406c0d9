"""From what a visitor typed to what the engines look for.

The query is folded and split; phrases on the synonym list bring their expansions in
(`brevete` → licencia de conducir); words that only say "I want to do something" (`sacar`,
`tramite`) rank results but exclude none; a word the index has never seen is corrected to the
nearest word it has (`antesedentes` → antecedentes), and the corrected query is offered as
"¿Quisiste decir…?"."""

import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _
from rapidfuzz.distance import DamerauLevenshtein

from ventanilla.search.analysis import INTENT_WORDS, STOPWORDS, stem, tokens
from ventanilla.search.models import SearchDocument, SearchTerm, Synonym

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
MAX_PHRASE = 4
SYNONYMS_CACHE_KEY = "search:synonyms:v1"
ACRONYMS_CACHE_KEY = "search:acronyms:v1"
_CODE = re.compile(r"^p\d{3,4}$")


@dataclass(frozen=True)
class Group:
    """One thing the query asks for: a document matches it when it holds every term of any
    one alternative. `prefix` lets the last term of each alternative match as a prefix."""

    alternatives: tuple[tuple[str, ...], ...]
    source: str
    optional: bool = False
    prefix: bool = False

    @property
    def terms(self) -> set[str]:
        return {t for alt in self.alternatives for t in alt}


@dataclass
class ParsedQuery:
    raw: str
    problem: str = ""
    words: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    corrected: str = ""
    code: str = ""
    acronym_institutions: set[int] = field(default_factory=set)
    acronym_only: bool = False
    task_like: bool = False
    # How many documents hold each single-term group's term (from the vocabulary).
    term_documents: dict[str, int] = field(default_factory=dict)

    @property
    def searchable(self) -> bool:
        return bool(self.groups)

    @property
    def required(self) -> list[Group]:
        return [g for g in self.groups if not g.optional] or self.groups

    def without_common(self, groups: list[Group], limit: int) -> list[Group]:
        """`groups` without the one-word ones that thousands of documents hold ("publico"),
        unless nothing would be left: when not every word matches, such a word alone says
        nothing about what was wanted, and it would match most of the index."""
        kept = [
            g
            for g in groups
            if len(g.alternatives) > 1
            or len(g.alternatives[0]) > 1
            or self.term_documents.get(g.alternatives[0][0], 0) < limit
        ]
        return kept or groups

    @property
    def optional(self) -> list[Group]:
        required = self.required
        return [g for g in self.groups if g not in required]


def query_validate(raw: str | None) -> ParsedQuery:
    """The query as typed, with a Spanish message when there is nothing to search for."""
    text = (raw or "").replace("\x00", "").strip()
    if not text:
        return ParsedQuery(raw="", problem=_("Escribe qué trámite o institución buscas."))
    if len(text) > MAX_QUERY_LENGTH:
        return ParsedQuery(
            raw=text[:MAX_QUERY_LENGTH],
            problem=_(
                "Tu búsqueda es demasiado larga (más de %(n)s caracteres). "
                "Prueba con pocas palabras, por ejemplo «duplicado de DNI»."
            )
            % {"n": MAX_QUERY_LENGTH},
        )
    words = tokens(text)
    if not words:
        return ParsedQuery(
            raw=text,
            problem=_(
                "Tu búsqueda no tiene letras ni números. Prueba con una palabra, como «DNI»."
            ),
        )
    return ParsedQuery(raw=text, words=words[:MAX_WORDS])


# The shared cache's answers for every memo's version (and the index generation), read in one
# round trip at the start of a search: a search is one snapshot, and a remote cache (Redis)
# costs a round trip per read.
_versions: ContextVar[dict[str, Any] | None] = ContextVar("search_versions", default=None)


@contextmanager
def versions_read(*keys: str) -> Iterator[None]:
    """Within the block, memos (and `versions_get` of `keys`) read their version from one
    `get_many` made on entry rather than one cache read each."""
    token = _versions.set(cache.get_many([*(m.key for m in Memo.instances), *keys]))
    try:
        yield
    finally:
        _versions.reset(token)


def versions_get(key: str) -> Any:
    """A version read from the shared cache: from `versions_read`'s snapshot when inside one."""
    snapshot = _versions.get()
    if snapshot is not None and key in snapshot:
        return snapshot[key]
    return cache.get(key)


def versions_set(key: str, value: Any) -> None:
    cache.set(key, value, timeout=None)
    snapshot = _versions.get()
    if snapshot is not None:
        snapshot[key] = value


class Memo[T]:
    """A value built from the database, kept in this process and rebuilt when another process
    bumps its version in the shared cache (or after `seconds`): reading it costs one small
    cache read (none inside `versions_read`), not an unpickling of the whole value."""

    instances: "list[Memo[Any]]" = []

    def __init__(self, key: str, build: Callable[[], T], seconds: float = 600) -> None:
        self.key, self.build, self.seconds = key, build, seconds
        self.value: T | None = None
        self.version: object = None
        self.built_at = 0.0
        Memo.instances.append(self)

    def get(self) -> T:
        version = versions_get(self.key)
        if version is None:
            # Evicted or never set: nobody can tell what this process holds is current.
            version = self.forget()
        now = time.monotonic()
        if self.value is None or version != self.version or now - self.built_at > self.seconds:
            self.value, self.version, self.built_at = self.build(), version, now
        return self.value

    def forget(self) -> int:
        version = secrets.randbits(48)
        versions_set(self.key, version)
        return version


def _build_synonyms() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    compiled: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    rows = Synonym.objects.filter(is_active=True).values_list("term", "expansions")
    for term, expansions in rows:
        key = tuple(tokens(term))[:MAX_PHRASE]
        if not key:
            continue
        for line in expansions.splitlines():
            phrase = tuple(tokens(line))
            if phrase and phrase != key:
                compiled.setdefault(key, []).append(phrase)
    return compiled


def _build_acronyms() -> dict[str, list[int]]:
    compiled: dict[str, list[int]] = {}
    rows = SearchDocument.objects.filter(kind="institution").exclude(code="")
    for code, institution_id in rows.values_list("code", "institution_id"):
        key = " ".join(tokens(code))
        if key and institution_id and len(key) >= 2:
            compiled.setdefault(key, []).append(institution_id)
    return compiled


_synonyms = Memo(SYNONYMS_CACHE_KEY, _build_synonyms)
_acronyms = Memo(ACRONYMS_CACHE_KEY, _build_acronyms)


def synonyms_compiled() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Active synonyms as folded token tuples, rebuilt when an editor changes one."""
    return _synonyms.get()


def synonyms_forget() -> None:
    _synonyms.forget()


def acronyms_compiled() -> dict[str, list[int]]:
    """Folded institution acronyms (sunat, reniec, mtc) → the institutions that use them."""
    return _acronyms.get()


def acronyms_forget() -> None:
    _acronyms.forget()


def _content_terms(words: tuple[str, ...]) -> tuple[str, ...]:
    kept = tuple(stem(w) for w in words if w not in STOPWORDS)
    return kept or tuple(stem(w) for w in words)


def synonym_group(phrase: tuple[str, ...], expansions: list[tuple[str, ...]]) -> Group:
    """The group a synonym's phrase becomes in a query: the phrase or any of its expansions."""
    alternatives = [_content_terms(phrase)] + [_content_terms(e) for e in expansions]
    return Group(
        alternatives=tuple(dict.fromkeys(a for a in alternatives if a)),
        source=" ".join(phrase),
        optional=all(w in INTENT_WORDS or w in STOPWORDS for w in phrase),
    )


def synonym_groups() -> list[Group]:
    """The group of every active synonym, as queries hold them: read from the database, not
    this process's copy, since it is what the index works out after an editor's change."""
    return [synonym_group(p, expansions) for p, expansions in _build_synonyms().items()]


def group_key(group: Group) -> str:
    """What a group matches, as text: its alternatives' terms (`dni|document nacional ident`)."""
    return "|".join(" ".join(alt) for alt in group.alternatives)


def query_parse(raw: str | None, *, typo: "TypoFinder | None" = None) -> ParsedQuery:
    """Validate, expand synonyms, mark intent words, correct unknown words."""
    parsed = query_validate(raw)
    if parsed.problem:
        return parsed
    words = parsed.words
    synonyms = synonyms_compiled()
    acronyms = acronyms_compiled()
    groups: list[Group] = []
    i = 0
    while i < len(words):
        matched = False
        for size in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            phrase = tuple(words[i : i + size])
            if phrase in synonyms:
                groups.append(synonym_group(phrase, synonyms[phrase]))
                i += size
                matched = True
                break
        if matched:
            continue
        word = words[i]
        i += 1
        if word in acronyms:
            parsed.acronym_institutions.update(acronyms[word])
        if word in STOPWORDS:
            continue
        if _CODE.match(word):
            parsed.code = word.upper()
        groups.append(
            Group(alternatives=((stem(word),),), source=word, optional=word in INTENT_WORDS)
        )
    if not groups:
        # Only function words ("de la"): search them rather than nothing.
        groups = [Group(alternatives=((stem(w),),), source=w) for w in words]
    parsed.task_like = any(w in INTENT_WORDS for w in words) or any(g.optional for g in groups)
    parsed.acronym_only = bool(parsed.acronym_institutions) and all(
        w in acronyms or w in STOPWORDS for w in words
    )
    parsed.groups = groups
    if typo is not None:
        _correct(parsed, typo, last_is_prefix=not (raw or "").endswith(" "))
    return parsed


class TypoFinder:
    """Finds, for a term the index does not hold, the nearest ones it does. The engines
    supply candidates (PostgreSQL: pg_trgm; SQLite: the vocabulary scanned with rapidfuzz)."""

    def known(self, terms: set[str]) -> dict[str, int]:
        rows = SearchTerm.objects.filter(term__in=terms).values_list("term", "documents")
        return dict(rows)

    def candidates(self, term: str) -> list[tuple[str, str, int]]:
        raise NotImplementedError

    def completion(self, prefix: str) -> tuple[str, str, int] | None:
        """(term, word, documents) of the commonest indexed term that starts with `prefix`."""
        # A range rather than LIKE 'prefix%', so both engines read the unique index on term.
        after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        found = (
            SearchTerm.objects.filter(term__gte=prefix, term__lt=after)
            .order_by("-documents", "term")
            .values_list("term", "word", "documents")
            .first()
        )
        return (found[0], found[1], found[2]) if found else None

    def nearest(self, term: str) -> list[tuple[str, str, int]]:
        """(term, word, documents) of the best corrections of `term`: the smallest edit
        distance first, then the most documents; at most distance 1, or 2 for words of eight
        letters or more."""
        # Two edits only in long words: «aparece» is one edit from nothing and two from «paracas».
        limit = 1 if len(term) <= 7 else 2
        scored = []
        for candidate, word, documents in self.candidates(term):
            distance = DamerauLevenshtein.distance(term, candidate, score_cutoff=limit)
            if distance <= limit and candidate != term:
                scored.append((distance, -documents, candidate, word))
        scored.sort()
        if not scored:
            return []
        best = scored[0][0]
        return [(c, w, -n) for d, n, c, w in scored if d == best][:3]


def _correct(parsed: ParsedQuery, typo: TypoFinder, *, last_is_prefix: bool) -> None:
    single = {g.alternatives[0][0] for g in parsed.groups if len(g.alternatives) == 1}
    known = typo.known(single)
    parsed.term_documents = dict(known)
    corrected_words = list(parsed.words)
    changed = False
    groups: list[Group] = []
    for index, group in enumerate(parsed.groups):
        is_last = index == len(parsed.groups) - 1
        term = group.alternatives[0][0]
        if len(group.alternatives) > 1 or known.get(term) or term.isdigit() or len(term) < 3:
            groups.append(group)
            continue
        completed = typo.completion(group.source) if is_last and last_is_prefix else None
        if completed is not None:
            # Still being typed ("pasapor"): the commonest word it begins, as a search for it
            # (one indexed term is far cheaper for the engine than every term with the prefix).
            groups.append(
                Group(alternatives=((completed[0],),), source=group.source, optional=group.optional)
            )
            parsed.term_documents[completed[0]] = completed[2]
            if group.source in corrected_words:
                corrected_words[corrected_words.index(group.source)] = completed[1]
                changed = True
            continue
        nearest = typo.nearest(term)
        if not nearest:
            groups.append(group)
            continue
        groups.append(
            Group(
                alternatives=tuple((c,) for c, _w, _n in nearest),
                source=group.source,
                optional=group.optional,
            )
        )
        parsed.term_documents.update((c, n) for c, _w, n in nearest)
        if group.source in corrected_words:
            corrected_words[corrected_words.index(group.source)] = nearest[0][1]
            changed = True
    parsed.groups = groups
    if changed:
        parsed.corrected = " ".join(corrected_words)
