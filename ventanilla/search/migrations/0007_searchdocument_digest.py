"""SearchDocument.digest. On SQLite, Django adds a column by rebuilding the table, which drops
the triggers that feed the FTS5 index (0002): they are created again and the index resynced."""

import importlib

from django.db import migrations, models

_engine_index = importlib.import_module("ventanilla.search.migrations.0002_engine_index")


def restore_fts_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in _engine_index.SQLITE_BACKWARD[:3]:  # the triggers, not the table
        schema_editor.execute(statement)
    for statement in _engine_index.SQLITE_FORWARD[1:]:
        schema_editor.execute(statement)
    schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("search", "0006_searchterm_precomputed")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="digest",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.RunPython(restore_fts_triggers, migrations.RunPython.noop),
    ]
