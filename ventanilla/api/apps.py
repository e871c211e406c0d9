from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ventanilla.api"
    label = "api"
    verbose_name = "API"
