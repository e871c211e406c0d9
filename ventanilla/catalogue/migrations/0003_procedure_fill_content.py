"""Formerly wrote the published document of every procedure. The live document builder reads
columns added later (0004's min_assurance), so the fill now runs at the end of 0004, once every
column it reads exists."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_procedure_add_content")]

    operations: list[migrations.operations.base.Operation] = []
