"""The casilla's pages: the list (unread marked in words, few queries), an item (opening it,
its times, attachments and constancia, corrections linked both ways), tenancy (another citizen
and another institution's officials see nothing), the constancia's text, the public check
that shows no content, and the header's unread count."""

import copy
import gzip
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import (
    CitizenFactory,
    OfficialFactory,
    PlatformAdminFactory,
)
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.constancia import LIMA
from ventanilla.notifications.models import InboxItem, Message
from ventanilla.notifications.selectors.inbox import inbox_items_for_case
from ventanilla.notifications.services.inbox import (
    inbox_code_display,
    inbox_correct,
    inbox_open,
)
from ventanilla.notifications.tests.inbox_factories import (
    PDF_BYTES,
    item_deposited,
    pdf_text,
    resolution,
)

pytestmark = pytest.mark.django_db

HEADER_PROCESSOR = "ventanilla.notifications.views.inbox.inbox_header"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def header_count(settings):
    """The Jinja2 engine with the casilla's header context processor (kept if the settings
    already list it)."""
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"].setdefault("context_processors", [])
    if HEADER_PROCESSOR not in processors:
        processors.append(HEADER_PROCESSOR)
    settings.TEMPLATES = templates


def _detail(item: InboxItem) -> str:
    return reverse("notifications_inbox:detail", args=[item.pk])


def _constancia(item: InboxItem) -> str:
    return reverse("notifications_inbox:constancia", args=[item.pk])


def _seconds(moment) -> str:
    return timezone.localtime(moment, LIMA).strftime("%d/%m/%Y %H:%M:%S")


def _legal(moment) -> str:
    local = timezone.localtime(moment, LIMA)
    return f"{local:%d/%m/%Y} a las {local:%H:%M:%S} (hora de Lima)"


# --- List --------------------------------------------------------------------------------------


