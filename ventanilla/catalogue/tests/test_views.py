"""The catalogue pages as a citizen sees them."""

from decimal import Decimal

import pytest

from ventanilla.catalogue.models import Channel
from ventanilla.catalogue.tests.factories import (
    CatalogueEntryFactory,
    ChannelFactory,
    ChannelStepFactory,
    LifeEventFactory,
    LifeEventStepFactory,
    ProcedureFactory,
    ProcedureSectionFactory,
    RequirementFactory,
    TopicFactory,
)
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_procedure_list_shows_full_pages_before_title_only_pages(client):
    CatalogueEntryFactory(title="Aaa página del catálogo", popularity=999)
    ProcedureFactory(title="Zzz trámite completo", popularity=0)
    html = client.get("/tramites/").content.decode()
    assert html.index("Zzz trámite completo") < html.index("Aaa página del catálogo")
    assert "2 resultados" in html


def test_procedure_list_paginates_twenty_per_page_and_pins_queries(
    client, django_assert_num_queries
):
    institution = InstitutionFactory()
    ProcedureFactory.create_batch(25, institution=institution)
    # count, page, topics, institutions with full pages.
    with django_assert_num_queries(4):
        response = client.get("/tramites/?page=2")
    html = response.content.decode()
    assert "mostrando 21–25" in html
    assert 'aria-current="page"' in html


def test_procedure_list_filters_by_online_and_institution(client):
    sunat = InstitutionFactory(slug="sunat", name="Superintendencia Nacional de Aduanas")
    ProcedureFactory(title="Inscribirse en el RUC", institution=sunat, online_url="https://e.pe/")
    ProcedureFactory(title="Pedir cita presencial", institution=sunat)
    ProcedureFactory(title="Otro trámite en línea", online_url="https://e.pe/")
    html = client.get("/tramites/?institucion=sunat&en_linea=1").content.decode()
    assert "Inscribirse en el RUC" in html
    assert "Pedir cita presencial" not in html
    assert "Otro trámite en línea" not in html


def test_procedure_list_with_unknown_filter_values_is_empty_with_spanish_message(client):
    ProcedureFactory()
    response = client.get("/tramites/?tipo=nave&tema=no-existe&institucion=xyz&nivel=galactico")
    html = response.content.decode()
    assert response.status_code == 200
    assert "El tipo «nave» no existe." in html
    assert "El tema «no-existe» no existe." in html
    assert "No hay resultados con estos filtros." in html


def test_procedure_page_shows_everything_a_citizen_needs(client):
    procedure = ProcedureFactory(
        title="Solicitar duplicado de DNI",
        fee_amount=Decimal("30.00"),
        fee_detail="DNIe S/ 35.00",
        time_limit="10 días hábiles",
        validity="8 años",
        tupa_code="RENIEC-12",
        online_url="https://servicios.reniec.gob.pe/duplicado",
        source_url="https://www.gob.pe/224-solicitar-duplicado-de-dni",
        institution__name="Registro Nacional de Identificación y Estado Civil",
        institution__acronym="RENIEC",
    )
    RequirementFactory(procedure=procedure, text="DNI vigente")
    online = ChannelFactory(procedure=procedure, kind=Channel.Kind.ONLINE)
    ChannelStepFactory(channel=online, text="Ingresa a la web del RENIEC")
    ChannelFactory(procedure=procedure, kind=Channel.Kind.PHONE)
    ProcedureSectionFactory(procedure=procedure, heading="Canales de pago", items=["Págalo.pe"])
    TopicFactory(name="Identidad").procedures.add(procedure)

    response = client.get(procedure.get_absolute_url())
    html = response.content.decode()
    for text in [
        "Solicitar duplicado de DNI",
        "S/ 30.00",
        "DNIe S/ 35.00",
        "10 días hábiles",
        "8 años",
        "RENIEC-12",
        "Iniciar trámite en línea",
        "DNI vigente",
        "Ingresa a la web del RENIEC",
        "En línea",
        "Por teléfono",
        "Canales de pago",
        "Págalo.pe",
        "Identidad",
        "Verificada el 8/09/2026",
        procedure.institution.get_absolute_url(),
    ]:
        assert text in html, text
    assert response["Last-Modified"]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(Decimal("0"), "Gratuito"), (None, "Costo no informado"), (Decimal("1250.5"), "S/ 1,250.50")],
)
def test_procedure_fee_is_shown_in_soles_or_as_free_or_unknown(client, amount, shown):
    procedure = ProcedureFactory(fee_amount=amount)
    assert shown in client.get(procedure.get_absolute_url()).content.decode()


def test_procedure_without_online_service_has_no_start_button(client):
    procedure = ProcedureFactory(online_url="")
    assert (
        "Iniciar trámite en línea" not in client.get(procedure.get_absolute_url()).content.decode()
    )


def test_catalogue_page_with_only_a_title_says_so_and_links_to_gobpe(client):
    entry = CatalogueEntryFactory(number=130, title="Planes del seguro integral de salud")
    html = client.get(entry.get_absolute_url()).content.decode()
    assert "De esta página de gob.pe solo conocemos el título." in html
    assert "https://www.gob.pe/130" in html
    assert "Costo no informado" not in html


def test_wrong_slug_and_bare_number_redirect_permanently_to_the_canonical_url(client):
    procedure = ProcedureFactory(number=224, title="Solicitar duplicado de DNI")
    for url in ["/tramites/224-otro-titulo/", "/tramites/224/"]:
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == "/tramites/224-solicitar-duplicado-de-dni/"
    assert client.get(procedure.get_absolute_url()).status_code == 200


def test_unknown_or_unpublished_procedure_is_a_spanish_404(client):
    hidden = ProcedureFactory(is_published=False)
    for url in ["/tramites/99999-nada/", "/tramites/99999/", hidden.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 404
        assert "No encontramos esta página" in response.content.decode()


def test_topic_pages_group_procedures(client):
    topic = TopicFactory(name="Salud", slug="salud")
    topic.procedures.add(ProcedureFactory(title="Afiliarse al SIS"))
    ProcedureFactory(title="Sacar brevete")
    assert "Salud" in client.get("/temas/").content.decode()
    html = client.get("/temas/salud/").content.decode()
    assert "Afiliarse al SIS" in html
    assert "Sacar brevete" not in html
    assert client.get("/temas/no-existe/").status_code == 404


def test_life_event_is_an_ordered_journey_across_institutions(client):
    event = LifeEventFactory(title="Tener un bebé", slug="tener-un-bebe")
    LifeEventStepFactory(
        life_event=event,
        position=2,
        title="Afíliale al SIS",
        procedure__institution__acronym="SIS",
    )
    LifeEventStepFactory(
        life_event=event,
        position=1,
        title="Inscribe el nacimiento",
        procedure__institution__acronym="RENIEC",
    )
    assert "Tener un bebé" in client.get("/momentos-de-vida/").content.decode()
    html = client.get("/momentos-de-vida/tener-un-bebe/").content.decode()
    assert html.index("Inscribe el nacimiento") < html.index("Afíliale al SIS")
    assert "RENIEC" in html
    assert "SIS" in html
    assert client.get("/momentos-de-vida/no-existe/").status_code == 404


def test_procedure_page_answers_304_when_unchanged_since_last_visit(client):
    procedure = ProcedureFactory()
    first = client.get(procedure.get_absolute_url())
    again = client.get(procedure.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_absurd_procedure_numbers_are_404_not_500(client):
    for url in ["/tramites/99999999999999999999-x/", "/tramites/99999999999999999999/"]:
        assert client.get(url).status_code == 404
