"""Every note of fixtures.json (the reference clients' quirks), and who may read personal data."""

import base64
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from ventanilla.audit.models import AuditEvent
from ventanilla.cases.models import Case, CaseFile, CaseTask

from .conftest import BASE, CLIENT_ID, FIXTURES, HEADER

MCTS = "f7d33db0-2809-484e-a780-76b7ccd4ecbf"
PUT_FILE = "b8508d35-c2f3-442b-88a1-267ca25e85c0"
COMPLETE_TASK = "d1e33d56-c5c7-4272-aeb6-bc2732cce1f2"


def test_reload_puts_mutated_records_back_and_drops_new_ones(reference: Any, api: Client) -> None:
    api.post(f"{BASE}tasks/{COMPLETE_TASK}/complete", {}, content_type="application/json")
    api.put(
        f"{BASE}applications/{PUT_FILE}",
        {"applicantId": "someone-else"},
        content_type="application/json",
        headers=HEADER,
    )
    api.post(f"{BASE}services/{MCTS}/applications", {"applicantId": "x"}, headers=HEADER)
    assert Case.objects.count() == 6
    call_command("govstack_registration_load", verbosity=0)
    assert Case.objects.count() == len(FIXTURES["applications"])
    task = CaseTask.objects.get(task_id=COMPLETE_TASK)
    assert (task.status, task.completed_at) == ("PENDING", None)
    assert (
        Case.objects.get(file_id=PUT_FILE).applicant_ref == "622fcd1a-8070-4efc-9d26-29461f83a15b"
    )


def test_post_application_without_body_answers_400_json(reference: Any, api: Client) -> None:
    response = api.post(f"{BASE}services/{MCTS}/applications", headers=HEADER)
    assert response.status_code == 400
    assert isinstance(response.json()["code"], str)
    broken = api.post(
        f"{BASE}services/{MCTS}/applications", "{not json", content_type="application/json"
    )
    assert broken.status_code == 400


def test_post_application_accepts_json_as_well_as_form_fields(reference: Any, api: Client) -> None:
    body = {
        "applicantId": "sgh123h5-bdb2-11ed-9397-fdae352dfa10",
        "applicationName": "Amya Yuko",
        "formData": {"data": {"numberOfRegistrations": 1}, "eFormId": "d98a205a"},
    }
    response = api.post(
        f"{BASE}services/{MCTS}/applications", body, content_type="application/json", headers=HEADER
    )
    assert response.status_code == 200
    created = Case.objects.get(file_id=response.json()["fileId"])
    assert created.applicant_ref == body["applicantId"]
    assert created.service is not None
    assert created.service.public_id == MCTS


def test_idempotency_key_makes_a_repeated_submission_one_case(reference: Any, api: Client) -> None:
    headers = {**HEADER, "Idempotency-Key": "abc-1"}
    first = api.post(f"{BASE}services/{MCTS}/applications", {"applicantId": "a"}, headers=headers)
    second = api.post(f"{BASE}services/{MCTS}/applications", {"applicantId": "a"}, headers=headers)
    assert first.json()["fileId"] == second.json()["fileId"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "services"),
        ("get", "services/P2c9280957e579ad7017e58a3399f0068/eForms"),
        ("get", "eForms/d98a205a-679b-485b-823d-7a32a391e744"),
        ("get", "tasks/81c4445c-bff6-11ed-afa1-0242ac120002"),
    ],
)
def test_calls_without_the_header_answer_normally(
    reference: Any, api: Client, method: str, path: str
) -> None:
    assert getattr(api, method)(f"{BASE}{path}").status_code == 200


def test_documents_accept_base64_form_field_and_answer_url(reference: Any, api: Client) -> None:
    response = api.post(
        f"{BASE}documents?additionalMetadata=mother",
        "file=V2UgbG92ZSBqc29uIQ%3D%3D",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["code"], int)
    assert body["type"]
    assert body["message"]
    stored = CaseFile.objects.get()
    assert body["url"].endswith(f"documents/{stored.public_id}")
    assert stored.file.read() == b"We love json!"
    assert AuditEvent.objects.filter(action="case_file.received_govstack").count() == 1
    # The document is personal data: only a named client fetches it.
    assert api.get(body["url"]).status_code == 404
    fetched = api.get(body["url"], headers=HEADER)
    assert fetched.status_code == 200
    content = b"".join(fetched.streaming_content)  # type: ignore[attr-defined]
    assert content == b"We love json!"


def test_documents_accept_multipart_file(reference: Any, api: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cert.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = api.post(f"{BASE}documents", {"file": upload})
    assert response.status_code == 200
    assert response.json()["type"] == "application/pdf"
    text = api.post(f"{BASE}documents", {"file": base64.b64encode(b"hola").decode()})
    assert text.status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("", "application/x-www-form-urlencoded"),
        ("", "application/json"),
        ("file=%%%not-base64", "application/x-www-form-urlencoded"),
        ("file=", "application/x-www-form-urlencoded"),
    ],
)
def test_documents_without_a_document_answer_400_system_error(
    reference: Any, api: Client, body: str, content_type: str
) -> None:
    response = api.post(f"{BASE}documents", body, content_type=content_type)
    assert response.status_code == 400
    error = response.json()
    assert set(error) == {"traceId", "code", "message", "localizedMessage"}
    assert isinstance(error["code"], str)


