"""The result links' click ping and the suggestions the search box offers as you type."""

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.search.models import SearchClick, SearchLog

pytestmark = pytest.mark.django_db

SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "search.js"


@pytest.fixture
def logged(client: Client, reindex: Any) -> dict[str, Any]:
    procedure = ProcedureFactory(title="Solicitar duplicado de DNI")
    reindex()
    client.get("/buscar/?q=dni")
    return {"log": SearchLog.objects.get(), "procedure": procedure}


def ping(client: Client, query: str, **extra: Any) -> Any:
    return client.post(f"/buscar/clic/?{query}", data="PING", content_type="text/ping", **extra)


def test_a_ping_records_the_click_once(client: Client, logged: dict[str, Any]) -> None:
    log, procedure = logged["log"], logged["procedure"]
    query = f"b={log.pk}&t=procedure&i={procedure.pk}&p=1"
    headers = {"HTTP_PING_FROM": "http://testserver/buscar/?q=dni"}
    assert ping(client, query, **headers).status_code == 204
    assert ping(client, query, **headers).status_code == 204  # a second click still answers
    click = SearchClick.objects.get()
    assert (click.log_id, click.kind, click.object_id, click.position) == (
        log.pk,
        "procedure",
        procedure.pk,
        1,
    )


def test_the_ping_needs_no_csrf_token(logged: dict[str, Any]) -> None:
    strict = Client(enforce_csrf_checks=True)
    log, procedure = logged["log"], logged["procedure"]
    assert ping(strict, f"b={log.pk}&t=procedure&i={procedure.pk}&p=3").status_code == 204
    assert SearchClick.objects.count() == 1


def test_a_ping_for_an_unknown_search_or_result_counts_nothing(
    client: Client, logged: dict[str, Any]
) -> None:
    log, procedure = logged["log"], logged["procedure"]
    assert ping(client, f"b={log.pk + 99}&t=procedure&i={procedure.pk}&p=1").status_code == 204
    assert ping(client, f"b={log.pk}&t=procedure&i={procedure.pk + 99}&p=1").status_code == 204
    assert ping(client, f"b={log.pk}&t=topic&i={procedure.pk}&p=1").status_code == 204
    assert SearchClick.objects.count() == 0


@pytest.mark.parametrize(
    "query",
    [
        "",
        "b=1&t=procedure&i=1",
        "b=x&t=procedure&i=1&p=1",
        "b=1&t=xyz&i=1&p=1",
        "b=1&t=procedure&i=-1&p=1",
        "b=1&t=procedure&i=1&p=1.5",
        "b=99999999999999999999999999&t=procedure&i=1&p=1",
        "b=1&t=procedure&i=1&p=%00",
        "b=1&t=%3Cscript%3E&i=1&p=1",
        "b=%D9%A3&t=procedure&i=1&p=1",  # an Arabic-Indic digit: isdigit() but not ours
    ],
)
def test_a_ping_with_bad_parameters_gets_a_spanish_400(client: Client, query: str) -> None:
    response = ping(client, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Clic no válido" in response.content.decode()
    assert SearchClick.objects.count() == 0


def test_the_click_address_refuses_get_with_405(client: Client, logged: dict[str, Any]) -> None:
    log, procedure = logged["log"], logged["procedure"]
    response = client.get(f"/buscar/clic/?b={log.pk}&t=procedure&i={procedure.pk}&p=1")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "solo cuenta clics" in response.content.decode()
    assert SearchClick.objects.count() == 0


def test_suggestions_return_titles_that_complete_what_is_typed(
    client: Client, reindex: Any
) -> None:
    procedure: Any = ProcedureFactory(title="Obtener licencia de conducir")
    institution: Any = InstitutionFactory(name="Ministerio de Transportes y Comunicaciones")
    reindex()
    for typed in ("licen", "licencia", "Licencia de"):
        response = client.get("/buscar/sugerencias/", {"q": typed})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "q": typed,
            "suggestions": [
                {
                    "title": "Obtener licencia de conducir",
                    "url": procedure.get_absolute_url(),
                    "type": "procedure",
                }
            ],
        }, typed
    found = client.get("/buscar/sugerencias/", {"q": "ministerio de trans"}).json()
    assert found["suggestions"] == [
        {"title": institution.name, "url": institution.get_absolute_url(), "type": "institution"}
    ]


def test_suggestions_forgive_a_typo(client: Client, reindex: Any) -> None:
    ProcedureFactory(title="Certificado de antecedentes penales")
    reindex()
    found = client.get("/buscar/sugerencias/", {"q": "antesedentes"}).json()
    assert [s["title"] for s in found["suggestions"]] == ["Certificado de antecedentes penales"]


def test_suggestions_are_cacheable_for_a_short_time_and_not_logged(
    client: Client, reindex: Any
) -> None:
    ProcedureFactory(title="Obtener licencia de conducir")
    reindex()
    response = client.get("/buscar/sugerencias/", {"q": "licen"})
    assert response["Cache-Control"] == "public, max-age=300"
    client.get("/buscar/sugerencias/", {"q": "xylofono"})  # through the forgiving search too
    assert SearchLog.objects.count() == 0


@pytest.mark.parametrize(
    "typed", ["", "a", "   ", '"', "*", "NEAR", "' OR 1=1 --", "\x00", "<b>", "x" * 2000, "OR AND"]
)
def test_suggestions_for_odd_input_are_an_empty_or_plain_list(client: Client, typed: str) -> None:
    response = client.get("/buscar/sugerencias/", {"q": typed})
    assert response.status_code == 200
    body = response.json()
    assert body["suggestions"] == []
    assert len(body["q"]) <= 200
    assert "\x00" not in body["q"]


def test_suggestions_refuse_post(client: Client) -> None:
    assert client.post("/buscar/sugerencias/", {"q": "dni"}).status_code == 405


def test_suggestions_query_count_is_pinned(
    client: Client, reindex: Any, django_assert_num_queries: Any
) -> None:
    ProcedureFactory.create_batch(12, title="Obtener licencia de conducir")
    reindex()
    client.get("/buscar/sugerencias/", {"q": "licen"})  # warms the synonym and acronym memos
    with django_assert_num_queries(2):  # the ranked matches, their titles and addresses
        assert len(client.get("/buscar/sugerencias/", {"q": "licen"}).json()["suggestions"]) == 8


def test_every_page_loads_the_suggestions_script_deferred_with_spanish_messages(
    client: Client,
) -> None:
    html = client.get("/").content.decode()
    head = html[: html.index("</head>")]
    assert '<script src="/static/js/search.js" defer data-url="/buscar/sugerencias/"' in head
    assert 'data-many="%n sugerencias; usa las flechas para elegir."' in head


def test_the_suggestions_script_is_small_and_needs_no_framework() -> None:
    source = SCRIPT.read_text(encoding="utf-8")
    assert len(gzip.compress(source.encode(), compresslevel=9)) < 2048
    assert len(source.encode()) < 4096
    for needed in ("AbortController", "aria-activedescendant", "aria-expanded", "role', 'status"):
        assert needed in source, needed
    assert "import " not in source
    assert "require(" not in source


def test_suggestions_json_is_utf8_not_escaped(client: Client, reindex: Any) -> None:
    ProcedureFactory(title="Inscripción de nacimiento")
    reindex()
    raw = client.get("/buscar/sugerencias/", {"q": "inscrip"}).content
    assert "Inscripción".encode() in raw
    assert json.loads(raw)["suggestions"][0]["title"] == "Inscripción de nacimiento"
