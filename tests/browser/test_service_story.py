"""The whole story of a digital service (issue 5), in headless Chromium, as three people do it:

1. a service designer builds a small service through the editor (a text question and a file
   upload, a document issued on approval) and publishes it;
2. a citizen applies from the service's page, uploads a file, submits twice by accident (a
   double click, then the Back button and the same form again) and gets one case;
3. a case officer asks for a correction of one answer; the citizen corrects only that answer;
   the officer approves;
4. the citizen downloads the issued document, the QR code read off the PDF's rendered page opens
   the verification page, which says the document is valid, and a tampered code is refused.

Every citizen page on the way is checked with axe-core (WCAG 2.x A/AA)."""

import io
import re
import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.checks import axe_report, axe_violations
from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import OfficialFactory
from ventanilla.cases.models import Case, IssuedDocument
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.oidc.tests.factories import PASSWORD, citizen_make

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "ventanilla-screenshots"
OFFICIAL_PASSWORD = "Gestion-Segura-2026"


def _context(browser: Browser) -> BrowserContext:
    return browser.new_context(locale="es-PE", viewport={"width": 1280, "height": 900})


def _accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}: {axe_report(violations)}"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"story-{name}.png"), full_page=True)


def _official_login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/gestion/login/")
    page.fill("#documento", username)
    page.fill("#password", OFFICIAL_PASSWORD)
    page.get_by_role("button", name="Ingresar", exact=True).click()
    page.wait_for_load_state()


def _citizen_login(page: Page, base: str, dni: str, next_path: str) -> None:
    page.goto(f"{base}/cuenta/ingresar/?next={next_path}")
    page.fill("#documento", dni)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Ingresar", exact=True).click()
    page.wait_for_load_state()