def test_the_list_marks_unread_items_in_words_with_institution_subject_date_and_reference(
    client,
):
    citizen = CitizenFactory()
    institution = InstitutionFactory(name="Superintendencia Nacional de Prueba")
    read = item_deposited(recipient=citizen, institution=institution, subject="Aviso ya leído")
    inbox_open(item=read, by=citizen)
    item_deposited(recipient=citizen, institution=institution, subject="Resolución nueva")
    client.force_login(citizen)
    response = client.get(reverse("notifications_inbox:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Tienes 1 notificación sin leer." in body
    unread_entry = body[body.index("Resolución nueva") - 200 : body.index("Resolución nueva")]
    assert "Sin leer:" in unread_entry  # said inside the link, for screen readers
    assert body.count('<span class="tag">Sin leer</span>') == 1
    assert body.count("Leída</span>") == 1
    assert "Superintendencia Nacional de Prueba" in body
    assert "Expediente EXP-2026-000123" in body
    assert timezone.localtime(read.deposited_at, LIMA).strftime("%d/%m/%Y") in body


def test_the_list_costs_four_queries_for_3_or_25_items(client, django_assert_num_queries):
    citizen = CitizenFactory()
    institution = InstitutionFactory()
    for _n in range(3):
        item_deposited(recipient=citizen, institution=institution)
    client.force_login(citizen)
    url = reverse("notifications_inbox:list")
    # session, user, the aggregate (total and unread), the page's rows
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
    for _n in range(22):
        item_deposited(recipient=citizen, institution=InstitutionFactory())
    with django_assert_num_queries(4):
        body = client.get(url).content.decode()
    assert body.count('<h2><a href="/casilla/') == 20
    assert 'rel="next"' in body


def test_the_list_page_weighs_under_30_kb_compressed(client):
    citizen = CitizenFactory()
    for _n in range(20):
        item_deposited(recipient=citizen, subject="Resolución " + "muy larga " * 25)
    client.force_login(citizen)
    content = client.get(reverse("notifications_inbox:list")).content
    assert len(gzip.compress(content)) < 30 * 1024


def test_an_empty_casilla_says_so(client):
    client.force_login(CitizenFactory())
    body = client.get(reverse("notifications_inbox:list")).content.decode()
    assert "Tu casilla está vacía" in body


def test_the_casilla_asks_to_log_in_first(client):
    response = client.get(reverse("notifications_inbox:list"))
    assert response.status_code == 302
    assert "next=/casilla/" in response["Location"]


# --- An item -----------------------------------------------------------------------------------


def test_opening_an_item_records_the_first_opening_and_shows_times_attachments_and_constancia(
    client,
):
    item = item_deposited(attachments=[resolution()])
    client.force_login(item.recipient)
    body = client.get(_detail(item)).content.decode()
    item.refresh_from_db()
    assert item.first_opened_at is not None
    assert "Se aprobó tu solicitud." in body
    assert _seconds(item.deposited_at) in body
    assert _seconds(item.first_opened_at) in body
    assert "resolucion.pdf" in body
    assert f"PDF, {len(PDF_BYTES)}" in body  # size shown beside the file
    assert "Descargar constancia" in body
    assert _constancia(item) in body
    # Coming back does not move the first opening.
    first = item.first_opened_at
    client.get(_detail(item))
    item.refresh_from_db()
    assert item.first_opened_at == first


def test_a_head_request_does_not_open_the_item(client):
    item = item_deposited()
    client.force_login(item.recipient)
    assert client.head(_detail(item)).status_code == 200
    item.refresh_from_db()
    assert item.first_opened_at is None


def test_an_attachment_downloads_and_counts_as_opening(client):
    item = item_deposited(attachments=[resolution()])
    attachment = item.attachments.get()
    client.force_login(item.recipient)
    url = reverse("notifications_inbox:attachment", args=[item.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert 'filename="resolucion.pdf"' in response["Content-Disposition"]
    item.refresh_from_db()
    assert item.first_opened_at is not None


def test_a_correction_and_the_corrected_item_link_to_each_other(client):
    institution = InstitutionFactory()
    official = OfficialFactory(institution=institution, role=Role.CASE_OFFICER)
    original = item_deposited(institution=institution)
    fixed = inbox_correct(item=original, subject="Corrección", body="Texto corregido.", by=official)
    client.force_login(original.recipient)
    when_original = timezone.localtime(original.deposited_at, LIMA).strftime("%d/%m/%Y %H:%M")
    when_fixed = timezone.localtime(fixed.deposited_at, LIMA).strftime("%d/%m/%Y %H:%M")
    fixed_page = client.get(_detail(fixed)).content.decode()
    assert f"Esta notificación corrige la del {when_original}." in fixed_page
    assert f'href="{_detail(original)}"' in fixed_page
    original_page = client.get(_detail(original)).content.decode()
    assert f"Esta notificación fue corregida por la del {when_fixed}." in original_page
    assert f'href="{_detail(fixed)}"' in original_page


def test_another_citizen_gets_404_for_the_item_its_attachment_and_constancia(client):
    item = item_deposited(attachments=[resolution()])
    attachment = item.attachments.get()
    client.force_login(CitizenFactory())
    for url in (
        _detail(item),
        _constancia(item),
        reverse("notifications_inbox:attachment", args=[item.pk, attachment.pk]),
    ):
        assert client.get(url).status_code == 404
    item.refresh_from_db()
    assert item.first_opened_at is None


# --- Officials ---------------------------------------------------------------------------------


def test_an_official_of_another_institution_sees_nothing(client):
    institution = InstitutionFactory()
    item = item_deposited(institution=institution)
    outsider = OfficialFactory(institution=InstitutionFactory(), role=Role.INSTITUTION_ADMIN)
    assert (
        inbox_items_for_case(user=outsider, institution_id=institution.pk, reference=item.reference)
        == []
    )
    client.force_login(outsider)
    official_url = reverse("notifications_inbox:official_constancia", args=[item.pk])
    assert client.get(official_url).status_code == 404
    assert client.get(_detail(item)).status_code == 404
    # A designer of the same institution does not handle cases: nothing either.
    designer = OfficialFactory(institution=institution, role=Role.SERVICE_DESIGNER)
    client.force_login(designer)
    assert client.get(official_url).status_code == 404


def test_officials_of_the_institution_get_the_case_items_with_their_messages_and_constancia(
    client, django_assert_num_queries
):
    institution = InstitutionFactory()
    officer = OfficialFactory(institution=institution, role=Role.CASE_OFFICER)
    first = item_deposited(institution=institution)
    second = item_deposited(institution=institution, recipient=first.recipient)
    item_deposited(institution=institution, reference="EXP-OTRO")
    Message.objects.create(
        channel="email", recipient="ana@correo.pe", body="Aviso", inbox_item=first
    )
    officer.__dict__.pop("_ventanilla_institution_roles", None)
    with django_assert_num_queries(4):  # roles, items, attachments, messages
        items = inbox_items_for_case(
            user=officer, institution_id=institution.pk, reference="EXP-2026-000123"
        )
        assert [i.pk for i in items] == [first.pk, second.pk]
        assert [m.channel for m in items[0].messages.all()] == ["email"]
    assert inbox_items_for_case(
        user=PlatformAdminFactory(), institution_id=institution.pk, reference="EXP-2026-000123"
    )
    client.force_login(officer)
    response = client.get(reverse("notifications_inbox:official_constancia", args=[first.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_official_constancia_asks_for_the_back_office_login(client):
    item = item_deposited()
    url = reverse("notifications_inbox:official_constancia", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/gestion/login/")


# --- The constancia and its public check -------------------------------------------------------


def test_the_constancia_names_deposit_and_opening_times_and_the_hash(client):
    item = item_deposited(attachments=[resolution()])
    client.force_login(item.recipient)
    before = pdf_text(client.get(_constancia(item)).content)
    assert "Aún no abierta por la persona destinataria." in before
    client.get(_detail(item))
    item.refresh_from_db()
    response = client.get(_constancia(item))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Constancia de notificación electrónica" in text
    assert f"Depositada en la casilla {_legal(item.deposited_at)}" in text
    assert f"Abierta por primera vez {_legal(item.first_opened_at)}" in text
    assert item.content_sha256 in text
    assert item.attachments.get().sha256 in text
    assert inbox_code_display(item.code) in text
    assert item.recipient_document in text
    assert "Resolución de tu solicitud" in text


def test_the_public_check_shows_times_and_hash_but_no_content(client):
    item = item_deposited(attachments=[resolution("informe-medico.pdf")])
    inbox_open(item=item, by=item.recipient)
    item.refresh_from_db()
    response = client.get(
        reverse("notifications_inbox:check", args=[inbox_code_display(item.code)])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert _seconds(item.deposited_at) in body
    assert _seconds(item.first_opened_at) in body
    assert item.content_sha256 in body
    assert "Los datos coinciden con los registrados" in body
    for private in (
        item.subject,
        "Se aprobó tu solicitud",
        "informe-medico",
        item.recipient_name,
        item.recipient.document_number,
        item.reference,
    ):
        assert private not in body


def test_the_public_check_reads_any_spelling_and_says_when_no_item_has_the_code(client):
    item = item_deposited()
    loose = item.code.lower()
    response = client.get(reverse("notifications_inbox:check", args=[loose]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/constancias/{inbox_code_display(item.code)}/")
    missing = client.get(reverse("notifications_inbox:check", args=["0000-0000-0000-0000"]))
    assert missing.status_code == 404
    assert "Ninguna notificación de casilla tiene ese código" in missing.content.decode()
    assert client.get("/constancias/%3Cscript%3E/").status_code == 404


# --- Header ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("header_count")
def test_the_header_shows_a_citizens_unread_count_and_nothing_for_others(client):
    citizen = CitizenFactory()
    item_deposited(recipient=citizen)
    item_deposited(recipient=citizen)
    home = reverse("accounts:home")
    client.force_login(citizen)
    body = client.get(home).content.decode()
    assert re.search(r'href="/casilla/">Casilla <strong>\(2 sin leer\)</strong>', body)
    client.force_login(OfficialFactory(institution=InstitutionFactory(), role=Role.EDITOR))
    assert 'href="/casilla/"' not in client.get(home).content.decode()
    client.logout()
    assert 'href="/casilla/"' not in client.get(reverse("core:home")).content.decode()


@pytest.mark.usefixtures("header_count")
def test_the_casilla_list_counts_unread_once_for_page_and_header(client, django_assert_num_queries):
    citizen = CitizenFactory()
    item_deposited(recipient=citizen)
    client.force_login(citizen)
    with django_assert_num_queries(4):
        body = client.get(reverse("notifications_inbox:list")).content.decode()
    assert "(1 sin leer)" in body
