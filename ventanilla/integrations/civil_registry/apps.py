from django.apps import AppConfig


class CivilRegistryConfig(AppConfig):
    # An app only so that `manage.py civil_registry_fake` exists; it has no models.
    name = "ventanilla.integrations.civil_registry"
    label = "civil_registry"
    verbose_name = "Registro civil (RENIEC, Migraciones)"
