"""The casilla electrónica: depositing a notification, its first opening by the recipient, and
corrections (a new item that `corrects` the earlier one — an item never changes).

A deposit has legal effect (TUO de la Ley 27444, art. 20; D. S. 029-2021-PCM), so each item
keeps a SHA-256 of everything it says (`inbox_content_hash`) and a public `code` with which
anyone holding its constancia checks the times and the hash at /constancias/<code>/. The
database itself refuses any change of the content or of a first opening once set
(migration 0002_inboxitem_immutable)."""

import hashlib
import json
import re
import secrets
from collections.abc import Sequence
from datetime import UTC
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.accounts.models import DocumentType
from ventanilla.audit.services import record
from ventanilla.institutions.models import Institution
from ventanilla.notifications.attachments import Attachment
from ventanilla.notifications.models import InboxAttachment, InboxItem, Template
from ventanilla.notifications.permissions import can_deposit_for_institution

# Public codes: 16 characters of Crockford's base32 (80 random bits), shown in groups of four.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_CODE_SEPARATORS = re.compile(r"[\s\-‐-―_.·]+")
_CODE_SLIPS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
HASH_VERSION = 1
SUBJECT_MAX = 300
REFERENCE_MAX = 40
LINK_MAX = 300
ATTACHMENT_NAME_MAX = 200
# Memo of the unread count on the user object (one query per request, see selectors.inbox).
UNREAD_ATTR = "_ventanilla_inbox_unread"


# --- Codes -------------------------------------------------------------------------------------


def inbox_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))


