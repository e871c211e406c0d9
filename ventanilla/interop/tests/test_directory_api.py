"""The GovStack Information Mediator directory through the real URLs: every reachedBy,
mustBeRejected item and note of fixtures.json, and the Peruvian directory."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.interop.services.setup import GOVSTACK_FIXTURES

FIXTURES: dict[str, Any] = json.loads(Path(GOVSTACK_FIXTURES).read_text(encoding="utf-8"))
SHARED = settings.BASE_DIR.parent / "shared" / "govstack" / "information-mediator" / "fixtures.json"
JSON_UTF8 = "application/json; charset=utf-8"
SHAPE_KEYS = set(FIXTURES["responseShape"]["example"]["member"][0])
OBJECT_TYPES = set(FIXTURES["responseShape"]["objectTypeValues"])
DR_CLIENT = "eGovStack/GOV/90000009/digitalregistries"
PROVIDERS = FIXTURES["providers"]
PROVIDER_IDS = [p["clientId"] for p in PROVIDERS]
URLS = {
    k: f"http://127.0.0.1:{9000 + i}"
    for i, k in enumerate(["reniec", "migraciones", "sunat", "sunarp", "mtc"])
}


@pytest.fixture
def directory(db: None) -> dict[str, Any]:
    call_command("interop_govstack_load", verbosity=0)
    return FIXTURES


@pytest.fixture
def api() -> Client:
    return Client()


def _json(response: Any) -> Any:
    assert response["Content-Type"] == JSON_UTF8
    return json.loads(response.content)


def _members(response: Any) -> list[dict[str, Any]]:
    """The answer's items, checked against the shape reference clients accept."""
    assert response.status_code == 200
    data = _json(response)
    assert set(data) == {"member"}
    for item in data["member"]:
        assert set(item) <= SHAPE_KEYS, set(item) - SHAPE_KEYS
        assert set(item["objectType"]) == {"object_type"}
        assert item["objectType"]["object_type"] in OBJECT_TYPES
        for key, value in item.items():
            if key not in ("objectType", "endpointList"):
                assert isinstance(value, str)
    return list(data["member"])


def _ids(items: list[dict[str, Any]], kind: str) -> set[str]:
    keys = ["GovStackInstance", "memberClass", "memberCode"]
    if kind != "MEMBER":
        keys.append("applicationCode")
    if kind == "SERVICE":
        keys.append("serviceCode")
    return {"/".join(i[k] for k in keys) for i in items if i["objectType"]["object_type"] == kind}


def test_the_project_copy_of_fixtures_is_the_shared_one() -> None:
    if SHARED.exists():
        assert json.loads(SHARED.read_text(encoding="utf-8")) == FIXTURES


@pytest.mark.parametrize("path", ["/listClients", "/r1/listClients"])
def test_list_clients_without_a_client_header_lists_every_consumer_and_provider(
    directory: dict[str, Any], api: Client, path: str
) -> None:
    items = _members(api.get(path))
    subsystems = _ids(items, "SUBSYSTEM")
    for entry in FIXTURES["consumers"] + PROVIDERS:
        assert entry["clientId"] in subsystems
    assert "eGovStack/GOV/90000010/registries" in subsystems
    members = _ids(items, "MEMBER")
    assert "eGovStack/GOV/90000009" in members
    assert "identifier/identifier/alp4aNum3r1c" in members


@pytest.mark.parametrize("name", ["serviceId", "instanceId"])
def test_list_clients_filter_values_answer_200(
    directory: dict[str, Any], api: Client, name: str
) -> None:
    for value in FIXTURES["listClientsFilterValues"][name]:
        items = _members(api.get("/r1/listClients", {name: value}))
        # Each alias names the provider whose service carries it.
        owners = {
            p["clientId"]
            for p in PROVIDERS
            if any(value in s["filterAliases"][name] for s in p["services"])
        }
        assert _ids(items, "SUBSYSTEM") == owners


def test_list_clients_filters_that_match_nothing_give_an_empty_list(
    directory: dict[str, Any], api: Client
) -> None:
    assert _members(api.get("/listClients?instanceId=NoExiste")) == []
    assert _members(api.get("/listClients?serviceId=noexiste")) == []
    everything = _members(api.get("/listClients"))
    assert _members(api.get("/listClients?unknownParam=1&otro")) == everything


def test_list_clients_takes_the_last_occurrence_and_splits_on_a_stray_question_mark(
    directory: dict[str, Any], api: Client
) -> None:
    stray = _members(api.get("/r1/listClients?serviceId=serviceId1?serviceId=serviceId2"))
    assert _ids(stray, "SUBSYSTEM") == {"a11a11a11a/asd2211a/12as12/m3mb3rc0d3"}
    repeated = _members(api.get("/r1/listClients?serviceId=nada&serviceId=serviceId3"))
    assert _ids(repeated, "SUBSYSTEM") == {"a552example/zzz321a/m3mb3rc0d3/aa15"}
    instance = _members(api.get("/r1/listClients?instanceId=x&instanceId=eGovStack"))
    assert _ids(instance, "SUBSYSTEM") == {
        *[c["clientId"] for c in FIXTURES["consumers"]],
        "eGovStack/GOV/90000010/registries",
    }


