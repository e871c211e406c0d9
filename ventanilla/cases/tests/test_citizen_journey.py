"""The citizen's journey through the Django test client: start, one page at a time, branching,
exit page, check your answers, submit once, confirmation, satisfaction."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ventanilla.accounts.tests.factories import CitizenFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.cases.models import Application, Case, CaseFile, Satisfaction
from ventanilla.cases.tests.citizen_factories import DNI_OK, PDF, journey_service, places

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    places()
    return journey_service()


@pytest.fixture
def citizen(client):
    user = CitizenFactory()
    client.force_login(user)
    return user


def _page(app: Application, page_id: str) -> str:
    return reverse("cases_citizen:page", kwargs={"public_id": app.public_id, "page_id": page_id})


def _key(response: Any) -> str:
    found = re.search(r'name="clave" value="([^"]+)"', response.content.decode())
    assert found, "the page has no idempotency key"
    return found.group(1)


def _begin(client, service, expected: str = "datos") -> Application:
    response = client.get(reverse("cases_citizen:begin", kwargs={"slug": service.slug}))
    assert response.status_code == 302
    app = Application.objects.get(service_version__service=service)
    assert response["Location"] == _page(app, expected)
    return app


DATOS = {"q-nombre": "Rosa Quispe", "q-dni": DNI_OK, "q-urgente": "si", "q-tipo": "carga"}
CARGA = {
    "q-peso": "1200", "q-monto": "1,250.50", "q-fecha-day": "27", "q-fecha-month": "3",
    "q-fecha-year": "2027", "q-dias": ["lun", "mar"], "q-correo": "Rosa@Ejemplo.PE",
    "q-celular": "987654321", "q-ruc": "20131312955", "q-motivo": "Traslado de alimentos",
}  # fmt: skip
LUGAR = {
    "q-lugar-department": "15", "q-lugar-province": "1501", "q-lugar-district": "150122",
    "q-domicilio-street": "Av. Larco 123", "q-domicilio-department": "15",
    "q-domicilio-province": "1501", "q-domicilio-district": "150104",
    "q-domicilio-reference": "Frente al parque",
}  # fmt: skip


def _fill_to_check(client, app: Application) -> None:
    assert client.post(_page(app, "datos"), DATOS)["Location"] == _page(app, "carga")
    assert client.post(_page(app, "carga"), CARGA)["Location"] == _page(app, "lugar")
    assert client.post(_page(app, "lugar"), LUGAR)["Location"] == _page(app, "adjuntos")
    upload = SimpleUploadedFile("tarjeta.pdf", PDF, content_type="application/pdf")
    response = client.post(_page(app, "adjuntos"), {"q-nota": "Gracias", "q-sustento": upload})
    assert response["Location"] == _page(app, "personas")
    response = client.post(
        _page(app, "personas"),
        {"q-pasajeros-0-p_nombre": "Luis Quispe", "q-pasajeros-0-p_dni": "12345678"},
    )
    assert response["Location"] == _page(app, "final")
    response = client.post(_page(app, "final"), {"q-acepto": "si"})
    assert response["Location"] == reverse(
        "cases_citizen:check", kwargs={"public_id": app.public_id}
    )


def test_start_page_shows_the_service_and_asks_to_log_in_before_starting(client, service):
    response = client.get(reverse("cases_citizen:start", kwargs={"slug": service.slug}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Permiso de prueba" in body
    assert "Empezar ahora" in body
    assert "10 días hábiles" in body
    assert "no-store" in response["Cache-Control"]
    response = client.get(reverse("cases_citizen:begin", kwargs={"slug": service.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/")


def test_a_two_factor_service_sends_a_password_only_session_to_step_up(client, citizen):
    places()
    service = journey_service(slug="permiso-fuerte")
    service.min_assurance = "two_factor"
    service.save()
    response = client.get(reverse("cases_citizen:begin", kwargs={"slug": service.slug}))
    assert response.status_code == 302
    assert "nivel=two_factor" in response["Location"]
    assert not Application.objects.exists()


def test_whole_journey_stores_every_answer_type_and_submits_one_case(client, service, citizen):
    app = _begin(client, service)
    # Every page renders every question type without errors.
    for page_id in ("datos",):
        body = client.get(_page(app, page_id)).content.decode()
        assert 'name="q-dni"' in body
        assert 'inputmode="numeric"' in body
    _fill_to_check(client, app)
    app.refresh_from_db()
    answers: dict[str, Any] = app.answers
    assert answers["dni"] == DNI_OK
    assert answers["urgente"] is True
    assert answers["monto"] == "1250.50"
    assert answers["fecha"] == "2027-03-27"
    assert answers["dias"] == ["lun", "mar"]
    assert answers["correo"] == "rosa@ejemplo.pe"
    assert answers["lugar"] == "150122"
    assert answers["domicilio"] == {
        "street": "Av. Larco 123",
        "ubigeo": "150104",
        "reference": "Frente al parque",
    }
    assert answers["pasajeros"] == [{"p_nombre": "Luis Quispe", "p_dni": "12345678"}]
    assert answers["acepto"] is True
    assert len(answers["sustento"]) == 1
    check = reverse("cases_citizen:check", kwargs={"public_id": app.public_id})
    page = client.get(check)
    body = page.content.decode()
    assert "Miraflores, Lima, Lima" in body
    assert "S/ 1,250.50" in body
    assert "27 de marzo de 2027" in body
    assert f"{_page(app, 'carga')}?volver=revisar#q-peso" in body
    key = _key(page)
    # Without the declaration ticked: the message sits next to the box and in the summary.
    response = client.post(check, {"clave": key})
    assert response.status_code == 400
    assert 'href="#declaracion"' in response.content.decode()
    assert not Case.objects.exists()
    response = client.post(check, {"clave": key, "declaracion": "si"})
    case = Case.objects.get()
    sent = reverse("cases_citizen:sent", kwargs={"reference": case.reference})
    assert response.status_code == 303
    assert response["Location"] == sent
    assert case.applicant == citizen
    assert case.answers["peso"] == 1200
    assert CaseFile.objects.get().case == case
    body = client.get(sent).content.decode()
    assert case.reference in body
    assert "10 días hábiles" in body
    assert "constancia.pdf" in body
    assert AuditEvent.objects.filter(action="application.started").exists()


def test_double_submit_and_a_retried_post_make_one_case(client, service, citizen):
    app = _begin(client, service)
    _fill_to_check(client, app)
    check = reverse("cases_citizen:check", kwargs={"public_id": app.public_id})
    key = _key(client.get(check))
    first = client.post(check, {"clave": key, "declaracion": "si"})
    second = client.post(check, {"clave": key, "declaracion": "si"})
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    # The confirmation page refreshed: still one case, same page.
    assert client.get(first["Location"]).status_code == 200
    assert client.get(first["Location"]).status_code == 200
    assert Case.objects.count() == 1
    # Back to the check page after sending goes to the confirmation, not a new submission.
    assert client.get(check)["Location"] == first["Location"]


def test_leaving_and_coming_back_resumes_the_draft(client, service, citizen):
    app = _begin(client, service)
    client.post(_page(app, "datos"), DATOS)
    body = client.get(
        reverse("cases_citizen:start", kwargs={"slug": service.slug})
    ).content.decode()
    assert "Continuar tu solicitud" in body
    assert _page(app, "carga") in body
    assert _begin(client, service, expected="carga") == app
    # The page comes back with what was saved.
    body = client.get(_page(app, "datos")).content.decode()
    assert 'value="Rosa Quispe"' in body
    listing = client.get(reverse("cases_citizen:list")).content.decode()
    assert "Solicitudes sin enviar" in listing
    assert _page(app, "carga") in listing


def test_wrong_dni_check_digit_shows_next_to_the_field_and_in_the_summary(client, service, citizen):
    app = _begin(client, service)
    response = client.post(_page(app, "datos"), {**DATOS, "q-dni": "45678912-0"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#q-dni"' in body  # the summary links to the field
    assert 'id="q-dni-error"' in body
    assert "dígito de verificación" in body
    assert 'aria-describedby="q-dni-hint q-dni-error"' in body
    assert 'value="45678912-0"' in body  # what they typed stays
    app.refresh_from_db()
    assert app.answers["nombre"] == "Rosa Quispe"  # the right answers on the page are kept
    assert "dni" not in app.answers
    assert "datos" not in app.completed_pages


def test_branching_skips_a_page_and_an_exit_page_stops_the_journey(client, service, citizen):
    app = _begin(client, service)
    response = client.post(_page(app, "datos"), {**DATOS, "q-tipo": "particular"})
    assert response["Location"] == _page(app, "no_puede")
    page = client.get(_page(app, "no_puede"))
    assert "no necesitan este permiso" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main", 1)[1].split("</main>")[0]
    # Nothing after the exit page can be reached.
    assert client.get(_page(app, "lugar"))["Location"] == _page(app, "no_puede")
    check = reverse("cases_citizen:check", kwargs={"public_id": app.public_id})
    assert client.get(check)["Location"] == _page(app, "no_puede")
    # Changing the answer drops the exit; the "carga" page is back.
    assert client.post(_page(app, "datos"), DATOS)["Location"] == _page(app, "carga")


def test_a_failed_upload_keeps_the_other_answers_on_the_page(client, service, citizen):
    app = _begin(client, service)
    client.post(_page(app, "datos"), DATOS)
    client.post(_page(app, "carga"), CARGA)
    client.post(_page(app, "lugar"), LUGAR)
    fake = SimpleUploadedFile("tarjeta.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(_page(app, "adjuntos"), {"q-nota": "Mi nota", "q-sustento": fake})
    assert response.status_code == 400
    body = response.content.decode()
    assert "no es de un tipo admitido" in body
    assert 'href="#q-sustento"' in body
    assert 'value="Mi nota"' in body
    app.refresh_from_db()
    assert app.answers["nota"] == "Mi nota"
    assert not CaseFile.objects.exists()


def test_a_50_mb_upload_gets_a_spanish_message_not_an_error(client, service, citizen):
    app = _begin(client, service)
    for page, data in (("datos", DATOS), ("carga", CARGA), ("lugar", LUGAR)):
        client.post(_page(app, page), data)
    big = SimpleUploadedFile(
        "escaneo.pdf", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024), content_type="application/pdf"
    )
    response = client.post(_page(app, "adjuntos"), {"q-nota": "Va grande", "q-sustento": big})
    assert response.status_code == 400
    assert "pesa más de 5 MB" in response.content.decode()
    app.refresh_from_db()
    assert app.answers["nota"] == "Va grande"
    assert not CaseFile.objects.exists()


def test_a_body_past_the_limit_gets_a_friendly_page(client, service, citizen):
    app = _begin(client, service)
    response = client.post(_page(app, "datos"), DATOS, CONTENT_LENGTH=str(400 * 1024 * 1024))
    assert response.status_code == 413
    assert "demasiado grande" in response.content.decode()


def test_files_are_listed_and_can_be_removed_without_javascript(client, service, citizen):
    app = _begin(client, service)
    for page, data in (("datos", DATOS), ("carga", CARGA), ("lugar", LUGAR)):
        client.post(_page(app, page), data)
    upload = SimpleUploadedFile("tarjeta.pdf", PDF, content_type="application/pdf")
    client.post(_page(app, "adjuntos"), {"q-sustento": upload})
    attached = CaseFile.objects.get()
    body = client.get(_page(app, "adjuntos")).content.decode()
    assert "tarjeta.pdf" in body
    assert f'value="{attached.public_id}"' in body
    response = client.post(_page(app, "adjuntos"), {"quitar-archivo": str(attached.public_id)})
    assert response.status_code == 200
    assert not CaseFile.objects.exists()
    app.refresh_from_db()
    assert "sustento" not in app.answers


def test_group_rows_are_added_and_removed_with_buttons(client, service, citizen):
    app = _begin(client, service)
    _fill_to_check(client, app)
    url = _page(app, "personas")
    response = client.post(url, {"q-pasajeros-0-p_nombre": "Luis", "accion": "anadir:pasajeros"})
    body = response.content.decode()
    assert 'name="q-pasajeros-1-p_nombre"' in body
    assert 'value="Luis"' in body
    response = client.post(
        url,
        {
            "q-pasajeros-0-p_nombre": "Luis",
            "q-pasajeros-1-p_nombre": "Ana",
            "accion": "quitar:pasajeros:0",
        },
    )
    body = response.content.decode()
    assert 'value="Ana"' in body
    assert 'value="Luis"' not in body
    response = client.post(url, {"q-pasajeros-1-p_nombre": "Ana"})
    app.refresh_from_db()
    assert app.answers["pasajeros"] == [{"p_nombre": "Ana"}]


def test_ubigeo_lists_fill_without_javascript_and_from_the_json_endpoint(client, service, citizen):
    app = _begin(client, service)
    for page, data in (("datos", DATOS), ("carga", CARGA)):
        client.post(_page(app, page), data)
    response = client.post(_page(app, "lugar"), {"q-lugar-department": "15", "accion": "ubigeo"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<option value="1501">Lima</option>' in body
    response = client.post(
        _page(app, "lugar"),
        {"q-lugar-department": "15", "q-lugar-province": "1501", "accion": "ubigeo"},
    )
    assert '<option value="150122">Miraflores</option>' in response.content.decode()
    data = client.get(reverse("cases_citizen:ubigeo", kwargs={"code": "1501"})).json()
    assert ["150122", "Miraflores"] in data
    assert client.get(reverse("cases_citizen:ubigeo", kwargs={"code": "x"})).status_code == 404


def test_satisfaction_is_recorded_once(client, service, citizen):
    app = _begin(client, service)
    _fill_to_check(client, app)
    check = reverse("cases_citizen:check", kwargs={"public_id": app.public_id})
    sent = client.post(check, {"clave": _key(client.get(check)), "declaracion": "si"})["Location"]
    assert client.post(sent, {"puntaje": "9"}).status_code == 400
    assert client.post(sent, {"puntaje": "4", "comentario": "Rápido"}).status_code == 303
    assert client.post(sent, {"puntaje": "1"}).status_code == 303
    satisfaction = Satisfaction.objects.get()
    assert satisfaction.score == 4
    assert satisfaction.comment == "Rápido"
    assert "Gracias por tu respuesta" in client.get(sent).content.decode()


def test_every_question_type_renders_with_its_input(client, service, citizen):
    app = _begin(client, service)
    _fill_to_check(client, app)
    body = "".join(
        client.get(_page(app, p)).content.decode()
        for p in ("datos", "carga", "lugar", "adjuntos", "personas", "final")
    )
    assert "Lee con atención." in body  # info
    assert 'type="radio" id="q-urgente" name="q-urgente" value="si" checked' in body  # yes_no
    assert 'name="q-tipo" value="carga" checked' in body  # choice as radios
    assert '<span class="prefix" aria-hidden="true">S/</span>' in body  # money
    assert 'name="q-fecha-day" value="27"' in body
    assert 'name="q-fecha-year" value="2027"' in body
    assert 'type="checkbox" id="q-dias" name="q-dias" value="lun" checked' in body
    assert 'type="email" id="q-correo"' in body
    assert 'type="tel" id="q-celular"' in body
    assert (
        'id="q-ruc" name="q-ruc" value="20131312955" class="w-20" '
        'inputmode="numeric" autocomplete="off"' in body
    )
    assert '<option value="150122" selected>Miraflores</option>' in body  # ubigeo
    assert 'name="q-domicilio-street" value="Av. Larco 123"' in body  # address
    assert 'type="file"' in body
    assert 'accept="application/pdf"' in body
    assert "tarjeta.pdf" in body
    assert 'name="q-pasajeros-0-p_nombre" value="Luis Quispe"' in body  # group
    assert "Añadir otra persona" in body
    assert 'type="checkbox" id="q-acepto" name="q-acepto" value="si" checked' in body


def test_the_macros_render_for_a_preview_without_application_context():
    from django.template import engines

    from ventanilla.cases.tests.citizen_factories import JOURNEY

    template = engines["jinja2"].from_string(
        '{% from "formbuilder/questions.html" import question %}'
        "{% for p in pages %}{% for q in p.questions %}"
        "{{ question(q, {}, {}, {'buttons': false}) }}"
        "{% endfor %}{% endfor %}"
    )
    html = template.render({"pages": JOURNEY["pages"]})
    assert 'name="q-fecha-month"' in html
    assert 'name="q-lugar-department"' in html
    assert 'name="q-pasajeros-0-p_dni"' in html
    assert "Mostrar provincias" not in html
