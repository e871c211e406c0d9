"""PostgreSQL: the title and keywords in a tsvector of their own, under a GIN index. A search
for the candidates whose title or keywords hold the query asked `vector` for terms labelled A
or B, which its GIN index cannot tell apart: PostgreSQL read every match's whole vector again
to check the labels. Here the index answers alone. Nothing changes on SQLite (FTS5 restricts a
query to columns in its own index)."""

from django.db import migrations

FORWARD = [
    """ALTER TABLE search_searchdocument ADD COLUMN names_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A')
        || setweight(to_tsvector('simple', keyword_terms), 'B')) STORED""",
    "CREATE INDEX search_document_names ON search_searchdocument USING GIN (names_vector) "
    "WITH (fastupdate = off)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_document_names",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS names_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0008_searchgroupprecomputed")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
