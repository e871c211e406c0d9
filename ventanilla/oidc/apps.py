from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "ventanilla.oidc"
    label = "oidc"
    verbose_name = "Inicio de sesión único (OpenID Connect)"

    def ready(self) -> None:
        from ventanilla.oidc import checks  # noqa: F401 - registers the deploy check
