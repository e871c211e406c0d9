"""Every `reachedBy` and `mustNotExist` item of the building block's fixtures.json, against the
records `govstack_registration_load` seeds."""

from typing import Any

import pytest
from django.test import Client

from .conftest import BASE, FIXTURES, HEADER

SERVICES = {s["id"]: s for s in FIXTURES["services"]}
APPLICATIONS = {a["fileId"]: a for a in FIXTURES["applications"]}
TASKS = {t["taskId"]: t for t in FIXTURES["tasks"]}
EFORMS = {e["eFormId"]: e for e in FIXTURES["eForms"]}
SERVICE_FIELDS = ("id", "name", "version", "type", "isExecutable", "isClosed", "description")


def _json(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


def test_every_fixture_service_is_listed_with_its_values(reference: Any, api: Client) -> None:
    listed = {s["id"]: s for s in _json(api.get(f"{BASE}services"))}
    for service_id, record in SERVICES.items():
        for field in (*SERVICE_FIELDS, "serviceBody"):
            assert listed[service_id][field] == record[field], (service_id, field)


def test_post_application_on_mother_and_child_service_answers_200(
    reference: Any, api: Client
) -> None:
    service_id = "f7d33db0-2809-484e-a780-76b7ccd4ecbf"
    for applicant in FIXTURES["referencedIdsWithoutOwnRecord"]["applicantIdsSentOnSubmission"]:
        response = api.post(
            f"{BASE}services/{service_id}/applications",
            {"applicantId": applicant, "applicationName": "Amya Yuko", "created": "2000-10-23"},
            headers=HEADER,
        )
        assert response.status_code == 200
        body = _json(response)
        assert body["serviceId"] == service_id
        assert body["applicationData"]["applicantId"] == applicant
        for key in ("fileId", "registered", "serviceName", "status", "ended"):
            assert key in body
        assert body["status"]["code"] == "PENDING"


def test_get_service_answers_an_array_with_the_one_service(reference: Any, api: Client) -> None:
    service_id = "P2c9280957e579ad7017e58a3399f0068"
    body = _json(api.get(f"{BASE}services/{service_id}", headers=HEADER))
    assert isinstance(body, list)
    assert len(body) == 1
    assert {k: body[0][k] for k in SERVICE_FIELDS} == {
        k: SERVICES[service_id][k] for k in SERVICE_FIELDS
    }


def test_service_eforms_list_only_the_list_keys(reference: Any, api: Client) -> None:
    body = _json(api.get(f"{BASE}services/P2c9280957e579ad7017e58a3399f0068/eForms"))
    eform = EFORMS["w12a205a-679b-xx34-823d-7a32a391e744"]
    assert body == [{k: eform[k] for k in ("eFormId", "name", "description", "version", "latest")}]


@pytest.mark.parametrize(
    "name", ["Good Health and Well-Being", "Industry and Infrastructure", "Zero Hunger"]
)
def test_services_by_name_is_an_exact_match(reference: Any, api: Client, name: str) -> None:
    body = _json(api.get(f"{BASE}services", {"name": name}))
    assert [s["name"] for s in body] == [name]


def test_eform_by_id_carries_its_schema(reference: Any, api: Client) -> None:
    eform = EFORMS["d98a205a-679b-485b-823d-7a32a391e744"]
    body = _json(api.get(f"{BASE}eForms/{eform['eFormId']}"))
    assert body == {
        k: eform[k] for k in ("eFormId", "name", "description", "version", "latest", "schema")
    }


def test_application_file_by_id_echoes_the_fixture(reference: Any, api: Client) -> None:
    record = APPLICATIONS["81c4445c-bff6-11ed-afa1-0242ac120002"]
    body = _json(api.get(f"{BASE}applications/{record['fileId']}", headers=HEADER))
    for key, value in record.items():
        if key != "reachedBy":
            assert body[key] == value, key


def test_applications_by_service_id(reference: Any, api: Client) -> None:
    body = _json(
        api.get(
            f"{BASE}applications",
            {"serviceId": "0b4e529c-fe1a-11ed-be56-0242ac120002"},
            headers=HEADER,
        )
    )
    assert [a["fileId"] for a in body] == ["33c4445c-bff3-13ed-afa1-0332ac120033"]


def test_applications_by_applicant_id(reference: Any, api: Client) -> None:
    body = _json(
        api.get(
            f"{BASE}applications",
            {"applicantId": "11962de0-11b2-11cc-9390-0242ac121114"},
            headers=HEADER,
        )
    )
    assert [a["fileId"] for a in body] == ["77c4775c-b7f3-17ed-afa1-0772ac120077"]


def test_applications_by_service_and_applicant_with_paging_and_sort(
    reference: Any, api: Client
) -> None:
    body = _json(
        api.get(
            f"{BASE}applications",
            {
                "serviceId": "99be529c-fe1a-11ed-be56-0242ac120555",
                "applicantId": "99b62de0-11b2-11cc-9390-0242ac121555",
                "firstResult": "0",
                "maxResult": "10",
                "sortBy": "created",
                "sortOrder": "asc",
            },
            headers=HEADER,
        )
    )
    assert [a["fileId"] for a in body] == ["11c4115c-b7f3-17ed-afa1-0112ac120011"]


def test_put_application_updates_and_repeats(reference: Any, api: Client) -> None:
    file_id = "b8508d35-c2f3-442b-88a1-267ca25e85c0"
    submit = {
        "applicationName": "Amya Yuko",
        "applicantId": "622fcd1a-8070-4efc-9d26-29461f83a15b",
        "created": "2000-10-23T00:00:00.000Z",
        "formData": {
            "data": {"mother": {"name": "Amya"}},
            "eFormId": "42962de0-bdb2-11ed-9397-0242ac120004",
        },
        "documentUrls": ["string"],
    }
    for _attempt in range(2):
        response = api.put(
            f"{BASE}applications/{file_id}", submit, content_type="application/json", headers=HEADER
        )
        assert response.status_code == 200
        body = _json(response)
        assert body["fileId"] == file_id
        assert body["serviceId"] == "8b410187-e137-4487-b627-09b2b909e630"
        assert body["applicationData"] == submit
    again = _json(api.get(f"{BASE}applications/{file_id}", headers=HEADER))
    assert again["applicationData"]["formData"]["data"] == {"mother": {"name": "Amya"}}


@pytest.mark.parametrize(
    "query",
    [
        {"mainTaskId": "42962de0-bdb2-11ed-9397-0242ac120004"},
        {"assigneeId": "42962de0-bdb2-11ed-9397-0242ac120022"},
        {
            "fileId": "99be529c-fe1a-11ed-be56-0242ac120555",
            "mainTaskId": "42962de0-bdb2-11ed-9397-0242ac120004",
            "assigneeId": "42962de0-bdb2-11ed-9397-0242ac120022",
            "firstResult": "0",
            "maxResult": "10",
            "sortBy": "created",
            "sortOrder": "asc",
        },
    ],
)
def test_tasks_filters_find_the_fixture_task(
    reference: Any, api: Client, query: dict[str, str]
) -> None:
    body = _json(api.get(f"{BASE}tasks", query, headers=HEADER))
    assert [t["taskId"] for t in body] == ["42962de0-bdb2-11ed-9397-0242ac120033"]


def test_task_by_id_echoes_the_fixture(reference: Any, api: Client) -> None:
    record = TASKS["81c4445c-bff6-11ed-afa1-0242ac120002"]
    body = _json(api.get(f"{BASE}tasks/{record['taskId']}"))
    for key, value in record.items():
        if key != "reachedBy":
            assert body[key] == value, key


def test_complete_task_answers_200_twice(reference: Any, api: Client) -> None:
    task_id = "d1e33d56-c5c7-4272-aeb6-bc2732cce1f2"
    for _attempt in range(2):
        response = api.post(
            f"{BASE}tasks/{task_id}/complete",
            {"data": {"decision": {"value": "ok"}}},
            content_type="application/json",
        )
        assert response.status_code == 200
        body = _json(response)
        assert body["taskId"] == task_id
        assert body["status"]["code"] in ("PENDING", "APPROVED", "SENDBACK", "REJECTED")


# --- mustNotExist ------------------------------------------------------------------------------


def test_unknown_service_gets_404_on_post_applications(reference: Any, api: Client) -> None:
    response = api.post(
        f"{BASE}services/n0t-ex1st1ng-serv1ce-1d/applications",
        {"applicantId": "42962de0-bdb2-11ed-9397-0242ac120004"},
        headers=HEADER,
    )
    assert response.status_code == 404
    assert _json(response)["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("applications", {"serviceId": "n0t-ex1st1ng-serv1ce"}),
        ("applications", {"applicantId": "n0t-ex1st1ng-applicant"}),
        ("tasks", {"fileId": "n0t-ex1st1ng-file"}),
        ("tasks", {"mainTaskId": "n0t-ex1st1ng-main-task"}),
        ("tasks", {"assigneeId": "n0t-ex1st1ng-assignee"}),
    ],
)
def test_filters_matching_nothing_answer_empty_list(
    reference: Any, api: Client, path: str, query: dict[str, str]
) -> None:
    response = api.get(f"{BASE}{path}", query, headers=HEADER)
    assert response.status_code == 200
    assert _json(response) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "applications/n0t-ex1st1ng-serv1ce"),
        ("put", "applications/n0t-ex1st1ng-file"),
        ("get", "tasks/n0t-ex1st1ng-task"),
        ("post", "tasks/n0t-ex1st1ng-task"),
        ("post", "tasks/n0t-ex1st1ng-task/complete"),
        ("get", "eForms/n0t-ex1st1ng-eForm"),
        ("get", "services/n0t-ex1st1ng-serv1ce"),
    ],
)
def test_unknown_ids_answer_json_404(reference: Any, api: Client, method: str, path: str) -> None:
    response = getattr(api, method)(
        f"{BASE}{path}",
        {"applicantId": "x"} if method == "put" else None,
        content_type="application/json",
        headers=HEADER,
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert set(response.json()) == {"traceId", "code", "message", "localizedMessage"}


def test_unknown_registration_name_gets_404_on_statistics(reference: Any, api: Client) -> None:
    response = api.get(
        f"{BASE}data/statistics/1.0", {"registrationName": "n0tex1st"}, headers=HEADER
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
