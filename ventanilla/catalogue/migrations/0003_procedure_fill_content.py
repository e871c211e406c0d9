"""Write the published document of every existing procedure, so a database that is migrated but
not reloaded (bench/, a deployed site) serves procedure pages in one query from the start."""

from django.db import migrations


def fill(apps, schema_editor):
    # The live builder, not historical models: it reads named columns only (all present at this
    # point); pages whose document is missing would otherwise be built on every read.
    from ventanilla.catalogue.content import procedure_content_refresh

    procedure_content_refresh()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_procedure_add_content")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
