"""GET /api/v1/institutions and /api/v1/institutions/{slug}."""

import pytest

from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/institutions"


def test_institution_list_is_paginated_a_to_z_with_location_and_links(client, catalogue):
    response = client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert (body["page"], body["page_size"], body["next"], body["previous"]) == (1, 20, None, None)
    assert body["messages"] == []
    first, second = body["results"]
    assert [first["name"], second["name"]] == [
        "Municipalidad Metropolitana de Lima",
        "Registro Nacional de Identificación y Estado Civil",
    ]
    assert second == {
        "id": "reniec",
        "slug": "reniec",
        "name": "Registro Nacional de Identificación y Estado Civil",
        "acronym": "RENIEC",
        "level": "national",
        "level_label": "Nacional",
        "kind": "public_agency",
        "kind_label": "Organismo público",
        "ruc": "20295613620",
        "url": "http://testserver/institucion/reniec/",
        "api_url": "http://testserver/api/v1/institutions/reniec",
        "location": {
            "department": {"code": "15", "name": "Lima"},
            "province": {"code": "1501", "name": "Lima"},
            "district": {"code": "150101", "name": "Lima"},
        },
    }
    assert first["location"]["district"] is None


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("q=identificacion", ["reniec"]),  # accents do not matter
        ("q=RENIEC", ["reniec"]),
        ("level=local", ["munilima"]),
        ("kind=provincial_municipality", ["munilima"]),
        ("department=15", ["munilima", "reniec"]),
        ("province=1501", ["munilima", "reniec"]),
        ("district=150101", ["reniec"]),
        ("letter=r", ["reniec"]),
        ("level=national&letter=M", []),
    ],
)
def test_institution_list_filters_as_the_directory_page(client, catalogue, query, slugs):
    body = client.get(f"{LIST}?{query}").json()

    assert [item["slug"] for item in body["results"]] == slugs
    assert body["messages"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("level=galactic", "El nivel de gobierno «galactic» no existe."),
        ("kind=embassy", "El tipo de institución «embassy» no existe."),
        ("department=99", "El departamento «99» no existe."),
        ("province=9999", "La provincia «9999» no existe."),
        ("district=999999", "El distrito «999999» no existe."),
        ("letter=%C3%91%C3%91", "«ÑÑ» no es una letra de la A a la Z."),
    ],
)
def test_institution_list_unknown_filter_value_gives_empty_results_and_message(
    client, catalogue, query, message
):
    response = client.get(f"{LIST}?{query}")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 0
    assert body["results"] == []
    assert body["messages"] == [message]


def test_institution_list_pages_link_to_each_other_keeping_the_filters(client, catalogue):
    for n in range(3):
        InstitutionFactory(name=f"Municipalidad distrital {n}", level="local")

    first = client.get(f"{LIST}?level=local&page_size=2").json()
    second = client.get(first["next"]).json()

    assert first["count"] == 4
    assert first["next"] == "http://testserver/api/v1/institutions?level=local&page_size=2&page=2"
    assert first["previous"] is None
    assert second["page"] == 2
    assert second["next"] is None
    assert second["previous"] == (
        "http://testserver/api/v1/institutions?level=local&page_size=2&page=1"
    )
    names = [i["name"] for i in first["results"] + second["results"]]
    assert len(set(names)) == 4


def test_institution_list_query_count_does_not_grow_with_rows(
    client, many_rows, django_assert_num_queries
):
    # One count, one page (location joined in).
    with django_assert_num_queries(2):
        body = client.get(f"{LIST}?page_size=100").json()
    assert len(body["results"]) == 32

    # Plus one existence check per place filter.
    with django_assert_num_queries(3):
        body = client.get(f"{LIST}?department=15&page_size=100").json()
    assert len(body["results"]) == 32


def test_institution_detail_has_contact_channels(client, catalogue):
    response = client.get("/api/v1/institutions/reniec")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "reniec"
    assert body["gobpe_url"] == "https://www.gob.pe/institucion/reniec"
    assert body["procedures_api_url"] == ("http://testserver/api/v1/procedures?institution=reniec")
    assert [(c["kind"], c["kind_label"], c["value"]) for c in body["contacts"]] == [
        ("phone", "Teléfono", "(01) 315-2700"),
        ("website", "Sitio web", "https://www.gob.pe/reniec"),
    ]
    assert body["location"]["district"] == {"code": "150101", "name": "Lima"}
    assert body["updated_at"]


def test_institution_detail_query_count_is_fixed(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(2):  # the institution, its contacts
        assert client.get("/api/v1/institutions/reniec").status_code == 200


@pytest.mark.parametrize("slug", ["no-existe", "RENIEC", "x" * 300, "%C3%B1and%C3%BA"])
def test_institution_detail_unknown_slug_is_a_spanish_json_404(client, catalogue, slug):
    response = client.get(f"/api/v1/institutions/{slug}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("No existe una institución con el identificador")
