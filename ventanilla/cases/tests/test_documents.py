"""Issued documents, receipts and verification codes (services/documents.py)."""

import base64
import hashlib
import re
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from stdnum.iso7064 import mod_37_36

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import CitizenFactory, OfficialFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.cases.documents.codes import (
    ALPHABET,
    LENGTH,
    code_display,
    code_is_wellformed,
    code_new,
    code_normalise,
)
from ventanilla.cases.documents.display import document_number_masked, name_masked
from ventanilla.cases.documents.pdf import qr_matrix
from ventanilla.cases.models import CaseEvent, CaseFile, IssuedDocument
from ventanilla.cases.services.documents import (
    document_issue,
    document_pdf_open,
    document_verify,
    receipt_pdf,
    verification_url,
)
from ventanilla.cases.tests.docs_factories import WORKFLOW, case_made, service_made
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The text a PDF shows, from its content streams (ASCII85 then Flate, as ReportLab writes
    them), where Helvetica text is WinAnsi strings in `( … ) Tj`."""
    shown = []
    for raw in re.findall(rb"stream\r?\n(.*?)~>\s*endstream", content, re.S):
        try:
            stream = zlib.decompress(base64.a85decode(raw.strip()))
        except (ValueError, zlib.error):
            continue
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            text = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), literal)
            text = re.sub(rb"\\(.)", rb"\1", text)
            shown.append(text.decode("cp1252"))
    return " ".join(shown)


# --- Codes ---------------------------------------------------------------------------------------


def test_codes_are_long_random_and_carry_a_check_character():
    codes = {code_new() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == LENGTH
        assert set(code) <= set(ALPHABET)
        assert mod_37_36.is_valid(code)


def test_every_single_mistyped_character_is_caught_by_the_check_character():
    code = code_new()
    for position in range(LENGTH):
        for char in ALPHABET:
            if char != code[position]:
                assert not code_is_wellformed(code[:position] + char + code[position + 1 :])


def test_codes_are_read_as_meant_whatever_the_case_spaces_dashes_or_o_and_i_slips():
    code = code_new()
    written = code_display(code).lower().replace("0", "o").replace("1", "l")
    assert code_normalise(f"  {written} ") == code
    assert code_normalise(code_display(code).replace("-", " ")) == code
    assert code_normalise(f"https://www.ventanilla.gob.pe/verificar/{code_display(code)}/") == code


def test_holder_name_and_document_are_masked_on_public_pages():
    assert name_masked("Rosa María Quispe Huamán") == "Rosa M. Q. H."
    assert name_masked("QUISPE HUAMÁN, Rosa María") == "Rosa M. Q. H."
    assert name_masked("Flor de María De la Cruz") == "Flor M. C."
    assert name_masked("") == ""
    assert document_number_masked("45678912") == "•••••912"


# --- Issuing -------------------------------------------------------------------------------------


def test_document_issue_stores_the_pdf_with_its_hash_and_leaves_a_public_event_and_audit_row():
    case = case_made()
    officer = OfficialFactory(institution=case.institution, role=Role.CASE_OFFICER)

    document = document_issue(case=case, by=officer)

    document.refresh_from_db()
    content = document_pdf_open(document=document).read()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert code_is_wellformed(document.code)
    assert document.title == "Permiso especial de tránsito"
    assert document.issued_by == officer
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.DOCUMENT_ISSUED)
    assert event.public
    assert event.actor == officer
    assert event.data["code"] == code_display(document.code)
    audit = AuditEvent.objects.get(action="document.issued")
    assert audit.target_id == str(document.pk)
    assert audit.institution_id == case.institution_id


def test_document_issue_is_idempotent_one_document_per_case():
    case = case_made()
    first = document_issue(case=case, by=None)
    second = document_issue(case=case, by=None)
    assert first.pk == second.pk
    assert IssuedDocument.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DOCUMENT_ISSUED).count() == 1


def test_the_pdf_says_the_title_body_with_answers_holder_reference_validity_and_code():
    case = case_made()
    document = document_issue(case=case, by=None)
    text = pdf_text(document_pdf_open(document=document).read())
    today = timezone.localdate()

    assert "PERÚ" in text
    assert "República del Perú" in text
    assert "Ministerio de Transportes y Comunicaciones" in text
    assert "Permiso especial de tránsito" in text
    # {applicant_name}, {placa}, {tipo} (choice label), {inicio} (long date), {reference}.
    assert "Rosa María Quispe Huamán" in text
    assert "ABC-123" in text
    assert "Carga pesada" in text
    assert "27 de marzo de 2026" in text
    assert case.reference in text
    assert "{placa}" not in text
    assert "{reference}" not in text
    assert "45678912" in text
    assert "Vigencia" in text
    assert str(today.year) in text
    assert code_display(document.code) in text
    assert verification_url(document.code) in text


def test_the_qr_code_encodes_the_absolute_verification_address(settings):
    settings.PUBLIC_BASE_URL = "https://www.ventanilla.gob.pe"
    case = case_made()
    document = document_issue(case=case, by=None)
    url = verification_url(document.code)
    assert url == f"https://www.ventanilla.gob.pe/verificar/{code_display(document.code)}/"
    assert url in pdf_text(document_pdf_open(document=document).read())
    # What a phone reads back: a QR code of that address (drawn module by module).
    matrix = qr_matrix(url)
    assert len(matrix) >= 21
    assert any(any(row) for row in matrix)


def test_spanish_accents_print_and_markup_in_answers_is_only_text():
    case = case_made(applicant_name="Ñusta Peña <b>&amp; ¿Pérez? ¡Sí! Dvořák")
    document = document_issue(case=case, by=None)
    text = pdf_text(document_pdf_open(document=document).read())
    unspaced = re.sub(r"\s+", "", text)  # the extraction splits words at markup-like text
    assert "ÑustaPeña<b>&amp;¿Pérez?¡Sí!" in unspaced
    assert "Dvorák" in text  # ř is outside Windows-1252: its base letter, never a blank box


def test_only_officials_of_the_institution_issue_documents():
    case = case_made()
    other = OfficialFactory(institution=InstitutionFactory(), role=Role.CASE_OFFICER)
    with pytest.raises(PermissionDenied):
        document_issue(case=case, by=other)
    with pytest.raises(PermissionDenied):
        document_issue(case=case, by=CitizenFactory())
    assert not IssuedDocument.objects.exists()


def test_no_document_for_a_case_that_is_not_approved_or_a_service_without_one():
    with pytest.raises(ValidationError):
        document_issue(case=case_made(status="recibido"), by=None)
    service = service_made(workflow={**WORKFLOW, "document": None})
    with pytest.raises(ValidationError):
        document_issue(case=case_made(service=service), by=None)
    assert not IssuedDocument.objects.exists()


# --- Verifying -----------------------------------------------------------------------------------


def test_document_verify_tells_valid_malformed_unknown_and_revoked_apart():
    document = document_issue(case=case_made(), by=None)
    shown = code_display(document.code)

    assert document_verify(code=shown) == ("valid", document)
    assert document_verify(code=shown.lower().replace("-", " ")) == ("valid", document)

    tampered = document.code[:5] + ("Z" if document.code[5] != "Z" else "Y") + document.code[6:]
    assert document_verify(code=tampered) == ("malformed", None)
    assert document_verify(code="ABC") == ("malformed", None)
    assert document_verify(code="ñandú-€-😀") == ("malformed", None)
    assert document_verify(code="X" * 2048) == ("malformed", None)
    assert document_verify(code="") == ("malformed", None)

    unknown = code_new()
    assert document_verify(code=unknown) == ("unknown", None)

    IssuedDocument.objects.filter(pk=document.pk).update(revoked_at=timezone.now())
    state, found = document_verify(code=shown)
    assert state == "revoked"
    assert found is not None
    assert found.pk == document.pk


# --- Receipt -------------------------------------------------------------------------------------


def test_receipt_lists_the_case_the_answers_and_the_file_names_in_spanish():
    case = case_made(status="recibido")
    upload = CaseFile.objects.create(
        case=case,
        question="sustento",
        name="tarjeta-de-propiedad.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        file="cases/tarjeta.pdf",
    )
    case.answers = {**case.answers, "sustento": [str(upload.public_id)]}
    case.save(update_fields=["answers"])

    content = receipt_pdf(case=case)

    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Constancia de presentación" in text
    assert case.reference in text
    assert "Permiso especial de tránsito" in text
    assert "Ministerio de Transportes y Comunicaciones" in text
    assert "hora de Lima" in text
    assert "Plazo de atención" in text
    assert "Placa del vehículo" in text
    assert "ABC-123" in text
    assert "¿Desde cuándo?" in text
    assert "27 de marzo de 2026" in text
    assert "Carga pesada" in text
    assert "tarjeta-de-propiedad.pdf" in text
