"""The /gestion/expedientes/ pages: who gets in, what the pages show, every POST (CSRF, double
click, Spanish errors, never a 500), file downloads and the CSV export."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import CitizenFactory
from ventanilla.cases.models import CaseEvent, CorrectionRequest
from ventanilla.cases.services.submission import case_submit
from ventanilla.cases.tests.factories import (
    ANSWERS,
    application_ready,
    case_made,
    file_uploaded,
    officer,
    service_published,
)
from ventanilla.notifications.models import InboxItem

pytestmark = pytest.mark.django_db
INBOX = "/gestion/expedientes/"


@pytest.fixture
def service():
    return service_published(prefix="MTC")


@pytest.fixture
def official(service):
    return officer(service.institution)


@pytest.fixture
def browser(official):
    client = Client()
    client.force_login(official)
    return client


def _case_url(case, action=""):
    return f"{INBOX}{case.reference}/{action}"


def test_anonymous_visitors_are_sent_to_the_back_office_login():
    response = Client().get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith("/gestion/login/?next=")


def test_an_account_without_a_case_role_is_told_it_cannot_enter(service):
    client = Client()
    client.force_login(officer(service.institution, Role.EDITOR))
    response = client.get(INBOX)
    assert response.status_code == 403
    assert "no gestiona expedientes" in response.content.decode()


def test_the_inbox_lists_own_cases_with_deadline_labels_and_hides_other_institutions(
    service, browser
):
    late = case_made(service=service, due_in=-2)
    soon = case_made(service=service, due_in=3)
    other = case_made(service=service_published(prefix="MML"))
    page = browser.get(INBOX).content.decode()
    assert late.reference in page
    assert soon.reference in page
    assert other.reference not in page
    assert '<strong class="error-msg">venció hace 2 días</strong>' in page
    assert "vence en 3 días" in page
    assert "Recibido: 2" in page
    assert browser.get(_case_url(other)).status_code == 404


def test_inbox_filters_work_as_a_plain_get_form_and_bad_dates_say_so(service, browser):
    case_made(service=service, document="12345678")
    response = browser.get(INBOX, {"q": "12345678", "desde": "31/02/2026", "servicio": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Escribe la fecha como 31/12/2026 o 2026-12-31." in page
    assert "Ese servicio no existe." in page
    assert "1 expediente" in page


def test_inbox_assign_to_me_then_a_double_click_changes_nothing(service, official, browser):
    case = case_made(service=service)
    for _n in range(2):
        response = browser.post(
            _case_url(case, "asignar/"), {"asignado": "me", "volver": "bandeja"}
        )
        assert response.status_code == 303
        assert response["Location"] == INBOX
    case.refresh_from_db()
    assert case.assignee == official
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNED).count() == 1


def test_posts_need_the_csrf_token(service, official):
    case = case_made(service=service)
    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    response = client.post(_case_url(case, "asignar/"), {"asignado": "me"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.assignee is None


def test_case_page_shows_answers_files_timeline_and_only_allowed_transitions(service, browser):
    application = application_ready(service=service)
    upload = file_uploaded(application=application)
    application.answers = {**ANSWERS, "sustento": [str(upload.public_id)]}
    application.save()
    case = case_submit(application=application, by=application.applicant, idempotency_key="k")
    page = browser.get(_case_url(case)).content.decode()
    assert "Placa del vehículo" in page
    assert "ABC-123" in page
    assert "Carga" in page
    assert "tarjeta.pdf" in page
    assert "Solicitud presentada" in page
    assert 'value="en_revision"' in page  # recibido -> en_revision
    assert 'value="aprobado"' not in page  # not from recibido
    assert 'name="campos" value="placa"' in page  # correction checkboxes


def test_a_transition_the_workflow_forbids_gets_a_clear_message_not_an_error(service, browser):
    case = case_made(service=service)
    response = browser.post(_case_url(case, "estado/"), {"estado": "aprobado"})
    assert response.status_code == 400
    assert "no puede pasar de «Recibido» a «Aprobado»" in response.content.decode()
    response = browser.post(_case_url(case, "estado/"), {})
    assert response.status_code == 400
    assert "Elige el nuevo estado." in response.content.decode()


def test_a_transition_then_its_double_click(service, browser):
    case = case_made(service=service)
    for _n in range(2):
        response = browser.post(_case_url(case, "estado/"), {"estado": "en_revision"})
        assert response.status_code == 303
    case.refresh_from_db()
    assert case.status == "en_revision"
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS).count() == 1
    assert "El expediente pasó a «En revisión»." in browser.get(_case_url(case)).content.decode()


def test_note_and_message_forms_keep_the_text_on_error_and_save_once(service, browser):
    case = case_made(service=service)
    response = browser.post(_case_url(case, "nota/"), {"texto": "   "})
    assert response.status_code == 400
    assert "Escribe la nota." in response.content.decode()
    for _n in range(2):
        assert browser.post(_case_url(case, "nota/"), {"texto": "Revisar SOAT"}).status_code == 303
        assert browser.post(_case_url(case, "mensaje/"), {"mensaje": "Hola"}).status_code == 303
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.MESSAGE_OUT).count() == 1


def test_correction_form_asks_for_the_chosen_fields_and_complains_in_spanish(service, browser):
    case = case_made(service=service)
    response = browser.post(_case_url(case, "subsanacion/"), {"explicacion": "Corrija."})
    assert response.status_code == 400
    assert "Elige al menos un dato que deba corregir." in response.content.decode()
    assert "Corrija." in response.content.decode()  # what was typed is kept
    response = browser.post(
        _case_url(case, "subsanacion/"), {"campos": ["placa"], "explicacion": "Corrija la placa."}
    )
    assert response.status_code == 303
    correction = CorrectionRequest.objects.get(case=case)
    assert correction.fields == ["placa"]
    case.refresh_from_db()
    assert case.status == "observado"


def test_files_download_only_for_officials_of_the_institution(service, browser):
    application = application_ready(service=service)
    upload = file_uploaded(application=application)
    application.answers = {**ANSWERS, "sustento": [str(upload.public_id)]}
    application.save()
    case = case_submit(application=application, by=application.applicant, idempotency_key="k")
    url = _case_url(case, f"archivos/{upload.public_id}/")
    response = browser.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert browser.get(_case_url(case, "archivos/no-es-un-uuid/")).status_code == 404
    stranger = Client()
    stranger.force_login(officer(service_published().institution))
    assert stranger.get(url).status_code == 404
    citizen = Client()
    citizen.force_login(CitizenFactory())
    assert citizen.get(url).status_code == 403


def test_an_approved_case_links_its_issued_document(service, browser):
    case = case_made(service=service, status="en_revision")
    assert browser.post(_case_url(case, "estado/"), {"estado": "aprobado"}).status_code == 303
    page = browser.get(_case_url(case)).content.decode()
    assert reverse("cases_backoffice:document", kwargs={"reference": case.reference}) in page
    response = browser.get(_case_url(case, "documento.pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_csv_export_has_a_column_per_question_and_defuses_formulas(service, browser):
    case = case_made(service=service)
    case.answers = {"placa": "=HYPERLINK(1)", "tipo": "carga"}
    case.applicant_name = "@Ana"
    case.save()
    case_made(service=service_published(prefix="MML"))  # another institution's
    response = browser.get(f"{INBOX}exportar.csv", {"servicio": service.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-3:] == ["Placa del vehículo", "Tipo de vehículo", "Tarjeta de propiedad"]
    assert len(rows) == 2
    assert rows[1][0] == case.reference
    assert "'=HYPERLINK(1)" in rows[1]
    assert "'@Ana" in rows[1]
    assert "Carga" in rows[1]


def test_csv_export_without_a_service_goes_back_to_the_inbox(browser):
    response = browser.get(f"{INBOX}exportar.csv")
    assert response.status_code == 303
    assert response["Location"].startswith(INBOX)


def test_get_on_an_action_is_refused_without_an_error_page(service, browser):
    case = case_made(service=service)
    assert browser.get(_case_url(case, "estado/")).status_code == 405


def test_the_back_office_home_leads_officials_to_their_inbox_and_designers_to_their_services(
    client,
):
    from ventanilla.accounts.models import Role
    from ventanilla.accounts.tests.factories import OfficialFactory
    from ventanilla.institutions.tests.factories import InstitutionFactory

    institution = InstitutionFactory()
    officer = OfficialFactory(institution=institution, role=Role.CASE_OFFICER)
    client.force_login(officer)
    page = client.get("/gestion/").content.decode()
    assert 'href="/gestion/expedientes/"' in page
    assert 'href="/gestion/servicios/"' not in page
    designer = OfficialFactory(institution=institution, role=Role.SERVICE_DESIGNER)
    client.force_login(designer)
    page = client.get("/gestion/").content.decode()
    assert 'href="/gestion/servicios/"' in page
    assert 'href="/gestion/expedientes/"' not in page


def test_case_page_lists_the_citizens_notifications_with_times_status_and_constancia(
    service, browser, official
):
    application = application_ready(service=service)
    case = case_submit(application=application, by=application.applicant, idempotency_key="k")
    browser.post(_case_url(case, "mensaje/"), {"mensaje": "Adjunte el SOAT."})
    page = browser.get(_case_url(case)).content.decode()
    assert "Notificaciones al ciudadano" in page
    assert f"Recibimos tu solicitud {case.reference}" in page
    assert f"Mensaje sobre tu expediente {case.reference}" in page
    assert "aún no abierta" in page
    assert "Correo electrónico: En cola" in page
    for item in InboxItem.objects.filter(reference=case.reference):
        assert f"/gestion/avisos/casilla/{item.pk}/constancia.pdf" in page
    stranger = officer(service_published().institution)
    other = Client()
    other.force_login(stranger)
    assert other.get(_case_url(case)).status_code == 404
