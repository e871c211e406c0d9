"""The portal search page: results, facets, corrections, pages, and the zero-results help."""

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ventanilla.catalogue.tests.factories import CatalogueEntryFactory, ProcedureFactory
from ventanilla.feedback.models import PageFeedback
from ventanilla.institutions.models import Level
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.search.models import SearchLog
from ventanilla.search.selectors import search
from ventanilla.ubigeo.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def main_html(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def catalogue(reindex: Any) -> dict[str, Any]:
    """RENIEC (national, Lima) with two DNI procedures, a regional government (Cusco) with a
    certificate, and the institutions themselves; indexed."""
    lima = DepartmentFactory(code="15", name="Lima")
    cusco = DepartmentFactory(code="08", name="Cusco")
    reniec = InstitutionFactory(
        name="Registro Nacional de Identificación y Estado Civil",
        slug="reniec",
        acronym="RENIEC",
        department=lima,
    )
    region = InstitutionFactory(
        name="Gobierno Regional del Cusco",
        slug="gore-cusco",
        level=Level.REGIONAL,
        department=cusco,
    )
    data = {
        "reniec": reniec,
        "region": region,
        "duplicado": ProcedureFactory(
            title="Solicitar duplicado de DNI",
            code="P001",
            institution=reniec,
            summary="Pide un nuevo DNI si lo perdiste o se dañó.",
            popularity=500,
        ),
        "renovar": ProcedureFactory(
            title="Renovar DNI por caducidad", code="P002", institution=reniec, popularity=300
        ),
        "certificado": ProcedureFactory(
            title="Certificado de antecedentes penales",
            institution=region,
            summary="Obtén tu certificado de antecedentes penales.",
        ),
    }
    reindex()
    return data


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


def test_results_show_count_type_code_institution_and_highlighted_snippet(client, catalogue):
    html = main_html(client.get("/buscar/?q=duplicado dni"))
    assert "1 resultado para «duplicado dni»" in html
    item = html[html.index('<ol class="results hits"') :]
    assert 'href="/tramites/' in item
    assert "Solicitar duplicado de DNI</a>" in item
    assert '<span class="hit-code">P001</span>' in item
    assert "RENIEC" in item
    assert "<mark>DNI</mark>" in item  # the engine's snippet, rendered as markup


def test_result_links_keep_the_real_address_and_ping_the_click_counter(client, catalogue):
    html = main_html(client.get("/buscar/?q=dni"))
    log = SearchLog.objects.get()
    links = re.findall(r'<a href="([^"]+)" ping="([^"]+)">', html)
    assert [href for href, _ in links] == [
        catalogue["duplicado"].get_absolute_url(),
        catalogue["renovar"].get_absolute_url(),
    ]
    first = catalogue["duplicado"]
    assert links[0][1] == f"/buscar/clic/?b={log.pk}&amp;t=procedure&amp;i={first.pk}&amp;p=1"
    assert links[1][1].endswith("&amp;p=2")


def test_the_search_is_logged_with_its_result_count(client, catalogue):
    client.get("/buscar/?q=Duplicado DNI")
    log = SearchLog.objects.get()
    assert (log.query, log.results, log.source) == ("duplicado dni", 1, "web")


def test_type_tabs_and_facets_link_with_counts_and_keep_the_query(client, catalogue):
    html = main_html(client.get("/buscar/?q=dni&orden=date"))
    assert '<a href="?q=dni&amp;orden=date" aria-current="page">Todo <span class="n">2</span>' in (
        html
    )
    assert "?q=dni&amp;orden=date&amp;tipo=procedure" in html
    assert (
        '<a href="?q=dni&amp;orden=date&amp;institucion=reniec">'
        'Registro Nacional de Identificación y Estado Civil <span class="n">2</span>'
    ) in html
    assert '<a href="?q=dni&amp;orden=date&amp;nivel=national">Nacional' in html
    assert '<a href="?q=dni&amp;orden=date&amp;departamento=15">Lima' in html


def test_applied_filters_narrow_results_and_each_can_be_removed(client, catalogue):
    page = client.get("/buscar/", {"q": "certificado dni", "institucion": "gore-cusco"})
    html = main_html(page)
    assert "Certificado de antecedentes penales" in html
    assert "Solicitar duplicado de DNI" not in html
    chips = html[html.index('<ul class="chips"') :]
    assert '<a href="?q=certificado+dni"><span class="vh">Quitar filtro: </span>Gobierno' in chips
    assert '<details class="more" open>' in html  # the group with a selection starts open

    two = main_html(client.get("/buscar/?q=dni&tipo=procedure&departamento=15"))
    assert "Quitar todos los filtros" in two
    assert '<a href="?q=dni&amp;departamento=15"><span class="vh">Quitar filtro: </span>' in two
    assert '<a href="?q=dni&amp;tipo=procedure"><span class="vh">Quitar filtro: </span>' in two


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"q": "certificado dni", "nivel": "regional"}, "Certificado de antecedentes penales"),
        ({"q": "certificado", "departamento": "15"}, "Renovar DNI por caducidad"),
        ({"q": "cusco", "tipo": "institution"}, "Gobierno Regional del Cusco"),
    ],
)
def test_each_filter_restricts_the_results(client, catalogue, params, shown):
    html = main_html(client.get("/buscar/", params))
    hits = html[html.index('<ol class="results hits"') : html.index("</ol>")]
    assert shown in hits
    assert hits.count("<h2>") == 1


