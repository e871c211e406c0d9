from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "ventanilla.catalogue"
    label = "catalogue"
    verbose_name = "Trámites y servicios"
