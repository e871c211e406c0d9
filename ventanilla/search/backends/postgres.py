"""PostgreSQL full-text search: the production engine. A generated tsvector (title A,
keywords B, body C) under a GIN index, ranked by ts_rank_cd; typo candidates from the
vocabulary through pg_trgm's trigram index."""

import re

from ventanilla.search.backends.base import Backend, Match
from ventanilla.search.query import Group

_SAFE = re.compile(r"^[a-z0-9]+$")
# ts_rank weights in the order {D, C, B, A}: body C, keywords B, title A.
WEIGHTS = "{0.05, 0.2, 0.5, 1.0}"
TRIGRAM_THRESHOLD = 0.2


# Which vector a query reads, and the labels its terms need there: the title and keywords have
# a vector of their own (migration 0009), whose GIN index answers a "names" query without
# reading the rows; only the title alone needs a label (A).
COLUMNS = {"title": "names_vector", "names": "names_vector", "all": "vector"}
LABELS = {"title": "A", "names": "", "all": ""}


def _term(term: str, prefix: bool, fields: str) -> str:
    # Terms come from the analyzer ([a-z0-9]+): nothing a user types reaches tsquery syntax.
    if not _SAFE.match(term):
        raise ValueError(term)
    label = LABELS.get(fields, "")
    if prefix:
        return f"{term}:*{label}"
    return f"{term}:{label}" if label else term


def tsquery_expression(groups: list[Group], *, any_group: bool, fields: str = "all") -> str:
    parts = []
    for group in groups:
        alternatives = []
        for alt in group.alternatives:
            items = [
                _term(t, group.prefix and i == len(alt) - 1, fields) for i, t in enumerate(alt)
            ]
            alternatives.append(items[0] if len(items) == 1 else f"({' & '.join(items)})")
        parts.append(alternatives[0] if len(alternatives) == 1 else f"({' | '.join(alternatives)})")
    return f" {'|' if any_group else '&'} ".join(parts)


class PostgresBackend(Backend):
    name = "postgresql"

    def match(self, groups: list[Group], *, any_group: bool, fields: str = "all") -> Match:
        expression = tsquery_expression(groups, any_group=any_group, fields=fields)
        column = COLUMNS.get(fields, "vector")
        return Match(
            from_sql="search_searchdocument d",
            where_sql=f"d.{column} @@ to_tsquery('simple', %s)",
            where_params=[expression],
            score_sql=(
                f"ts_rank_cd('{WEIGHTS}', d.{column}, to_tsquery('simple', %s), 1) * d.boost"
            ),
            score_params=[expression],
        )

    def best_documents_sql(self, match: Match, where: str, *, broad: bool) -> str:
        if broad:
            return super().best_documents_sql(match, where, broad=broad)
        # OFFSET 0 keeps the planner from walking the boost index through a few scattered
        # matches (it reads thousands of rows to find 150): the GIN index finds them all first.
        return (
            f"SELECT id, 0 FROM (SELECT d.id, d.boost FROM {match.from_sql} "
            f"WHERE {match.where_sql}{where} OFFSET 0) m ORDER BY boost DESC, id LIMIT %s"
        )

    def candidates(self, term: str) -> list[tuple[str, str, int]]:
        # set_limit() is the threshold the indexed % operator uses, per connection.
        self._fetch("SELECT set_limit(%s)", [TRIGRAM_THRESHOLD])
        rows = self._fetch(
            "SELECT term, word, documents FROM search_searchterm WHERE term %% %s "
            "ORDER BY similarity(term, %s) DESC, documents DESC LIMIT 25",
            [term, term],
        )
        return [(str(t), str(w), int(n)) for t, w, n in rows]
