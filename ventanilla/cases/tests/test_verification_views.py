"""The public verification pages: /verificar/ and /verificar/<code>/."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ventanilla.cases.documents.codes import code_display, code_new
from ventanilla.cases.models import IssuedDocument
from ventanilla.cases.services.documents import document_issue, document_pdf_open
from ventanilla.cases.tests.docs_factories import case_made

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued() -> IssuedDocument:
    return document_issue(case=case_made(), by=None)


def page(code: str) -> str:
    return reverse("documents:verify", args=[code])


def test_the_start_page_is_public_and_a_typed_code_goes_to_its_page(client, issued):
    response = client.get("/verificar/")
    assert response.status_code == 200
    assert "Código de verificación" in response.content.decode()

    typed = code_display(issued.code).lower().replace("-", " ")
    response = client.get("/verificar/", {"codigo": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/verificar/{code_display(issued.code)}/"


@pytest.mark.parametrize(
    "typed", ["ABC", "x" * 500, "ñandú 😀", "<script>alert(1)</script>", "/../../etc/passwd"]
)
def test_a_malformed_code_typed_in_the_form_is_refused_in_spanish_keeping_what_was_typed(
    client, typed
):
    response = client.get("/verificar/", {"codigo": typed})
    assert response.status_code == 400
    body = response.content.decode()
    assert "El código no es válido: revisa que esté bien escrito" in body
    assert 'aria-invalid="true"' in body
    assert "<script>alert" not in body


def test_a_2kb_code_in_the_query_gets_the_sites_spanish_400_page(client):
    response = client.get("/verificar/", {"codigo": "x" * 2048})
    assert response.status_code == 400
    assert "No pudimos entender tu solicitud" in response.content.decode()


def test_an_empty_code_asks_for_one(client):
    response = client.get("/verificar/", {"codigo": "  "})
    assert response.status_code == 400
    assert "Escribe el código de verificación" in response.content.decode()


def test_a_valid_code_shows_the_document_with_the_holder_masked_and_the_pdf_hash(client, issued):
    response = client.get(page(code_display(issued.code)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "El código corresponde a un documento emitido" in body
    assert "Permiso especial de tránsito" in body
    assert "Ministerio de Transportes y Comunicaciones" in body
    assert issued.case.reference in body
    assert "Rosa M. Q. H." in body
    assert "Quispe" not in body
    assert "45678912" not in body
    assert "Vigente hasta el" in body
    assert issued.sha256 in body
    # Not cached anywhere: a revocation shows at once.
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_code_written_another_way_lands_on_the_printed_address(client, issued):
    response = client.get(page(issued.code.lower()))
    assert response.status_code == 302
    assert response["Location"] == page(code_display(issued.code))


def test_a_tampered_code_is_told_apart_from_an_unknown_one(client, issued):
    code = issued.code
    tampered = code[:3] + ("Z" if code[3] != "Z" else "Y") + code[4:]
    response = client.get(page(tampered))
    assert response.status_code == 404
    assert "El código no es válido: revisa que esté bien escrito" in response.content.decode()

    response = client.get(page(code_display(code_new())))
    assert response.status_code == 404
    assert "No existe un documento con ese código" in response.content.decode()


@pytest.mark.parametrize("odd", ["Z" * 2048, "ñandú😀", "%00", "..", "a b c", "'; DROP TABLE"])
def test_odd_codes_in_the_address_get_a_spanish_page_never_an_error(client, odd):
    response = client.get(f"/verificar/{odd}/")
    assert response.status_code == 404
    assert "El código no es válido" in response.content.decode()


def test_a_revoked_document_says_so(client, issued):
    IssuedDocument.objects.filter(pk=issued.pk).update(revoked_at=timezone.now())
    response = client.get(page(code_display(issued.code)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Este documento fue anulado" in body
    assert "ya no tiene validez" in body
    assert 'type="file"' not in body


def test_an_expired_document_is_authentic_but_says_its_validity_ended(client, issued):
    IssuedDocument.objects.filter(pk=issued.pk).update(
        issued_at=timezone.now() - timedelta(days=40)
    )
    body = client.get(page(code_display(issued.code))).content.decode()
    assert "su vigencia terminó" in body
    assert "Venció el" in body


def upload(client, code: str, content: bytes, name: str = "documento.pdf"):
    return client.post(
        page(code), {"archivo": SimpleUploadedFile(name, content, "application/pdf")}
    )


def test_the_very_pdf_issued_is_recognised(client, issued):
    content = document_pdf_open(document=issued).read()
    response = upload(client, code_display(issued.code), content)
    assert response.status_code == 200
    assert "El archivo es idéntico al documento emitido" in response.content.decode()


def test_a_modified_pdf_is_told_apart(client, issued):
    content = bytearray(document_pdf_open(document=issued).read())
    content[-20] ^= 0x01  # one bit changed
    response = upload(client, code_display(issued.code), bytes(content))
    assert response.status_code == 200
    assert "El archivo no coincide con el documento emitido" in response.content.decode()


def test_uploads_that_cannot_be_the_document_get_spanish_errors_next_to_the_field(client, issued):
    code = code_display(issued.code)
    response = client.post(page(code), {})
    assert response.status_code == 400
    assert "Elige el archivo PDF" in response.content.decode()

    response = upload(client, code, b"GIF89a not a pdf", name="foto.gif")
    assert response.status_code == 400
    assert "El archivo no es un PDF" in response.content.decode()

    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 10)
    response = upload(client, code, big)
    assert response.status_code == 400
    assert "no puede pesar más de 5 MB" in response.content.decode()

    # Far too big: answered from the request's length, before the body is read.
    response = upload(client, code, big + b"0" * 200 * 1024)
    assert response.status_code == 413
    assert "no puede pesar más de 5 MB" in response.content.decode()


def test_the_upload_form_needs_its_csrf_token(issued):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(page(code_display(issued.code)), {"archivo": io.BytesIO(b"%PDF-1.4")})
    assert response.status_code == 403
