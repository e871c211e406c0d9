from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import TimeStampedModel


class DocumentType(models.TextChoices):
    DNI = "dni", _("DNI")
    FOREIGN_CARD = "ce", _("Carné de extranjería")


class User(AbstractUser):
    """Anyone who logs in: citizens, officials and platform administrators.

    Platform administrators are superusers; officials get institutions through Membership.
    Citizens carry an identity document verified against the civil registry, and their names
    are the registry's, never typed by them."""

    document_type = models.CharField(
        _("tipo de documento"), max_length=3, choices=DocumentType.choices, blank=True
    )
    document_number = models.CharField(_("número de documento"), max_length=12, blank=True)
    phone = models.CharField(_("celular"), max_length=20, blank=True)
    # When the civil registry last confirmed the document and gave the names.
    registry_verified_at = models.DateTimeField(
        _("verificado en el registro"), null=True, blank=True
    )
    # Set after too many failed logins; only an administrator lifts it (accounts.services).
    locked_at = models.DateTimeField(_("bloqueado desde"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("cuenta eliminada"), null=True, blank=True)

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_number"],
                condition=~models.Q(document_number=""),
                name="user_unique_document",
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(document_number="") & ~models.Q(email=""),
                name="user_citizen_unique_email",
            ),
        ]

    @property
    def is_citizen(self) -> bool:
        return bool(self.document_number)


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


class Invitation(TimeStampedModel):
    """An institution administrator's invitation for someone to join as an official with a
    role. The e-mailed link carries a token; only its hash is kept."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("correo"))
    role = models.CharField(_("rol"), max_length=32, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitación")
        verbose_name_plural = _("invitaciones")

    def __str__(self) -> str:
        return f"{self.email} · {self.institution_id} · {self.role}"


class TotpDevice(TimeStampedModel):
    """A citizen's authenticator app (RFC 6238). Unconfirmed until a first code is right;
    `last_step` refuses a code already used (replay)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP · {self.user_id}"


class RecoveryCode(models.Model):
    """One-time codes to get in without the authenticator; only hashes are kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"recovery · {self.user_id}"


class UserSession(models.Model):
    """A logged-in browser, so the citizen can see where they are signed in and close it.
    The session itself lives in the session store; this row names it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    level = models.CharField(max_length=32)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="usersession_user_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.session_key[:8]}…"


class LoginThrottle(models.Model):
    """Failed logins counted per account ("account:<id>") and per address ("address:<ip>"),
    in the database so every process agrees."""

    key = models.CharField(max_length=80, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key} · {self.failures}"
