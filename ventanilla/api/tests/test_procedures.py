"""GET /api/v1/procedures and /api/v1/procedures/{id}."""

import pytest

pytestmark = pytest.mark.django_db

LIST = "/api/v1/procedures"


def test_procedure_list_items_have_number_code_links_institution_and_fee(client, catalogue):
    response = client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert body["messages"] == []
    dni = body["results"][0]  # full pages first, then by popularity
    assert dni == {
        "id": 224,
        "code": "P001",
        "title": "Solicitar duplicado de DNI",
        "kind": "procedure",
        "kind_label": "Trámite",
        "url": "http://testserver/tramites/224-solicitar-duplicado-de-dni/",
        "api_url": "http://testserver/api/v1/procedures/224",
        "institution": {
            "slug": "reniec",
            "name": "Registro Nacional de Identificación y Estado Civil",
            "acronym": "RENIEC",
        },
        "fee_amount": "30.00",
        "has_detail": True,
    }
    by_id = {item["id"]: item for item in body["results"]}
    assert by_id[900_001]["fee_amount"] == "0.00"  # free is "0.00", not null
    entry = by_id[5_001]
    assert (entry["code"], entry["institution"], entry["fee_amount"], entry["has_detail"]) == (
        None,
        None,
        None,
        False,
    )
    assert [item["has_detail"] for item in body["results"]] == [True, True, False]


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("q=duplicado dni", [224]),
        ("q=Licencia", [900_001]),
        ("kind=procedure", [224, 900_001, 5_001]),
        ("institution=reniec", [224]),
        ("level=local", [900_001]),
        ("topic=identidad", [224]),
        ("online=true", [224]),
        ("online=1", [224]),
        ("online=false", [224, 900_001, 5_001]),
    ],
)
def test_procedure_list_filters_as_the_catalogue_page(client, catalogue, query, ids):
    body = client.get(f"{LIST}?{query}").json()

    assert [item["id"] for item in body["results"]] == ids
    assert body["messages"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=form", "El tipo «form» no existe."),
        ("institution=no-existe", "La institución «no-existe» no existe."),
        ("level=galactic", "El nivel de gobierno «galactic» no existe."),
        ("topic=no-existe", "El tema «no-existe» no existe."),
    ],
)
def test_procedure_list_unknown_filter_value_gives_empty_results_and_message(
    client, catalogue, query, message
):
    response = client.get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert response.json() | {"messages": None} == {
        "count": 0,
        "page": 1,
        "page_size": 20,
        "next": None,
        "previous": None,
        "results": [],
        "messages": None,
    }
    assert response.json()["messages"] == [message]


def test_procedure_list_query_count_does_not_grow_with_rows(
    client, many_rows, django_assert_num_queries
):
    with django_assert_num_queries(2):  # one count, one page (institution joined in)
        body = client.get(f"{LIST}?page_size=100").json()
    assert len(body["results"]) == 33

    with django_assert_num_queries(3):  # plus the check that the institution exists
        body = client.get(f"{LIST}?institution=reniec").json()
    assert len(body["results"]) == 1


def test_procedure_detail_shows_everything_the_page_shows(client, catalogue):
    response = client.get("/api/v1/procedures/224")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == 224
    assert body["code"] == "P001"
    assert body["slug"] == "solicitar-duplicado-de-dni"
    assert body["summary"] == "Te permite obtener un certificado."
    assert body["audience"] == "Cualquier persona mayor de edad."
    assert body["requirements"] == ["Recibo de pago", "DNI vigente"]
    assert (body["fee_amount"], body["is_free"]) == ("30.00", False)
    assert body["fee_detail"] == "DNI azul S/ 30.00; DNIe S/ 35.00"
    assert body["time_limit"] == "10 días hábiles"
    assert body["validity"] == "Misma fecha de caducidad"
    assert body["tupa_code"] == "PA-01"
    assert body["online_url"] == "https://www.gob.pe/reniec/duplicado"
    assert body["gobpe_url"] == "https://www.gob.pe/224"
    assert body["channels"] == [
        {
            "kind": "online",
            "kind_label": "En línea",
            "description": "En cualquier oficina de atención.",
            "url": "",
            "steps": ["Ingresa a la plataforma", "Paga en línea"],
        },
        {
            "kind": "in_person",
            "kind_label": "Presencial",
            "description": "En cualquier oficina de atención.",
            "url": "",
            "steps": [],
        },
    ]
    assert body["sections"] == [{"heading": "Debes saber", "items": ["Uno.", "Dos."]}]
    assert body["topics"] == [
        {
            "slug": "identidad",
            "name": "Identidad y documentos",
            "url": "http://testserver/temas/identidad/",
        }
    ]
    assert body["source"] == {
        "url": "https://www.gob.pe/",
        "type": "",
        "checked_on": "2026-09-08",
    }
    assert body["institution"]["slug"] == "reniec"
    assert body["updated_at"]


@pytest.mark.parametrize("identifier", ["224", "P001", "p001", "224-solicitar-duplicado-de-dni"])
def test_procedure_detail_accepts_number_code_or_gobpe_address(client, catalogue, identifier):
    response = client.get(f"/api/v1/procedures/{identifier}")

    assert response.status_code == 200
    assert response.json()["id"] == 224


def test_procedure_detail_of_a_free_procedure_says_so(client, catalogue):
    body = client.get("/api/v1/procedures/P002").json()

    assert (body["fee_amount"], body["is_free"]) == ("0.00", True)


def test_procedure_detail_query_count_is_fixed(client, many_rows, django_assert_num_queries):
    # The procedure with its institution, then requirements, channels, steps, sections, topics.
    with django_assert_num_queries(6):
        assert client.get("/api/v1/procedures/224").status_code == 200


@pytest.mark.parametrize(
    "identifier",
    ["999", "P999", "0", "9999999999", "99999999999", "9" * 30, "abc def", "-1", "224.0", "%C3%B1"],
)
def test_procedure_detail_unknown_id_is_a_spanish_json_404(client, catalogue, identifier):
    response = client.get(f"/api/v1/procedures/{identifier}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("No existe un trámite con el identificador «")


def test_unpublished_procedure_is_not_in_the_api(client, catalogue):
    catalogue.dni.is_published = False
    catalogue.dni.save()

    assert client.get("/api/v1/procedures/224").status_code == 404
    assert 224 not in [item["id"] for item in client.get(LIST).json()["results"]]
