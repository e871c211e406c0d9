"""Once-only in the citizen's journey, through the Django test client against the real mediator
and the fake registries in their own processes: consent first, prefilled answers read-only with
their source, the case keeping where each came from; declining; a registry timing out."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import CitizenFactory, OfficialFactory
from ventanilla.cases.models import Application, Case
from ventanilla.formbuilder.definition import default_workflow, definition_errors
from ventanilla.formbuilder.tests.factories import published_service
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.integrations.registries.data import DEMO_CITIZEN_DNI, DEMO_CITIZEN_RUC
from ventanilla.interop.models import ConsentRecord, MessageLogEntry, Service
from ventanilla.interop.services.setup import directory_setup
from ventanilla.ubigeo.tests.factories import DistrictFactory, ProvinceFactory

pytestmark = pytest.mark.django_db(transaction=True)

FORM: dict[str, Any] = {
    "format": "ventanilla-form/1",
    "title": "Licencia de funcionamiento para bodega",
    "intro": "",
    "pages": [
        {
            "id": "titular",
            "title": "Titular",
            "questions": [
                {"id": "nombres", "type": "text", "label": "Nombres", "required": True,
                 "source": {"from": "reniec.persona", "field": "Prenombres"}},
                {"id": "nacimiento", "type": "date", "label": "Fecha de nacimiento",
                 "required": True,
                 "source": {"from": "reniec.persona", "field": "FechaNacimiento"}},
                {"id": "ruc", "type": "ruc", "label": "RUC", "required": True,
                 "source": {"from": "sunat.contribuyente", "field": "ID"}},
                {"id": "razon_social", "type": "text", "label": "Razón social",
                 "required": True,
                 "source": {"from": "sunat.contribuyente", "field": "RazonSocial"}},
            ],
        },
        {
            "id": "bodega",
            "title": "La bodega",
            "questions": [
                {"id": "nombre_comercial", "type": "text", "label": "Nombre comercial",
                 "required": True},
            ],
        },
    ],
    "declaration": "",
    "confirmation": "",
}  # fmt: skip


@pytest.fixture
def directory(registry_processes: Any) -> dict[str, str]:
    """Huancayo, then the Peruvian directory pointing at the running fakes (it grants
    Huancayo's digital services RENIEC and SUNAT with consent)."""
    registry_processes.reset()
    InstitutionFactory(slug="munihuancayo", name="Municipalidad Provincial de Huancayo")
    urls = {name: registry_processes.url(name) for name in ("reniec", "sunat")}
    directory_setup(registry_urls=urls)
    return urls


@pytest.fixture
def service(directory: dict[str, str]) -> Any:
    assert definition_errors(FORM) == []
    from ventanilla.institutions.models import Institution

    return published_service(
        institution=Institution.objects.get(slug="munihuancayo"),
        definition=FORM,
        workflow=default_workflow(),
        slug="mph-bodega",
        prefix="MPH",
    )


@pytest.fixture
def citizen(client: Client) -> Any:
    user = CitizenFactory.create(document_number=DEMO_CITIZEN_DNI)
    client.force_login(user)
    return user


def _begin(client: Client, service: Any) -> tuple[Application, str]:
    response = client.get(reverse("cases_citizen:begin", kwargs={"slug": service.slug}))
    assert response.status_code == 302
    app = Application.objects.get(service_version__service=service)
    consent = reverse("cases_citizen:consent", kwargs={"public_id": app.public_id})
    assert response["Location"] == consent
    return app, consent


def _page(app: Application, page_id: str) -> str:
    return reverse("cases_citizen:page", kwargs={"public_id": app.public_id, "page_id": page_id})


def _submit(client: Client, app: Application) -> Case:
    check = reverse("cases_citizen:check", kwargs={"public_id": app.public_id})
    page = client.get(check)
    assert page.status_code == 200
    key = re.search(r'name="clave" value="([^"]+)"', page.content.decode())
    assert key
    response = client.post(check, {"clave": key.group(1)})
    assert response.status_code == 303, response.content.decode()[:2000]
    return Case.objects.get(application=app)


def test_consent_prefills_read_only_answers_and_the_case_keeps_their_sources(
    client: Client, service: Any, citizen: Any
) -> None:
    app, consent = _begin(client, service)
    # The first page cannot be reached before the citizen decides.
    assert client.get(_page(app, "titular"))["Location"] == consent
    shown = client.get(consent).content.decode()
    assert "Municipalidad Provincial de Huancayo" in shown
    assert "Registro Nacional de Identificación y Estado Civil" in shown
    assert "Autorizar y continuar" in shown
    assert "Prefiero escribir mis datos" in shown

    response = client.post(consent, {"accion": "autorizar"})
    assert response.status_code == 303
    assert response["Location"] == _page(app, "titular")
    app.refresh_from_db()
    assert app.answers["nombres"] == "ROSA MARÍA"
    assert app.answers["ruc"] == DEMO_CITIZEN_RUC
    assert app.prefill["nombres"]["label"] == "RENIEC"
    assert app.prefill["razon_social"]["source"] == "sunat.contribuyente"
    # One consent per registry, in the citizen's name; each read logged with the case's draft.
    assert ConsentRecord.objects.filter(individual=citizen).count() == 2
    reads = MessageLogEntry.objects.filter(subject=f"DNI:{DEMO_CITIZEN_DNI}", outcome="ok")
    assert {e.x_road_id for e in reads} == {
        app.prefill["nombres"]["x_road_id"],
        app.prefill["ruc"]["x_road_id"],
    }
    assert all(str(app.public_id) in e.issue for e in reads)

    page = client.get(_page(app, "titular")).content.decode()
    assert "ROSA MARÍA" in page
    assert "Dato obtenido de RENIEC" in page
    assert "Dato obtenido de SUNAT" in page
    assert 'name="q-nombres"' not in page  # shown, not an input

    # A tampered post changes nothing.
    response = client.post(
        _page(app, "titular"),
        {"q-nombres": "OTRA PERSONA", "q-ruc": "20131312955", "q-nacimiento-day": "1"},
    )
    assert response.status_code == 303
    app.refresh_from_db()
    assert app.answers["nombres"] == "ROSA MARÍA"
    assert app.answers["ruc"] == DEMO_CITIZEN_RUC
    assert app.answers["nacimiento"] == "1988-04-17"
    client.post(_page(app, "bodega"), {"q-nombre_comercial": "Bodega Rosita"})

    check = client.get(reverse("cases_citizen:check", kwargs={"public_id": app.public_id}))
    assert "Dato obtenido de RENIEC" in check.content.decode()
    case = _submit(client, app)
    assert case.answers["nombres"] == "ROSA MARÍA"
    assert set(case.answer_sources) == {"nombres", "nacimiento", "ruc", "razon_social"}
    x_road_id = case.answer_sources["nombres"]["x_road_id"]
    assert x_road_id

    official = OfficialFactory.create(institution=service.institution, role=Role.CASE_OFFICER)
    staff = Client()
    staff.force_login(official)
    detail = staff.get(reverse("cases_backoffice:case", kwargs={"reference": case.reference}))
    assert f"Fuente: RENIEC (consulta {x_road_id})" in detail.content.decode()


def test_declining_leaves_every_question_editable_and_reads_nothing(
    client: Client, service: Any, citizen: Any
) -> None:
    app, consent = _begin(client, service)
    response = client.post(consent, {"accion": "escribir"})
    assert response["Location"] == _page(app, "titular")
    page = client.get(_page(app, "titular")).content.decode()
    assert 'name="q-nombres"' in page
    assert "Dato obtenido" not in page
    assert not MessageLogEntry.objects.filter(subject=f"DNI:{DEMO_CITIZEN_DNI}").exists()
    assert not ConsentRecord.objects.filter(individual=citizen).exists()
    # Not asked again for this draft.
    assert client.get(consent)["Location"] == _page(app, "titular")
    response = client.post(
        _page(app, "titular"),
        {
            "q-nombres": "Rosa",
            "q-nacimiento-day": "17",
            "q-nacimiento-month": "4",
            "q-nacimiento-year": "1988",
            "q-ruc": DEMO_CITIZEN_RUC,
            "q-razon_social": "Bodega Rosa",
        },
    )
    assert response.status_code == 303
    client.post(_page(app, "bodega"), {"q-nombre_comercial": "Bodega Rosita"})
    case = _submit(client, app)
    assert case.answers["nombres"] == "Rosa"
    assert case.answer_sources == {}


def test_a_registry_timing_out_keeps_the_draft_and_offers_to_retry_or_type(
    client: Client,
    service: Any,
    citizen: Any,
    registry_processes: Any,
) -> None:
    Service.objects.filter(code="personas").update(timeout_seconds=0.5)
    app, consent = _begin(client, service)
    with registry_processes.misbehaving("reniec", "slow", delay=2.0):
        response = client.post(consent, {"accion": "autorizar"})
    assert response.status_code == 503
    text = response.content.decode()
    assert (
        "RENIEC no respondió a tiempo. Tus respuestas están guardadas: puedes intentarlo de "
        "nuevo o escribir tus datos."
    ) in text
    assert "Intentar de nuevo" in text
    app.refresh_from_db()
    assert "nombres" not in app.prefill
    assert app.prefill["ruc"]["label"] == "SUNAT"  # what did answer is kept
    assert Application.objects.filter(pk=app.pk, submitted_at__isnull=True).exists()

    # Type the rest: RENIEC's questions are editable, SUNAT's stay read-only.
    response = client.post(consent, {"accion": "escribir"})
    assert response["Location"] == _page(app, "titular")
    page = client.get(_page(app, "titular")).content.decode()
    assert 'name="q-nombres"' in page
    assert 'name="q-ruc"' not in page
    assert "Dato obtenido de SUNAT" in page


def test_retrying_after_a_timeout_fills_the_form(
    client: Client,
    service: Any,
    citizen: Any,
    registry_processes: Any,
) -> None:
    Service.objects.filter(code="personas").update(timeout_seconds=0.5)
    app, consent = _begin(client, service)
    with registry_processes.misbehaving("reniec", "slow", delay=2.0):
        assert client.post(consent, {"accion": "autorizar"}).status_code == 503
    response = client.post(consent, {"accion": "autorizar"})
    assert response.status_code == 303
    app.refresh_from_db()
    assert app.answers["nombres"] == "ROSA MARÍA"


def test_an_address_from_reniec_fills_an_address_question_when_the_district_is_known(
    client: Client, directory: dict[str, str], citizen: Any
) -> None:
    from ventanilla.institutions.models import Institution

    province = ProvinceFactory(code="0801", department__code="08", name="Cusco")
    DistrictFactory(code="080108", province=province, name="Wanchaq")
    form = {
        **FORM,
        "pages": [
            {
                "id": "titular",
                "title": "Titular",
                "questions": [
                    {"id": "domicilio", "type": "address", "label": "Domicilio",
                     "required": True,
                     "source": {"from": "reniec.persona", "field": "Direccion"}},
                ],
            }
        ],
    }  # fmt: skip
    service = published_service(
        institution=Institution.objects.get(slug="munihuancayo"), definition=form, slug="dom"
    )
    app, consent = _begin(client, service)
    client.post(consent, {"accion": "autorizar"})
    app.refresh_from_db()
    assert app.answers["domicilio"]["ubigeo"] == "080108"
    page = client.get(_page(app, "titular")).content.decode()
    assert "Wanchaq" in page
