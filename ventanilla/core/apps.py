from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ventanilla.core"
    label = "core"
    verbose_name = "Núcleo"

    def ready(self) -> None:
        # Quechua and Aymara are not in Django's language table; register them so that
        # adding them to LANGUAGES is all it takes once their catalogues exist.
        from django.conf import locale, settings

        locale.LANG_INFO.update(getattr(settings, "EXTRA_LANG_INFO", {}))
