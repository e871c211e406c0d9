"""GovStack Registration API: application files (our cases) and tasks. These carry personal
data: see ventanilla.cases.selectors.registration for who reads what."""

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from ventanilla.api.govstack import http
from ventanilla.api.govstack.serializers import application_json, completed_json, iso, task_json
from ventanilla.cases.selectors.registration import (
    REFERENCE_INSTITUTION_SLUG,
    Page,
    registration_case,
    registration_cases,
    registration_client_trusted,
    registration_service,
    registration_task,
    registration_tasks,
)
from ventanilla.cases.services.handling import case_task_complete
from ventanilla.cases.services.registration import case_registration_update
from ventanilla.cases.services.submission import case_create_external


def _page(params: dict[str, str]) -> Page:
    return Page(
        first=http.integer(params, "firstResult", 0),
        size=http.integer(params, "maxResult", 100),
        sort_by=params.get("sortBy", ""),
        descending=params.get("sortOrder", "").lower() == "desc",
    )


def _body(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    try:
        return http.body_fields(request)
    except http.BodyError as problem:
        return http.bad_request(str(problem), _("El cuerpo de la solicitud no es JSON válido."))
    except RequestDataTooBig:
        return http.bad_request("The body is too large", _("La solicitud es demasiado grande."))


def _submission_errors(body: dict[str, Any]) -> HttpResponse | None:
    """What an applicationFileSubmit must hold: applicantId, and well-formed optional parts."""
    applicant = body.get("applicantId")
    if not isinstance(applicant, str) or not applicant.strip():
        return http.bad_request(
            "applicantId is required",
            _("Falta applicantId: el identificador de quien presenta la solicitud."),
        )
    form_data = body.get("formData", {})
    if (
        not isinstance(form_data, dict)
        or not isinstance(form_data.get("data", {}), dict)
        or not isinstance(form_data.get("eFormId", ""), str)
    ):
        return http.bad_request(
            "formData must be an object {data: object, eFormId: string}",
            _("formData debe ser un objeto con «data» (objeto) y «eFormId»."),
        )
    urls = body.get("documentUrls", [])
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        return http.bad_request(
            "documentUrls must be a list of strings",
            _("documentUrls debe ser una lista de direcciones."),
        )
    if "applicationName" in body and not isinstance(body["applicationName"], str):
        return http.bad_request(
            "applicationName must be a string", _("applicationName debe ser texto.")
        )
    if "created" in body and _created(body["created"]) is None:
        return http.bad_request(
            "created must be an ISO 8601 date-time",
            _("created debe ser una fecha y hora ISO 8601 (p. ej. 2000-10-23T00:00:00.000Z)."),
        )
    return None


def _created(value: Any) -> str | None:
    """An ISO 8601 date-time as sent (a bare date means its midnight, UTC); None if invalid."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is not None:
        return text
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    return f"{day.isoformat()}T00:00:00.000Z" if day else None


def _application_data(body: dict[str, Any]) -> dict[str, Any]:
    form_data = body.get("formData") or {}
    return {
        "applicationName": body.get("applicationName", ""),
        "applicantId": body["applicantId"].strip(),
        "created": _created(body.get("created")) or iso(timezone.now()),
        "formData": {"data": form_data.get("data") or {}, "eFormId": form_data.get("eFormId", "")},
        "documentUrls": body.get("documentUrls") or [],
    }


def application_submit(request: HttpRequest, service_id: str) -> HttpResponse:
    client = http.client_of(request)
    service = registration_service(service_id=service_id)
    if service is None or not (
        registration_client_trusted(client)
        or service.institution.slug == REFERENCE_INSTITUTION_SLUG
    ):
        return http.not_found("service")
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    problem = _submission_errors(body)
    if problem is not None:
        return problem
    data = _application_data(body)
    key = request.headers.get("Idempotency-Key", "").strip()
    try:
        case = case_create_external(
            service=service,
            applicant_ref=data["applicantId"][:120],
            applicant_name=str(data["applicationName"])[:300],
            answers=data["formData"]["data"],
            external={"applicationData": data, "client": client or ""},
            idempotency_key=(
                "govstack-" + hashlib.sha256(f"{client}|{service_id}|{key}".encode()).hexdigest()
                if key
                else None
            ),
        )
    except ValidationError as invalid:
        messages = invalid.messages
        return http.bad_request("formData.data does not answer the eForm", " ".join(messages))
    return http.answer(application_json(case), private=True)


def service_applications(request: HttpRequest, service_id: str) -> HttpResponse:
    if request.method != "POST":
        return http.not_allowed(["POST"])
    return application_submit(request, service_id)


def applications(request: HttpRequest) -> HttpResponse:
    params = http.query(request)
    found = registration_cases(
        client=http.client_of(request),
        service_id=params.get("serviceId"),
        applicant_id=params.get("applicantId"),
        page=_page(params),
    )
    return http.answer([application_json(c) for c in found], private=True)


def application(request: HttpRequest, file_id: str) -> HttpResponse:
    client = http.client_of(request)
    case = registration_case(client=client, file_id=file_id)
    if case is None:
        return http.not_found("application file")
    if request.method in ("GET", "HEAD"):
        return http.answer(application_json(case), private=True)
    if request.method != "PUT":
        return http.not_allowed(["GET", "PUT"])
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    problem = _submission_errors(body)
    if problem is not None:
        return problem
    try:
        case = case_registration_update(
            case=case, application_data=_application_data(body), client=client
        )
    except PermissionDenied:
        return http.not_found("application file")
    case = registration_case(client=client, file_id=file_id) or case
    return http.answer(application_json(case), private=True)


def tasks(request: HttpRequest) -> HttpResponse:
    params = http.query(request)
    found = registration_tasks(
        client=http.client_of(request),
        main_task_id=params.get("mainTaskId"),
        file_id=params.get("fileId"),
        assignee_id=params.get("assigneeId"),
        page=_page(params),
    )
    return http.answer([task_json(t) for t in found], private=True)


def task(request: HttpRequest, task_id: str) -> HttpResponse:
    found = registration_task(client=http.client_of(request), task_id=task_id)
    if found is None:
        return http.not_found("task")
    if request.method not in ("GET", "HEAD"):
        return http.not_allowed(["GET"])
    return http.answer(task_json(found), private=True)


def task_complete(request: HttpRequest, task_id: str) -> HttpResponse:
    found = registration_task(client=http.client_of(request), task_id=task_id)
    if found is None:
        return http.not_found("task")
    if request.method != "POST":
        return http.not_allowed(["POST"])
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    data = body.get("data", {})
    if not isinstance(data, dict):
        return http.bad_request("data must be an object", _("«data» debe ser un objeto."))
    try:
        done = case_task_complete(task=found, data=data, by=None)
    except PermissionDenied:
        return http.not_found("task")
    return http.answer(completed_json(done), private=True)
