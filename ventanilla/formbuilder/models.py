"""Digital services: what a service designer builds on top of a catalogue procedure.

A service keeps one editable draft (definition + workflow, JSON in the format of
docs/reference/form-definition.md) and a list of immutable published versions. Citizens
always apply on a published version, and their application keeps it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStampedModel


def _new_public_id() -> str:
    return str(uuid.uuid4())


class Assurance(models.TextChoices):
    # Mirrors ventanilla.accounts.assurance levels a citizen can reach online.
    ONE_FACTOR = "one_factor", _("Cuenta con contraseña")
    TWO_FACTOR = "two_factor", _("Cuenta con verificación en dos pasos")


class DigitalService(TimeStampedModel):
    """A service citizens apply to online. `public_id` is its id in the GovStack Registration
    API (serviceId): a UUID for ours, any opaque string for records received from elsewhere."""

    public_id = models.CharField(max_length=64, unique=True, default=_new_public_id)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="digital_services",
        verbose_name=_("institución"),
    )
    procedure = models.ForeignKey(
        "catalogue.Procedure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digital_services",
        verbose_name=_("trámite del catálogo"),
    )
    slug = models.SlugField(_("dirección"), max_length=120, unique=True)
    name = models.CharField(_("nombre"), max_length=300)
    description = models.TextField(_("descripción"), blank=True)
    # Reference numbers read <prefix>-<year>-<6 digits>, e.g. MTC-2026-000123.
    reference_prefix = models.CharField(_("prefijo del número de expediente"), max_length=12)
    min_assurance = models.CharField(
        _("nivel de identificación"),
        max_length=32,
        choices=Assurance.choices,
        default=Assurance.ONE_FACTOR,
    )
    draft_definition = models.JSONField(_("borrador del formulario"), default=dict, blank=True)
    draft_workflow = models.JSONField(_("borrador del flujo"), default=dict, blank=True)
    draft_updated_at = models.DateTimeField(null=True, blank=True)
    draft_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_version = models.ForeignKey(
        "formbuilder.ServiceVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("versión publicada vigente"),
    )
    archived_at = models.DateTimeField(_("retirado"), null=True, blank=True)
    # GovStack Registration API fields we only store and echo (type None/Private/Public,
    # isExecutable, isClosed, serviceBody, a version label for foreign records).
    govstack = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("servicio digital")
        verbose_name_plural = _("servicios digitales")
        indexes = [models.Index(fields=["institution", "name"])]

    def __str__(self) -> str:
        return self.name


class ServiceVersion(models.Model):
    """One published, immutable version of a service's form and workflow. `eform_id` is the
    GovStack eFormId; records received from elsewhere may share one between services."""

    service = models.ForeignKey(DigitalService, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versión"))
    eform_id = models.CharField(max_length=64, default=_new_public_id, db_index=True)
    name = models.CharField(_("nombre"), max_length=300)
    definition = models.JSONField(_("formulario"))
    workflow = models.JSONField(_("flujo"))
    digest = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(_("publicada"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("versión publicada")
        verbose_name_plural = _("versiones publicadas")
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="serviceversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Published versions never change: applications made on them must keep their meaning.
        if self.pk is not None and not getattr(self, "_allow_update", False):
            raise ValueError("A published ServiceVersion is immutable.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