def inbox_code_display(code: str) -> str:
    """«7KQ3M9XD2F8HTR4B» → «7KQ3-M9XD-2F8H-TR4B» (printed on the constancia)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def inbox_code_normalise(raw: str) -> str:
    """What the reader meant: upper case, no separators, O read as 0, I/L as 1."""
    text = _CODE_SEPARATORS.sub("", (raw or "")[:80]).upper()
    return text.translate(_CODE_SLIPS)


def inbox_code_is_wellformed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)


# --- Content hash ------------------------------------------------------------------------------


def inbox_content_hash(*, item: InboxItem, attachments: Sequence[InboxAttachment]) -> str:
    """SHA-256 (hex) of the item's canonical JSON: every field that says something (who, from
    whom, what, when, which item it corrects) and each attachment's name, type, size and
    SHA-256. Recomputed from the rows, it proves they were not changed."""
    payload = {
        "v": HASH_VERSION,
        "id": str(item.id),
        "code": item.code,
        "recipient": item.recipient_id,
        "recipient_document": item.recipient_document,
        "recipient_name": item.recipient_name,
        "institution": item.institution_id,
        "template_version": item.template_version,
        "kind": item.kind,
        "subject": item.subject,
        "body": item.body,
        "reference": item.reference,
        "link": item.link,
        "corrects": str(item.corrects_id) if item.corrects_id else "",
        "deposited_at": item.deposited_at.astimezone(UTC).isoformat(),
        "attachments": [
            {
                "position": a.position,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in attachments
        ],
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- Deposit -----------------------------------------------------------------------------------


def _invalid(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _document_label(recipient: Any) -> str:
    with translation.override("es"):
        kind = recipient.document_type
        label = str(DocumentType(kind).label) if kind in DocumentType.values else _("Documento")
    return f"{label} {recipient.document_number}"


def _full_name(recipient: Any) -> str:
    name = f"{recipient.first_name} {recipient.last_name}".strip()
    return (name or recipient.username)[:300]


def _check_attachments(attachments: Sequence[Attachment]) -> None:
    limit = settings.NOTIFICATIONS_INBOX_ATTACHMENT_MAX_BYTES
    for attachment in attachments:
        if not attachment.name.strip():
            raise _invalid(_("Cada archivo adjunto necesita un nombre."), "empty")
        if attachment.size == 0:
            raise _invalid(
                _("El archivo «%(name)s» está vacío.") % {"name": attachment.name}, "empty"
            )
        if attachment.size > limit:
            raise _invalid(
                _("El archivo «%(name)s» pesa %(size)s; el máximo es %(max)s.")
                % {
                    "name": attachment.name,
                    "size": filesizeformat(attachment.size),
                    "max": filesizeformat(limit),
                },
                "attachment_too_large",
            )


def _stored_name(item: InboxItem, position: int, name: str) -> str:
    # The file's own name stays in the row; on disk only the item and position (and a safe
    # extension), so a name never reaches a path.
    suffix = PurePosixPath(name).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ".bin"
    return f"{item.id}-{position}{suffix}"


def inbox_deposit(
    *,
    recipient: Any,
    institution: Institution,
    subject: str,
    body: str,
    kind: str = "",
    reference: str = "",
    link: str = "",
    attachments: Sequence[Attachment] = (),
    template: Template | None = None,
    template_version: int | None = None,
    corrects: InboxItem | None = None,
    by: Any = None,
) -> InboxItem:
    """Deposit a notification in `recipient`'s casilla now and return it.

    Runs in its own atomic block inside the caller's transaction (a case service's, say), so a
    caller that rolls back leaves no item. `by` is who deposits: None for the platform itself,
    the recipient (their own action caused it), or an official of `institution` (or a platform
    administrator); anyone else gets PermissionDenied. ValidationError (Spanish message, a
    `code`: not_citizen, empty, too_long, attachment_too_large, corrects_mismatch) and nothing
    saved when the recipient is not a citizen, the subject or text is empty or too long, an
    attachment is empty or over NOTIFICATIONS_INBOX_ATTACHMENT_MAX_BYTES, or `corrects` belongs
    to another recipient or institution."""
    if (
        by is not None
        and getattr(by, "pk", None) != recipient.pk
        and not can_deposit_for_institution(by, institution.pk)
    ):
        raise PermissionDenied(_("No puedes enviar notificaciones en nombre de esta entidad."))
    if not getattr(recipient, "document_number", "") or not recipient.is_active:
        raise _invalid(
            _("Solo una persona con cuenta de ciudadano activa tiene casilla electrónica."),
            "not_citizen",
        )
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    reference = (reference or "").strip()
    link = (link or "").strip()
    if not subject:
        raise _invalid(_("La notificación necesita un asunto."), "empty")
    if not body:
        raise _invalid(_("La notificación necesita un texto."), "empty")
    if len(subject) > SUBJECT_MAX:
        raise _invalid(
            _("El asunto tiene %(n)s caracteres; el máximo es %(max)s.")
            % {"n": len(subject), "max": SUBJECT_MAX},
            "too_long",
        )
    if len(reference) > REFERENCE_MAX or len(link) > LINK_MAX:
        raise _invalid(_("La referencia o el enlace son demasiado largos."), "too_long")
    _check_attachments(attachments)
    if corrects is not None and (
        corrects.recipient_id != recipient.pk or corrects.institution_id != institution.pk
    ):
        raise _invalid(
            _("Solo se corrige una notificación de la misma entidad a la misma persona."),
            "corrects_mismatch",
        )

    item = InboxItem(
        recipient=recipient,
        recipient_document=_document_label(recipient)[:30],
        recipient_name=_full_name(recipient),
        institution=institution,
        template=template,
        template_version=(
            template_version
            if template_version is not None or template is None
            else template.version
        ),
        kind=kind[:64],
        subject=subject,
        body=body,
        reference=reference,
        link=link,
        corrects=corrects,
        deposited_at=timezone.now(),
        code=inbox_code_new(),
        deposited_by=by if getattr(by, "pk", None) else None,
    )
    rows = [
        InboxAttachment(
            item=item,
            position=position,
            name=attachment.name.strip()[:ATTACHMENT_NAME_MAX],
            content_type=(attachment.content_type or "application/octet-stream")[:100],
            size=attachment.size,
            sha256=hashlib.sha256(attachment.content).hexdigest(),
        )
        for position, attachment in enumerate(attachments)
    ]
    item.content_sha256 = inbox_content_hash(item=item, attachments=rows)
    with transaction.atomic():
        item.save(force_insert=True)
        for row, attachment in zip(rows, attachments, strict=True):
            row.file.save(
                _stored_name(item, row.position, row.name),
                ContentFile(attachment.content),
                save=False,
            )
            row.save(force_insert=True)
        record(
            actor=by,
            action="inbox.corrected" if corrects is not None else "inbox.deposited",
            target=item,
            institution_id=institution.pk,
            data={
                "code": item.code,
                "reference": reference,
                "kind": item.kind,
                "content_sha256": item.content_sha256,
                "attachments": len(rows),
                **({"corrects": str(corrects.pk)} if corrects is not None else {}),
            },
        )
    if hasattr(recipient, UNREAD_ATTR):
        delattr(recipient, UNREAD_ATTR)
    return item


def inbox_open(*, item: InboxItem, by: Any) -> InboxItem:
    """Record the recipient's first opening of `item` (once: later openings change nothing)
    and return the item with `first_opened_at` set. Only the recipient opens an item; anyone
    else gets PermissionDenied and nothing changes."""
    if not getattr(by, "is_authenticated", False) or by.pk != item.recipient_id:
        raise PermissionDenied(_("Solo la persona destinataria puede abrir esta notificación."))
    if item.first_opened_at is not None:
        return item
    now = timezone.now()
    with transaction.atomic():
        # Conditional: two tabs opening at once record one time, the first.
        updated = InboxItem.objects.filter(pk=item.pk, first_opened_at__isnull=True).update(
            first_opened_at=now
        )
        if updated:
            record(
                actor=by,
                action="inbox.opened",
                target=item,
                institution_id=item.institution_id,
                data={"code": item.code, "first_opened_at": now.isoformat()},
            )
    if updated:
        item.first_opened_at = now
    else:
        item.first_opened_at = (
            InboxItem.objects.filter(pk=item.pk).values_list("first_opened_at", flat=True).get()
        )
    if hasattr(by, UNREAD_ATTR):
        delattr(by, UNREAD_ATTR)
    return item


def inbox_correct(
    *,
    item: InboxItem,
    subject: str,
    body: str,
    by: Any,
    attachments: Sequence[Attachment] = (),
) -> InboxItem:
    """Deposit a correction of `item`: a new item for the same recipient, from the same
    institution, with the same reference, that `corrects` it (the original stays as it was).
    `by` must be an official of the institution (or a platform administrator), or None for
    the platform itself; otherwise PermissionDenied."""
    if by is not None and not can_deposit_for_institution(by, item.institution_id):
        raise PermissionDenied(_("No puedes corregir notificaciones de esta entidad."))
    return inbox_deposit(
        recipient=item.recipient,
        institution=item.institution,
        subject=subject,
        body=body,
        kind=item.kind,
        reference=item.reference,
        link=item.link,
        attachments=attachments,
        corrects=item,
        by=by,
    )