def test_sort_by_date_is_offered_and_marked(client, catalogue):
    html = main_html(client.get("/buscar/?q=dni&orden=date"))
    assert '<strong aria-current="true">Más recientes</strong>' in html
    assert '<a href="?q=dni">Más relevantes</a>' in html


def test_a_typo_is_corrected_and_said_so(client, catalogue):
    html = main_html(client.get("/buscar/?q=antesedentes penales"))
    assert "1 resultado para «antecedentes penales»" in html
    assert "Mostramos resultados para «antecedentes penales»" in html
    assert "Certificado de antecedentes penales" in html


def test_relaxed_results_say_not_every_word_matched(client, catalogue):
    html = main_html(client.get("/buscar/?q=duplicado dni marciano"))
    assert "Ningún resultado tiene todas tus palabras; estos tienen algunas." in html
    assert "Solicitar duplicado de DNI" in html


def test_unknown_filter_values_are_explained_and_ignored(client, catalogue):
    html = main_html(client.get("/buscar/?q=dni&institucion=nope&tipo=xyz"))
    assert "No encontramos la institución «nope»; se muestran todas." in html
    assert "No existe el tipo «xyz»; se muestran todos los tipos." in html
    assert "Solicitar duplicado de DNI" in html


def test_pages_link_with_the_query_and_filters(client, reindex):
    ProcedureFactory.create_batch(45, title="Solicitar certificado de estudios")
    reindex()
    html = main_html(client.get("/buscar/?q=certificado&tipo=procedure&page=2"))
    assert "45 resultados para «certificado»" in html
    assert "página 2 de 3" in html
    assert 'href="?q=certificado&amp;tipo=procedure&amp;page=3" rel="next"' in html
    assert '<ol class="results hits" id="resultados" start="21">' in html
    assert "p=21" in html  # click positions count across pages


@pytest.mark.parametrize("page", ["99999", "4"])
def test_a_page_past_the_end_says_so_and_links_the_last_page(client, reindex, page):
    ProcedureFactory.create_batch(45, title="Solicitar certificado de estudios")
    reindex()
    response = client.get("/buscar/", {"q": "certificado", "page": page})
    html = main_html(response)
    assert response.status_code == 200
    assert "Esa página no existe: hay 3 páginas de resultados." in html
    assert '<a href="?q=certificado&amp;page=3">Ir a la última página</a>' in html


