"""Reads for the GovStack Registration API (docs/decisions/0011-govstack-registration-api.md).

Who may see what: services and e-forms are public. Applications and tasks carry personal data,
so they are read only by the clients named in settings.GOVSTACK_REGISTRATION_CLIENTS, except the
records of the eGovStack reference institution, which are the building block's published
example data and are read by anyone (reference clients call some paths without naming
themselves)."""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from ventanilla.accounts.models import Membership, Role, User
from ventanilla.cases.models import Case, CaseFile, CaseTask
from ventanilla.formbuilder.definition import govstack_status
from ventanilla.formbuilder.models import DigitalService, ServiceVersion

REFERENCE_INSTITUTION_SLUG = "egovstack-registros-de-referencia"
# `external["origin"]` of the reference tasks, which belong to no case of ours.
REFERENCE_ORIGIN = "govstack-reference"
# INSTANCE/CLASS/MEMBER/SUBSYSTEM, as the reference mock checks it.
CLIENT_PATTERN = re.compile(r"^[A-Za-z0-9_]+/[A-Za-z0-9_]+/[A-Za-z0-9_]+/[A-Za-z0-9_-]+$")
# GovStack role names (statistics `role`) and the platform roles they stand for.
ROLE_BY_GOVSTACK_NAME = {
    "handler": Role.CASE_OFFICER,
    "supervisor": Role.CASE_SUPERVISOR,
}
MAX_PAGE = 1000
DEFAULT_PAGE = 100


def registration_client_valid(client: str | None) -> bool:
    """Whether an Information-Mediator-Client value is well formed."""
    return bool(client) and CLIENT_PATTERN.match(client or "") is not None


def registration_client_trusted(client: str | None) -> bool:
    """Whether the client is named in GOVSTACK_REGISTRATION_CLIENTS (sees personal data)."""
    allowed = getattr(settings, "GOVSTACK_REGISTRATION_CLIENTS", [])
    return registration_client_valid(client) and client in allowed


def _case_visibility(client: str | None) -> Q:
    if registration_client_trusted(client):
        return Q()
    return Q(institution__slug=REFERENCE_INSTITUTION_SLUG)


# --- Services and e-forms (public) -----------------------------------------------------------


def registration_services(*, name: str | None = None) -> QuerySet[DigitalService]:
    """Services the API lists: our published ones and the foreign records it holds. `name` is
    an exact match."""
    services = (
        DigitalService.objects.filter(archived_at__isnull=True)
        .filter(Q(current_version__isnull=False) | Q(govstack__foreign=True))
        .select_related("institution", "current_version")
        .order_by("name", "pk")
    )
    if name is not None:
        services = services.filter(name=name)
    return services


def registration_service(*, service_id: str) -> DigitalService | None:
    return registration_services().filter(public_id=service_id).first()


def registration_service_by_name(*, registration_name: str) -> DigitalService | None:
    """A registration as the statistics name it: the service's exact name or its short code
    (the reference prefix of its case numbers, e.g. MCTS)."""
    services = registration_services()
    return (
        services.filter(name=registration_name).first()
        or services.filter(reference_prefix__iexact=registration_name).first()
    )


def registration_eforms(*, service: DigitalService) -> list[ServiceVersion]:
    """A service's published versions, newest first."""
    return list(service.versions.order_by("-number", "-pk"))


def registration_eform(*, eform_id: str) -> ServiceVersion | None:
    """The version with that eFormId among listed services (foreign records may share one
    eFormId; any of them answers, they are the same form)."""
    return (
        ServiceVersion.objects.filter(
            eform_id=eform_id, service__in=registration_services().values("pk")
        )
        .select_related("service")
        .order_by("pk")
        .first()
    )


# --- Applications (cases) and tasks (personal data) ------------------------------------------

CASE_SORT = {
    "created": "submitted_at",
    "registered": "submitted_at",
    "duedate": "due_on",
    "id": "file_id",
    "name": "applicant_name",
    "namecaseinsensitive": "applicant_name",
    "description": "reference",
    "assignee": "assignee_id",
}
TASK_SORT = {
    "created": "created_at",
    "id": "task_id",
    "name": "name",
    "namecaseinsensitive": "name",
    "description": "description",
    "assignee": "assignee_id",
}


@dataclass(frozen=True)
class Page:
    first: int = 0
    size: int = DEFAULT_PAGE
    sort_by: str = ""
    descending: bool = False


def _ordered(items: QuerySet[Any], *, page: Page, fields: dict[str, str], default: str) -> Any:
    field = fields.get(page.sort_by.lower(), default)
    ordering = [f"-{field}", "-pk"] if page.descending else [field, "pk"]
    size = max(0, min(page.size, MAX_PAGE))
    first = max(0, page.first)
    return items.order_by(*ordering)[first : first + size]


def registration_cases(
    *,
    client: str | None,
    service_id: str | None = None,
    applicant_id: str | None = None,
    page: Page | None = None,
) -> list[Case]:
    """Applications this client may read, filtered and paged."""
    cases = Case.objects.filter(_case_visibility(client)).select_related(
        "service", "service_version", "assignee"
    )
    if service_id is not None:
        cases = cases.filter(Q(service__public_id=service_id) | Q(external__serviceId=service_id))
    if applicant_id is not None:
        cases = cases.filter(applicant_ref=applicant_id)
    page = page or Page()
    if not page.sort_by:
        page = Page(page.first, page.size, "created", True)
    ordered = _ordered(cases, page=page, fields=CASE_SORT, default="submitted_at")
    return list(ordered.prefetch_related("tasks"))