@pytest.mark.parametrize("provider", PROVIDERS, ids=PROVIDER_IDS)
def test_list_methods_reached_with_the_literal_header_name_as_client(
    directory: dict[str, Any], api: Client, provider: dict[str, Any]
) -> None:
    response = api.get(
        f"/r1/{provider['clientId']}/listMethods",
        headers={"X-GovStack-Client": "X-GovStack-Client"},
    )
    items = _members(response)
    spec = provider["services"][0]
    assert _ids(items, "SERVICE") == {f"{provider['clientId']}/{spec['serviceCode']}"}
    assert items[0]["serviceVersion"] == spec["serviceVersion"]
    assert items[0]["serviceType"] == spec["serviceType"]
    assert items[0]["endpointList"] == spec["endpointList"]


@pytest.mark.parametrize("provider", PROVIDERS, ids=PROVIDER_IDS)
def test_list_methods_service_id_filter_uses_the_aliases(
    directory: dict[str, Any], api: Client, provider: dict[str, Any]
) -> None:
    base = f"/r1/{provider['clientId']}/listMethods"
    for alias in provider["services"][0]["filterAliases"]["serviceId"]:
        assert len(_members(api.get(base, {"serviceId": alias}))) == 1
    for alias in provider["services"][0]["filterAliases"]["instanceId"]:
        assert len(_members(api.get(base, {"instanceId": alias}))) == 1
    assert _members(api.get(base, {"serviceId": "alp4aNum3r1c"}))
    assert _members(api.get(base, {"serviceId": "otroServicio"})) == []


@pytest.mark.parametrize("provider", PROVIDERS, ids=PROVIDER_IDS)
def test_allowed_methods_for_the_reference_client(
    directory: dict[str, Any], api: Client, provider: dict[str, Any]
) -> None:
    response = api.get(
        f"/r1/{provider['clientId']}/allowedMethods",
        headers={"Information-Mediator-Client": DR_CLIENT},
    )
    items = _members(response)
    assert _ids(items, "SERVICE") == {f"{provider['clientId']}/alp4aNum3r1c"}


@pytest.mark.parametrize("provider", PROVIDERS, ids=PROVIDER_IDS)
def test_allowed_methods_with_quoted_segments_and_odd_parameter_names(
    directory: dict[str, Any], api: Client, provider: dict[str, Any]
) -> None:
    quoted = "/".join(f"%22{part}%22" for part in provider["clientId"].split("/"))
    headers = {"Information-Mediator-Client": DR_CLIENT}
    for query in ("", "?serviceId1=serviceId1", "?%22serviceId1%22=%22serviceId1%22"):
        items = _members(api.get(f"/r1/{quoted}/allowedMethods{query}", headers=headers))
        assert _ids(items, "SERVICE") == {f"{provider['clientId']}/alp4aNum3r1c"}


def test_allowed_methods_lists_only_what_the_caller_was_granted(
    directory: dict[str, Any], api: Client
) -> None:
    provider = "identifier/identifier/alp4aNum3r1c/alp4aNum3r1c"
    url = f"/r1/{provider}/allowedMethods"
    # The Registration client has no access right to the reference providers…
    other = {"X-Road-Client": "eGovStack/GOV/90000009/eregistrations-dev"}
    assert _members(api.get(url, headers=other)) == []
    # …but to the reference registries.
    registries = _members(
        api.get("/r1/eGovStack/GOV/90000010/registries/allowedMethods", headers=other)
    )
    assert {i["serviceCode"] for i in registries} == {"data", "databases", "database"}
    # No header, a malformed one, an unknown client: 200 and nothing allowed.
    assert _members(api.get(url)) == []
    assert _members(api.get(url, headers={"X-GovStack-Client": "X-GovStack-Client"})) == []
    assert _members(api.get(url, headers={"X-Road-Client": "PE/GOB/1/nadie"})) == []
    # Any of the three header names.
    for header in ("X-Road-Client", "X-GovStack-Client", "Information-Mediator-Client"):
        assert len(_members(api.get(url, headers={header: DR_CLIENT}))) == 1


def test_unknown_provider_lists_nothing(directory: dict[str, Any], api: Client) -> None:
    assert _members(api.get("/r1/a/b/c/d/listMethods")) == []
    headers = {"X-Road-Client": DR_CLIENT}
    assert _members(api.get("/r1/a/b/c/d/allowedMethods", headers=headers)) == []


@pytest.mark.parametrize("provider", PROVIDERS, ids=PROVIDER_IDS)
def test_get_openapi_answers_a_json_string(
    directory: dict[str, Any], api: Client, provider: dict[str, Any]
) -> None:
    response = api.get(
        f"/r1/{provider['clientId']}/getOpenAPI?serviceCode=alp4aNum3r1c",
        headers={"Information-Mediator-Client": DR_CLIENT},
    )
    assert response.status_code == 200
    body = _json(response)
    assert isinstance(body, str)
    document = json.loads(body)
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": f"/r1/{provider['clientId']}/alp4aNum3r1c"}]


