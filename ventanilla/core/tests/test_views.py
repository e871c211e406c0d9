"""Home, language switch and error pages."""

import pytest
from django.test import Client, RequestFactory, override_settings

from ventanilla.core import views


@pytest.mark.django_db
def test_citizen_pages_carry_no_csrf_token_and_are_cached_for_anonymous_visitors(
    client: Client,
) -> None:
    first = client.get("/")
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert "csrftoken" not in first.cookies
    assert client.get("/").headers.get("X-Page-Cache") == "hit"


def test_language_switch_sets_cookie_and_returns_to_the_page(client: Client) -> None:
    response = client.get("/idioma/en/", {"next": "/tramites/?q=dni"})
    assert response.status_code == 302
    assert response["Location"] == "/tramites/?q=dni"
    assert response.cookies["lang"].value == "en"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_language_switch_never_redirects_off_site(client: Client, target: str) -> None:
    response = client.get("/idioma/es/", {"next": target})
    assert response["Location"] == "/"


def test_unknown_language_is_not_found(client: Client) -> None:
    assert client.get("/idioma/xx/").status_code == 404


@pytest.mark.django_db
def test_english_visitors_get_the_english_interface(client: Client) -> None:
    client.cookies["lang"] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Was this page useful?" in html
    assert "Español" in html


@pytest.mark.django_db
def test_unknown_page_gets_spanish_404_with_ways_back(client: Client) -> None:
    response = client.get("/no-existe-esta-pagina/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "No encontramos esta página" in html
    assert 'href="/"' in html
    assert 'action="/buscar/"' in html


def test_server_error_page_renders_without_the_database() -> None:
    # No django_db mark: any query would fail the test.
    response = views.server_error(RequestFactory().get("/tramites/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Lo sentimos, hubo un problema" in html
    assert 'href="/"' in html


@override_settings(MAX_QUERY_STRING_LENGTH=50)
def test_overlong_query_string_gets_spanish_400(client: Client) -> None:
    response = client.get("/buscar/?q=" + "a" * 100)
    assert response.status_code == 400
    assert "No pudimos entender tu solicitud" in response.content.decode()


def test_bad_request_handler_is_spanish() -> None:
    response = views.bad_request(RequestFactory().get("/"), Exception())
    assert response.status_code == 400
    assert "No pudimos entender tu solicitud" in response.content.decode()