def registration_case(*, client: str | None, file_id: str) -> Case | None:
    return (
        Case.objects.filter(_case_visibility(client), file_id=file_id)
        .select_related("service", "service_version", "assignee")
        .prefetch_related("tasks")
        .first()
    )


def _task_visibility(client: str | None) -> Q:
    if registration_client_trusted(client):
        return Q()
    return Q(case__institution__slug=REFERENCE_INSTITUTION_SLUG) | Q(
        case__isnull=True, external__origin=REFERENCE_ORIGIN
    )


def registration_tasks(
    *,
    client: str | None,
    main_task_id: str | None = None,
    file_id: str | None = None,
    assignee_id: str | None = None,
    page: Page | None = None,
) -> list[CaseTask]:
    """Tasks this client may read. Our tasks' mainTaskId is their case's fileId (the case is
    the process); foreign tasks keep theirs in `external`."""
    tasks = CaseTask.objects.filter(_task_visibility(client)).select_related(
        "case__service", "case__service_version", "assignee"
    )
    if main_task_id is not None:
        tasks = tasks.filter(
            Q(external__mainTaskId=main_task_id)
            | (Q(case__file_id=main_task_id) & ~Q(external__has_key="mainTaskId"))
        )
    if file_id is not None:
        tasks = tasks.filter(
            Q(external__fileId=file_id)
            | (Q(case__file_id=file_id) & ~Q(external__has_key="fileId"))
        )
    if assignee_id is not None:
        mine = Q(external__assigneeId=assignee_id)
        if assignee_id.isdigit():
            mine |= Q(assignee_id=int(assignee_id)) & ~Q(external__has_key="assigneeId")
        tasks = tasks.filter(mine)
    page = page or Page()
    if not page.sort_by:
        page = Page(page.first, page.size, "created", False)
    return list(_ordered(tasks, page=page, fields=TASK_SORT, default="created_at"))


def registration_task(*, client: str | None, task_id: str) -> CaseTask | None:
    return (
        CaseTask.objects.filter(_task_visibility(client), task_id=task_id)
        .select_related("case__service", "case__service_version", "assignee")
        .first()
    )


def registration_document(*, document_id: str) -> CaseFile | None:
    """A file by its document id (CaseFile.public_id); None for anything that is not one."""
    try:
        public_id = uuid.UUID(document_id)
    except ValueError:
        return None
    return CaseFile.objects.filter(public_id=public_id).first()


def registration_case_status(case: Case) -> tuple[str, str]:
    """(GovStack code, title) of a case: from its workflow, or as a foreign record says."""
    if case.service_version_id is not None and case.service_version is not None:
        workflow = case.service_version.workflow
        if not (case.service and case.service.govstack.get("foreign")):
            code = govstack_status(workflow, case.status)
            for status in workflow.get("statuses") or []:
                if status.get("code") == case.status:
                    return code, str(status.get("label") or case.status)
            return code, case.status
    echoed = case.external.get("status") or {}
    code = str(echoed.get("code") or "PENDING")
    return code, str(echoed.get("title") or code.title())


# --- Statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    processed: int
    approved: int
    sent_back: int
    rejected: int


def registration_operator(*, name: str) -> User | None:
    """An official by full name (first and last names), case-insensitive."""
    return (
        User.objects.annotate(full=Concat("first_name", Value(" "), "last_name"))
        .filter(full__iexact=name.strip(), memberships__isnull=False)
        .order_by("pk")
        .first()
    )


def registration_statistics(
    *,
    service: DigitalService | None,
    start: date | None,
    end: date | None,
    operator: str | None,
    role: str | None,
) -> Counts:
    """Our cases whose status changed in [start, end] and now stand outside PENDING, by
    GovStack outcome (from each version's workflow). Counted in the database per version and
    status, so it stays fast on large institutions."""
    cases = Case.objects.filter(status_changed_at__isnull=False, service_version__isnull=False)
    if service is not None:
        cases = cases.filter(service=service)
    if start is not None:
        cases = cases.filter(
            status_changed_at__gte=timezone.make_aware(datetime.combine(start, time.min))
        )
    if end is not None:
        cases = cases.filter(
            status_changed_at__lt=timezone.make_aware(
                datetime.combine(end + timedelta(days=1), time.min)
            )
        )
    if operator:
        user = registration_operator(name=operator)
        if user is None:
            return Counts(0, 0, 0, 0)
        cases = cases.filter(assignee=user)
    if role:
        platform_role = ROLE_BY_GOVSTACK_NAME.get(role.strip().casefold(), role.strip())
        holds_role = Membership.objects.filter(
            user_id=OuterRef("assignee_id"),
            institution_id=OuterRef("institution_id"),
            role=platform_role,
        )
        cases = cases.filter(Exists(holds_role))
    rows = list(cases.values("service_version_id", "status").annotate(n=Count("pk")).order_by())
    workflows = dict(
        ServiceVersion.objects.filter(
            pk__in={row["service_version_id"] for row in rows}
        ).values_list("pk", "workflow")
    )
    tally = {"APPROVED": 0, "SENDBACK": 0, "REJECTED": 0}
    for row in rows:
        code = govstack_status(workflows.get(row["service_version_id"]) or {}, row["status"])
        if code in tally:
            tally[code] += row["n"]
    return Counts(
        processed=sum(tally.values()),
        approved=tally["APPROVED"],
        sent_back=tally["SENDBACK"],
        rejected=tally["REJECTED"],
    )
