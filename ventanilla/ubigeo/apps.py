from django.apps import AppConfig


class UbigeoConfig(AppConfig):
    name = "ventanilla.ubigeo"
    label = "ubigeo"
    verbose_name = "Ubigeo"