def test_zero_results_help_with_tips_popular_procedures_and_a_way_to_ask(client, catalogue):
    response = client.get("/buscar/?q=xylofono")
    html = main_html(response)
    assert "0 resultados" not in html  # the heading below says it
    assert "No encontramos nada para «xylofono»" in html
    assert "Revisa cómo está escrita cada palabra." in html
    assert "Trámites más usados" in html
    assert "Solicitar duplicado de DNI" in html
    assert 'href="/instituciones/"' in html
    assert 'href="/tramites/"' in html
    form = html[html.index("¿No encontraste lo que buscabas?") :]
    assert 'action="/opinion/"' in form
    assert '<input type="hidden" name="ruta" value="/buscar/?q=xylofono">' in form
    assert '<input type="hidden" name="util" value="no">' in form
    assert "Cuéntanos qué necesitas" in form
    assert "¿Te fue útil esta página?" not in html  # the ask form replaces it


def test_zero_results_with_filters_offer_the_search_without_them(client, catalogue):
    html = main_html(client.get("/buscar/?q=antecedentes&tipo=institution"))
    assert "No encontramos nada para «antecedentes»" in html
    assert '<a href="?q=antecedentes">Busca sin filtros</a>' in html


def test_the_ask_form_reaches_the_editors_feedback_with_the_search(client: Client, catalogue):
    html = main_html(client.get("/buscar/?q=carné de extranjería"))
    path = re.search(r'name="ruta" value="([^"]+)"', html[html.index("ask-title") :])
    assert path is not None
    ruta = path.group(1).replace("&amp;", "&")
    assert ruta == "/buscar/?q=carn%C3%A9+de+extranjer%C3%ADa"
    response = client.post(
        "/opinion/",
        {"ruta": ruta, "util": "no", "comentario": "Quiero renovar mi carné, DNI 45678912"},
    )
    assert response.status_code == 303
    stored = PageFeedback.objects.get()
    assert (stored.path, stored.useful) == (ruta, False)
    assert "45678912" not in stored.comment


def test_the_ask_path_stays_within_the_feedback_limit_for_long_queries(client, catalogue):
    html = main_html(client.get("/buscar/", {"q": "ñandú " * 33}))
    ruta = re.search(r'name="ruta" value="([^"]+)"', html[html.index("ask-title") :])
    assert ruta is not None
    assert len(ruta.group(1).replace("&amp;", "&")) <= 300


def test_search_query_count_is_pinned(client, django_assert_num_queries, reindex):
    ProcedureFactory.create_batch(25, title="Solicitar certificado de estudios")
    for n in range(6):
        InstitutionFactory(name=f"Unidad de gestión de certificados {n}")
    reindex()
    client.get("/buscar/?q=certificado")  # warms the synonym, acronym and vocabulary caches
    # known terms, facets, title candidates, full-text candidates, candidate rows, page rows,
    # the search log row (institution facet labels come from the engine's memo).
    with django_assert_num_queries(7):
        response = client.get("/buscar/?q=certificados estudio")
    assert response.status_code == 200


def test_zero_results_page_adds_one_query_to_the_search(client, catalogue):
    client.get("/buscar/?q=xylofono")  # warms the engine's memos
    with CaptureQueriesContext(connection) as engine:
        search(q="xylofono", log=True)
    with CaptureQueriesContext(connection) as page:
        client.get("/buscar/?q=xylofono")
    # What the engine needs (on SQLite 5, on PostgreSQL the trigram lookup adds one), plus the
    # popular procedures.
    assert len(page) == len(engine) + 1
    assert len(page) <= 7


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
    assert "¿No encontraste lo que buscabas?" not in html  # nothing was searched to ask about


def test_search_escapes_what_the_visitor_typed(client):
    html = client.get("/buscar/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html
