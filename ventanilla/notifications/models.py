"""Notifications: the citizen's casilla electrónica (legal inbox), e-mail and SMS.

- `InboxItem`: an official notification deposited in a citizen's casilla. Never edited or deleted
  (a correction is a new item that `corrects` the earlier one); it records when it was deposited
  and first opened, and a SHA-256 of its content so a constancia can prove both.
- `Template`: an institution's wording of a message, with ((placeholders)); versions kept.
- `Message`: one e-mail or SMS (GOV.UK Notify's "notification"), queued and delivered by the
  task worker, its status updated by the provider's callbacks.
- `Sender` and `ApiKey`: an institution's sending identity and the keys of the Notify-compatible
  and GovStack Messaging APIs. `SendRequest` groups the messages of one GovStack request.
- `Preference` and `PhoneVerification`: the channels a citizen chose besides the casilla.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStampedModel


class Channel(models.TextChoices):
    EMAIL = "email", _("Correo electrónico")
    SMS = "sms", _("SMS")
    INBOX = "inbox", _("Casilla electrónica")


class Template(TimeStampedModel):
    """An institution's wording of a message for one channel. `institution` None is a platform
    template. `event` names the case event this template words for the institution (blank: a
    template only the APIs use). Every save that changes the wording adds a TemplateVersion."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_templates",
    )
    channel = models.CharField(_("canal"), max_length=8, choices=Channel.choices)
    name = models.CharField(_("nombre"), max_length=200)
    event = models.CharField(_("aviso"), max_length=64, blank=True, db_index=True)
    subject = models.CharField(_("asunto"), max_length=300, blank=True)
    body = models.TextField(_("texto"))
    version = models.PositiveIntegerField(default=1)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("plantilla")
        verbose_name_plural = _("plantillas")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "event", "channel"],
                condition=~models.Q(event="") & models.Q(archived_at__isnull=True),
                name="template_one_live_per_event",
            )
        ]
        indexes = [models.Index(fields=["institution", "channel"], name="template_inst_channel")]

    def __str__(self) -> str:
        return f"{self.name} ({self.channel})"


