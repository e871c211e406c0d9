from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "ventanilla.institutions"
    label = "institutions"
    verbose_name = "Instituciones"
