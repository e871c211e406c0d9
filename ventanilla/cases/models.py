"""Applications and cases (expedientes).

A citizen fills an `Application` (the draft, kept between visits) on one published
`ServiceVersion`; submitting it creates exactly one `Case` (the idempotency key makes a second
submit return the first case). Officials move the case along the version's workflow; every
step is a `CaseEvent` on its timeline, and approval issues an `IssuedDocument` anyone can verify."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStampedModel


def _new_public_id() -> str:
    return str(uuid.uuid4())


class Application(TimeStampedModel):
    """A citizen's answers in progress. One open draft per citizen and service."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service_version = models.ForeignKey(
        "formbuilder.ServiceVersion", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    answers = models.JSONField(default=dict, blank=True)
    # Pages the citizen has completed, in order (the way back and the check page use it).
    completed_pages = models.JSONField(default=list, blank=True)
    # Answers read from a registry through the mediator (once-only), by question id:
    # {"nombres": {"value": "ROSA", "source": "reniec.persona", "label": "RENIEC",
    #  "x_road_id": "…", "at": "2026-11-23T10:00:00-05:00"}}. Shown read-only.
    prefill = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    class Meta:
        verbose_name = _("solicitud en borrador")
        verbose_name_plural = _("solicitudes en borrador")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "service_version"],
                condition=models.Q(submitted_at__isnull=True),
                name="application_one_open_draft",
            )
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class Case(TimeStampedModel):
    """An expediente. `file_id` is its GovStack fileId. `service` is null only for records
    received from other systems through the Registration API for a service we do not hold;
    `external` keeps the fields such records carry that we only store and echo."""

    file_id = models.CharField(max_length=64, unique=True, default=_new_public_id)
    reference = models.CharField(_("número de expediente"), max_length=40, unique=True)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="cases"
    )
    service = models.ForeignKey(
        "formbuilder.DigitalService",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    service_version = models.ForeignKey(
        "formbuilder.ServiceVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    # Opaque applicant id as other systems know it (GovStack applicantId).
    applicant_ref = models.CharField(max_length=120, db_index=True, blank=True)
    applicant_name = models.CharField(_("solicitante"), max_length=300, blank=True)
    applicant_document = models.CharField(_("documento"), max_length=12, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # Where answers came from when not typed by the citizen: Application.prefill, copied.
    answer_sources = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("estado"), max_length=40, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    submitted_at = models.DateTimeField(_("presentado"), db_index=True)
    due_on = models.DateField(_("vence"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    external = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("expediente")
        verbose_name_plural = _("expedientes")
        indexes = [
            models.Index(fields=["institution", "-submitted_at"], name="case_inst_submitted"),
            models.Index(
                fields=["institution", "status", "-submitted_at"], name="case_inst_status"
            ),
            models.Index(fields=["institution", "due_on"], name="case_inst_due"),
            models.Index(fields=["assignee", "-submitted_at"], name="case_assignee"),
            models.Index(fields=["applicant", "-submitted_at"], name="case_applicant"),
            models.Index(fields=["institution", "applicant_document"], name="case_inst_document"),
        ]

    def __str__(self) -> str:
        return self.reference


class ReferenceCounter(models.Model):
    """The last reference number given per prefix and year (taken under a row lock)."""

    prefix = models.CharField(max_length=12)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="referencecounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class CaseEvent(models.Model):
    """One line of a case's timeline. `public` events are shown to the citizen too."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Solicitud presentada")
        STATUS = "status", _("Cambio de estado")
        ASSIGNED = "assigned", _("Asignación")
        NOTE = "note", _("Nota interna")
        MESSAGE_OUT = "message_out", _("Mensaje al ciudadano")
        MESSAGE_IN = "message_in", _("Mensaje del ciudadano")
        CORRECTION_REQUESTED = "correction_requested", _("Pedido de subsanación")
        CORRECTED = "corrected", _("Subsanación presentada")
        DOCUMENT_ISSUED = "document_issued", _("Documento emitido")
        TASK_COMPLETED = "task_completed", _("Tarea completada")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField(default=False)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("evento del expediente")
        verbose_name_plural = _("eventos del expediente")

    def __str__(self) -> str:
        return f"{self.case_id} · {self.kind}"


class CaseFile(models.Model):
    """A file a citizen uploaded for a question, before (application) or after (case) submit.
    Answers refer to files by `public_id`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    question = models.CharField(max_length=80, blank=True)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="cases/%Y/%m/", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("archivo")
        verbose_name_plural = _("archivos")

    def __str__(self) -> str:
        return self.name


class CorrectionRequest(models.Model):
    """An official's request that the citizen correct some answers (subsanación). The citizen
    may edit only `fields` (question ids) and resubmits once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    fields = models.JSONField(default=list)
    message = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The status the case returns to once the citizen resubmits.
    return_status = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.case_id} · {', '.join(self.fields)}"


class IssuedDocument(models.Model):
    """The document a case produces on approval: a PDF with a QR code pointing at
    /verificar/<code>. `sha256` is of the PDF bytes, so a tampered copy can be told apart."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="document")
    code = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=300)
    pdf = models.FileField(upload_to="documents/%Y/%m/", max_length=200)
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("documento emitido")
        verbose_name_plural = _("documentos emitidos")

    def __str__(self) -> str:
        return self.code


class CaseTask(TimeStampedModel):
    """A unit of work on a case as the GovStack Registration API sees it (tasks). Each case of
    ours gets one review task; records received from elsewhere keep their opaque ids in
    `external`."""

    task_id = models.CharField(max_length=64, unique=True, default=_new_public_id)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, default="PENDING")
    data = models.JSONField(default=dict, blank=True)
    form_variables = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    external = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.task_id


class Satisfaction(models.Model):
    """The one satisfaction question at the end of a submission (1–5, optional comment)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="satisfaction")
    service = models.ForeignKey(
        "formbuilder.DigitalService", on_delete=models.CASCADE, related_name="satisfaction"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="satisfaction_score_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"


class Webhook(TimeStampedModel):
    """An institution's own system, told of each submission and status change by a signed POST."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="webhooks"
    )
    service = models.ForeignKey(
        "formbuilder.DigitalService",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
        help_text=_("Vacío: todos los servicios de la institución."),
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one webhook, retried with back-off until delivered or given up."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event} · {self.event_id}"
