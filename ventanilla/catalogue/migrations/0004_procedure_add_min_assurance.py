"""A procedure may ask for a level of identification before it is started online; then every
procedure's published document is (re)written, so a database migrated but not reloaded (bench/,
a deployed site) serves procedure pages in one query from the start."""

from django.db import migrations, models


def fill(apps, schema_editor):
    # The live builder, not historical models: it reads named columns only, all present now.
    # A later migration adding a column it reads must move this fill after that column.
    Procedure = apps.get_model("catalogue", "Procedure")
    if not Procedure.objects.exists():
        return
    from ventanilla.catalogue.content import procedure_content_refresh

    procedure_content_refresh()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_procedure_fill_content")]

    operations = [
        migrations.AddField(
            model_name="procedure",
            name="min_assurance",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "No pide cuenta de Ventanilla"),
                    ("one_factor", "Cuenta con contraseña"),
                    ("two_factor", "Cuenta con verificación en dos pasos"),
                ],
                max_length=32,
                verbose_name="nivel de identificación para iniciar en línea",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
