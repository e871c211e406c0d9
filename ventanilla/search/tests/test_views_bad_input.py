"""Whatever arrives in the search address, the answer is a page in Spanish, never a 500."""

from typing import Any

import pytest
from django.test import Client

from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.search.models import SearchDocument

pytestmark = pytest.mark.django_db

NO_LETTERS = "Tu búsqueda no tiene letras ni números."
FOUND = "Solicitar duplicado de DNI</a>"


@pytest.fixture
def indexed(reindex: Any) -> None:
    ProcedureFactory(
        title="Solicitar duplicado de DNI",
        institution=InstitutionFactory(name="RENIEC", slug="reniec"),
        popularity=10,
    )
    reindex()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "Escribe qué trámite o institución buscas."),
        ("   ", "Escribe qué trámite o institución buscas."),
        ("a" * 2000, "Tu búsqueda es demasiado larga"),
        ("!!!...???", NO_LETTERS),
        ('"', NO_LETTERS),
        ("*", NO_LETTERS),
        (":", NO_LETTERS),
        ("'", NO_LETTERS),
        ("-", NO_LETTERS),
        ("^", NO_LETTERS),
        ("(", NO_LETTERS),
        ("\x00", "Escribe qué trámite o institución buscas."),
        ("NEAR", "No encontramos nada para «NEAR»"),
        ("OR", "No encontramos nada para «OR»"),
        ("AND", "No encontramos nada para «AND»"),
        ("dni NEAR(duplicado, 2)", FOUND),
        ("dni OR duplicado", FOUND),
        ("dni AND NOT duplicado", FOUND),
        ('"dni', FOUND),
        ("dni*", "1 resultado para «dni*»"),
        ("title:dni", FOUND),
        ("-dni", "1 resultado para «-dni»"),
        ("^dni", FOUND),
        ("dni)", FOUND),
        ("' OR 1=1 --", "No encontramos nada para «&#39; OR 1=1 --»"),
        ("'; DROP TABLE search_searchdocument; --", "DROP TABLE search_searchdocument; --»"),
        ("dni\x00duplicado", FOUND),
        ("%", NO_LETTERS),
        ("\\", NO_LETTERS),
        ("😀😀", NO_LETTERS),
    ],
)
def test_odd_queries_answer_200_with_a_spanish_message(
    client: Client, indexed: None, query: str, expected: str
) -> None:
    response = client.get("/buscar/", {"q": query})
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert SearchDocument.objects.count() == 2  # the procedure and its institution, untouched


def test_html_in_the_query_is_never_reflected_unescaped(client: Client, indexed: None) -> None:
    attack = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    for params in (
        {"q": attack},
        {"q": "dni", "institucion": attack},
        {"q": "dni", "tipo": attack},
        {"q": "dni", "nivel": attack},
        {"q": "dni", "departamento": attack},
        {"q": "dni", "orden": attack},
        {"q": "dni", "page": attack},
        {"q": f"xylofono {attack}"},
    ):
        html = client.get("/buscar/", params).content.decode()
        assert "<img src=x" not in html, params
        assert "<script>alert" not in html, params
        assert "onerror=alert(1)>" not in html, params


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tipo": "xyz"}, "No existe el tipo «xyz»"),
        ({"institucion": "nope"}, "No encontramos la institución «nope»"),
        ({"institucion": "99999999999999999999999"}, "No encontramos la institución"),
        ({"nivel": "x"}, "No existe el nivel de gobierno «x»"),
        ({"departamento": "99"}, "No existe el departamento «99»"),
        ({"departamento": "lima-y-callao"}, "No existe el departamento «lima-y-callao»"),
        ({"orden": "x"}, "Orden desconocido; se ordena por relevancia."),
        ({"institucion": "\x00"}, "1 resultado para «dni»"),
        ({"departamento": "1\x005"}, "No existe el departamento «15»"),
    ],
)
def test_unknown_filter_values_answer_200_and_say_what_was_ignored(
    client: Client, indexed: None, params: dict[str, str], message: str
) -> None:
    response = client.get("/buscar/", {"q": "dni", **params})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Solicitar duplicado de DNI" in html


@pytest.mark.parametrize("page", ["99999", "-1", "0", "abc", "1.5", "", "9" * 40, "\x00"])
def test_odd_page_numbers_answer_200(client: Client, indexed: None, page: str) -> None:
    response = client.get("/buscar/", {"q": "dni", "page": page})
    html = response.content.decode()
    assert response.status_code == 200
    if page in ("99999", "9" * 40):
        assert "Esa página no existe: hay 1 página de resultados." in html
    else:
        assert "Solicitar duplicado de DNI" in html


def test_a_query_string_too_long_for_the_server_gets_a_spanish_400(client: Client) -> None:
    response = client.get("/buscar/", {"q": "ñ" * 400})
    assert response.status_code == 400
    assert "No pudimos entender tu solicitud" in response.content.decode()


def test_repeated_parameters_do_not_break_the_page(client: Client, indexed: None) -> None:
    response = client.get(
        "/buscar/?q=dni&q=pasaporte&tipo=procedure&tipo=procedure&tipo=&nivel=&orden="
    )
    assert response.status_code == 200
