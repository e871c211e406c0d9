"""Mis trámites: the list, a case's detail (status, timeline, messages), corrections that
touch only the asked fields, the issued document, and tenancy (another citizen gets a 404)."""

import re

import pytest
from django.urls import reverse

from ventanilla.accounts.tests.factories import CitizenFactory
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services.handling import case_correction_request, case_transition
from ventanilla.cases.services.submission import case_submit
from ventanilla.cases.tests.factories import application_ready, officer, service_published
from ventanilla.notifications.models import InboxItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(client):
    service = service_published()
    citizen = CitizenFactory()
    application = application_ready(service=service, applicant=citizen)
    case = case_submit(application=application, by=citizen, idempotency_key="clave-1")
    client.force_login(citizen)
    return case


def _detail(case: Case) -> str:
    return reverse("cases_citizen:detail", kwargs={"reference": case.reference})


def test_list_shows_the_cases_status_label_and_due_date(client, submitted):
    response = client.get(reverse("cases_citizen:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert submitted.reference in body
    assert "Recibido" in body
    assert "vence" in body


def test_detail_shows_status_timeline_and_takes_a_reply(client, submitted):
    body = client.get(_detail(submitted)).content.decode()
    assert "Recibido" in body
    assert "Solicitud presentada" in body
    assert "ABC-123" in body
    url = reverse("cases_citizen:message", kwargs={"reference": submitted.reference})
    assert client.post(url, {"mensaje": "  "}).status_code == 400
    response = client.post(url, {"mensaje": "¿Necesitan algo más?"})
    assert response.status_code == 303
    assert CaseEvent.objects.filter(case=submitted, kind=CaseEvent.Kind.MESSAGE_IN).exists()


def test_correction_form_edits_only_the_asked_fields(client, submitted):
    official = officer(submitted.institution)
    case_correction_request(
        case=submitted, fields=["placa"], message="La placa no coincide.", by=official
    )
    body = client.get(_detail(submitted)).content.decode()
    assert "La placa no coincide." in body
    form = body.split(
        'action="' + reverse("cases_citizen:correction", kwargs={"reference": submitted.reference})
    )[1].split("</form>")[0]
    assert 'name="q-placa"' in form
    assert 'name="q-tipo"' not in form
    key = re.search(r'name="clave" value="([^"]+)"', form).group(1)
    url = reverse("cases_citizen:correction", kwargs={"reference": submitted.reference})
    response = client.post(url, {"clave": key, "q-placa": "mal"})
    assert response.status_code == 400
    assert 'href="#q-placa"' in response.content.decode()
    response = client.post(url, {"clave": key, "q-placa": "XYZ-987", "q-tipo": "pasajeros"})
    assert response.status_code == 303
    submitted.refresh_from_db()
    assert submitted.answers["placa"] == "XYZ-987"
    assert submitted.answers["tipo"] == "carga"
    # A retried POST with the same key changes nothing more.
    assert client.post(url, {"clave": key, "q-placa": "XYZ-987"}).status_code == 303
    assert CaseEvent.objects.filter(case=submitted, kind=CaseEvent.Kind.CORRECTED).count() == 1


def test_issued_document_and_receipt_download_for_the_applicant(client, submitted):
    official = officer(submitted.institution)
    case_transition(case=submitted, to_status="en_revision", by=official)
    case_transition(case=submitted, to_status="aprobado", by=official)
    body = client.get(_detail(submitted)).content.decode()
    assert "Tu documento está listo" in body
    response = client.get(
        reverse("cases_citizen:document", kwargs={"reference": submitted.reference})
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    receipt = client.get(
        reverse("cases_citizen:receipt", kwargs={"reference": submitted.reference})
    )
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF")


def test_another_citizen_gets_404_on_every_page_of_the_case(client, submitted):
    application = submitted.application
    client.force_login(CitizenFactory())
    ref = {"reference": submitted.reference}
    for name in ("detail", "sent", "receipt", "document"):
        assert client.get(reverse(f"cases_citizen:{name}", kwargs=ref)).status_code == 404, name
    for name in ("message", "correction", "sent"):
        assert (
            client.post(reverse(f"cases_citizen:{name}", kwargs=ref), {"mensaje": "x"}).status_code
            == 404
        )
    kwargs = {"public_id": application.public_id}
    assert client.get(reverse("cases_citizen:check", kwargs=kwargs)).status_code == 404
    assert (
        client.get(
            reverse("cases_citizen:page", kwargs={**kwargs, "page_id": "vehiculo"})
        ).status_code
        == 404
    )
    assert submitted.reference not in client.get(reverse("cases_citizen:list")).content.decode()


def test_another_citizens_draft_is_404_and_untouched(client):
    service = service_published()
    owner = CitizenFactory()
    application = application_ready(service=service, applicant=owner, answers={"placa": "ABC-123"})
    client.force_login(CitizenFactory())
    url = reverse(
        "cases_citizen:page", kwargs={"public_id": application.public_id, "page_id": "vehiculo"}
    )
    assert client.post(url, {"q-placa": "ZZZ-999"}).status_code == 404
    application.refresh_from_db()
    assert application.answers == {"placa": "ABC-123"}


def test_pages_need_a_login(client, submitted):
    client.logout()
    response = client.get(reverse("cases_citizen:list"))
    assert response.status_code == 302
    assert "/cuenta/" in response["Location"]


def test_detail_links_to_the_case_notifications_in_the_casilla(client, submitted):
    official = officer(submitted.institution)
    case_correction_request(
        case=submitted, fields=["placa"], message="La placa no coincide.", by=official
    )
    body = client.get(_detail(submitted)).content.decode()
    items = list(InboxItem.objects.filter(reference=submitted.reference).order_by("deposited_at"))
    assert [i.kind for i in items] == ["case.submitted", "case.correction_requested"]
    for item in items:
        assert f'href="/casilla/{item.pk}/"' in body
        assert item.subject in body
    assert "sin abrir" in body
