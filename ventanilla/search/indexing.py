"""Writing the index: one kind's objects after they change, or everything from scratch.

Both paths go through the registry, so a new kind is indexed the day it registers. The engines'
own structures (FTS5 table, tsvector column) follow SearchDocument inside the database."""

import hashlib
import math
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import connection, transaction

from ventanilla.search.analysis import STOPWORDS, stem, terms, tokens
from ventanilla.search.backends.sqlite import vocabulary_forget
from ventanilla.search.models import SearchDocument, SearchGroupPrecomputed, SearchTerm
from ventanilla.search.query import acronyms_forget, versions_get, versions_set
from ventanilla.search.registry import IndexEntry, SearchKind, kind_get, kinds

BATCH = 2000
Progress = Callable[[str, int, int], None]
GENERATION_KEY = "search:index:generation"


def index_generation() -> int:
    """A number that changes whenever the index does: what is cached from the index (facet
    counts) is stored under it and forgotten when it moves."""
    generation: int | None = versions_get(GENERATION_KEY)
    if generation is None:
        generation = index_changed()
    return generation


def index_changed() -> int:
    generation = secrets.randbits(48)
    versions_set(GENERATION_KEY, generation)
    return generation


def document_boost(kind: SearchKind, entry: IndexEntry) -> float:
    """The static prior of a document: its kind, its quality and how much it is used."""
    return kind.weight * entry.quality * (1.0 + 0.2 * math.log1p(max(entry.popularity, 0)))


def _document(kind: SearchKind, entry: IndexEntry) -> SearchDocument:
    doc = _unsigned_document(kind, entry)
    values = repr([getattr(doc, name) for name in _FIELDS])
    doc.digest = hashlib.blake2b(values.encode(), digest_size=16).hexdigest()
    return doc


def _unsigned_document(kind: SearchKind, entry: IndexEntry) -> SearchDocument:
    return SearchDocument(
        kind=kind.name,
        object_id=entry.object_id,
        title=entry.title[:400],
        code=entry.code[:40],
        url=entry.url[:500],
        summary=entry.summary,
        body=entry.body,
        subtype=entry.subtype[:32],
        institution_id=entry.institution_id,
        level=entry.level[:16],
        department_id=entry.department_id,
        date=entry.date,
        popularity=entry.popularity,
        boost=document_boost(kind, entry),
        title_terms=terms(entry.title),
        keyword_terms=terms(entry.code, entry.keywords),
        body_terms=terms(entry.summary, entry.body),
    )


_FIELDS = [
    "title",
    "code",
    "url",
    "summary",
    "body",
    "subtype",
    "institution_id",
    "level",
    "department_id",
    "date",
    "popularity",
    "boost",
    "title_terms",
    "keyword_terms",
    "body_terms",
]
_WRITTEN = [*_FIELDS, "digest"]


class _Vocabulary:
    """Document frequency of every term and the word people read most for it."""

    def __init__(self) -> None:
        self.documents: Counter[str] = Counter()
        self.words: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, entry: IndexEntry) -> None:
        seen: set[str] = set()
        for text in (entry.title, entry.code, entry.keywords, entry.summary, entry.body):
            for token in tokens(text):
                if token in STOPWORDS or token.isdigit():
                    continue
                term = stem(token)
                self.words[term][token] += 1
                seen.add(term)
        self.documents.update(seen)

    def rows(self) -> Iterable[SearchTerm]:
        for term, count in self.documents.items():
            if len(term) <= 64:
                word = self.words[term].most_common(1)[0][0][:64]
                yield SearchTerm(term=term, word=word, documents=count)


