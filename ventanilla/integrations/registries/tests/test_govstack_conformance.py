"""The reference registry (`govstack`) against GovStack's fixtures.json, over real HTTP: every
reachedBy, mustBeFree, mustNotExist and note of the file."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from ventanilla.integrations.registries.data import GOVSTACK_FIXTURES, govstack_fixtures

from .client import Answer, call

FIXTURES = govstack_fixtures()
REGISTRY = "data/registryname/111"
SHARED = Path(__file__).resolve().parents[4].parent / "shared/govstack/digital-registries"
FIELDS = ("ID", "FirstName", "LastName", "BirthCertificateID")
RECORDS = FIXTURES["registries"][0]["records"]
REACHED = [
    (record, how)
    for registry in FIXTURES["registries"]
    for record in (registry["records"] or [registry])
    for how in record.get("reachedBy", ())
]


@pytest.fixture
def gs(registry_processes: Any) -> str:
    """The reference registry, reseeded and behaving."""
    url = registry_processes.url("govstack")
    registry_processes.reset()
    return url


def four(record: dict[str, Any]) -> dict[str, Any]:
    return {f: record[f] for f in FIELDS}


def read(url: str, query: dict[str, Any]) -> Answer:
    return call(url, "POST", f"{REGISTRY}/read", {"query": {"content": query}})


def assert_json(answer: Answer) -> Any:
    assert answer.content_type.startswith("application/json"), answer.content_type
    return answer.json()


def test_packaged_fixtures_are_a_copy_of_govstacks_file() -> None:
    shared = SHARED / "fixtures.json"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert json.loads(GOVSTACK_FIXTURES.read_text()) == json.loads(shared.read_text())


@pytest.mark.parametrize(("record", "how"), REACHED, ids=[h for _r, h in REACHED])
def test_every_reached_by_of_the_fixtures_answers(gs: str, record: dict, how: str) -> None:
    """Each reachedBy line of fixtures.json, done as it says; an unknown line fails."""
    if how.startswith("POST …/exists"):
        answer = call(gs, "POST", f"{REGISTRY}/exists", four(record))
        assert assert_json(answer) == {
            "answer": {"status": True, "message": "Object found from database"}
        }
    elif how.startswith("GET …/") and "/read-value/" in how:
        uuid, field = re.fullmatch(r"GET …/(\S+)/read-value/(\w+)\.json", how).groups()  # type: ignore[union-attr]
        answer = call(gs, "GET", f"{REGISTRY}/{uuid}/read-value/{field}.json")
        assert answer.status == 200
        assert assert_json(answer) == record[field]
    elif how in ("POST …/read by ID", "POST …/read by all four fields"):
        query = {"ID": record["ID"]} if how.endswith("ID") else four(record)
        answer = read(gs, query)
        assert answer.status == 200
        assert assert_json(answer) == {"content": four(record)}
    elif match := re.fullmatch(r'POST …/read by (\w+) "?([^"]+)"?', how):
        field, value = match.groups()
        assert record[field] == value
        answer = read(gs, {field: value})
        assert answer.status == 200
        content = assert_json(answer)["content"]
        assert content[field] == value
        assert set(content) == set(FIELDS)
    elif how.startswith("GET data/MyPersonalDataUsage/1.0?"):
        answer = call(gs, "GET", how.removeprefix("GET "))
        assert answer.status == 200
        assert assert_json(answer) == record["personalDataUsage"]
    elif how == "PUT …/update (query on all four fields)":
        body = {"query": {"content": four(record)}, "write": {"content": {"LastName": "Updated"}}}
        for _copy in range(3):  # clients repeat; the later copies no longer match the query
            answer = call(gs, "PUT", f"{REGISTRY}/update", body)
            assert answer.status == 200, answer.raw
        assert assert_json(read(gs, {"ID": record["ID"]}))["content"]["LastName"] == "Updated"
    elif match := re.fullmatch(r"PUT …/update-entries \(query (.+)\)", how):
        query = (
            four(record)
            if match.group(1) == "on all four fields"
            else {"FirstName": record["FirstName"]}
        )
        assert match.group(1) in ("on all four fields", f"FirstName {record['FirstName']}")
        body = {"query": {"content": query}, "write": {"content": {"BirthCertificateID": "RR-9"}}}
        for _copy in range(2):
            answer = call(gs, "PUT", f"{REGISTRY}/update-entries", body)
            assert answer.status == 200, answer.raw
        assert (
            assert_json(read(gs, {"ID": record["ID"]}))["content"]["BirthCertificateID"] == "RR-9"
        )
    elif how == "DELETE …/{ID}/delete":
        assert read(gs, {"ID": record["ID"]}).status == 200
        for _copy in range(2):
            assert call(gs, "DELETE", f"{REGISTRY}/{record['ID']}/delete").status == 204
        assert read(gs, {"ID": record["ID"]}).status == 404
    elif how == "GET data/registryempty/111 (200, count 0, results [])":
        answer = call(gs, "GET", "data/registryempty/111")
        assert answer.status == 200
        body = assert_json(answer)
        assert (body["count"], body["results"]) == (0, [])
    else:
        pytest.fail(f"no check written for reachedBy {how!r}")


def test_seed_holds_every_fixture_record_and_nothing_else(gs: str) -> None:
    answer = assert_json(call(gs, "GET", REGISTRY))
    assert answer["results"] == [four(r) for r in RECORDS]


@pytest.mark.parametrize("record_id", FIXTURES["mustBeFree"]["IDs"])
def test_must_be_free_ids_are_free_and_can_be_created_repeatedly(gs: str, record_id: str) -> None:
    assert read(gs, {"ID": record_id}).status == 404
    content = {
        "ID": record_id,
        "FirstName": "Nuevo",
        "LastName": "Registro",
        "BirthCertificateID": "X",
    }
    for _copy in range(2):
        answer = call(gs, "POST", f"{REGISTRY}/create", {"write": {"content": content}})
        assert answer.status == 200
        assert assert_json(answer) == {"content": content}
    listed = assert_json(call(gs, "GET", f"{REGISTRY}?filter=ID&search={record_id}"))
    assert listed["count"] == 1


def test_must_not_exist_first_name_reads_404_json(gs: str) -> None:
    spec = FIXTURES["mustNotExist"]["readFirstName"]
    answer = read(gs, {"FirstName": spec["value"]})
    assert answer.status == 404
    assert assert_json(answer) == {"detail": "no record found"}


@pytest.mark.parametrize("first_name", ["Mike", "Thomas", "Brook", "Alice"])
def test_exists_answers_false_for_the_absent_id(gs: str, first_name: str) -> None:
    query = {
        "ID": FIXTURES["mustNotExist"]["existsQueries"]["absentID"],
        "FirstName": first_name,
        "LastName": "Helmut",
        "BirthCertificateID": "RR-1234567889",
    }
    for body in (query, {"query": {"content": query}}):
        answer = call(gs, "POST", f"{REGISTRY}/exists", body)
        assert answer.status == 200
        assert assert_json(answer)["answer"] == {
            "status": False,
            "message": "Object not found from database",
        }


@pytest.mark.parametrize(
    ("method", "operation"),
    [
        ("POST", "create"),
        ("POST", "exists"),
        ("POST", "read"),
        ("PUT", "update"),
        ("PUT", "update-entries"),
        ("PUT", "updateEntries"),
        ("POST", "update-or-create"),
        ("POST", "updateOrCreate"),
    ],
)
def test_bodiless_writes_answer_400_json_never_500(gs: str, method: str, operation: str) -> None:
    answer = call(gs, method, f"{REGISTRY}/{operation}")
    assert answer.status == 400
    assert "detail" in assert_json(answer)


def test_update_entries_with_no_match_answers_200(gs: str) -> None:
    body = {"query": {"content": {"FirstName": "Nadie"}}, "write": {"content": {"LastName": "X"}}}
    answer = call(gs, "PUT", f"{REGISTRY}/updateEntries", body)
    assert answer.status == 200
    assert assert_json(answer) == {"count": 0}


def test_update_or_create_creates_then_updates_and_answers_the_written_record(gs: str) -> None:
    write = {
        "ID": "EE098765432109",
        "FirstName": "Ana",
        "LastName": "Adams",
        "BirthCertificateID": "RR-0987654321",
    }
    body = {"query": {"content": {"ID": write["ID"]}}, "write": {"content": write}}
    for _copy in range(2):
        answer = call(gs, "POST", f"{REGISTRY}/update-or-create", body)
        assert answer.status == 200
        assert assert_json(answer) == {"content": write}
    # The query matches nothing but write.content.ID names a record: that record is updated.
    body = {
        "query": {"content": {"FirstName": "Nobody"}},
        "write": {"content": {"ID": write["ID"], "LastName": "Adams-Updated"}},
    }
    answer = call(gs, "POST", f"{REGISTRY}/updateOrCreate", body)
    assert assert_json(answer)["content"] == write | {"LastName": "Adams-Updated"}
    listed = assert_json(call(gs, "GET", f"{REGISTRY}?filter=ID&search={write['ID']}"))
    assert listed["count"] == 1


def test_update_or_create_of_an_existing_record_answers_200(gs: str) -> None:
    record = four(RECORDS[1])
    body = {"query": {"content": record}, "write": {"content": record}}
    answer = call(gs, "POST", f"{REGISTRY}/update-or-create", body)
    assert answer.status == 200
    assert assert_json(answer) == {"content": record}


def test_delete_accepts_the_literal_id_placeholder(gs: str) -> None:
    before = assert_json(call(gs, "GET", REGISTRY))["count"]
    answer = call(gs, "DELETE", f"{REGISTRY}/%7Bid%7D/delete")
    assert (answer.status, answer.raw) == (204, b"")
    assert assert_json(call(gs, "GET", REGISTRY))["count"] == before


def test_list_search_filter_ordering_count_next_previous(gs: str) -> None:
    for ordering in ("ascending", "descending"):
        answer = call(gs, "GET", f"{REGISTRY}?search=John&filter=FirstName&ordering={ordering}")
        body = assert_json(answer)
        assert body["results"]
        assert all(r["FirstName"] == "John" for r in body["results"])
        assert body["count"] == len(body["results"])
        assert "next" not in body
        assert body["previous"] is None
    names = [
        r["LastName"]
        for r in assert_json(call(gs, "GET", f"{REGISTRY}?filter=LastName&ordering=descending"))[
            "results"
        ]
    ]
    assert names == sorted(names, reverse=True)
    names = [
        r["LastName"]
        for r in assert_json(call(gs, "GET", f"{REGISTRY}?filter=LastName&ordering=ascending"))[
            "results"
        ]
    ]
    assert names == sorted(names)


def test_list_pages_when_asked(gs: str) -> None:
    first = assert_json(call(gs, "GET", f"{REGISTRY}?page=1&pageSize=10"))
    assert (first["count"], len(first["results"]), first["previous"]) == (len(RECORDS), 10, None)
    assert isinstance(first["next"], str)
    assert "page=2" in first["next"]
    last = assert_json(call(gs, "GET", f"{REGISTRY}?page=3&pageSize=10"))
    assert len(last["results"]) == len(RECORDS) - 20
    assert "next" not in last
    assert "page=2" in last["previous"]
    assert call(gs, "GET", f"{REGISTRY}?page=0").status == 400


def test_read_value_under_both_spellings_is_a_bare_json_string(gs: str) -> None:
    for spelling in ("read-value", "readValue"):
        answer = call(
            gs, "GET", f"{REGISTRY}/80bcb084-fa17-11ed-be56-0242ac120002/{spelling}/FirstName.json"
        )
        assert answer.status == 200
        assert answer.content_type.startswith("application/json")
        assert answer.raw == b'"John"'


def test_my_personal_data_usage_under_both_spellings(gs: str) -> None:
    usage = FIXTURES["personalDataUsage"]
    for user in usage["userIdsQueried"]:
        expected = next(r["personalDataUsage"] for r in RECORDS if r["ID"] == user)
        for path in (
            f"data/MyPersonalDataUsage/1.0?userID={user}&DatabaseID={usage['databaseId']}",
            f"data/myPersonalDataUsage?userId={user}&databaseId={usage['databaseId']}",
        ):
            answer = call(gs, "GET", path)
            assert answer.status == 200
            assert assert_json(answer) == expected
    assert (
        assert_json(call(gs, "GET", "data/MyPersonalDataUsage/1.0?userID=EE1&DatabaseID=MCTS"))
        == []
    )


@pytest.mark.parametrize(
    "query",
    ["userID=...&DatabaseID=MCTS", "userID=EE378129127223&DatabaseID=...", "DatabaseID=MCTS"],
)
def test_my_personal_data_usage_refuses_bad_parameters(gs: str, query: str) -> None:
    answer = call(gs, "GET", f"data/MyPersonalDataUsage/1.0?{query}")
    assert answer.status == 400
    assert "detail" in assert_json(answer)


def test_databases_catalogue_and_each_database(gs: str) -> None:
    spec = FIXTURES["databases"]
    catalogue = assert_json(call(gs, "GET", "databases"))
    assert list(catalogue) == [
        "id",
        "name",
        "code",
        "databases",
        "group_id",
        "order",
        "data_index_increment",
    ]
    assert {k: v for k, v in catalogue.items() if k != "databases"} == spec["catalogue"]
    ids = [*spec["readableIds"], *spec["deletableIds"]]
    assert [d["id"] for d in catalogue["databases"]] == ids
    for database_id in spec["readableIds"]:
        database = assert_json(call(gs, "GET", f"database/{database_id}"))
        assert database == {"id": database_id, **spec["everyDatabaseIs"]}
    assert call(gs, "GET", "database/424242").status == 404


def test_database_delete_is_idempotent(gs: str) -> None:
    for database_id in FIXTURES["databases"]["deletableIds"]:
        for _copy in range(2):
            answer = call(gs, "DELETE", f"database/{database_id}")
            assert answer.status == 200
            assert assert_json(answer) == "Success"
        assert call(gs, "GET", f"database/{database_id}").status == 404
    assert call(gs, "GET", f"database/{FIXTURES['databases']['readableIds'][0]}").status == 200


def test_database_modify_stores_the_schema_repeatably(gs: str) -> None:
    schema = {"type": "object", "properties": {"ID": {"type": "string"}}, "required": ["ID"]}
    body = {
        "group_name": "Salud",
        "catalog_name": "Mother and Child",
        "code": "MCTS",
        "schema": schema,
    }
    for _copy in range(2):
        answer = call(gs, "POST", "database/modify", body)
        assert answer.status == 200
        assert assert_json(answer) == schema
    assert assert_json(call(gs, "GET", "database/1"))["schema"] == schema
    assert call(gs, "POST", "database/modify").status == 400
    assert call(gs, "POST", "database/modify", {"code": "MCTS"}).status == 400


def test_people_are_not_unique_by_name_or_birth_certificate(gs: str) -> None:
    for record_id, first, last, certificate in (
        ("EE123456789012", "John", "Smith", "RR-1234567890"),
        ("EE383838348834", "Ana", "Adams", "RR-0987654321"),
    ):
        content = {
            "ID": record_id,
            "FirstName": first,
            "LastName": last,
            "BirthCertificateID": certificate,
        }
        assert call(gs, "POST", f"{REGISTRY}/create", {"write": {"content": content}}).status == 200
        found = assert_json(
            call(gs, "GET", f"{REGISTRY}?filter=BirthCertificateID&search={certificate}")
        )
        assert found["count"] == 2


def test_every_answer_is_json_and_quick(gs: str) -> None:
    paths = [
        ("GET", REGISTRY, None),
        ("GET", "data/unknown/1", None),
        ("GET", "nothing/here", None),
        ("POST", f"{REGISTRY}/read", {"query": {"content": {"ID": "nope"}}}),
        ("GET", f"{REGISTRY}/nope/read-value/FirstName.json", None),
        ("POST", f"{REGISTRY}/exists", {"ID": "nope"}),
        ("GET", f"{REGISTRY}/create", None),
    ]
    for method, path, body in paths:
        started = time.monotonic()
        answer = call(gs, method, path, body)
        assert time.monotonic() - started < 15
        assert answer.raw, (method, path)
        assert_json(answer)
