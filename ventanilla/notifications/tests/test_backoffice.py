"""/gestion/avisos/: who gets in (an official of another institution gets 404/403), templates
(placeholder errors at the field in Spanish, preview with sample values and SMS length without
JavaScript, versions, double submit), API keys (shown once, revoked with confirmation, one key
per double click), sent messages (filters, reasons, 50 a page, pinned queries) and the
read-only admin."""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import OfficialFactory, PlatformAdminFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.models import (
    ApiKey,
    Channel,
    Message,
    MessageEvent,
    Template,
    TemplateVersion,
)
from ventanilla.notifications.services.keys import govstack_key_authenticate
from ventanilla.notifications.services.templates import template_create

pytestmark = pytest.mark.django_db
BASE = "/gestion/avisos/"
TEMPLATES = f"{BASE}plantillas/"
KEYS = f"{BASE}claves/"
MESSAGES = f"{BASE}mensajes/"


@pytest.fixture
def institution():
    return InstitutionFactory(name="Ministerio de Transportes")


@pytest.fixture
def other():
    return InstitutionFactory(name="Municipalidad de Lima")


@pytest.fixture
def manager(institution):
    return OfficialFactory(institution=institution, role=Role.INSTITUTION_ADMIN)


@pytest.fixture
def browser(manager):
    client = Client()
    client.force_login(manager)
    return client


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _template(institution, by, **changes):
    values = {
        "institution": institution,
        "channel": Channel.EMAIL,
        "name": "Aviso de pago",
        "event": "",
        "subject": "Pago ((referencia))",
        "body": "Hola ((nombre)), paga ((monto)).",
        "by": by,
    }
    return template_create(**(values | changes))


def _message(institution, **changes):
    values = {
        "channel": Channel.EMAIL,
        "institution": institution,
        "recipient": "ana@correo.pe",
        "subject": "Asunto",
        "body": "Texto",
        "reference": "MTC-2026-000001",
    }
    return Message.objects.create(**(values | changes))


def _page(response):
    return response.content.decode()


# --- who gets in -------------------------------------------------------------------------------


def test_anonymous_visitors_go_to_the_back_office_login():
    response = Client().get(TEMPLATES)
    assert response.status_code == 302
    assert response["Location"].startswith("/gestion/login/?next=")