def test_documents_over_the_cap_answer_400(
    reference: Any, api: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ventanilla.api.govstack.views.DOCUMENT_MAX_BYTES", 1000)
    payload = base64.b64encode(b"x" * 5000).decode()
    response = api.post(
        f"{BASE}documents", f"file={payload}", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "MB" in response.json()["localizedMessage"]
    assert not CaseFile.objects.exists()


def test_unknown_id_with_lost_last_segment_gets_404_not_405(reference: Any, api: Client) -> None:
    assert api.post(f"{BASE}tasks/n0t-ex1st1ng-task").status_code == 404
    known = api.post(f"{BASE}tasks/{COMPLETE_TASK}")
    assert known.status_code == 405
    assert known.json()["code"] == "METHOD_NOT_ALLOWED"


def test_task_values_are_objects_and_status_in_enum(reference: Any, api: Client) -> None:
    for record in FIXTURES["tasks"]:
        body = api.get(f"{BASE}tasks/{record['taskId']}").json()
        assert all(isinstance(v, dict) for v in body["formVariables"].values())
        assert all(isinstance(v, dict) for v in body["data"].values())
        assert body["status"]["code"] in ("PENDING", "APPROVED", "SENDBACK", "REJECTED")


def test_get_application_has_file_service_and_applicant(reference: Any, api: Client) -> None:
    for record in FIXTURES["applications"]:
        body = api.get(f"{BASE}applications/{record['fileId']}", headers=HEADER).json()
        assert body["fileId"] == record["fileId"]
        assert body["serviceId"] == record["serviceId"]
        assert body["applicationData"]["applicantId"] == record["applicantId"]


# --- statistics ----------------------------------------------------------------------------------

STATS_KEYS = {"processed", "approved", "sentBack", "rejected", "references"}
REFERENCE_KEYS = {
    "startDate", "endDate", "registrationName", "operator", "role",
    "timeframeDay", "timeframeWeek", "timeframeMonth", "timeframeYear",
}  # fmt: skip


@pytest.mark.parametrize("path", ["data/statistics/1.0", "data/statistics"])
@pytest.mark.parametrize("period", FIXTURES["statistics"]["periodsQueried"])
def test_statistics_know_mcts_and_its_operator(
    reference: Any, api: Client, path: str, period: dict[str, str]
) -> None:
    response = api.get(
        f"{BASE}{path}",
        {**period, "registrationName": "MCTS", "operator": "Ingmar Vali", "role": "Handler"},
        headers=HEADER,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    [item] = response.json()
    assert set(item) == STATS_KEYS
    assert set(item["references"]) == REFERENCE_KEYS
    assert all(isinstance(item[k], int) for k in STATS_KEYS - {"references"})
    refs = item["references"]
    assert refs["timeframe" + period["timeframe"].title()] is True
    assert sum(refs[f"timeframe{t}"] for t in ("Day", "Week", "Month", "Year")) == 1
    assert (refs["startDate"], refs["operator"], refs["role"]) == (
        period["startDate"], "Ingmar Vali", "Handler",
    )  # fmt: skip


def test_statistics_without_parameters_use_empty_strings_not_nulls(
    reference: Any, api: Client
) -> None:
    [item] = api.get(f"{BASE}data/statistics/1.0", headers=HEADER).json()
    assert None not in item["references"].values()
    assert item["references"]["registrationName"] == ""


@pytest.mark.parametrize("value", ["", "''", "invalid_header", "eGovStack/GOV/90000009/", None])
def test_statistics_reject_a_bad_client_header(
    reference: Any, api: Client, value: str | None
) -> None:
    headers = {} if value is None else {"Information-Mediator-Client": value}
    response = api.get(f"{BASE}data/statistics/1.0", {"registrationName": "MCTS"}, headers=headers)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_repeated_parameters_and_stray_question_marks(reference: Any, api: Client) -> None:
    query = (
        "timeframe=week&timeframe=day?startDate=2021-01-30&endDate=2021-01-30"
        "&registrationName=MCTS&operator=Ingmar%20Vali&role=Handler&timeframe=day"
    )
    response = api.get(f"{BASE}data/statistics/1.0?{query}", headers=HEADER)
    assert response.status_code == 200
    refs = response.json()[0]["references"]
    assert (refs["timeframeDay"], refs["timeframeWeek"]) == (True, False)
    assert refs["startDate"] == "2021-01-30"
    listed = api.get(
        f"{BASE}applications?serviceId=x?applicantId=11962de0-11b2-11cc-9390-0242ac121114"
        "&serviceId=abc529c-fe34-11ud-be56-0242ac120002",
        headers=HEADER,
    )
    assert [a["fileId"] for a in listed.json()] == ["77c4775c-b7f3-17ed-afa1-0772ac120077"]


def test_statistics_count_decided_cases_of_the_operator(reference: Any, api: Client) -> None:
    from django.utils import timezone

    from ventanilla.accounts.models import User

    operator = User.objects.get(first_name="Ingmar", last_name="Vali")
    made = api.post(f"{BASE}services/{MCTS}/applications", {"applicantId": "a"}, headers=HEADER)
    case = Case.objects.get(file_id=made.json()["fileId"])
    # The reference services use the default workflow: "aprobado" is of kind approved.
    Case.objects.filter(pk=case.pk).update(
        status="aprobado", status_changed_at=timezone.now(), assignee=operator
    )
    [item] = api.get(
        f"{BASE}data/statistics/1.0",
        {"registrationName": "MCTS", "operator": "Ingmar Vali", "role": "Handler"},
        headers=HEADER,
    ).json()
    assert (item["processed"], item["approved"], item["rejected"]) == (1, 1, 0)


def test_every_path_answers_within_15_seconds(reference: Any, api: Client) -> None:
    started = time.monotonic()
    for path in FIXTURES["paths"]["list"]:
        concrete = (
            path.replace("{serviceId}", MCTS)
            .replace("{eFormId}", "d98a205a-679b-485b-823d-7a32a391e744")
            .replace("{fileId}", PUT_FILE)
            .replace("{taskId}", COMPLETE_TASK)
        )
        api.get(f"{BASE}{concrete}", headers=HEADER)
    assert time.monotonic() - started < 15


# --- personal data -----------------------------------------------------------------------------


@pytest.fixture
def our_case(reference: Any) -> Case:
    """A case of a real institution's service (not the reference institution)."""
    from django.utils import timezone

    from ventanilla.formbuilder.definition import default_workflow
    from ventanilla.formbuilder.models import DigitalService, ServiceVersion
    from ventanilla.institutions.tests.factories import InstitutionFactory

    institution = InstitutionFactory.create(slug="mtc", name="Ministerio de Transportes")
    service = DigitalService.objects.create(
        institution=institution, slug="permiso", name="Permiso especial", reference_prefix="MTC"
    )
    version = ServiceVersion.objects.create(
        service=service,
        number=1,
        name="Permiso especial",
        definition={"title": "Permiso", "pages": []},
        workflow=default_workflow(),
        digest="x",
        published_at=timezone.now(),
    )
    service.current_version = version
    service.save()
    case = Case.objects.create(
        reference="MTC-1999-000001",
        institution=institution,
        service=service,
        service_version=version,
        applicant_ref="12345678",
        applicant_name="Rosa Quispe",
        status="en_revision",
        submitted_at=timezone.now(),
    )
    CaseTask.objects.create(case=case, name="Revisión")
    return case


def test_our_cases_are_served_only_to_named_clients(our_case: Case, api: Client) -> None:
    detail = f"{BASE}applications/{our_case.file_id}"
    assert api.get(detail).status_code == 404
    other = {"Information-Mediator-Client": "eGovStack/GOV/90000001/someone"}
    assert api.get(detail, headers=other).status_code == 404
    shown = api.get(detail, headers=HEADER)
    assert shown.status_code == 200
    assert shown.json()["status"] == {"code": "PENDING", "title": "En revisión"}
    assert shown["Cache-Control"] == "private, no-store"
    listed = {a["fileId"] for a in api.get(f"{BASE}applications").json()}
    assert our_case.file_id not in listed
    assert our_case.file_id in {
        a["fileId"] for a in api.get(f"{BASE}applications", headers=HEADER).json()
    }
    task = our_case.tasks.get()
    assert api.get(f"{BASE}tasks/{task.task_id}").status_code == 404
    assert (
        api.post(
            f"{BASE}tasks/{task.task_id}/complete", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        api.get(f"{BASE}tasks/{task.task_id}", headers=HEADER).json()["mainTaskId"]
        == our_case.file_id
    )


def test_our_services_take_applications_only_from_named_clients(
    our_case: Case, api: Client
) -> None:
    service_id = our_case.service.public_id  # type: ignore[union-attr]
    url = f"{BASE}services/{service_id}/applications"
    assert api.post(url, {"applicantId": "12345678"}).status_code == 404
    response = api.post(
        url, {"applicantId": "12345678"}, headers={"Information-Mediator-Client": CLIENT_ID}
    )
    assert response.status_code == 200
    assert response.json()["status"]["code"] == "PENDING"


def test_our_published_services_are_listed_with_sensible_defaults(
    our_case: Case, api: Client
) -> None:
    service = our_case.service
    assert service is not None
    [item] = api.get(f"{BASE}services/{service.public_id}").json()
    assert (item["version"], item["type"], item["isExecutable"]) == ("1", "Public", True)
    eforms = api.get(f"{BASE}services/{service.public_id}/eForms").json()
    assert eforms[0]["latest"] is True
    full = api.get(f"{BASE}eForms/{eforms[0]['eFormId']}").json()
    assert full["schema"] == {"title": "Permiso", "pages": []}
