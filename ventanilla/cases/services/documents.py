"""Issued documents and receipts: the PDF a case produces on approval (with a verification code
and a QR code anyone can check at /verificar/<code>/), the citizen's submission receipt, and the
check of a code. See docs/decisions/0010-documents-and-webhooks.md."""

import hashlib
import re
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.audit.services import record
from ventanilla.cases.documents.codes import (
    MAX_INPUT,
    code_display,
    code_is_wellformed,
    code_new,
    code_normalise,
)
from ventanilla.cases.documents.pdf import (
    IssuedDocumentContent,
    ReceiptContent,
    issued_document_pdf,
    receipt_pdf_render,
)
from ventanilla.cases.models import Case, CaseEvent, CaseFile, IssuedDocument
from ventanilla.cases.permissions import can_handle_case
from ventanilla.cases.services.events import case_event_add
from ventanilla.formbuilder.answers import answer_display, answers_summary
from ventanilla.formbuilder.definition import question_index, status_of

LIMA = ZoneInfo("America/Lima")
MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "setiembre",
    "octubre", "noviembre", "diciembre",
)  # fmt: skip
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]{0,39})\}")
FOOTER = (
    "Documento electrónico emitido a través de Ventanilla, plataforma digital única del Estado "
    "Peruano. Su autenticidad puede verificarse con el código de verificación."
)

RECEIPT_FOOTER = (
    "Constancia emitida a través de Ventanilla, plataforma digital única del Estado Peruano. "
    "No es el pronunciamiento de la entidad sobre tu solicitud."
)

# --- Small formatting helpers (Spanish, Lima time) ----------------------------------------------


