"""Notifications (issue 7) in headless Chromium, as a citizen and an official live them:

1. the citizen confirms her mobile number at /cuenta/avisos/ with the code the SMS brought (the
   fake gateway received it), so her notices also come by SMS;
2. she sends an application: a notification lands in her casilla, she opens it (its first
   opening is recorded), downloads its constancia (a PDF), and the fake relay received the
   e-mail, which the demo's mailbox shows;
3. an official asks for a correction: a new notification in her casilla, and the gateway
   received the SMS about it; the case's back-office page lists both notifications.

The fakes are real processes (B's mail_relay and sms_gateway fixtures); the task backend runs
deliveries at once, inside the live server. Every citizen page is checked with axe-core."""

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.checks import axe_report, axe_violations
from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import OfficialFactory
from ventanilla.cases.models import Case
from ventanilla.cases.tests.factories import service_published, workflow
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.models import InboxItem, Message, Preference
from ventanilla.oidc.tests.factories import PASSWORD, citizen_make

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "ventanilla-screenshots"
OFFICIAL_PASSWORD = "Gestion-Segura-2026"
EVENTS_PATH = "/notificaciones/proveedores/correo/eventos"

FORM: dict[str, Any] = {
    "format": "ventanilla-form/1",
    "title": "Permiso especial de tránsito",
    "intro": "",
    "pages": [
        {"id": "vehiculo", "title": "Datos del vehículo", "questions": [
            {"id": "placa", "type": "text", "label": "Placa del vehículo", "required": True},
        ]},
    ],
    "declaration": "",
    "confirmation": "",
}  # fmt: skip


def _context(browser: Browser) -> BrowserContext:
    return browser.new_context(locale="es-PE", viewport={"width": 1280, "height": 900})


def _accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}: {axe_report(violations)}"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"notifications-{name}.png"), full_page=True)


@pytest.fixture
def fakes(settings, live_server, mail_relay, sms_gateway, tmp_path):
    """Deliveries go to the fake relay and gateway, their reports come back to the live server,
    and the demo's mailbox reads their stores."""
    settings.PUBLIC_BASE_URL = live_server.url
    settings.NOTIFICATIONS_SMTP_HOST = mail_relay.host
    settings.NOTIFICATIONS_SMTP_PORT = mail_relay.port
    mail_relay.set_webhook(
        f"{live_server.url}{EVENTS_PATH}", key=settings.NOTIFICATIONS_EMAIL_WEBHOOK_KEY
    )
    settings.NOTIFICATIONS_SMS_URL = sms_gateway.url
    settings.NOTIFICATIONS_SMS_API_KEY = sms_gateway.api_key
    settings.NOTIFICATIONS_CALLBACK_BASE_URL = live_server.url
    (tmp_path / "mail").symlink_to(mail_relay.store)
    (tmp_path / "sms").symlink_to(sms_gateway.store)
    settings.NOTIFICATIONS_FAKES_DIR = tmp_path
    settings.NOTIFICATIONS_DEMO_MAILBOX = True
    return mail_relay, sms_gateway


