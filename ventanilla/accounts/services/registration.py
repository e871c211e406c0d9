"""A citizen's account: a document the civil registry confirms, an e-mail and a password.

The names come from the registry (RENIEC or Migraciones, asked through the information mediator),
never from the form. The registry is asked before anything is written and outside any transaction
(the mediator's log entry of the lookup must commit on its own), so a registry that is down leaves
no account behind."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pe import cui

from ventanilla.accounts.models import DocumentType, User
from ventanilla.audit.services import record
from ventanilla.integrations.civil_registry.client import (
    CivilRegistryUnavailable,
    Person,
    PersonNotFound,
    PersonRestricted,
)
from ventanilla.interop.services.civil_registry import civil_registry_client

# A second submit of the same form within this time is the same registration (a double click).
REPEAT_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class Document:
    type: DocumentType
    number: str


def document_parse(*, document_type: str, number: str, check_digit: str = "") -> Document:
    """The document a form names, validated; raises ValidationError (code `document`) in
    Spanish. A DNI may carry its check digit ("45678912-4", or the separate field), which must
    be right; a carné de extranjería has 9 to 12 digits."""
    raw = "".join(number.split()).replace("-", "")
    check = check_digit.strip().upper()
    if document_type == DocumentType.DNI:
        if len(raw) == 9 and not check:
            raw, check = raw[:8], raw[8:]
        if not (len(raw) == 8 and raw.isdigit()):
            raise ValidationError(
                _("El DNI tiene 8 dígitos, sin letras ni espacios."), code="document"
            )
        if check:
            try:
                cui.validate(raw + check)
            except InvalidChecksum:
                raise ValidationError(
                    _(
                        "El dígito de verificación no corresponde a ese DNI. Revisa el número que "
                        "aparece después del guion en tu DNI."
                    ),
                    code="check_digit",
                ) from None
            except StdnumError:
                raise ValidationError(
                    _("El dígito de verificación es un solo número o letra."), code="check_digit"
                ) from None
        return Document(DocumentType.DNI, raw)
    if document_type == DocumentType.FOREIGN_CARD:
        if not (9 <= len(raw) <= 12 and raw.isdigit()):
            raise ValidationError(
                _("El carné de extranjería tiene de 9 a 12 dígitos."), code="document"
            )
        return Document(DocumentType.FOREIGN_CARD, raw)
    raise ValidationError(_("Elige el tipo de documento."), code="document_type")


def _registry_person(document: Document) -> Person:
    # Never inside transaction.atomic: the mediator refuses to log an exchange that could roll back.
    client = civil_registry_client()
    try:
        if document.type == DocumentType.DNI:
            return client.person_by_dni(document.number)
        return client.person_by_foreign_card(document.number)
    except PersonRestricted as restricted:
        if restricted.reason == "minor":
            message = _(
                "Las cuentas son para mayores de 18 años. Un padre, madre o tutor puede "
                "hacer el trámite por ti con su propia cuenta."
            )
        else:
            message = _(
                "El registro no permite usar ese documento (por ejemplo, está cancelado). "
                "Acércate a una oficina del RENIEC o de Migraciones."
            )
        raise ValidationError(message, code="not_found") from None
    except PersonNotFound:
        if document.type == DocumentType.DNI:
            message = _("Ese DNI no figura en el Registro Nacional (RENIEC). Revisa el número.")
        else:
            message = _("Ese carné de extranjería no figura en Migraciones. Revisa el número.")
        raise ValidationError(message, code="not_found") from None
    except CivilRegistryUnavailable:
        raise ValidationError(
            _(
                "No pudimos comprobar tu documento porque el registro no responde. No se creó "
                "ninguna cuenta: inténtalo de nuevo en unos minutos."
            ),
            code="registry_unavailable",
        ) from None


def _repeat_of_fresh_registration(document: Document, email: str, password: str) -> User | None:
    """The account a double-clicked submit already created, if this is that same submit."""
    user = User.objects.filter(
        document_type=document.type,
        document_number=document.number,
        date_joined__gte=timezone.now() - REPEAT_WINDOW,
    ).first()
    if user and user.email.lower() == email.lower() and user.check_password(password):
        return user
    return None


def _taken_message(document: Document) -> ValidationError:
    return ValidationError(
        _(
            "Ya existe una cuenta con este documento. Ingresa con tu contraseña o recupera tu "
            "acceso si la olvidaste."
        ),
        code="taken",
    )


def citizen_register(
    *, document: Document, email: str, password: str, phone: str = "", ip: str | None = None
) -> User:
    """Create a citizen's account after the civil registry confirms the document; returns it.
    Raises ValidationError with Spanish messages (code names the field's problem). The same
    form sent twice returns the account the first one made."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("Escribe un correo válido, como nombre@ejemplo.com."), code="email"
        ) from None
    existing = User.objects.filter(document_type=document.type, document_number=document.number)
    if existing.exists():
        repeat = _repeat_of_fresh_registration(document, email, password)
        if repeat is not None:
            return repeat
        raise _taken_message(document)
    if (
        User.objects.exclude(document_number="")
        .annotate(e=Lower("email"))
        .filter(e=email.lower())
        .exists()
    ):
        raise ValidationError(
            _("Ese correo ya está en otra cuenta. Usa otro o recupera el acceso a esa cuenta."),
            code="email_taken",
        )
    candidate = User(username=f"{document.type}-{document.number}", email=email)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        raise ValidationError(" ".join(error.messages), code="password") from None

    person = _registry_person(document)  # before any write: a failure leaves nothing
    try:
        with transaction.atomic():
            user = User(
                username=f"{document.type}-{document.number}",
                email=email,
                phone=phone.strip(),
                document_type=document.type,
                document_number=document.number,
                first_name=person.display_given_names[:150],
                last_name=person.display_surnames[:150],
                registry_verified_at=timezone.now(),
            )
            user.set_password(password)
            user.save()
            record(actor=user, action="accounts.registered", target=user,
                   data={"document_type": document.type, "ip": ip})  # fmt: skip
    except IntegrityError:
        # Another request registered the same document or e-mail a moment ago.
        repeat = _repeat_of_fresh_registration(document, email, password)
        if repeat is not None:
            return repeat
        raise _taken_message(document) from None
    return user
