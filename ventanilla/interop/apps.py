from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "ventanilla.interop"
    label = "interop"
    verbose_name = "Interoperabilidad"

    def ready(self) -> None:
        from ventanilla.accounts.services.account import account_deletion_step_register
        from ventanilla.interop.services.consent import consent_forget_individual

        # Deleting an account withdraws the person's consents and unlinks them from the records.
        account_deletion_step_register("data_consents_withdrawn", consent_forget_individual)