def date_long(day: date) -> str:
    """«5 de marzo de 2026»."""
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def date_short(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def lima(moment: Any) -> Any:
    return timezone.localtime(moment, LIMA)


def verification_path(code: str) -> str:
    return reverse("documents:verify", args=[code_display(code)])


def verification_url(code: str) -> str:
    """The absolute address printed and encoded in the QR code (settings.PUBLIC_BASE_URL)."""
    return f"{settings.PUBLIC_BASE_URL}{verification_path(code)}"


def _workflow(case: Case) -> dict[str, Any]:
    version = case.service_version
    return (version.workflow or {}) if version is not None else {}


def _definition(case: Case) -> dict[str, Any]:
    version = case.service_version
    return (version.definition or {}) if version is not None else {}


def document_template(case: Case) -> dict[str, Any] | None:
    """The workflow's `document` of the case's version (None: the service issues none)."""
    workflow = _workflow(case)
    document = (workflow or {}).get("document")
    return document if isinstance(document, dict) and document.get("title") else None


def valid_until(document: IssuedDocument) -> date | None:
    """Last day the document is in force (None: no limit)."""
    template = document_template(document.case) or {}
    days = template.get("validity_days")
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        return None
    return lima(document.issued_at).date() + timedelta(days=days)


def holder_document_label(number: str) -> str:
    if not number:
        return ""
    return _("DNI") if len(number) == 8 and number.isdigit() else _("Documento")


def body_render(*, case: Case, body: str, issued_on: date) -> str:
    """The document's text: {question_id} becomes the answer as the citizen sees it;
    {applicant_name}, {reference}, {date} the case's values. An unknown name stays as written,
    an unanswered question becomes «—»."""
    definition = _definition(case)
    questions = question_index(definition or {})
    answers = case.answers or {}
    fixed = {
        "applicant_name": case.applicant_name,
        "reference": case.reference,
        "date": date_long(issued_on),
    }

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in fixed:
            return fixed[name]
        if name in questions:
            shown = answer_display(question=questions[name], value=answers.get(name))
            return shown or "—"
        return match.group(0)

    return PLACEHOLDER.sub(replace, body or "")


# --- Issuing ------------------------------------------------------------------------------------


def _document_pdf(*, case: Case, template: dict[str, Any], code: str, issued_at: Any) -> bytes:
    issued_on = lima(issued_at).date()
    url = verification_url(code)
    details = [(_("Titular"), case.applicant_name or "—")]
    if case.applicant_document:
        label = holder_document_label(case.applicant_document)
        details.append((label, case.applicant_document))
    details += [
        (_("Número de expediente"), case.reference),
        (_("Fecha de emisión"), date_long(issued_on)),
    ]
    days = template.get("validity_days")
    if isinstance(days, int) and not isinstance(days, bool) and days > 0:
        until = issued_on + timedelta(days=days)
        details.append((_("Vigencia"), _("Hasta el %(date)s") % {"date": date_long(until)}))
    content = IssuedDocumentContent(
        institution=case.institution.name,
        title=str(template.get("title") or ""),
        body=body_render(case=case, body=str(template.get("body") or ""), issued_on=issued_on),
        details=details,
        code=code_display(code),
        verify_url=url,
        verify_lines=[
            _("Código de verificación"),
            _("Comprueba que este documento es auténtico en %(url)s o escaneando el código QR.")
            % {"url": url},
        ],
        footer=FOOTER,
    )
    return issued_document_pdf(content)


def document_issue(*, case: Case, by: Any) -> IssuedDocument:
    """The case's issued document, made on the first call (PDF in default storage, SHA-256 kept,
    audit row, a public DOCUMENT_ISSUED event) and returned as it is on every later one.

    `case.status` must be an `approved` status of its workflow and the workflow must define a
    `document` (see document_template); otherwise ValidationError. `by` None is the system;
    a person must handle the case's institution (PermissionDenied)."""
    if by is not None and not can_handle_case(by, case):
        raise PermissionDenied
    existing = IssuedDocument.objects.filter(case=case).first()
    if existing is not None:
        return existing
    template = document_template(case)
    if template is None:
        raise ValidationError(_("Este servicio no emite un documento al aprobar."))
    workflow = _workflow(case)
    status = status_of(workflow or {}, case.status) or {}
    if status.get("kind") != "approved":
        raise ValidationError(_("Solo se emite el documento de un expediente aprobado."))
    with translation.override("es"), transaction.atomic():
        # One document per case, even when two approvals race: the second waits here, then
        # finds the first one's document.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = IssuedDocument.objects.filter(case=case).first()
        if existing is not None:
            return existing
        code = code_new()
        while IssuedDocument.objects.filter(code=code).exists():  # 2^80: never, but cheap
            code = code_new()
        issued_at = timezone.now()
        content = _document_pdf(case=case, template=template, code=code, issued_at=issued_at)
        document = IssuedDocument(
            case=case,
            code=code,
            title=str(template["title"])[:300],
            sha256=hashlib.sha256(content).hexdigest(),
            issued_at=issued_at,
            issued_by=by if getattr(by, "pk", None) else None,
        )
        document.pdf.save(f"{case.reference}-{code}.pdf", ContentFile(content), save=False)
        document.save()
        case_event_add(
            case=case,
            kind=CaseEvent.Kind.DOCUMENT_ISSUED,
            actor=by,
            public=True,
            text=document.title,
            data={"code": code_display(code), "document_id": document.pk},
        )
        record(
            actor=by,
            action="document.issued",
            target=document,
            institution_id=case.institution_id,
            data={"case": case.reference, "code": code, "sha256": document.sha256},
        )
    return document


def document_pdf_open(*, document: IssuedDocument) -> File[Any]:
    """The stored PDF, opened for reading (the caller closes it, or hands it to FileResponse)."""
    document.pdf.open("rb")
    return document.pdf


# --- Verifying ----------------------------------------------------------------------------------


def document_verify(*, code: str) -> tuple[str, IssuedDocument | None]:
    """What a verification code says: ("valid", doc), ("revoked", doc), ("unknown", None) for a
    well-formed code never issued, ("malformed", None) for one that cannot be a code (wrong
    length or characters, or a check character that disagrees: mistyped or altered)."""
    if not isinstance(code, str) or len(code) > MAX_INPUT:
        return "malformed", None
    canonical = code_normalise(code)
    if not code_is_wellformed(canonical):
        return "malformed", None
    document = (
        IssuedDocument.objects.select_related("case__institution", "case__service_version")
        .filter(code=canonical)
        .first()
    )
    if document is None:
        return "unknown", None
    if document.revoked_at is not None:
        return "revoked", document
    return "valid", document


def document_matches(*, document: IssuedDocument, chunks: Any) -> bool:
    """Is the uploaded file (an iterable of byte chunks) the very PDF that was issued?"""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest() == document.sha256


# --- Receipt ------------------------------------------------------------------------------------


def _file_names(case: Case) -> dict[str, str]:
    return {str(f.public_id): f.name for f in CaseFile.objects.filter(case=case)}


def _answer_rows(case: Case) -> list[tuple[str, list[tuple[str, str]]]]:
    definition = _definition(case)
    answers = case.answers or {}
    if not definition:
        # Records received from other systems: their answers as they came.
        return [("", [(str(k), str(v)) for k, v in answers.items()])] if answers else []
    names = _file_names(case)
    sections = []
    for page, rows in answers_summary(definition=definition, answers=answers):
        shown = []
        for question, text in rows:
            value = answers.get(question["id"])
            if question.get("type") == "file" and isinstance(value, list):
                text = ", ".join(names.get(str(v), str(v)) for v in value)
            shown.append((str(question.get("label") or question["id"]), text))
        sections.append((str(page.get("title") or ""), shown))
    return sections


def receipt_pdf(*, case: Case) -> bytes:
    """The citizen's submission receipt (constancia de presentación) as PDF bytes: reference,
    service, institution, when it was submitted (Lima time), the due date, and every answer
    (file questions by file name). The caller decides who may have it."""
    with translation.override("es"):
        submitted = lima(case.submitted_at)
        service_name = case.service.name if case.service is not None else ""
        details = [
            (_("Servicio"), service_name or "—"),
            (_("Institución"), case.institution.name),
            (_("Solicitante"), case.applicant_name or "—"),
        ]
        if case.applicant_document:
            label = holder_document_label(case.applicant_document)
            details.append((label, case.applicant_document))
        details.append(
            (
                _("Presentada el"),
                _("%(date)s a las %(time)s (hora de Lima)")
                % {"date": date_short(submitted.date()), "time": submitted.strftime("%H:%M")},
            )
        )
        if case.due_on:
            details.append(
                (_("Plazo de atención"), _("Hasta el %(date)s") % {"date": date_long(case.due_on)})
            )
        content = ReceiptContent(
            institution=case.institution.name,
            title=_("Constancia de presentación"),
            reference_label=_("Número de expediente"),
            reference=case.reference,
            lead=_(
                "Tu solicitud fue presentada. Guarda esta constancia: con el número de "
                "expediente puedes seguir tu trámite en «Mis trámites»."
            ),
            details=details,
            answers_heading=_("Tus respuestas"),
            sections=_answer_rows(case),
            footer=RECEIPT_FOOTER,
        )
        return receipt_pdf_render(content)
