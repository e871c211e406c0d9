from django.apps import AppConfig


class FormbuilderConfig(AppConfig):
    name = "ventanilla.formbuilder"
    label = "formbuilder"
    verbose_name = "Servicios digitales"
