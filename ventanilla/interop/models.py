"""The information mediator (issue 6): institutions exchange data once-only, like PIDE and X-Road.

A `Member` is an institution on the exchange, named X-Road style `INSTANCE/CLASS/MEMBER` (for
Peru `PE/GOB/<RUC>`); a `Subsystem` is one of its information systems (`…/padron`), the unit
that calls and that serves. A subsystem registers `Service`s (each with its OpenAPI document and
the URL the mediator forwards to); an `AccessRight` lets one client subsystem call one service.
Callers prove who they are with a `ClientKey` (ADR 0012). Every exchange, refused ones too, is
one `MessageLogEntry`: append-only, hash-chained and signed.

Consent is shaped on the GovStack Consent building block: a `DataAgreement` is one purpose a
client pursues with one service's data ("the MTC reads your RENIEC record to fill in your
permit"); a `ConsentRecord` is one citizen's yes to it, with an end date, until withdrawn; each
change of a record is a `ConsentRevision` (snapshot and its hash, chained to the previous one).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStampedModel

# Identifier parts: `PE`, `GOB`, `20295613620`, `padron`, `personas`. Letters, digits and
# the few marks X-Road allows; never a slash (it separates the parts).
IDENTIFIER_PART = r"^[A-Za-z0-9][A-Za-z0-9_:.\-]{0,63}$"


class Member(TimeStampedModel):
    """An institution on the exchange: `PE/GOB/20295613620` is RENIEC."""

    instance = models.CharField(_("instancia"), max_length=64)
    member_class = models.CharField(_("clase"), max_length=64)
    member_code = models.CharField(_("código (RUC)"), max_length=64)
    name = models.CharField(_("nombre"), max_length=300)
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interop_members",
    )

    class Meta:
        verbose_name = _("miembro")
        verbose_name_plural = _("miembros")
        ordering = ["instance", "member_class", "member_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "member_class", "member_code"], name="interop_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.name})"

    @property
    def identifier(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}"


class Subsystem(TimeStampedModel):
    """One information system of a member: the client that calls, the provider that serves.
    `PE/GOB/20295613620/padron`."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="subsystems")
    code = models.CharField(_("subsistema"), max_length=64)
    name = models.CharField(_("descripción"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("subsistema")
        verbose_name_plural = _("subsistemas")
        ordering = ["member__instance", "member__member_class", "member__member_code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["member", "code"], name="interop_subsystem_unique")
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        return f"{self.member.identifier}/{self.code}"


class Service(TimeStampedModel):
    """A REST service a subsystem offers: `PE/GOB/20295613620/padron/personas`. A request to
    `/r1/PE/GOB/20295613620/padron/personas/read` is forwarded to `url` + `/read`."""

    class Type(models.TextChoices):
        OPENAPI = "OPENAPI", "OpenAPI"
        REST = "REST", "REST"

    subsystem = models.ForeignKey(Subsystem, on_delete=models.CASCADE, related_name="services")
    code = models.CharField(_("código del servicio"), max_length=64)
    version = models.CharField(_("versión"), max_length=32, default="v1")
    service_type = models.CharField(max_length=16, choices=Type.choices, default=Type.OPENAPI)
    title = models.CharField(_("nombre"), max_length=300)
    # What a citizen is told the service holds, in "Mis datos" and on consent pages:
    # "tus nombres, fecha de nacimiento, domicilio y estado civil".
    data_description = models.CharField(_("datos que entrega"), max_length=300, blank=True)
    url = models.URLField(_("dirección del proveedor"), max_length=500)
    openapi = models.TextField(_("documento OpenAPI"), blank=True)
    # [{"method": "POST", "path": "/read"}]; "*" and "**" match any method / path.
    endpoints = models.JSONField(default=list, blank=True)
    # Values reference clients pass as serviceId / instanceId filters (fixtures.json).
    aliases = models.JSONField(default=dict, blank=True)
    # The service returns a person's data: each call names the citizen (X-Ventanilla-Subject)
    # and needs their consent unless the access right rests on a legal basis.
    personal_data = models.BooleanField(_("datos personales"), default=True)
    timeout_seconds = models.FloatField(_("tiempo máximo de espera (s)"), default=5.0)
    enabled = models.BooleanField(_("activo"), default=True)

    class Meta:
        verbose_name = _("servicio")
        verbose_name_plural = _("servicios")
        ordering = ["subsystem_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["subsystem", "code"], name="interop_service_unique")
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        return f"{self.subsystem.identifier}/{self.code}"


class AccessRight(TimeStampedModel):
    """`client` may call `service`. Granted and withdrawn by the service owner's administrators
    (audited). `consent_required=False` only with a `legal_basis` (identity checks at sign-up)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="access_rights")
    client = models.ForeignKey(Subsystem, on_delete=models.CASCADE, related_name="access_rights")
    consent_required = models.BooleanField(_("requiere consentimiento"), default=True)
    legal_basis = models.CharField(_("base legal"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("permiso de acceso")
        verbose_name_plural = _("permisos de acceso")
        constraints = [
            models.UniqueConstraint(fields=["service", "client"], name="interop_access_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.service_id}"


class ClientKey(models.Model):
    """An API key of a client subsystem. Shown once when made; only its SHA-256 is kept.
    The key is `vk_<prefix>_<secret>`; `prefix` finds the row, the hash proves the secret."""

    subsystem = models.ForeignKey(Subsystem, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    label = models.CharField(_("etiqueta"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("clave de acceso")
        verbose_name_plural = _("claves de acceso")

    def __str__(self) -> str:
        return f"vk_{self.prefix}_…"


class MessageLogEntry(models.Model):
    """One exchange through the mediator, refused ones too. Append-only: rows are never
    updated or deleted. `entry_hash` = SHA-256 over `prev_hash` and the entry's canonical form
    (services/messagelog.py); `signature` is the platform key's Ed25519 signature of it."""

    seq = models.BigIntegerField(unique=True)  # 1, 2, 3… without gaps
    x_road_id = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField()
    client = models.CharField(max_length=300)  # "PE/GOB/20131379944/ventanilla"
    service = models.CharField(max_length=300)  # "PE/GOB/20295613620/padron/personas"
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=1000)  # after the service code, query string included
    user_id = models.CharField(max_length=200, blank=True)  # X-Road-UserId
    subject = models.CharField(max_length=40, blank=True, db_index=True)  # "DNI:45678912"
    issue = models.CharField(max_length=200, blank=True)  # X-Road-Issue: "MTC-2026-000123"
    status = models.PositiveSmallIntegerField()  # the HTTP status the client got
    outcome = models.CharField(max_length=80)  # "ok" or the X-Road error type
    request_hash = models.CharField(max_length=100)  # base64 SHA-512, as X-Road-Request-Hash
    response_hash = models.CharField(max_length=100, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    consent_record = models.CharField(max_length=64, blank=True)  # ConsentRecord.record_id
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    signature = models.CharField(max_length=100)
    key_id = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("registro de mensaje")
        verbose_name_plural = _("registro de mensajes")
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject", "-seq"], name="interop_log_subject_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.client} → {self.service}"


class MessageLogHead(models.Model):
    """The one row appends lock (SELECT … FOR UPDATE) to take the next `seq` and the previous
    hash: the chain has one writer at a time on every process, and a crash before commit leaves
    both the head and the log as they were."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)
    # The last entry's signature (the next hash covers it), kept with seq and entry_hash so an
    # append need not read the entry; "" before the first append or on an older head.
    signature = models.CharField(max_length=100, default="", blank=True)

    def __str__(self) -> str:
        return f"#{self.seq}"


class DataAgreement(TimeStampedModel):
    """GovStack Consent's DataAgreement: one purpose a client subsystem pursues with one
    service's data, which citizens consent to. `attributes` are DataAgreementAttributes
    (`[{"name": "Prenombres", "sensitivity": "personal", "category": "identidad"}]`)."""

    agreement_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.CharField(max_length=16, default="1.0")
    client = models.ForeignKey(Subsystem, on_delete=models.CASCADE, related_name="agreements")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="agreements")
    # Stable key of the purpose: "formbuilder:<service slug>" for a digital service's prefill.
    purpose_key = models.CharField(max_length=200)
    purpose = models.CharField(_("finalidad"), max_length=500)  # shown to the citizen
    lawful_basis = models.CharField(max_length=40, default="consent")
    data_use = models.CharField(max_length=40, default="data_using_service")
    dpia = models.CharField(max_length=300, blank=True)
    attributes = models.JSONField(default=list, blank=True)
    duration_days = models.PositiveIntegerField(_("vigencia (días)"), default=90)
    active = models.BooleanField(default=True)
    forgettable = models.BooleanField(default=False)
    policy_url = models.URLField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("acuerdo de datos")
        verbose_name_plural = _("acuerdos de datos")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "service", "purpose_key"], name="interop_agreement_unique"
            )
        ]

    def __str__(self) -> str:
        return self.purpose


class ConsentRecord(TimeStampedModel):
    """GovStack Consent's ConsentRecord: one citizen's answer to one agreement. The citizen is
    the Individual: `individual` (their account) and `individual_ref` ("DNI:45678912", what the
    mediator receives as X-Ventanilla-Subject). Given until `expires_at` or withdrawal."""

    class State(models.TextChoices):
        GIVEN = "given", _("vigente")
        WITHDRAWN = "withdrawn", _("revocado")

    record_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(DataAgreement, on_delete=models.CASCADE, related_name="records")
    agreement_revision_hash = models.CharField(max_length=64)
    individual = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_records",
    )
    individual_ref = models.CharField(max_length=40, db_index=True)
    opt_in = models.BooleanField(default=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.GIVEN)
    given_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consentimiento")
        verbose_name_plural = _("consentimientos")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "individual_ref"], name="interop_consent_one_per_agreement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.individual_ref} · {self.agreement_id}"


class ConsentRevision(models.Model):
    """GovStack Consent's Revision: a snapshot of a consent record after each change, its
    SHA-256, and the previous revision's hash (the record's own small chain)."""

    record = models.ForeignKey(ConsentRecord, on_delete=models.CASCADE, related_name="revisions")
    serialized_snapshot = models.TextField()
    serialized_hash = models.CharField(max_length=64)
    predecessor_hash = models.CharField(max_length=64, blank=True)
    authorized_by_individual = models.BooleanField(default=True)
    timestamp = models.DateTimeField()

    class Meta:
        ordering = ["record_id", "id"]

    def __str__(self) -> str:
        return self.serialized_hash
