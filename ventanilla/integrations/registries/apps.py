from django.apps import AppConfig


class RegistriesConfig(AppConfig):
    name = "ventanilla.integrations.registries"
    label = "registries"
    verbose_name = "Registros (GovStack Digital Registries)"
