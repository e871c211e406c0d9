"""The catalogue of procedures and services, and the topics and life events that group them."""

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStampedModel

# Procedures with no gob.pe page get numbers from here up, so they never collide with gob.pe ids
# (which reach about 117,000 in 2026).
LOCAL_NUMBER_BASE = 900_000


class ProcedureKind(models.TextChoices):
    PROCEDURE = "procedure", _("Trámite")
    SERVICE = "service", _("Servicio")
    GUIDANCE = "guidance", _("Orientación")
    PAGE = "page", _("Página informativa")


class ProcedureManager(models.Manager["Procedure"]):
    """Leaves the published document (`content`) unread: lists, the back office and the loader
    never need it, and decoding it per row would cost more than the row. The page selector and
    the API detail read it explicitly."""

    def get_queryset(self) -> models.QuerySet["Procedure"]:
        return super().get_queryset().defer("content")


class Procedure(TimeStampedModel):
    """A procedure or service as the citizen sees it. `number` is gob.pe's page id when the
    page exists there (its URL is /tramites/<number>-<slug>/ as on gob.pe); `code` is the
    source code of curated procedures (P001…)."""

    number = models.PositiveIntegerField(_("número"), unique=True)
    slug = models.SlugField(max_length=220)
    code = models.CharField(_("código"), max_length=20, unique=True, null=True, blank=True)
    title = models.CharField(_("título"), max_length=300)
    kind = models.CharField(_("tipo"), max_length=16, choices=ProcedureKind.choices, db_index=True)
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("institución"),
    )
    summary = models.TextField(_("qué es"), blank=True)
    audience = models.TextField(_("quién puede solicitarlo"), blank=True)
    fee_amount = models.DecimalField(
        _("costo (S/)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("0 si es gratuito; vacío si no se conoce."),
    )
    fee_detail = models.TextField(_("detalle del costo"), blank=True)
    time_limit = models.CharField(_("plazo"), max_length=200, blank=True)
    validity = models.CharField(_("vigencia"), max_length=200, blank=True)
    tupa_code = models.CharField(_("código TUPA"), max_length=40, blank=True)
    online_url = models.URLField(_("dirección para iniciar en línea"), max_length=500, blank=True)
    # Starting online through Ventanilla may ask the citizen to log in at this level first
    # (ventanilla.accounts.assurance); blank: the online service is open to anyone.
    min_assurance = models.CharField(
        _("nivel de identificación para iniciar en línea"),
        max_length=32,
        blank=True,
        choices=[
            ("", _("No pide cuenta de Ventanilla")),
            ("one_factor", _("Cuenta con contraseña")),
            ("two_factor", _("Cuenta con verificación en dos pasos")),
        ],
    )
    notes = models.TextField(_("notas"), blank=True)
    # Where the facts come from and when they were last checked.
    source_url = models.URLField(_("fuente"), max_length=500, blank=True)
    source_type = models.CharField(_("tipo de fuente"), max_length=200, blank=True)
    source_checked_on = models.DateField(_("fecha de verificación"), null=True, blank=True)
    gobpe_id = models.PositiveIntegerField(_("id en gob.pe"), null=True, blank=True, db_index=True)
    gobpe_child_id = models.PositiveIntegerField(null=True, blank=True)
    has_detail = models.BooleanField(
        _("ficha completa"),
        default=False,
        db_index=True,
        help_text=_(
            "Falso para las páginas del catálogo de gob.pe de las que solo se conoce el título."
        ),
    )
    popularity = models.PositiveIntegerField(_("popularidad"), default=0, db_index=True)
    is_published = models.BooleanField(_("publicado"), default=True, db_index=True)
    search_text = models.TextField(editable=False, blank=True)
    # The published document of the page (catalogue/content.py), rebuilt by every write that
    # changes what the page shows; the public page reads this and nothing else.
    content = models.JSONField(editable=False, default=dict, blank=True)

    objects = ProcedureManager()

    class Meta:
        ordering = ["-has_detail", "-popularity", "title"]
        indexes = [models.Index(fields=["is_published", "-has_detail", "-popularity", "title"])]
        verbose_name = _("trámite o servicio")
        verbose_name_plural = _("trámites y servicios")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalogue:procedure", kwargs={"number": self.number, "slug": self.slug})

    @property
    def is_free(self) -> bool:
        return self.fee_amount is not None and self.fee_amount == Decimal("0")

    @property
    def gobpe_url(self) -> str:
        return f"https://www.gob.pe/{self.gobpe_id}" if self.gobpe_id else ""


class Requirement(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="requirements")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("requisito"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("requisito")
        verbose_name_plural = _("requisitos")

    def __str__(self) -> str:
        return self.text[:80]


class Channel(models.Model):
    class Kind(models.TextChoices):
        ONLINE = "online", _("En línea")
        IN_PERSON = "in_person", _("Presencial")
        PHONE = "phone", _("Por teléfono")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("canal"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("descripción"), blank=True)
    url = models.URLField(_("dirección"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("canal de atención")
        verbose_name_plural = _("canales de atención")

    def __str__(self) -> str:
        return self.get_kind_display()


class ChannelStep(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("paso"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("paso")
        verbose_name_plural = _("pasos")

    def __str__(self) -> str:
        return self.text[:80]


class ProcedureSection(models.Model):
    """Further content of a full gob.pe page that fits no field above, kept in its order."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(_("título"), max_length=200, blank=True)
    items = models.JSONField(_("párrafos"), default=list)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("sección")
        verbose_name_plural = _("secciones")

    def __str__(self) -> str:
        return self.heading or str(_("Sección"))


class Topic(TimeStampedModel):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    description = models.TextField(_("descripción"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    procedures = models.ManyToManyField(Procedure, related_name="topics", blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("tema")
        verbose_name_plural = _("temas")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:topic", kwargs={"slug": self.slug})


class LifeEvent(TimeStampedModel):
    """A moment in a citizen's life ("Tener un bebé") as an ordered journey of procedures
    across institutions."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("título"), max_length=160)
    summary = models.TextField(_("resumen"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("momento de vida")
        verbose_name_plural = _("momentos de vida")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalogue:life_event", kwargs={"slug": self.slug})


class LifeEventStep(models.Model):
    life_event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("título"), max_length=200)
    description = models.TextField(_("descripción"), blank=True)
    procedure = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("paso del momento de vida")
        verbose_name_plural = _("pasos del momento de vida")

    def __str__(self) -> str:
        return self.title
