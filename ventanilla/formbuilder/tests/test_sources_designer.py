"""The designer binds a question to a registry field in the question's form."""

from typing import Any

import pytest
from django.test import Client

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import OfficialFactory
from ventanilla.formbuilder.tests.test_designer_views import _add_question, _create, _url
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def institution() -> Any:
    return InstitutionFactory(name="Municipalidad Provincial de Huancayo", acronym="MPH")


@pytest.fixture
def client_in(institution: Any) -> Client:
    client = Client()
    designer: Any = OfficialFactory(institution=institution, role=Role.SERVICE_DESIGNER)
    client.force_login(designer)
    return client


def _questions(service: Any) -> list[dict[str, Any]]:
    service.refresh_from_db()
    return list(service.draft_definition["pages"][0]["questions"])


def test_a_designer_binds_a_question_to_reniec_and_a_plate_lookup_to_sunarp(
    client_in: Client, institution: Any
) -> None:
    service = _create(client_in, institution)
    form = client_in.get(_url("question_new", pk=service.pk, page_id="datos") + "?tipo=date")
    page = form.content.decode()
    assert "Tomar el dato de un registro del Estado" in page
    assert 'value="reniec.persona:FechaNacimiento"' in page
    assert 'value="reniec.persona:Prenombres"' not in page  # a name does not fill a date
    _add_question(
        client_in, service, "datos", "text", label="Nombres", source="reniec.persona:Prenombres"
    )
    _add_question(client_in, service, "datos", "text", label="Placa")
    _add_question(
        client_in,
        service,
        "datos",
        "text",
        label="Marca",
        source="sunarp.vehiculo:Marca",
        source_key="placa",
    )
    questions = _questions(service)
    assert questions[0]["source"] == {"from": "reniec.persona", "field": "Prenombres"}
    assert questions[2]["source"] == {"from": "sunarp.vehiculo", "field": "Marca", "key": "placa"}
    # Editing shows the binding; choosing «lo escribe el ciudadano» removes it.
    url = _url("question", pk=service.pk, page_id="datos", question_id="nombres")
    assert 'value="reniec.persona:Prenombres" selected' in client_in.get(url).content.decode()
    response = client_in.post(url, {"tipo": "text", "label": "Nombres", "source": ""})
    assert response.status_code == 302
    assert "source" not in _questions(service)[0]


def test_a_forged_binding_is_refused_with_a_spanish_message(
    client_in: Client, institution: Any
) -> None:
    service = _create(client_in, institution)
    url = _url("question_new", pk=service.pk, page_id="datos") + "?tipo=date"
    response = client_in.post(
        url, {"tipo": "date", "label": "Nacimiento", "source": "reniec.persona:Prenombres"}
    )
    assert response.status_code != 302  # not saved: the form comes back
    assert "no sirve para una pregunta de este tipo" in response.content.decode()
    response = client_in.post(
        url, {"tipo": "date", "label": "Nacimiento", "source": "reniec.persona:Apodo"}
    )
    assert "Elige un dato de la lista." in response.content.decode()
    response = client_in.post(
        _url("question_new", pk=service.pk, page_id="datos") + "?tipo=text",
        {"tipo": "text", "label": "Marca", "source": "sunarp.vehiculo:Marca"},
    )
    assert "Elige la pregunta con la que se busca en SUNARP." in response.content.decode()
    assert _questions(service) == []
