"""GET /api/v1/search: ranked, faceted results as JSON, and clean Spanish answers to bad input."""

import json

import jsonschema
import pytest

from ventanilla.api.openapi import DOCUMENT_PATH
from ventanilla.api.tests.conftest import Catalogue
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.institutions.models import Level
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.search.indexing import search_index_rebuild
from ventanilla.search.models import SearchLog

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search"


@pytest.fixture
def indexed(catalogue: Catalogue) -> Catalogue:
    """The API catalogue plus a regional institution and a procedure whose summary holds
    HTML, with the search index built from them."""
    cusco = InstitutionFactory(
        slug="gore-cusco", name="Gobierno Regional del Cusco", acronym="GRC", level=Level.REGIONAL
    )
    ProcedureFactory(
        title="Obtener licencia de conducir clase A",
        institution=cusco,
        summary='Licencia <script>alert("x")</script> para conducir & circular.',
        popularity=5,
    )
    search_index_rebuild()
    return catalogue


def _get(client, **params):
    return client.get(SEARCH, params)


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))


def _assert_matches_schema(body: dict, document: dict, name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)


# --- Shape and ranking --------------------------------------------------------------------


def test_search_answers_ranked_hits_with_the_documented_shape(client, indexed, document):
    response = _get(client, q="duplicado dni")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    _assert_matches_schema(body, document, "SearchPage")
    first = body["results"][0]
    assert first == {
        "type": "procedure",
        "id": indexed.dni.pk,
        "code": "P001",
        "title": "Solicitar duplicado de DNI",
        "url": "http://testserver/tramites/224-solicitar-duplicado-de-dni/",
        "institution": {
            "id": indexed.reniec.pk,
            "slug": "reniec",
            "name": "Registro Nacional de Identificación y Estado Civil",
            "acronym": "RENIEC",
        },
        "snippet": first["snippet"],
        "summary": first["summary"],
        "subtype": "procedure",
        "subtype_label": "Trámite",
        "date": first["date"],
    }
    assert {k: body[k] for k in ("query", "total", "page", "pages", "per_page")} == {
        "query": "duplicado dni",
        "total": 1,
        "page": 1,
        "pages": 1,
        "per_page": 20,
    }
    assert (body["next"], body["previous"], body["corrected"]) == (None, None, None)
    assert (body["relaxed"], body["corrected_applied"], body["warnings"]) == (False, False, [])
    assert set(body["facets"]) == {"type", "institution", "level", "department"}


def test_a_procedure_is_found_first_by_its_p_code(client, indexed):
    body = _get(client, q="p002").json()

    assert body["results"][0]["code"] == "P002"
    assert body["results"][0]["title"] == "Obtener licencia de funcionamiento"


def test_procedures_without_a_code_and_institutions_have_a_null_code(client, indexed):
    body = _get(client, q="reniec", type="institution").json()

    hit = body["results"][0]
    assert (hit["type"], hit["title"]) == (
        "institution",
        "Registro Nacional de Identificación y Estado Civil",
    )
    assert hit["code"] is None
    assert hit["institution"] is None
    assert hit["url"] == "http://testserver/institucion/reniec/"


def test_snippet_marks_the_words_and_escapes_everything_else(client, indexed):
    body = _get(client, q="licencia conducir").json()

    hit = next(h for h in body["results"] if h["title"] == "Obtener licencia de conducir clase A")
    assert "<mark>" in hit["snippet"]
    assert "<script>" not in hit["snippet"]
    assert "&lt;script&gt;" in hit["snippet"]
    assert "&amp;" in hit["snippet"]


def test_html_in_the_query_is_never_reflected_as_html(client, indexed):
    response = _get(client, q="<img src=x onerror=alert(1)> dni")

    assert response.status_code == 200
    body = response.json()
    assert all("<img" not in hit["snippet"] for hit in body["results"])
    assert response["Content-Type"].startswith("application/json")


def test_a_likely_typo_is_corrected(client, indexed):
    body = _get(client, q="dupicado").json()

    assert body["corrected"] == "duplicado"
    assert body["results"][0]["title"] == "Solicitar duplicado de DNI"


# --- Facets and filters -------------------------------------------------------------------


def test_facets_count_results_by_type_institution_level_and_department(client, indexed):
    body = _get(client, q="licencia").json()

    facets = body["facets"]
    assert {f["value"]: f["count"] for f in facets["type"]} == {"procedure": 2}
    assert {f["value"]: f["count"] for f in facets["institution"]} == {
        "munilima": 1,
        "gore-cusco": 1,
    }
    assert {f["value"]: (f["label"], f["count"]) for f in facets["level"]} == {
        "local": ("Local", 1),
        "regional": ("Regional", 1),
    }
    assert not any(f["selected"] for values in facets.values() for f in values)