def _qr_url(pdf: bytes) -> str:
    """The URL in the QR code printed on the PDF's first page, read off a rendering of it."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    image = document[0].render(scale=3).to_pil()
    found = [r.text for r in zxingcpp.read_barcodes(image) if r.text.startswith("http")]
    assert found, "no QR code on the document"
    return found[0]


@pytest.mark.django_db(transaction=True)
def test_a_designer_builds_a_service_a_citizen_applies_and_gets_a_verifiable_document(
    browser: Browser, live_server, tmp_path, settings
):
    cache.clear()
    base = live_server.url
    settings.PUBLIC_BASE_URL = base  # the QR code points at this server
    with transaction.atomic():
        institution = InstitutionFactory.create(name="Ministerio de Prueba", acronym="MDP")
        procedure = ProcedureFactory.create(
            institution=institution, title="Permiso de prueba", is_published=True
        )
        designer = OfficialFactory.create(
            username="disena", institution=institution, role=Role.SERVICE_DESIGNER
        )
        officer = OfficialFactory.create(
            username="gestor", institution=institution, role=Role.CASE_OFFICER
        )
        for official in (designer, officer):
            official.set_password(OFFICIAL_PASSWORD)
            official.save()
        citizen = citizen_make()

    # 1. The designer builds and publishes the service.
    designer_ctx = _context(browser)
    page = designer_ctx.new_page()
    _official_login(page, base, "disena")
    page.goto(f"{base}/gestion/servicios/nuevo/")
    _shot(page, "0-new")
    page.fill("#f-name", "Permiso de prueba en línea")
    page.fill("#f-reference_prefix", "PRB")
    page.select_option("#f-procedure", str(procedure.number))
    page.get_by_role("button", name="Crear servicio").click()
    expect(page.get_by_role("heading", name="Páginas del formulario")).to_be_visible()
    page.get_by_role("link", name="Datos de la solicitud").first.click()
    page.select_option("#f-tipo", "text")
    page.get_by_role("button", name="Agregar pregunta").click()
    page.fill("#f-label", "Placa del vehículo")
    page.check("#f-required")
    page.get_by_role("button", name="Agregar pregunta").click()
    expect(page.get_by_text("Placa del vehículo").first).to_be_visible()
    page.select_option("#f-tipo", "file")
    page.get_by_role("button", name="Agregar pregunta").click()
    page.fill("#f-label", "Tarjeta de propiedad")
    page.check("#f-required")
    page.get_by_role("button", name="Agregar pregunta").click()
    expect(page.get_by_text("Tarjeta de propiedad").first).to_be_visible()
    service_url = page.url
    pk = re.search(r"/gestion/servicios/(\d+)/", service_url).group(1)  # type: ignore[union-attr]
    page.goto(f"{base}/gestion/servicios/{pk}/flujo/")
    page.check("#f-document-yes")
    page.fill("#f-doc_title", "Permiso de prueba")
    page.fill("#f-doc_body", "Se autoriza al vehículo de placa {placa_del_vehiculo}.")
    page.get_by_role("button", name="Guardar flujo").click()
    page.goto(f"{base}/gestion/servicios/{pk}/publicar/")
    _shot(page, "1-publish")
    page.get_by_role("button", name=re.compile("Publicar versión 1")).click()
    page.wait_for_load_state()
    procedure.refresh_from_db()
    assert procedure.online_url.startswith("/servicios/")
    designer_ctx.close()

    # 2. The citizen applies from the procedure's online address, with a file.
    citizen_ctx = _context(browser)
    page = citizen_ctx.new_page()
    _citizen_login(page, base, citizen.document_number, procedure.online_url)
    page.goto(f"{base}{procedure.online_url}")
    _accessible(page, "service start")
    page.get_by_role("button", name=re.compile("Empezar ahora")).click()
    _accessible(page, "first page")
    page.get_by_role("button", name="Continuar").click()  # nothing filled: errors
    expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
    _shot(page, "2-errors")
    page.get_by_label("Placa del vehículo").fill("ABC-12")
    card = tmp_path / "tarjeta.pdf"
    card.write_bytes(b"%PDF-1.4\n% tarjeta de propiedad\n%%EOF\n")
    page.locator("input[type=file]").set_input_files(str(card))
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("button", name="Enviar solicitud")).to_be_visible()
    _accessible(page, "check your answers")
    _shot(page, "3-check")
    send = page.get_by_role("button", name="Enviar solicitud")
    send.dblclick()
    page.wait_for_url(re.compile(r"/mis-tramites/.+/enviado/"))
    sent_url = page.url
    reference = re.search(r"/mis-tramites/([^/]+)/enviado/", sent_url).group(1)  # type: ignore[union-attr]
    assert reference.startswith("PRB-")
    # Back to the check page and the same form sent again: still one case.
    page.go_back()
    if page.get_by_role("button", name="Enviar solicitud").count():
        page.get_by_role("button", name="Enviar solicitud").click()
        page.wait_for_load_state()
    assert Case.objects.filter(applicant=citizen).count() == 1
    page.goto(sent_url)
    _accessible(page, "confirmation")
    _shot(page, "4-sent")
    receipt = page.request.get(f"{base}/mis-tramites/{reference}/constancia.pdf")
    assert receipt.ok
    assert receipt.body().startswith(b"%PDF")

    # 3. The officer asks for a correction of the plate.
    officer_ctx = _context(browser)
    office = officer_ctx.new_page()
    _official_login(office, base, "gestor")
    office.goto(f"{base}/gestion/expedientes/")
    office.get_by_role("link", name=reference).first.click()
    office.locator("input[name=campos][value=placa_del_vehiculo]").check()
    office.fill("#c-mensaje", "La placa tiene 6 caracteres: revisa la tarjeta de propiedad.")
    office.get_by_role("button", name="Pedir subsanación").click()
    office.wait_for_load_state()
    _shot(office, "5-officer")

    # The citizen corrects only the plate.
    page.goto(f"{base}/mis-tramites/{reference}/")
    _accessible(page, "case with a correction request")
    field = page.get_by_label("Placa del vehículo")
    field.fill("ABC-123")
    assert page.locator("input[type=file]").count() == 0
    page.get_by_role("button", name="Enviar la corrección").click()
    page.wait_for_load_state()
    case = Case.objects.get(reference=reference)
    assert case.answers["placa_del_vehiculo"] == "ABC-123"

    # The officer approves: along the workflow, received → in review → approved.
    for status in ("en_revision", "aprobado"):
        office.goto(f"{base}/gestion/expedientes/{reference}/")
        office.locator(f"#t-{status}").check()
        office.get_by_role("button", name="Cambiar el estado").click()
        office.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == "aprobado"
    assert case.ended
    officer_ctx.close()

    # 4. The citizen downloads the document; its QR code opens a page that says it is valid.
    page.goto(f"{base}/mis-tramites/{reference}/")
    _shot(page, "6-approved")
    pdf = page.request.get(f"{base}/mis-tramites/{reference}/documento.pdf")
    assert pdf.ok
    url = _qr_url(pdf.body())
    document = IssuedDocument.objects.get(case=case)
    assert document.code.replace("-", "") in url.replace("-", "")
    assert url.startswith(base)
    page.goto(url)
    _shot(page, "7-verified")
    _accessible(page, "verification")
    heading = page.get_by_role("heading", name="El código corresponde a un documento emitido")
    expect(heading).to_be_visible()
    # The very PDF is recognised; one changed byte is not.
    original = tmp_path / "documento.pdf"
    original.write_bytes(pdf.body())
    page.locator("input[type=file]").set_input_files(str(original))
    page.get_by_role("button", name="Comprobar el archivo").click()
    expect(page.get_by_text("El archivo es idéntico al documento emitido")).to_be_visible()
    altered = tmp_path / "alterado.pdf"
    altered.write_bytes(pdf.body().replace(b"Permiso de prueba", b"Permiso de prueva", 1))
    page.locator("input[type=file]").set_input_files(str(altered))
    page.get_by_role("button", name="Comprobar el archivo").click()
    expect(page.get_by_text("El archivo no coincide con el documento emitido")).to_be_visible()
    tampered = document.code[:-1] + ("X" if document.code[-1] != "X" else "Y")
    response = page.goto(f"{base}/verificar/{tampered}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text(re.compile("no es válido")).first).to_be_visible()
    citizen_ctx.close()
