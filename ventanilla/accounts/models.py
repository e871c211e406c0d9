from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStampedModel


class User(AbstractUser):
    """Anyone who logs in: citizens, officials and platform administrators.
    Platform administrators are superusers; officials get institutions through Membership."""

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")


class Role(models.TextChoices):
    INSTITUTION_ADMIN = "institution_admin", _("Administrador de la institución")
    EDITOR = "editor", _("Editor")
    PUBLISHER = "publisher", _("Publicador")
    SERVICE_DESIGNER = "service_designer", _("Diseñador de servicios")
    CASE_OFFICER = "case_officer", _("Gestor de expedientes")
    CASE_SUPERVISOR = "case_supervisor", _("Supervisor de expedientes")


class Membership(TimeStampedModel):
    """An official's role in one institution. Tenancy starts here: every permission check
    about institution-owned data asks which memberships the user holds."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution", "role"], name="membership_unique_role"
            )
        ]
        verbose_name = _("membresía")
        verbose_name_plural = _("membresías")

    def __str__(self) -> str:
        return f"{self.user} · {self.institution_id} · {self.role}"
