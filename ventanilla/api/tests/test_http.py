"""What every /api/ answer guarantees: JSON errors in Spanish, open CORS, public caching."""

import pytest

pytestmark = pytest.mark.django_db


def _is_json_error(response) -> bool:
    return response["Content-Type"].startswith("application/json") and isinstance(
        response.json().get("detail"), str
    )


@pytest.mark.parametrize("path", ["/api/v1/institutions", "/api/v1/procedures"])
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page=abc", "page", "Debe ser un número entero."),
        ("page=0", "page", "Debe ser mayor o igual que 1."),
        ("page_size=1000", "page_size", "Debe ser menor o igual que 100."),
        ("page_size=0", "page_size", "Debe ser mayor o igual que 1."),
        ("page_size=", "page_size", "Debe ser un número entero."),
    ],
)
def test_invalid_pagination_is_a_422_naming_the_parameter_in_spanish(
    client, catalogue, path, query, field, message
):
    response = client.get(f"{path}?{query}")

    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith(f"El parámetro «{field}» no es válido: ")
    assert body["errors"] == [
        {
            "loc": ["query", field],
            "field": field,
            "message": message,
            "type": body["errors"][0]["type"],
        }
    ]


def test_several_invalid_parameters_are_all_reported(client, catalogue):
    body = client.get("/api/v1/procedures?page=abc&page_size=1000&online=quizas").json()

    assert sorted(e["field"] for e in body["errors"]) == ["online", "page", "page_size"]
    assert "«online» no es válido: debe ser true o false" in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/institutions", "/api/v1/procedures"])
def test_page_past_the_last_is_a_spanish_json_404(client, catalogue, path):
    response = client.get(f"{path}?page=9")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "La página 9 no existe: con 20 resultados por página hay 1 página."
    }


def test_page_one_of_nothing_is_an_empty_page_not_an_error(client, db):
    response = client.get("/api/v1/procedures")

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "path",
    ["/api/", "/api", "/api/v2/procedures", "/api/v1/nada", "/api/v1/procedures/224/extra"],
)
def test_unknown_path_under_api_is_a_spanish_json_404_not_html(client, catalogue, path):
    response = client.get(path)

    assert response.status_code == 404
    assert _is_json_error(response)
    assert response.json()["detail"].startswith("No existe nada en ")


def test_trailing_slash_404_suggests_the_right_address(client, catalogue):
    response = client.get("/api/v1/institutions/")

    assert response.status_code == 404
    assert response.json()["detail"] == (
        "No existe nada en /api/v1/institutions/. ¿Quiso decir /api/v1/institutions?"
    )


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/procedures", "/api/v1/institutions/reniec"])
def test_wrong_method_is_a_spanish_json_405(client, catalogue, method, path):
    response = getattr(client, method)(path, data="{}", content_type="application/json")

    assert response.status_code == 405
    assert _is_json_error(response)
    assert response.json()["detail"] == (
        f"El método {method.upper()} no está permitido aquí: la API solo acepta GET."
    )
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_over_long_query_string_is_a_spanish_json_400(client, catalogue):
    response = client.get("/api/v1/procedures?q=" + "x" * 5000)

    assert response.status_code == 400
    assert response.json() == {"detail": "La consulta es demasiado larga (máximo 2048 caracteres)."}


@pytest.mark.parametrize(
    "path", ["/api/v1/procedures", "/api/v1/procedures/224", "/api/v1/institutions/reniec"]
)
def test_get_answers_are_open_to_any_origin_cacheable_and_set_no_cookie(client, catalogue, path):
    response = client.get(path, HTTP_ORIGIN="https://datos.example.org")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Content-Language"] == "es"
    assert "ETag" in response
    assert not response.cookies


def test_etag_revalidation_answers_304(client, catalogue):
    etag = client.get("/api/v1/procedures/224")["ETag"]

    response = client.get("/api/v1/procedures/224", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_errors_are_open_to_any_origin_and_not_cached_as_public(client, catalogue):
    response = client.get("/api/v1/procedures/999")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "no-cache"


def test_api_speaks_spanish_whatever_the_language_cookie(client, catalogue):
    client.cookies["lang"] = "en"

    response = client.get("/api/v1/institutions?level=galactic")

    assert response["Content-Language"] == "es"
    assert response.json()["messages"] == ["El nivel de gobierno «galactic» no existe."]


def test_cors_preflight_is_answered(client, catalogue):
    response = client.options(
        "/api/v1/procedures",
        HTTP_ORIGIN="https://datos.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_head_is_answered_like_get_without_body(client, catalogue):
    response = client.head("/api/v1/procedures/224")

    assert response.status_code == 200
    assert response.content == b""


def test_api_root_points_to_the_documentation_and_collections(client, db):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    assert response.json()["openapi"] == "http://testserver/api/v1/openapi.json"
    assert response.json()["procedures"] == "http://testserver/api/v1/procedures"


def test_interactive_documentation_is_served_without_a_cdn(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"cdn.jsdelivr.net" not in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/institutions?q=%00",
        "/api/v1/institutions?department=%00&province=%00&district=%00&letter=%00",
        "/api/v1/institutions?level=%00&kind=%00",
        "/api/v1/institutions/%00",
        "/api/v1/institutions/%F0%9F%8F%9B",
        "/api/v1/institutions?q=%F0%9F%8F%9B&letter=%C3%91",
        "/api/v1/institutions?page=99999999999999999999",
        "/api/v1/institutions?page=-1&page_size=-1",
        "/api/v1/institutions?page=1e3",
        "/api/v1/institutions?page=1&page=2",
        "/api/v1/institutions?q=" + "%25" * 600,
        "/api/v1/procedures?q=%00&institution=%00&topic=%00&kind=%00&level=%00",
        "/api/v1/procedures?online=%00",
        "/api/v1/procedures?institution=" + "a" * 500,
        "/api/v1/procedures/%00",
        "/api/v1/procedures/P%00",
        "/api/v1/procedures/99999999999999999999",
        "/api/v1/procedures/" + "9" * 10,
        "/api/v1/procedures/%E2%80%AE",
    ],
)
def test_odd_input_never_gives_a_500(client, catalogue, url):
    response = client.get(url)

    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
