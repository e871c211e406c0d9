from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0007_searchdocument_digest")]

    operations = [
        migrations.CreateModel(
            name="SearchGroupPrecomputed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=255, unique=True)),
                ("terms", models.TextField()),
                ("precomputed", models.JSONField()),
            ],
        ),
    ]