def test_an_official_without_a_managing_role_is_told_why_not(institution):
    client = _login(OfficialFactory(institution=institution, role=Role.CASE_OFFICER))
    for url in (TEMPLATES, KEYS, MESSAGES, f"{TEMPLATES}nueva/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "no gestiona los avisos" in _page(response)


def test_an_official_of_another_institution_sees_nothing_of_ours(institution, other, manager):
    mine = _template(institution, manager)
    key = ApiKey.objects.create(
        sender=_sender(institution), name="Clave secreta MTC", protocol=ApiKey.Protocol.GOVSTACK
    )
    message = _message(institution)
    stranger = _login(OfficialFactory(institution=other, role=Role.INSTITUTION_ADMIN))
    assert mine.name not in _page(stranger.get(TEMPLATES))
    assert stranger.get(f"{TEMPLATES}{mine.pk}/").status_code == 404
    assert stranger.post(f"{TEMPLATES}{mine.pk}/archivar/").status_code == 404
    assert stranger.get(f"{KEYS}?institucion={institution.pk}").status_code == 200
    assert "Clave secreta MTC" not in _page(stranger.get(f"{KEYS}?institucion={institution.pk}"))
    assert stranger.post(f"{KEYS}{key.pk}/revocar/").status_code == 404
    assert message.recipient not in _page(stranger.get(MESSAGES))
    assert stranger.get(f"{MESSAGES}{message.pk}/").status_code == 404
    # Naming our institution in a form does not let them write for it.
    response = stranger.post(
        f"{TEMPLATES}nueva/",
        {
            "institucion": institution.pk,
            "canal": "sms",
            "nombre": "x",
            "texto": "hola",
            "accion": "guardar",
        },
    )
    assert response.status_code == 400
    assert "Elige la institución" in _page(response)
    response = stranger.post(
        f"{KEYS}nueva/", {"institucion": institution.pk, "nombre": "x", "api": "notify"}
    )
    assert response.status_code == 400
    key.refresh_from_db()
    assert key.revoked_at is None
    assert Template.objects.count() == 1
    assert ApiKey.objects.count() == 1


def _sender(institution):
    from ventanilla.notifications.services.senders import sender_default

    return sender_default(institution=institution)


# --- templates ---------------------------------------------------------------------------------


def test_the_list_shows_which_case_notices_use_the_platform_wording(browser, institution, manager):
    _template(
        institution,
        manager,
        event="case.submitted",
        name="Recibida por correo",
        subject="Recibida ((referencia))",
        body="Hola ((nombre)).",
    )
    page = _page(browser.get(TEMPLATES))
    assert "Recibida por correo" in page
    assert "El de la plataforma" in page
    assert "evento=case.decided&amp;canal=sms" in page


def test_a_new_template_starts_from_the_platform_wording_of_a_case_notice(browser):
    page = _page(browser.get(f"{TEMPLATES}nueva/?evento=case.submitted&canal=sms"))
    assert "recibimos tu solicitud ((referencia))" in page
    # The preview is there from the start, with sample values and the SMS length.
    assert "MTC-2026-000123" in page
    assert "Longitud del SMS:" in page


def test_a_new_template_is_saved_as_version_one_and_a_double_submit_makes_one(browser, institution):
    form = {
        "form_id": str(uuid.uuid4()),
        "institucion": institution.pk,
        "canal": "email",
        "evento": "case.correction_requested",
        "nombre": "Subsanación",
        "asunto": "Corrige ((referencia))",
        "texto": "Hola ((nombre)): ((mensaje)). Plazo: ((plazo)).",
        "accion": "guardar",
    }
    first = browser.post(f"{TEMPLATES}nueva/", form)
    second = browser.post(f"{TEMPLATES}nueva/", form)
    template = Template.objects.get()
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"] == f"{TEMPLATES}{template.pk}/"
    assert (template.version, template.event) == (1, "case.correction_requested")
    assert AuditEvent.objects.filter(action="notifications.template_created").count() == 1
    assert "versión 1" in _page(browser.get(first["Location"]))


def test_a_placeholder_the_event_does_not_give_is_shown_at_the_field_in_spanish(
    browser, institution
):
    response = browser.post(
        f"{TEMPLATES}nueva/",
        {
            "institucion": institution.pk,
            "canal": "email",
            "evento": "case.submitted",
            "nombre": "Recibida",
            "asunto": "Hola",
            "texto": "Hola ((nombre)), debes ((monto)).",
            "accion": "guardar",
        },
    )
    page = _page(response)
    assert response.status_code == 400
    assert '<a href="#f-texto">Este aviso no tiene el dato ((monto))' in page
    error = re.search(r'<p class="error-msg" id="f-texto-error">(.*?)</p>', page, re.S)
    assert error is not None
    assert "((monto))" in error.group(1)
    assert 'aria-invalid="true"' in page
    assert "Hola ((nombre)), debes ((monto))." in page  # what was typed is kept
    assert not Template.objects.exists()


def test_bad_input_says_what_is_wrong_and_never_fails(browser, institution):
    response = browser.post(
        f"{TEMPLATES}nueva/",
        {"institucion": "abc", "canal": "fax", "texto": "x" * 30_000, "accion": "guardar"},
    )
    assert response.status_code == 400
    assert "Elige la institución" in _page(response)
    response = browser.post(
        f"{TEMPLATES}nueva/",
        {"institucion": institution.pk, "canal": "fax", "evento": "nada", "accion": "guardar"},
    )
    page = _page(response)
    assert response.status_code == 400
    assert "Elige el canal" in page
    assert "Ese aviso no existe" in page
    assert "Escribe un nombre" in page or "Escribe el texto" in page
    assert browser.get(f"{TEMPLATES}no-es-un-id/").status_code == 404
    assert browser.get(f"{TEMPLATES}{uuid.uuid4()}/").status_code == 404
    assert not Template.objects.exists()


def test_the_preview_button_renders_with_the_sample_values_and_saves_nothing(browser, institution):
    response = browser.post(
        f"{TEMPLATES}nueva/",
        {
            "institucion": institution.pk,
            "canal": "sms",
            "nombre": "Pago",
            "texto": "Paga ((monto)) por tu trámite ((referencia)).",
            "dato:monto": "S/ 25.00",
            "accion": "vista_previa",
        },
    )
    page = _page(response)
    assert response.status_code == 200
    assert "Paga S/ 25.00 por tu tramite MTC-2026-000123." in page  # á → a as sent
    assert "caracteres, 1 parte(s), codificación GSM-7" in page
    assert 'name="dato:monto"' in page
    assert not Template.objects.exists()
    long = browser.post(
        f"{TEMPLATES}nueva/",
        {
            "institucion": institution.pk,
            "canal": "sms",
            "nombre": "Largo",
            "texto": "Hola 🙂 ((nombre)) " + "x" * 150,
            "accion": "vista_previa",
        },
    )
    assert "3 parte(s), codificación UCS-2" in _page(long)


def test_the_email_preview_shows_the_html_in_a_sandboxed_frame(browser, institution, manager):
    template = _template(institution, manager)
    page = _page(browser.get(f"{TEMPLATES}{template.pk}/"))
    assert 'sandbox=""' in page
    assert "ejemplo de monto" in page
    assert "Pago MTC-2026-000123" in page


def test_editing_adds_a_version_and_the_page_lists_every_version(browser, institution, manager):
    template = _template(institution, manager)
    url = f"{TEMPLATES}{template.pk}/"
    form = {
        "version": "1",
        "nombre": "Aviso de pago",
        "asunto": "Pago pendiente ((referencia))",
        "texto": "Hola ((nombre)), paga ((monto)) hoy.",
        "accion": "guardar",
    }
    first = browser.post(url, form)
    again = browser.post(url, form)  # double click: the same wording again
    assert first.status_code == again.status_code == 303
    template.refresh_from_db()
    assert template.version == 2
    assert TemplateVersion.objects.filter(template=template).count() == 2
    page = _page(browser.get(url))
    assert "Versión 2" in page
    assert "Versión 1" in page
    assert "Pago ((referencia))" in page  # the earlier wording is kept
    stale = browser.post(url, form | {"texto": "Otro texto ((nombre))"} | {"version": "1"})
    assert stale.status_code == 400
    assert "Otra persona guardó la versión 2" in _page(stale)


def test_archiving_asks_first_and_then_keeps_the_template_read_only(browser, institution, manager):
    template = _template(institution, manager)
    confirm = browser.get(f"{TEMPLATES}{template.pk}/archivar/")
    assert "Sí, archivar" in _page(confirm)
    template.refresh_from_db()
    assert template.archived_at is None
    done = browser.post(f"{TEMPLATES}{template.pk}/archivar/")
    assert done.status_code == 303
    template.refresh_from_db()
    assert template.archived_at is not None
    link = f'href="{TEMPLATES}{template.pk}/"'
    assert link not in _page(browser.get(TEMPLATES))
    assert link in _page(browser.get(f"{TEMPLATES}?archivadas=1"))
    refused = browser.post(
        f"{TEMPLATES}{template.pk}/",
        {"nombre": "x", "asunto": "s", "texto": "b", "accion": "guardar"},
    )
    assert refused.status_code == 400
    assert "archivada" in _page(refused)


# --- API keys ----------------------------------------------------------------------------------


def test_a_new_notify_key_is_shown_once(browser, institution):
    response = browser.post(
        f"{KEYS}nueva/",
        {"institucion": institution.pk, "nombre": "Sistema de trámites", "api": "notify"},
    )
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get()
    raw = re.search(r'id="clave" readonly value="([^"]+)"', _page(response))
    assert raw is not None
    assert raw.group(1).startswith(f"sistema_de_tr_mites-{key.sender_id}-")
    listing = _page(browser.get(KEYS))
    assert "Sistema de trámites" in listing
    assert raw.group(1) not in listing
    assert raw.group(1)[-36:] not in listing


def test_a_double_click_on_create_key_makes_one_key(browser, institution):
    form = {"institucion": institution.pk, "nombre": "GovStack", "api": "govstack"}
    first = browser.post(f"{KEYS}nueva/", form)
    second = browser.post(f"{KEYS}nueva/", form)
    assert first.status_code == 201
    assert second.status_code == 400
    assert "Ya hay una clave activa llamada «GovStack»" in _page(second)
    assert ApiKey.objects.count() == 1


def test_key_form_errors_are_shown_in_spanish(browser, institution):
    response = browser.post(
        f"{KEYS}nueva/",
        {"institucion": institution.pk, "nombre": " ", "api": "soap", "tipo": "x"},
    )
    page = _page(response)
    assert response.status_code == 400
    assert "Escribe un nombre" in page
    assert "Elige la API" in page
    response = browser.post(
        f"{KEYS}nueva/",
        {"institucion": institution.pk, "nombre": "x", "api": "govstack", "tipo": "test"},
    )
    assert "siempre envían de verdad" in _page(response)
    assert not ApiKey.objects.exists()


def test_revoking_a_key_asks_first_and_then_it_no_longer_authenticates(browser, institution):
    created = browser.post(
        f"{KEYS}nueva/", {"institucion": institution.pk, "nombre": "GS", "api": "govstack"}
    )
    raw = re.search(r'id="clave" readonly value="([^"]+)"', _page(created)).group(1)
    key = ApiKey.objects.get()
    assert govstack_key_authenticate(raw) == key
    confirm = browser.get(f"{KEYS}{key.pk}/revocar/")
    assert "Sí, revocar la clave" in _page(confirm)
    assert govstack_key_authenticate(raw) == key
    first = browser.post(f"{KEYS}{key.pk}/revocar/")
    second = browser.post(f"{KEYS}{key.pk}/revocar/")
    assert first.status_code == second.status_code == 303
    assert govstack_key_authenticate(raw) is None
    assert AuditEvent.objects.filter(action="notifications.api_key_revoked").count() == 1
    assert "Revocada el" in _page(browser.get(KEYS))


# --- sent messages -----------------------------------------------------------------------------


def test_sent_messages_filter_by_channel_status_and_reference_with_reasons(
    browser, institution, other
):
    _message(institution, reference="A-1")
    _message(
        institution,
        channel=Channel.SMS,
        recipient="+51987654321",
        status=Message.Status.PERMANENT_FAILURE,
        status_reason="El número no existe.",
        reference="B-2",
    )
    _message(other, recipient="otro@correo.pe")
    page = _page(browser.get(MESSAGES))
    assert "2 mensajes" in page
    assert "otro@correo.pe" not in page
    assert "El número no existe." in page
    assert "987 654 321" in page
    assert "1 mensaje" in _page(browser.get(f"{MESSAGES}?canal=sms"))
    failed = _page(browser.get(f"{MESSAGES}?estado=failed"))
    assert "B-2" in failed
    assert "ana@correo.pe" not in failed
    assert "A-1" in _page(browser.get(f"{MESSAGES}?referencia=A-1"))
    assert "No hay mensajes" in _page(browser.get(f"{MESSAGES}?referencia=Z-9"))
    bad = browser.get(f"{MESSAGES}?canal=fax&estado=perdido&page=abc")
    assert bad.status_code == 200
    assert "Elige correo electrónico o SMS." in _page(bad)
    assert "Ese estado no existe" in _page(bad)


def test_sent_messages_come_50_a_page_in_a_pinned_number_of_queries(
    browser, institution, django_assert_num_queries
):
    now = timezone.now()
    template = _template(
        institution, OfficialFactory(institution=institution, role="service_designer")
    )
    Message.objects.bulk_create(
        Message(
            channel=Channel.EMAIL,
            institution=institution,
            template=template,
            template_version=1,
            recipient=f"p{n}@correo.pe",
            body="x",
            reference=f"R-{n}",
            created_at=now - timedelta(seconds=n),
        )
        for n in range(120)
    )
    browser.get(MESSAGES)  # session and roles warm
    # session, user, roles, institutions, count, page rows
    with django_assert_num_queries(6):
        page = _page(browser.get(f"{MESSAGES}?page=2"))
    assert "p50@correo.pe" in page
    assert "p99@correo.pe" in page
    assert "p49@correo.pe" not in page
    assert "p100@correo.pe" not in page
    assert "120 mensajes" in page


def test_a_message_page_shows_its_delivery_events(browser, institution):
    message = _message(institution, status=Message.Status.DELIVERED)
    MessageEvent.objects.create(message=message, status="sending", source="worker")
    MessageEvent.objects.create(
        message=message, status="delivered", reason="250 OK", source="callback"
    )
    page = _page(browser.get(f"{MESSAGES}{message.pk}/"))
    assert "250 OK" in page
    assert "Entregado" in page


# --- Django admin ------------------------------------------------------------------------------


def test_messages_and_casilla_items_are_read_only_in_the_admin(institution, other):
    message = _message(institution)
    admin = _login(PlatformAdminFactory())
    page = admin.get(f"/gestion/notifications/message/{message.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in _page(page)
    assert admin.get("/gestion/notifications/message/add/").status_code == 403
    assert admin.post(f"/gestion/notifications/message/{message.pk}/delete/").status_code == 403
    assert admin.get("/gestion/notifications/inboxitem/add/").status_code == 403
    assert admin.get("/gestion/notifications/messageevent/add/").status_code == 403
    stranger = _login(OfficialFactory(institution=other, role=Role.INSTITUTION_ADMIN))
    listing = stranger.get("/gestion/notifications/message/")
    assert listing.status_code == 200
    assert message.recipient not in _page(listing)
    assert stranger.get(f"/gestion/notifications/message/{message.pk}/change/").status_code in {
        302,
        403,
        404,
    }
