"""The cases of a service as CSV, streamed row by row: the case's own columns, then one column
per question of the service's published versions (newest first). Cells a spreadsheet would
run as a formula (= + - @, tab, carriage return) are prefixed with an apostrophe."""

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases.models import Case
from ventanilla.cases.services.deadlines import due_label
from ventanilla.formbuilder.answers import answer_display
from ventanilla.formbuilder.definition import NO_ANSWER_TYPES, questions_iter
from ventanilla.formbuilder.models import DigitalService, ServiceVersion

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 500


class _Line:
    """A file-like object csv.writer writes one row into, read back as a string."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, text: str) -> int:
        self.value = text
        return len(text)


def cell_safe(value: Any) -> str:
    """The value as text, defused when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _columns(service: DigitalService | None, cases: QuerySet[Case]) -> list[dict[str, Any]]:
    """Questions of the versions in play, newest version first, each id once."""
    versions = ServiceVersion.objects.order_by("-number")
    if service is not None:
        versions = versions.filter(service=service)
    else:
        versions = versions.filter(pk__in=cases.order_by().values("service_version_id"))
    seen: dict[str, dict[str, Any]] = {}
    for definition in versions.values_list("definition", flat=True):
        for _page, question in questions_iter(definition or {}):
            if question.get("type") in NO_ANSWER_TYPES or question.get("type") == "declaration":
                continue
            if _is_group_child(definition, str(question.get("id"))):
                continue
            seen.setdefault(str(question.get("id")), question)
    return list(seen.values())


def _is_group_child(definition: dict[str, Any], question_id: str) -> bool:
    for page in definition.get("pages") or []:
        for question in page.get("questions") or []:
            if question.get("type") == "group" and any(
                c.get("id") == question_id for c in question.get("questions") or []
            ):
                return True
    return False


def cases_csv(*, cases: QuerySet[Case], service: DigitalService | None = None) -> Iterator[str]:
    """CSV lines (header first) of `cases`, already filtered by the caller's permissions."""
    questions = _columns(service, cases)
    labels: dict[int, dict[str, str]] = {}
    for pk, workflow in ServiceVersion.objects.filter(
        pk__in=cases.order_by().values("service_version_id")
    ).values_list("pk", "workflow"):
        labels[pk] = {
            str(s.get("code")): str(s.get("label") or s.get("code"))
            for s in (workflow or {}).get("statuses") or []
        }
    line = _Line()
    writer = csv.writer(line)
    header = [
        _("Expediente"), _("Presentado"), _("Estado"), _("Vence"), _("Plazo"), _("Solicitante"),
        _("Documento"), _("Asignado a"), _("Resuelto"),
        *[str(q.get("label") or q.get("id")) for q in questions],
    ]  # fmt: skip
    writer.writerow([cell_safe(h) for h in header])
    yield line.value
    today = timezone.localdate()
    rows = cases.select_related("assignee").order_by("submitted_at", "pk")
    for case in rows.iterator(chunk_size=_CHUNK):
        label, _late = due_label(case.due_on, today=today) if not case.ended else ("", False)
        assignee = case.assignee
        row = [
            case.reference,
            timezone.localtime(case.submitted_at).strftime("%d/%m/%Y %H:%M"),
            labels.get(case.service_version_id or 0, {}).get(case.status, case.status),
            case.due_on.strftime("%d/%m/%Y") if case.due_on else "",
            label,
            case.applicant_name,
            case.applicant_document,
            (assignee.get_full_name() or assignee.get_username()) if assignee else "",
            timezone.localtime(case.decided_at).strftime("%d/%m/%Y %H:%M")
            if case.decided_at
            else "",
        ]
        answers = case.answers or {}
        row += [
            answer_display(question=q, value=answers.get(str(q.get("id"))), places=None)
            if str(q.get("id")) in answers
            else ""
            for q in questions
        ]
        writer.writerow([cell_safe(value) for value in row])
        yield line.value