def _rejected(response: Any) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == JSON_UTF8
    if response.content:
        assert isinstance(json.loads(response.content), str)


@pytest.mark.parametrize("path", FIXTURES["mustBeRejected"]["paths"])
def test_get_openapi_rejects_invalid_identifiers(
    directory: dict[str, Any], api: Client, path: str
) -> None:
    _rejected(
        api.get(
            f"/r1/{path}/getOpenAPI?serviceCode=alp4aNum3r1c",
            headers={"Information-Mediator-Client": DR_CLIENT},
        )
    )


@pytest.mark.parametrize("query", ["?serviceCode=_invalid", "?serviceCode=", ""])
def test_get_openapi_rejects_invalid_empty_or_absent_service_codes(
    directory: dict[str, Any], api: Client, query: str
) -> None:
    for provider in PROVIDER_IDS:
        _rejected(api.get(f"/r1/{provider}/getOpenAPI{query}"))


def test_get_openapi_of_a_valid_but_unknown_service_is_400_too(
    directory: dict[str, Any], api: Client
) -> None:
    _rejected(
        api.get("/r1/identifier/identifier/alp4aNum3r1c/alp4aNum3r1c/getOpenAPI?serviceCode=otro")
    )


def test_a_request_sent_twice_first_bare_then_complete(
    directory: dict[str, Any], api: Client
) -> None:
    url = "/r1/identifier/identifier/alp4aNum3r1c/alp4aNum3r1c/getOpenAPI"
    _rejected(api.get(url))
    second = api.get(
        url + "?serviceCode=alp4aNum3r1c", headers={"Information-Mediator-Client": DR_CLIENT}
    )
    assert second.status_code == 200
    allowed = "/r1/identifier/identifier/alp4aNum3r1c/alp4aNum3r1c/allowedMethods"
    assert _members(api.get(allowed)) == []
    assert len(_members(api.get(allowed, headers={"X-Road-Client": DR_CLIENT}))) == 1


def test_directory_answers_are_never_cached(directory: dict[str, Any], api: Client) -> None:
    response = api.get("/r1/listClients")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_every_path_of_the_fixtures_is_served(directory: dict[str, Any], api: Client) -> None:
    ids = PROVIDERS[0]
    for template in FIXTURES["paths"]["list"]:
        path = (
            template.replace("{GovStackInstance}", ids["GovStackInstance"])
            .replace("{memberClass}", ids["memberClass"])
            .replace("{memberCode}", ids["memberCode"])
            .replace("{applicationCode}", ids["applicationCode"])
            .replace("{serviceCode}", "alp4aNum3r1c")
        )
        assert api.get(f"/r1/{path}", headers={"X-Road-Client": DR_CLIENT}).status_code == 200


# The Peruvian directory.


@pytest.fixture
def peru(db: None) -> dict[str, Any]:
    mtc = InstitutionFactory(name="Ministerio de Transportes y Comunicaciones", ruc="20131379944")
    call_command("interop_setup", *[f"--url={k}={v}" for k, v in URLS.items()], verbosity=0)
    return {"mtc": mtc}


def test_peruvian_allowed_methods_for_the_mtc_digital_services(
    peru: dict[str, Any], api: Client
) -> None:
    headers = {"X-Road-Client": "PE/GOB/20131379944/ventanilla"}
    reniec = _members(api.get("/r1/PE/GOB/20295613620/padron/allowedMethods", headers=headers))
    assert _ids(reniec, "SERVICE") == {"PE/GOB/20295613620/padron/personas"}
    assert reniec[0]["endpointList"]["member"] == [
        {"method": "POST", "path": "/read"},
        {"method": "POST", "path": "/exists"},
    ]
    # The MTC's digital services were not granted Migraciones' register; the platform was.
    migraciones = "/r1/PE/GOB/20551239692/padron/allowedMethods"
    assert _members(api.get(migraciones, headers=headers)) == []
    platform = {"X-Road-Client": settings.INTEROP_PLATFORM_CLIENT}
    assert len(_members(api.get(migraciones, headers=platform))) == 1


def test_peruvian_get_openapi_carries_the_registry_record_schema(
    peru: dict[str, Any], api: Client
) -> None:
    response = api.get("/r1/PE/GOB/20295613620/padron/getOpenAPI?serviceCode=personas")
    document = json.loads(_json(response))
    assert set(document["paths"]) == {"/read", "/exists"}
    persona = document["components"]["schemas"]["Persona"]["properties"]
    assert {"ID", "Prenombres", "ApellidoPaterno", "FechaNacimiento", "UbigeoDomicilio"} <= set(
        persona
    )
    text = json.dumps(document)
    assert "#/components/schemas/Example" not in text
    assert "X-Ventanilla-Subject" in document["components"]["parameters"]
