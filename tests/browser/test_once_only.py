"""Once-only (issue 6) in headless Chromium, as a citizen lives it: a municipality's form reads
her identity from RENIEC and her business from SUNAT through the information mediator, after she
authorises it; the values are shown read-only with their source; she sends the application;
«Mis datos» lists both reads, and she withdraws one authorisation. Each page passes axe-core;
the message log verifies afterwards."""

import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from playwright.sync_api import Browser, Page, expect

from tests.browser.checks import axe_report, axe_violations
from ventanilla.cases.models import Case
from ventanilla.formbuilder.definition import default_workflow
from ventanilla.formbuilder.tests.factories import published_service
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.integrations.registries.data import DEMO_CITIZEN_DNI, DEMO_CITIZEN_RUC
from ventanilla.interop.models import ConsentRecord, MessageLogEntry
from ventanilla.interop.services.messagelog import message_log_verify
from ventanilla.interop.services.setup import directory_setup
from ventanilla.oidc.tests.factories import PASSWORD, citizen_make

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "ventanilla-screenshots"

FORM: dict[str, Any] = {
    "format": "ventanilla-form/1",
    "title": "Licencia de funcionamiento para bodega",
    "intro": "",
    "pages": [
        {"id": "titular", "title": "Tus datos", "questions": [
            {"id": "nombres", "type": "text", "label": "Nombres", "required": True,
             "source": {"from": "reniec.persona", "field": "Prenombres"}},
            {"id": "nacimiento", "type": "date", "label": "Fecha de nacimiento", "required": True,
             "source": {"from": "reniec.persona", "field": "FechaNacimiento"}},
        ]},
        {"id": "negocio", "title": "Tu negocio", "questions": [
            {"id": "ruc", "type": "ruc", "label": "RUC", "required": True,
             "source": {"from": "sunat.contribuyente", "field": "ID"}},
            {"id": "razon_social", "type": "text", "label": "Razón social", "required": True,
             "source": {"from": "sunat.contribuyente", "field": "RazonSocial"}},
        ]},
        {"id": "bodega", "title": "La bodega", "questions": [
            {"id": "nombre_comercial", "type": "text", "label": "Nombre comercial",
             "required": True},
        ]},
    ],
    "declaration": "",
    "confirmation": "",
}  # fmt: skip


def _accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}: {axe_report(violations)}"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"once-only-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_form_prefilled_from_reniec_and_sunat_and_the_reads_in_mis_datos(
    browser: Browser, live_server: Any, registry_processes: Any
):
    cache.clear()
    registry_processes.reset()
    base = live_server.url
    with transaction.atomic():
        muni = InstitutionFactory(slug="munihuancayo", name="Municipalidad Provincial de Huancayo")
    directory_setup(registry_urls={n: registry_processes.url(n) for n in ("reniec", "sunat")})
    with transaction.atomic():
        service = published_service(
            institution=muni,
            definition=FORM,
            workflow=default_workflow(),
            slug="mph-bodega",
            prefix="MPH",
        )
        citizen = citizen_make(dni=DEMO_CITIZEN_DNI)

    context = browser.new_context(locale="es-PE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/cuenta/ingresar/?next=/servicios/{service.slug}/")
    page.fill("#documento", DEMO_CITIZEN_DNI)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Ingresar", exact=True).click()
    page.wait_for_load_state()
    page.goto(f"{base}/servicios/{service.slug}/")
    page.get_by_role("button", name="Empezar ahora").click()
    page.wait_for_load_state()

    # The consent step names who reads what, from where, and why.
    expect(page.get_by_role("button", name="Autorizar y continuar")).to_be_visible()
    body = page.inner_text("main")
    assert "RENIEC" in body
    assert "SUNAT" in body
    assert "Municipalidad Provincial de Huancayo" in body
    _accessible(page, "consent")
    _shot(page, "1-consent")
    page.get_by_role("button", name="Autorizar y continuar").click()
    page.wait_for_load_state()

    # Her names and birth date arrive read-only, with their source.
    expect(page.get_by_text("Dato obtenido de RENIEC").first).to_be_visible()
    assert page.locator("input[name='q-nombres']").count() == 0
    _accessible(page, "prefilled page")
    _shot(page, "2-prefilled")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Dato obtenido de SUNAT").first).to_be_visible()
    assert DEMO_CITIZEN_RUC in page.inner_text("main")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_load_state()
    page.fill("input[name='q-nombre_comercial']", "Bodega Rosita")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_load_state()
    _accessible(page, "check answers")
    page.get_by_role("button", name="Enviar solicitud").click()
    page.wait_for_load_state()

    case = Case.objects.get(service=service)
    assert case.answers["ruc"] == DEMO_CITIZEN_RUC
    assert {s["label"] for s in case.answer_sources.values()} == {"RENIEC", "SUNAT"}

    # «Mis datos» lists both reads, with the reading institution and the source.
    page.goto(f"{base}/mis-datos/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    _shot(page, "3-mis-datos")
    text = page.inner_text("tbody")
    assert "Registro Nacional de Identificación y Estado Civil" in text, text
    assert "Superintendencia Nacional de Aduanas y de Administración Tributaria" in text, text
    assert "Municipalidad Provincial de Huancayo" in text, text
    _accessible(page, "mis datos")

    # She withdraws the SUNAT authorisation.
    page.goto(f"{base}/mis-datos/autorizaciones/")
    _accessible(page, "authorisations")
    page.get_by_role("link", name="Revocar la autorización a").filter(has_text="").first.click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Sí, revocar la autorización").click()
    page.wait_for_load_state()
    _shot(page, "4-withdrawn")
    records = ConsentRecord.objects.filter(individual=citizen)
    assert sorted(r.state for r in records) == ["given", "withdrawn"]

    reads = MessageLogEntry.objects.filter(subject=f"DNI:{DEMO_CITIZEN_DNI}", outcome="ok")
    assert reads.count() == 2
    assert message_log_verify().ok
    context.close()
