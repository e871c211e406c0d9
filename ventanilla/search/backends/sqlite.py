"""SQLite FTS5: the embedded engine. BM25 with the title weighted over keywords over body;
typo candidates from the vocabulary, scanned in memory with rapidfuzz (SQLite has no trigram
index built in)."""

import re

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from ventanilla.search.backends.base import Backend, Match
from ventanilla.search.models import SearchTerm
from ventanilla.search.query import Group, Memo

VOCABULARY_VERSION_KEY = "search:vocabulary:version"
_SAFE = re.compile(r"^[a-z0-9]+$")
# Title, keywords, body.
WEIGHTS = (10.0, 4.0, 1.0)
COLUMNS = {"title": "title_terms", "names": "title_terms keyword_terms"}


def _build_vocabulary() -> tuple[list[str], list[tuple[str, int]]]:
    rows = list(SearchTerm.objects.values_list("term", "word", "documents"))
    return [r[0] for r in rows], [(r[1], r[2]) for r in rows]


_vocabulary = Memo(VOCABULARY_VERSION_KEY, _build_vocabulary)


def _term(term: str, prefix: bool) -> str:
    # Terms come from the analyzer ([a-z0-9]+); quoting keeps FTS5 keywords (AND, NEAR) inert.
    if not _SAFE.match(term):
        raise ValueError(term)
    return f'"{term}"*' if prefix else f'"{term}"'


def fts_expression(groups: list[Group], *, any_group: bool) -> str:
    parts = []
    for group in groups:
        alternatives = []
        for alt in group.alternatives:
            items = [_term(t, group.prefix and i == len(alt) - 1) for i, t in enumerate(alt)]
            alternatives.append(items[0] if len(items) == 1 else f"({' AND '.join(items)})")
        parts.append(
            alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
        )
    return f" {'OR' if any_group else 'AND'} ".join(parts)


def vocabulary_forget() -> None:
    _vocabulary.forget()


class SqliteBackend(Backend):
    name = "sqlite"

    def match(self, groups: list[Group], *, any_group: bool, fields: str = "all") -> Match:
        expression = fts_expression(groups, any_group=any_group)
        if fields in COLUMNS:
            expression = f"{{{COLUMNS[fields]}}} : ({expression})"
        w = ", ".join(str(x) for x in WEIGHTS)
        return Match(
            from_sql="search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid",
            where_sql="search_fts MATCH %s",
            where_params=[expression],
            score_sql=f"-bm25(search_fts, {w}) * d.boost",
        )

    def best_documents_sql(self, match: Match, where: str, *, broad: bool) -> str:
        if not broad:
            return super().best_documents_sql(match, where, broad=broad)
        # Many matches: walk the boost index, checking each row against the set of matches.
        return (
            "SELECT d.id, 0 FROM search_searchdocument d WHERE d.id IN "
            f"(SELECT rowid FROM search_fts WHERE {match.where_sql}){where} "
            "ORDER BY d.boost DESC, d.id LIMIT %s"
        )

    def candidates(self, term: str) -> list[tuple[str, str, int]]:
        terms, info = _vocabulary.get()
        found = process.extract(
            term,
            terms,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=2,
            limit=25,
        )
        return [(choice, info[index][0], info[index][1]) for choice, _d, index in found]