class TemplateVersion(models.Model):
    """The wording of a template as it was at one version (never changed)."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "version"], name="templateversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.version}"


class Sender(TimeStampedModel):
    """An institution's sending identity: GOV.UK Notify's "service". Its id is the service id
    inside a Notify API key; its name is the e-mail's From name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="notification_senders"
    )
    name = models.CharField(_("nombre del remitente"), max_length=200)
    email_reply_to = models.EmailField(_("responder a"), blank=True)
    sms_sender = models.CharField(_("remitente SMS"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("remitente")
        verbose_name_plural = _("remitentes")

    def __str__(self) -> str:
        return self.name


class ApiKey(TimeStampedModel):
    """A key of the Notify-compatible API (`protocol` notify: `secret` is the HS256 secret,
    kept encrypted by notifications.keys) or of the GovStack Messaging API (`protocol`
    govstack: only `key_hash`, the SHA-256 of the key, is kept). A `test` key sends nothing
    outward: its messages are marked delivered."""

    class Protocol(models.TextChoices):
        NOTIFY = "notify", _("Compatible con GOV.UK Notify")
        GOVSTACK = "govstack", _("GovStack Messaging")

    class Kind(models.TextChoices):
        NORMAL = "normal", _("Envía de verdad")
        TEST = "test", _("Prueba (no envía)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sender = models.ForeignKey(Sender, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("nombre"), max_length=200)
    protocol = models.CharField(max_length=10, choices=Protocol.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.NORMAL)
    secret = models.CharField(max_length=300, blank=True)
    key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("clave de API de avisos")
        verbose_name_plural = _("claves de API de avisos")

    def __str__(self) -> str:
        return f"{self.name} · {self.protocol}"


class SendRequest(models.Model):
    """One GovStack Messaging send (single or batch): its requestUID and the messages it made.
    `seeded_counts` holds the building block's example requests (status counts, no messages)."""

    uid = models.CharField(max_length=64, unique=True)
    sender = models.ForeignKey(Sender, on_delete=models.CASCADE, related_name="send_requests")
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="send_requests"
    )
    callback_uri = models.CharField(max_length=500, blank=True)
    seeded_counts = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.uid


class ClientCallback(models.Model):
    """What a GovStack client posted to callback/email about one of its requests."""

    request = models.ForeignKey(SendRequest, on_delete=models.CASCADE, related_name="callbacks")
    meta = models.TextField(blank=True)
    content = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.request_id} · {self.received_at:%Y-%m-%d %H:%M}"


class InboxItem(models.Model):
    """A notification deposited in a citizen's casilla electrónica. Its content never changes
    (the database refuses it, see migration 0002); `first_opened_at` is set once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inbox_items"
    )
    # The recipient's identity document when it was deposited ("DNI 12345678").
    recipient_document = models.CharField(max_length=30)
    recipient_name = models.CharField(max_length=300)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="inbox_items"
    )
    template = models.ForeignKey(
        Template, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    template_version = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=64, blank=True)
    subject = models.CharField(_("asunto"), max_length=300)
    body = models.TextField(_("texto"))
    reference = models.CharField(_("expediente"), max_length=40, blank=True, db_index=True)
    link = models.CharField(max_length=300, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    deposited_at = models.DateTimeField(_("depositada"), default=timezone.now)
    first_opened_at = models.DateTimeField(_("abierta por primera vez"), null=True, blank=True)
    content_sha256 = models.CharField(max_length=64)
    # Public check of a constancia: /constancias/<code>/ shows times and hash, not content.
    code = models.CharField(max_length=32, unique=True)
    deposited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("notificación de casilla")
        verbose_name_plural = _("notificaciones de casilla")
        indexes = [
            models.Index(fields=["recipient", "-deposited_at"], name="inbox_recipient_time"),
            models.Index(fields=["institution", "-deposited_at"], name="inbox_inst_time"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.recipient_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Deposited content never changes (the database refuses it too, migration 0002).
        if not self._state.adding:
            raise ValueError("casilla: una notificación depositada no se modifica")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("casilla: una notificación depositada no se elimina")


class InboxAttachment(models.Model):
    """A file deposited with a casilla notification (a resolution's PDF, say)."""

    item = models.ForeignKey(InboxItem, on_delete=models.PROTECT, related_name="attachments")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="casilla/%Y/%m/", max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Deposited content never changes (the database refuses it too, migration 0002).
        if not self._state.adding:
            raise ValueError("casilla: un adjunto depositado no se modifica")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("casilla: un adjunto depositado no se elimina")


class Message(models.Model):
    """One e-mail or SMS. Created `queued` in the caller's transaction, claimed by a worker
    (`sending`, with a lease), handed to the provider (`provider_ref` set), and ended by the
    provider's callback or a final failure. Status names are GOV.UK Notify's."""

    class Status(models.TextChoices):
        QUEUED = "created", _("En cola")
        SENDING = "sending", _("Enviando")
        DELIVERED = "delivered", _("Entregado")
        TEMPORARY_FAILURE = "temporary-failure", _("No entregado (temporal)")
        PERMANENT_FAILURE = "permanent-failure", _("No entregado (permanente)")
        TECHNICAL_FAILURE = "technical-failure", _("Falla técnica")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification_messages",
    )
    sender = models.ForeignKey(
        Sender, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    key_kind = models.CharField(max_length=8, blank=True)
    template = models.ForeignKey(
        Template, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    template_version = models.PositiveIntegerField(null=True, blank=True)
    request = models.ForeignKey(
        SendRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    inbox_item = models.ForeignKey(
        InboxItem, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    # Normalised: a lower-cased e-mail address or an E.164 number (+519XXXXXXXX).
    recipient = models.CharField(max_length=320)
    copies = models.JSONField(default=dict, blank=True)  # {"cc": [...], "bcc": [...]}
    reference = models.CharField(max_length=255, blank=True, db_index=True)
    from_email = models.CharField(max_length=320, blank=True)
    reply_to = models.CharField(max_length=320, blank=True)
    subject = models.TextField(blank=True)
    body = models.TextField()
    html = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=32, blank=True)
    provider_ref = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("mensaje")
        verbose_name_plural = _("mensajes")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["sender", "-created_at"], name="message_sender_time"),
            models.Index(fields=["institution", "-created_at"], name="message_inst_time"),
            models.Index(fields=["provider", "provider_ref"], name="message_provider_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient} ({self.status})"


class MessageAttachment(models.Model):
    """A file sent with an e-mail (Notify's `prepare_upload`, 2 MB at most)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="mensajes/%Y/%m/", max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name


class MessageEvent(models.Model):
    """A change in a message's delivery: what the worker or the provider's callback said."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20)
    reason = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=16)  # worker, callback, api

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.message_id} · {self.status}"


class Preference(models.Model):
    """The channels a citizen chose besides the casilla (always on). SMS goes only to a number
    confirmed with a code (`phone_verified_at`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField(_("avisos por correo"), default=True)
    sms_enabled = models.BooleanField(_("avisos por SMS"), default=False)
    phone = models.CharField(_("celular"), max_length=16, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} · correo {self.email_enabled} · SMS {self.sms_enabled}"


class PhoneVerification(models.Model):
    """A code sent by SMS to confirm a citizen's mobile number; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_verifications"
    )
    phone = models.CharField(max_length=16)
    code_hash = models.CharField(max_length=128)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} · {self.phone}"