def test_institution_level_and_department_filters_narrow_the_results(client, indexed):
    by_institution = _get(client, q="licencia", institution="munilima").json()
    by_level = _get(client, q="licencia", level="regional").json()
    by_department = _get(client, q="licencia", department="15").json()

    assert [h["title"] for h in by_institution["results"]] == ["Obtener licencia de funcionamiento"]
    assert [f["value"] for f in by_institution["facets"]["institution"] if f["selected"]] == [
        "munilima"
    ]
    assert [h["title"] for h in by_level["results"]] == ["Obtener licencia de conducir clase A"]
    assert [h["title"] for h in by_department["results"]] == ["Obtener licencia de funcionamiento"]


def test_type_may_repeat(client, indexed):
    only_institutions = _get(client, q="registro", type="institution").json()
    both = client.get(f"{SEARCH}?q=reniec&type=procedure&type=institution").json()

    assert {h["type"] for h in only_institutions["results"]} == {"institution"}
    assert {f["value"] for f in both["facets"]["type"] if f["selected"]} == {
        "procedure",
        "institution",
    }
    assert {h["type"] for h in both["results"]} == {"procedure", "institution"}


@pytest.mark.parametrize(
    ("params", "warning"),
    [
        (
            {"institution": "no-existe"},
            "No encontramos la institución «no-existe»; se muestran todas.",
        ),
        ({"type": "noticia"}, "No existe el tipo «noticia»; se muestran todos los tipos."),
        ({"level": "galactico"}, "No existe el nivel de gobierno «galactico»; se muestran todos."),
        ({"department": "99"}, "No existe el departamento «99»; se muestran todos."),
        ({"sort": "azar"}, "Orden desconocido; se ordena por relevancia."),
    ],
)
def test_unknown_filter_values_are_ignored_with_a_spanish_warning(client, indexed, params, warning):
    response = _get(client, q="licencia", **params)

    assert response.status_code == 200
    body = response.json()
    assert body["warnings"] == [warning]
    assert body["total"] == 2


def test_sort_by_date_answers_the_same_results(client, indexed):
    body = _get(client, q="licencia", sort="date").json()

    assert body["total"] == 2
    assert len(body["results"]) == 2


# --- Paging -------------------------------------------------------------------------------


def test_pages_link_to_each_other(client, indexed):
    first = _get(client, q="licencia", per_page=1).json()
    second = _get(client, q="licencia", per_page=1, page=2).json()

    assert (first["total"], first["pages"], first["per_page"]) == (2, 2, 1)
    assert first["next"] == "http://testserver/api/v1/search?q=licencia&per_page=1&page=2"
    assert first["previous"] is None
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/search?q=licencia&per_page=1&page=1"
    assert first["results"][0]["title"] != second["results"][0]["title"]


def test_a_page_past_the_last_is_empty_with_the_real_total(client, indexed):
    response = _get(client, q="licencia", page=99999)

    assert response.status_code == 200
    body = response.json()
    assert body["results"] == []
    assert (body["total"], body["pages"], body["page"]) == (2, 1, 99999)
    assert body["next"] is None
    assert body["previous"] == "http://testserver/api/v1/search?q=licencia&page=1"


def test_a_huge_page_number_is_an_empty_page_not_an_error(client, indexed):
    response = client.get(f"{SEARCH}?q=licencia&page=99999999999999999999")

    assert response.status_code == 200
    assert response.json()["results"] == []


# --- Bad input ----------------------------------------------------------------------------


def _q_error(response) -> dict:
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["q"]
    assert body["detail"].startswith("El parámetro «q» no es válido: ")
    return body["errors"][0]


def test_a_missing_query_is_a_422_in_spanish(client, indexed, document):
    response = client.get(SEARCH)

    error = _q_error(response)
    assert error["message"] == "Es obligatorio."
    _assert_matches_schema(response.json(), document, "ValidationErrorOut")


@pytest.mark.parametrize("q", ["", "   ", "\x00", "\t\n"])
def test_an_empty_query_is_a_422_in_spanish(client, indexed, document, q):
    response = _get(client, q=q)

    error = _q_error(response)
    assert error == {
        "loc": ["query", "q"],
        "field": "q",
        "message": "No puede estar vacío.",
        "type": "string_too_short",
    }
    _assert_matches_schema(response.json(), document, "ValidationErrorOut")


@pytest.mark.parametrize("q", ["%%%   ¿¿??", "***", '"', "---", "%_\\", "'--", "<>"])
def test_a_query_without_letters_or_digits_is_a_422_in_spanish(client, indexed, q):
    error = _q_error(_get(client, q=q))

    assert error["message"] == "Debe tener al menos una letra o un número."
    assert error["type"] == "no_words"


