from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "ventanilla.search"
    label = "search"
    verbose_name = "Búsqueda"