def search_index_objects(*, kind_name: str, ids: Iterable[int]) -> int:
    """Index (or drop) the objects `ids` of one kind as they are now: published ones are written,
    the rest leave the index. Returns how many documents were written."""
    kind = kind_get(kind_name)
    wanted = sorted(set(ids))
    if kind is None or not wanted:
        return 0
    written = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        entries = list(kind.entries(kind.queryset().filter(pk__in=chunk)))
        vocabulary = _Vocabulary()
        with transaction.atomic():
            stored = SearchDocument.objects.filter(kind=kind.name, object_id__in=chunk)
            existing, touched = {}, set()
            for object_id, pk, *texts in stored.values_list("object_id", "pk", *_TERM_FIELDS):
                existing[object_id] = pk
                # A term a document loses changes what was worked out for it too.
                touched.update(" ".join(texts).split())
            new, changed = [], []
            for entry in entries:
                vocabulary.add(entry)
                doc = _document(kind, entry)
                if entry.object_id in existing:
                    doc.pk = existing.pop(entry.object_id)
                    changed.append(doc)
                else:
                    new.append(doc)
            SearchDocument.objects.bulk_create(new)
            SearchDocument.objects.bulk_update(changed, _WRITTEN)
            # What is left was unpublished or deleted.
            SearchDocument.objects.filter(pk__in=list(existing.values())).delete()
            SearchTerm.objects.bulk_create(list(vocabulary.rows()), ignore_conflicts=True)
            transaction.on_commit(index_changed)
            touched |= {term for doc in new + changed for term in _all_terms(doc)}
            transaction.on_commit(partial(search_broad_terms_refresh, terms=touched))
        written += len(entries)
    return written


_TERM_FIELDS = ("title_terms", "keyword_terms", "body_terms")


def _all_terms(doc: SearchDocument) -> set[str]:
    return set(f"{doc.title_terms} {doc.keyword_terms} {doc.body_terms}".split())


def search_broad_terms_refresh(*, terms: set[str] | None = None) -> int:
    """Work out, for the terms held by thousands of documents and for the synonyms' groups
    that match as many, the facet counts and the best candidates a search for that one word
    needs: the dearest searches become the cheapest. `terms` limits the work to what a change
    touched. Returns how many were refreshed."""
    from ventanilla.search.backends.base import PRECOMPUTED_MATCHES
    from ventanilla.search.query import Group

    broad = SearchTerm.objects.filter(documents__gte=PRECOMPUTED_MATCHES)
    if terms is not None:
        broad = broad.filter(term__in=terms)
    refreshed = []
    for row in broad:
        row.precomputed = _precompute(Group(alternatives=((row.term,),), source=row.word))
        refreshed.append(row)
    SearchTerm.objects.bulk_update(refreshed, ["precomputed"], batch_size=200)
    return len(refreshed) + search_groups_refresh(terms=terms)


def search_groups_refresh(*, terms: set[str] | None = None, phrase: str | None = None) -> int:
    """The synonyms' groups: every one matching thousands (`terms` None); else those already
    worked out that hold a changed term; or, after an editor saved a synonym, its `phrase`'s
    group. Rows of groups no synonym makes any more are dropped. Returns how many were written."""
    from ventanilla.search.backends.base import PRECOMPUTED_MATCHES
    from ventanilla.search.query import MAX_PHRASE, group_key, synonym_groups

    groups = {group_key(g): g for g in synonym_groups() if len(g.alternatives) > 1}
    SearchGroupPrecomputed.objects.exclude(key__in=list(groups)).delete()
    stored = set(SearchGroupPrecomputed.objects.values_list("key", flat=True))
    if phrase is not None:
        wanted = tuple(tokens(phrase))[:MAX_PHRASE]
        chosen = {k: g for k, g in groups.items() if g.source == " ".join(wanted)}
    elif terms is not None:
        chosen = {k: g for k, g in groups.items() if k in stored and g.terms & terms}
    else:
        chosen = groups
    written = 0
    for key, group in chosen.items():
        found = _precompute(group, at_least=0 if key in stored else PRECOMPUTED_MATCHES)
        if found is None:
            continue
        SearchGroupPrecomputed.objects.update_or_create(
            key=key, defaults={"terms": " ".join(sorted(group.terms)), "precomputed": found}
        )
        written += 1
    return written


def _precompute(group: Any, *, at_least: int = 0) -> dict[str, Any] | None:
    """The facet counts and the best title-and-keyword candidates of a one-group search
    without filters, as `selectors.search` would work them out; None under `at_least`
    matches."""
    from ventanilla.search.backends import Filters, backend
    from ventanilla.search.ranking import BODY_CANDIDATES, CANDIDATES

    engine = backend()
    match = engine.match([group], any_group=False)
    facets = engine.facets(match, Filters())
    if sum(n for _v, n in facets["type"]) < at_least:
        return None
    names = engine.match([group], any_group=False, fields="names")
    top = engine.best_documents(names, Filters(), limit=CANDIDATES, broad=True)
    found: dict[str, Any] = {"facets": facets, "names_top": [pk for pk, _score in top]}
    if len(top) < CANDIDATES:
        # Titles alone do not fill the candidates: the best-regarded of all matches join them.
        body = engine.best_documents(match, Filters(), limit=BODY_CANDIDATES, broad=True)
        found["body_top"] = [pk for pk, _score in body]
    return found


