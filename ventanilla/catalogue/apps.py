from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "ventanilla.catalogue"
    label = "catalogue"
    verbose_name = "Trámites y servicios"

    def ready(self) -> None:
        from ventanilla.catalogue.services import procedure_institution_renamed
        from ventanilla.institutions.services import institution_on_rename

        # Procedure documents embed their institution's name, acronym and URL.
        institution_on_rename(procedure_institution_renamed)
