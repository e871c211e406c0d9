"""The engines' own index beside SearchDocument, kept in step by the database itself.

SQLite: an external-content FTS5 table over the three term columns, fed by triggers.
PostgreSQL: a generated tsvector column (title A, keywords B, body C) with a GIN index, and a
trigram index on the vocabulary for typo tolerance (pg_trgm)."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, keyword_terms, body_terms,
        content='search_searchdocument', content_rowid='id',
        tokenize='unicode61', prefix='2 3 4')""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_terms, keyword_terms, body_terms)
        VALUES (new.id, new.title_terms, new.keyword_terms, new.body_terms);
    END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, keyword_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.keyword_terms, old.body_terms);
    END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE OF title_terms, keyword_terms, body_terms
        ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, keyword_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.keyword_terms, old.body_terms);
        INSERT INTO search_fts(rowid, title_terms, keyword_terms, body_terms)
        VALUES (new.id, new.title_terms, new.keyword_terms, new.body_terms);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A')
        || setweight(to_tsvector('simple', keyword_terms), 'B')
        || setweight(to_tsvector('simple', body_terms), 'C')) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING GIN (vector)",
    "CREATE INDEX search_term_trgm ON search_searchterm USING GIN (term gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_term_trgm",
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