def test_a_2000_character_query_is_a_422_in_spanish(client, indexed):
    error = _q_error(_get(client, q="duplicado " * 200))

    assert error["message"] == "Debe tener como máximo 200 caracteres."


@pytest.mark.parametrize(
    "q",
    [
        '"dni',
        "dni*",
        "NEAR(dni duplicado)",
        "dni NEAR/2 duplicado",
        "title:dni",
        "dni:",
        "' OR 1=1 --",
        "'; DROP TABLE search_searchdocument; --",
        "duplicado AND dni OR NOT x",
        "dni^2 {duplicado} (x",
        "dni\x00duplicado",
        "ñandú 🏛 dni",
    ],
)
def test_fts_and_sql_syntax_in_the_query_is_searched_as_text(client, indexed, q):
    response = _get(client, q=q)

    assert response.status_code == 200, response.content
    body = response.json()
    assert isinstance(body["results"], list)
    if "dni" in q.lower():
        assert "Solicitar duplicado de DNI" in [h["title"] for h in body["results"]]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page=0", "page", "Debe ser mayor o igual que 1."),
        ("page=-1", "page", "Debe ser mayor o igual que 1."),
        ("page=abc", "page", "Debe ser un número entero."),
        ("per_page=51", "per_page", "Debe ser menor o igual que 50."),
        ("per_page=0", "per_page", "Debe ser mayor o igual que 1."),
        ("per_page=x", "per_page", "Debe ser un número entero."),
    ],
)
def test_invalid_paging_is_a_422_naming_the_parameter(client, indexed, query, field, message):
    response = client.get(f"{SEARCH}?q=dni&{query}")

    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["message"] == message
    assert body["detail"].startswith(f"El parámetro «{field}» no es válido: ")


def test_the_largest_page_size_is_accepted(client, indexed):
    response = _get(client, q="licencia", per_page=50)

    assert response.status_code == 200
    assert response.json()["per_page"] == 50


@pytest.mark.parametrize(
    "url",
    [
        f"{SEARCH}?q=dni&institution=%00&level=%00&department=%00&sort=%00&type=%00",
        f"{SEARCH}?q=dni&institution=" + "a" * 500,
        f"{SEARCH}?q=dni&department=" + "1" * 300,
        f"{SEARCH}?q=dni&q=licencia",
        f"{SEARCH}?q=%F0%9F%8F%9B",
        f"{SEARCH}?q=" + "%25" * 600,
        f"{SEARCH}?q=" + "x" * 5000,
    ],
)
def test_odd_input_never_gives_a_500(client, indexed, url):
    response = client.get(url)

    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")


# --- Logging and cost ---------------------------------------------------------------------


def test_api_searches_are_logged_for_the_analytics_first_page_only(client, indexed):
    _get(client, q="Licencia", per_page=1)
    _get(client, q="licencia", per_page=1, page=2)
    _get(client, q="")

    logs = list(SearchLog.objects.values_list("query", "results", "source"))
    assert logs == [("licencia", 2, "api")]


def test_search_query_count_is_pinned(client, indexed, django_assert_num_queries):
    for n in range(20):
        ProcedureFactory(title=f"Obtener licencia de pesca número {n}", institution=indexed.reniec)
    search_index_rebuild()
    client.get(SEARCH, {"q": "licencia"})  # warms the synonym, acronym and vocabulary caches

    # Known terms, facets, title candidates, full-text candidates, candidate rows, page rows,
    # the search log row (institution facet labels come from the engine's memo).
    with django_assert_num_queries(7):
        body = client.get(SEARCH, {"q": "licencias pesca"}).json()
    assert body["total"] == 20
    assert len(body["results"]) == 20


# --- Documentation ------------------------------------------------------------------------


def test_openapi_documents_the_search_operation(document):
    op = document["paths"]["/api/v1/search"]["get"]
    params = {p["name"]: p for p in op["parameters"]}

    assert op["tags"] == ["Búsqueda"]
    assert params["q"]["required"] is True
    assert params["q"]["schema"]["maxLength"] == 200
    assert params["type"]["schema"]["type"] == "array"
    assert params["per_page"]["schema"]["maximum"] == 50
    assert params["page"]["schema"]["minimum"] == 1
    assert op["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorOut"
    }
    snippet = document["components"]["schemas"]["SearchHit"]["properties"]["snippet"]
    assert "<mark>" in snippet["description"]
    assert "escapado" in snippet["description"]


def test_api_root_links_to_search(client, db):
    assert client.get("/api/v1/").json()["search"] == "http://testserver/api/v1/search"
