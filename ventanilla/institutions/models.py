"""The directory of the State: every institution, where it is and how to reach it."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStampedModel


class Level(models.TextChoices):
    NATIONAL = "national", _("Nacional")
    REGIONAL = "regional", _("Regional")
    LOCAL = "local", _("Local")


class Branch(models.TextChoices):
    """The branch of the State, as gob.pe groups institutions (`poder`)."""

    EXECUTIVE = "executive", _("Poder Ejecutivo")
    LEGISLATIVE = "legislative", _("Poder Legislativo")
    JUDICIAL = "judicial", _("Poder Judicial")
    AUTONOMOUS = "autonomous", _("Organismos autónomos")
    REGIONAL_GOVERNMENT = "regional_government", _("Gobiernos regionales")
    LOCAL_GOVERNMENT = "local_government", _("Gobiernos locales")
    OTHER = "other", _("Otros")


class Kind(models.TextChoices):
    MINISTRY = "ministry", _("Ministerio")
    PUBLIC_AGENCY = "public_agency", _("Organismo público")
    PROGRAM = "program", _("Programa o proyecto")
    STATE_COMPANY = "state_company", _("Empresa pública")
    REGIONAL_GOVERNMENT = "regional_government", _("Gobierno regional")
    PROVINCIAL_MUNICIPALITY = "provincial_municipality", _("Municipalidad provincial")
    DISTRICT_MUNICIPALITY = "district_municipality", _("Municipalidad distrital")
    POPULATED_CENTRE_MUNICIPALITY = (
        "populated_centre_municipality",
        _("Municipalidad de centro poblado"),
    )
    COURT = "court", _("Corte o juzgado")
    UNIVERSITY = "university", _("Universidad")
    HEALTH = "health", _("Hospital o dirección de salud")
    EDUCATION = "education", _("Unidad de gestión educativa")
    CONSTITUTIONAL = "constitutional", _("Organismo constitucionalmente autónomo")
    OTHER = "other", _("Otra entidad")


class Institution(TimeStampedModel):
    """A public body. `slug` is gob.pe's own (gob.pe/institucion/<slug>); bodies known only
    from the transparency portal get a slug made from their name and `source` says so."""

    class Source(models.TextChoices):
        GOBPE = "gobpe", _("Directorio gob.pe")
        GOBPE_AND_PTE = "gobpe+pte", _("gob.pe y Portal de Transparencia")
        PTE = "pte", _("Portal de Transparencia Estándar")
        MANUAL = "manual", _("Registrada en Ventanilla")

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(_("nombre"), max_length=300)
    acronym = models.CharField(_("siglas"), max_length=60, blank=True, db_index=True)
    level = models.CharField(
        _("nivel de gobierno"), max_length=16, choices=Level.choices, db_index=True
    )
    branch = models.CharField(
        _("poder del Estado"), max_length=24, choices=Branch.choices, blank=True
    )
    kind = models.CharField(_("tipo"), max_length=32, choices=Kind.choices, db_index=True)
    ruc = models.CharField(_("RUC"), max_length=11, blank=True, db_index=True)
    department = models.ForeignKey(
        "ubigeo.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    province = models.ForeignKey(
        "ubigeo.Province", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    district = models.ForeignKey(
        "ubigeo.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(_("qué hace"), blank=True)
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    # Identifiers in the sources we merged, so a reload updates rather than duplicates.
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.GOBPE)
    transparency_id = models.PositiveIntegerField(
        _("id en el Portal de Transparencia"), null=True, blank=True, unique=True
    )
    siaf_code = models.CharField(_("unidad ejecutora SIAF"), max_length=12, blank=True)
    # Accent-folded name and acronym, for A–Z and the simple search.
    search_text = models.TextField(editable=False, blank=True)
    initial = models.CharField(max_length=1, editable=False, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["level", "kind"]),
            models.Index(fields=["initial", "name"]),
            # The directory lists A–Z with the id as tie-breaker: read in index order, no sort.
            models.Index(fields=["name", "id"], name="institution_name_id_idx"),
        ]
        verbose_name = _("institución")
        verbose_name_plural = _("instituciones")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("institutions:detail", kwargs={"slug": self.slug})

    @property
    def gobpe_url(self) -> str:
        return (
            f"https://www.gob.pe/institucion/{self.slug}" if self.source != self.Source.PTE else ""
        )


class ContactChannel(models.Model):
    class Kind(models.TextChoices):
        WEBSITE = "website", _("Sitio web")
        PHONE = "phone", _("Teléfono")
        EMAIL = "email", _("Correo electrónico")
        ADDRESS = "address", _("Dirección")
        FRONT_DESK = "front_desk", _("Mesa de partes digital")
        COMPLAINTS = "complaints", _("Libro de reclamaciones")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices)
    value = models.CharField(_("valor"), max_length=300)
    label = models.CharField(_("etiqueta"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "kind", "value"], name="contact_unique")
        ]
        verbose_name = _("canal de contacto")
        verbose_name_plural = _("canales de contacto")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