def search_index_rebuild(
    *, progress: Progress | None = None, kind_names: list[str] | None = None
) -> int:
    """Rebuild the whole index (or the named kinds) in one transaction: searches made meanwhile
    read the previous index, never an empty one. Returns how many documents were indexed."""
    selected = [k for name, k in kinds().items() if kind_names is None or name in kind_names]
    vocabulary = _Vocabulary()
    total = 0
    with transaction.atomic():
        for kind in selected:
            existing = {
                object_id: (pk, digest)
                for pk, object_id, digest in SearchDocument.objects.filter(
                    kind=kind.name
                ).values_list("pk", "object_id", "digest")
            }
            queryset = kind.queryset()
            count = queryset.count()
            done = 0
            new: list[SearchDocument] = []
            changed: list[SearchDocument] = []
            for entry in kind.entries(queryset.iterator(chunk_size=BATCH)):
                vocabulary.add(entry)
                doc = _document(kind, entry)
                done += 1
                stored = existing.pop(entry.object_id, None)
                if stored is None:
                    new.append(doc)
                elif stored[1] != doc.digest:
                    doc.pk = stored[0]
                    changed.append(doc)
                if len(new) + len(changed) >= BATCH:
                    _write(new, changed)
                    new, changed = [], []
                if progress and done % BATCH == 0:
                    progress(kind.name, done, count)
            _write(new, changed)
            # What is left was unpublished or deleted since the last build.
            gone = [pk for pk, _digest in existing.values()]
            for start in range(0, len(gone), BATCH):
                SearchDocument.objects.filter(pk__in=gone[start : start + BATCH]).delete()
            if progress:
                # Every object was read; those with nothing to publish were left out.
                progress(kind.name, count, count)
            total += done
        if kind_names is None:
            SearchTerm.objects.all().delete()
        SearchTerm.objects.bulk_create(vocabulary.rows(), batch_size=BATCH, ignore_conflicts=True)
    search_broad_terms_refresh()
    _optimize()
    transaction.on_commit(index_changed)
    transaction.on_commit(acronyms_forget)
    transaction.on_commit(vocabulary_forget)
    return total


def _write(new: list[SearchDocument], changed: list[SearchDocument]) -> None:
    # A changed document is replaced under its id: one DELETE and one multi-row INSERT are
    # far cheaper than bulk_update's CASE per column when thousands change.
    SearchDocument.objects.filter(pk__in=[doc.pk for doc in changed]).delete()
    SearchDocument.objects.bulk_create([*new, *changed])


def _optimize() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE search_searchdocument")
        elif connection.vendor == "postgresql":
            # Migration 0004 turns the GIN pending lists off; an index restored from an older
            # dump may still have one, and it would slow every search until a vacuum.
            cursor.execute("SELECT gin_clean_pending_list('search_document_vector'::regclass)")
            cursor.execute("SELECT gin_clean_pending_list('search_document_names'::regclass)")
            cursor.execute("SELECT gin_clean_pending_list('search_term_trgm'::regclass)")
            # Rewritten rows leave dead ones behind; a search that scans the table reads them
            # too until a vacuum (possible only outside a transaction).
            verb = "VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE"
            cursor.execute(f"{verb} search_searchdocument")
            cursor.execute(f"{verb} search_searchterm")


def search_index_drop(*, kind_name: str, ids: Iterable[int]) -> int:
    """Remove deleted objects from the index."""
    documents = SearchDocument.objects.filter(kind=kind_name, object_id__in=list(ids))
    touched = {t for texts in documents.values_list(*_TERM_FIELDS) for t in " ".join(texts).split()}
    deleted, _ = documents.delete()
    transaction.on_commit(index_changed)
    if touched:
        transaction.on_commit(partial(search_broad_terms_refresh, terms=touched))
    return deleted


def kind_ids_touched(instance: Any) -> list[tuple[str, list[int]]]:
    """Which documents a saved or deleted object touches: itself when its model is a kind,
    and what the kinds' `watch` lists say."""
    touched: list[tuple[str, list[int]]] = []
    for kind in kinds().values():
        if isinstance(instance, kind.model):
            touched.append((kind.name, [instance.pk]))
        for model, ids_of in kind.watch:
            if isinstance(instance, model):
                touched.append((kind.name, ids_of(instance)))
    return touched
