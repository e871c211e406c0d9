"""The simple portal search."""

import pytest

from ventanilla.catalogue.tests.factories import CatalogueEntryFactory, ProcedureFactory
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_search_is_accent_folded_and_every_word_must_match(client):
    ProcedureFactory(title="Obtener licencia de conducir por primera vez")
    ProcedureFactory(title="Renovar licencia de funcionamiento")
    html = client.get("/buscar/?q=LICÉNCIA conducir").content.decode()
    assert "Obtener licencia de conducir" in html
    assert "Renovar licencia de funcionamiento" not in html


def test_search_puts_full_pages_first_and_finds_institutions(client):
    CatalogueEntryFactory(title="Pasaporte: preguntas frecuentes", popularity=900)
    ProcedureFactory(title="Obtener pasaporte electrónico", popularity=1)
    InstitutionFactory(name="Superintendencia Nacional de Migraciones", acronym="MIGRACIONES")
    html = client.get("/buscar/?q=pasaporte").content.decode()
    assert html.index("Obtener pasaporte electrónico") < html.index("Pasaporte: preguntas")
    assert "Superintendencia Nacional de Migraciones" not in html
    assert "Superintendencia Nacional de Migraciones" in (
        client.get("/buscar/?q=migraciones").content.decode()
    )


def test_search_query_count_is_pinned(client, django_assert_num_queries):
    ProcedureFactory.create_batch(25, title="Solicitar certificado de estudios")
    for n in range(6):
        InstitutionFactory(name=f"Unidad de gestión de certificados {n}")
    # institutions (first five, with their count), procedure count, procedure page.
    with django_assert_num_queries(3):
        response = client.get("/buscar/?q=certificad")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Escribe qué trámite o institución buscas."),
        ("%%%   ¿¿??", "Tu búsqueda no tiene letras ni números."),
        ("dni " * 80, "Tu búsqueda es demasiado larga"),
    ],
)
def test_empty_odd_or_overlong_queries_get_help_and_popular_procedures(client, query, message):
    ProcedureFactory(title="Solicitar duplicado de DNI", popularity=10)
    response = client.get("/buscar/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Trámites más usados" in html
    assert 'href="/instituciones/"' in html


def test_search_with_no_results_says_so_and_suggests_popular(client):
    ProcedureFactory(title="Solicitar duplicado de DNI", popularity=10)
    html = client.get("/buscar/?q=xylofono").content.decode()
    assert "No encontramos nada con todas las palabras de «xylofono»." in html
    assert "Solicitar duplicado de DNI" in html


def test_search_escapes_what_the_visitor_typed(client):
    html = client.get("/buscar/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html