@pytest.mark.django_db(transaction=True)
def test_a_citizen_hears_of_her_case_in_her_casilla_by_email_and_by_sms(
    browser: Browser, live_server: Any, fakes: Any
):
    relay, gateway = fakes
    cache.clear()
    base = live_server.url
    with transaction.atomic():
        mtc = InstitutionFactory.create(name="Ministerio de Transportes y Comunicaciones")
        service = service_published(
            institution=mtc,
            definition=FORM,
            flow=workflow(document=None, notify={"citizen": True, "assignee": True, "emails": []}),
        )
        officer = OfficialFactory.create(username="gestor", institution=mtc, role=Role.CASE_OFFICER)
        officer.set_password(OFFICIAL_PASSWORD)
        officer.save()
        citizen = citizen_make(email="rosa@example.pe", phone="")

    # 1. She confirms her mobile number with the code the SMS brings.
    citizen_ctx = _context(browser)
    page = citizen_ctx.new_page()
    page.goto(f"{base}/cuenta/ingresar/?next=/cuenta/avisos/")
    page.fill("#documento", citizen.document_number)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Ingresar", exact=True).click()
    page.wait_for_url(re.compile(r"/cuenta/avisos/$"))
    _accessible(page, "preferences")
    page.fill("#celular", "987 654 321")
    page.get_by_role("button", name="Enviarme un código").click()
    expect(page.get_by_text("Te enviamos un código por SMS al 987 654 321")).to_be_visible()
    [code_sms] = gateway.wait_for(1)
    assert code_sms["to"] == "51987654321"
    code = re.search(r"\b(\d{6})\b", code_sms["text"]).group(1)  # type: ignore[union-attr]
    _accessible(page, "preferences with a code to type")
    page.fill("#codigo", "000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Confirmar el celular").click()
    expect(
        page.get_by_text("El código no es correcto. Te quedan 4 intentos.").first
    ).to_be_visible()
    _accessible(page, "preferences with an error")
    page.fill("#codigo", code)
    page.get_by_role("button", name="Confirmar el celular").click()
    expect(page.get_by_text("Confirmamos tu celular 987 654 321")).to_be_visible()
    expect(page.get_by_label("SMS al celular")).to_be_checked()
    expect(page.get_by_label("Correo electrónico")).to_be_checked()
    _shot(page, "1-preferences")
    preference = Preference.objects.get(user=citizen)
    assert (preference.phone, preference.sms_enabled) == ("+51987654321", True)

    # 2. She applies; the notice is in her casilla, by e-mail and by SMS.
    page.goto(f"{base}/servicios/{service.slug}/")
    page.get_by_role("button", name=re.compile("Empezar ahora")).click()
    page.get_by_label("Placa del vehículo").fill("ABC-123")
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("button", name="Enviar solicitud").click()
    page.wait_for_url(re.compile(r"/mis-tramites/.+/enviado/"))
    case = Case.objects.get(applicant=citizen)
    received = InboxItem.objects.get(recipient=citizen)
    assert received.kind == "case.submitted"

    [email] = relay.wait_for(1)
    assert email["recipients"] == ["rosa@example.pe"]
    assert email["subject"] == f"Recibimos tu solicitud {case.reference}"
    assert f"/casilla/{received.pk}/" in email["text"]
    sms = gateway.wait_for(2)
    assert sms[-1]["to"] == "51987654321"
    assert case.reference in sms[-1]["text"]

    page.goto(f"{base}/casilla/")
    _accessible(page, "casilla")
    _shot(page, "2-casilla")
    page.get_by_role("link", name=re.compile(f"Recibimos tu solicitud {case.reference}")).click()
    page.wait_for_url(re.compile(rf"/casilla/{received.pk}/$"))
    expect(
        page.get_by_role("heading", name=f"Recibimos tu solicitud {case.reference}")
    ).to_be_visible()
    _accessible(page, "casilla notification")
    _shot(page, "3-notification")
    received.refresh_from_db()
    assert received.first_opened_at is not None
    href = page.get_by_role("link", name=re.compile("Descargar constancia")).get_attribute("href")
    constancia = page.request.get(f"{base}{href}")
    assert constancia.ok
    assert constancia.headers["content-type"] == "application/pdf"
    assert constancia.body().startswith(b"%PDF")

    # The demo's mailbox shows the e-mail the relay received.
    assert relay.settle()
    page.goto(f"{base}/demo/buzon/")
    expect(page.get_by_text(f"Recibimos tu solicitud {case.reference}").first).to_be_visible()
    expect(page.get_by_text("rosa@example.pe").first).to_be_visible()
    _shot(page, "4-mailbox")

    # 3. The official asks for a correction: a new notification, and an SMS about it.
    officer_ctx = _context(browser)
    office = officer_ctx.new_page()
    office.goto(f"{base}/gestion/login/")
    office.fill("#documento", "gestor")
    office.fill("#password", OFFICIAL_PASSWORD)
    office.get_by_role("button", name="Ingresar", exact=True).click()
    office.wait_for_load_state()
    office.goto(f"{base}/gestion/expedientes/{case.reference}/")
    office.locator("input[name=campos][value=placa]").check()
    office.fill("#c-mensaje", "La placa no coincide con la tarjeta de propiedad.")
    office.get_by_role("button", name="Pedir subsanación").click()
    office.wait_for_load_state()
    correction = InboxItem.objects.get(recipient=citizen, kind="case.correction_requested")
    assert "La placa no coincide con la tarjeta de propiedad." in correction.body
    sms = gateway.wait_for(3)
    assert sms[-1]["to"] == "51987654321"
    assert "te pide corregir" in sms[-1]["text"]
    assert case.reference in sms[-1]["text"]
    assert Message.objects.filter(inbox_item=correction).count() == 2  # e-mail and SMS

    office.goto(f"{base}/gestion/expedientes/{case.reference}/")
    section = office.inner_text("main")
    assert "Notificaciones al ciudadano" in section
    assert f"Corrige tu solicitud {case.reference}" in section
    assert "aún no abierta" in section
    _shot(office, "5-officer")
    officer_ctx.close()

    # Her case's page links to both notifications.
    page.goto(f"{base}/mis-tramites/{case.reference}/")
    _accessible(page, "case page")
    expect(page.get_by_role("link", name=f"Corrige tu solicitud {case.reference}")).to_be_visible()
    expect(
        page.get_by_role("link", name=f"Recibimos tu solicitud {case.reference}")
    ).to_be_visible()
    citizen_ctx.close()
