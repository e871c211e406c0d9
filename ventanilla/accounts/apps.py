from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ventanilla.accounts"
    label = "accounts"
    verbose_name = "Cuentas y roles"
