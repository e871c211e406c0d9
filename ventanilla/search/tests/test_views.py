"""The simple portal search."""

import pytest

from ventanilla.catalogue.tests.factories import CatalogueEntryFactory, ProcedureFactory
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_search_is_accent_folded_and_every_word_must_match(client, reindex):
    ProcedureFactory(title="Obtener licencia de conducir por primera vez")
    ProcedureFactory(title="Renovar licencia de funcionamiento")
    reindex()
    html = client.get("/buscar/?q=LICÉNCIA conducir").content.decode()
    assert "Obtener licencia de conducir" in html
    assert "Renovar licencia de funcionamiento" not in html


def test_search_puts_full_pages_first_and_finds_institutions(client, reindex):
    CatalogueEntryFactory(title="Pasaporte: preguntas frecuentes", popularity=900)
    ProcedureFactory(title="Obtener pasaporte electrónico", popularity=1)
    InstitutionFactory(name="Superintendencia Nacional de Migraciones", acronym="MIGRACIONES")
    reindex()
    html = client.get("/buscar/?q=pasaporte").content.decode()
    assert html.index("Obtener pasaporte electrónico") < html.index("Pasaporte: preguntas")
    assert "Superintendencia Nacional de Migraciones" not in html
    assert "Superintendencia Nacional de Migraciones" in (
        client.get("/buscar/?q=migraciones").content.decode()
    )


def test_search_query_count_is_pinned(client, django_assert_num_queries, reindex):
    ProcedureFactory.create_batch(25, title="Solicitar certificado de estudios")
    for n in range(6):
        InstitutionFactory(name=f"Unidad de gestión de certificados {n}")
    reindex()
    client.get("/buscar/?q=certificado")  # warms the synonym, acronym and vocabulary caches
    # known terms, facets, title candidates, full-text candidates, candidate rows, page rows,
    # institution facet labels, the search log row.
    with django_assert_num_queries(8):
        response = client.get("/buscar/?q=certificados estudio")
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
