"""The case workflow of a service: statuses, allowed transitions (a from × to matrix of
checkboxes), the legal time limit in business days, who is notified, and the document issued
on approval. One form, saved through digital_service_draft_save."""

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.formbuilder.definition import STATUS_KINDS, question_index
from ventanilla.formbuilder.views.common import (
    designer_view,
    done,
    draft_save,
    fields_summary,
    page,
    problems_summary,
    service_get,
)
from ventanilla.formbuilder.views.drafting import draft_copy, id_from_label

KIND_LABELS = {
    "open": gettext_lazy("En trámite"),
    "correction": gettext_lazy("Subsanación (espera al ciudadano)"),
    "approved": gettext_lazy("Final: aprobado"),
    "rejected": gettext_lazy("Final: denegado"),
    "closed": gettext_lazy("Final: archivado o desistido"),
}
PLACEHOLDERS = ("applicant_name", "reference", "date")


def _int(raw: str, errors: dict[str, str], field: str, message: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d{1,4}", raw):
        errors[field] = message
        return None
    return int(raw)


def workflow_read(data: Any, current: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The workflow after the form; (workflow, {field: Spanish message})."""
    errors: dict[str, str] = {}
    workflow = dict(current)
    statuses: list[dict[str, Any]] = []
    for status in current.get("statuses") or []:
        code = str(status.get("code"))
        if data.get(f"s-{code}-remove"):
            continue
        statuses.append(
            {
                **status,
                "label": str(data.get(f"s-{code}-label", status.get("label", ""))).strip(),
                "kind": str(data.get(f"s-{code}-kind", status.get("kind", ""))),
            }
        )
    new_label = str(data.get("new_label", "")).strip()
    new_code = str(data.get("new_code", "")).strip()
    if new_label or new_code:
        taken = {s["code"] for s in statuses} | {
            s.get("code") for s in current.get("statuses") or []
        }
        if not new_label:
            errors["new_label"] = _("Escribe el nombre del estado nuevo.")
        elif new_code and new_code in taken:
            errors["new_code"] = _("Ya hay un estado con ese código.")
        elif new_code and not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", new_code):
            errors["new_code"] = _("El código usa solo minúsculas, números y guiones bajos.")
        else:
            code = new_code or id_from_label(new_label, taken, fallback="estado")
            statuses.append(
                {"code": code, "label": new_label, "kind": str(data.get("new_kind") or "open")}
            )
    workflow["statuses"] = statuses
    codes = {s["code"] for s in statuses}
    workflow["initial"] = str(data.get("initial") or current.get("initial") or "")
    if workflow["initial"] not in codes and statuses:
        workflow["initial"] = statuses[0]["code"]
    pairs = [str(v).split(">", 1) for v in data.getlist("t") if ">" in str(v)]
    workflow["transitions"] = [
        {"from": a, "to": b} for a, b in pairs if a in codes and b in codes and a != b
    ]
    workflow["time_limit_days"] = _int(
        str(data.get("time_limit_days", "")), errors, "time_limit_days",
        _("Escribe el plazo como un número de días hábiles, por ejemplo 30."),
    )  # fmt: skip
    if workflow["time_limit_days"] is None:
        workflow.pop("time_limit_days")
    emails = [e.strip() for e in re.split(r"[,;\s]+", str(data.get("emails", ""))) if e.strip()]
    workflow["notify"] = {
        "citizen": bool(data.get("notify_citizen")),
        "assignee": bool(data.get("notify_assignee")),
        "emails": emails,
    }
    if data.get("document") == "yes":
        document: dict[str, Any] = {
            "title": str(data.get("doc_title", "")).strip(),
            "body": str(data.get("doc_body", "")).strip(),
        }
        validity = _int(
            str(data.get("doc_validity_days", "")), errors, "doc_validity_days",
            _("Escribe la vigencia como un número de días, o déjala vacía."),
        )  # fmt: skip
        if validity is not None:
            document["validity_days"] = validity
        workflow["document"] = document
    else:
        workflow["document"] = None
    return workflow, errors


def workflow_fields(workflow: dict[str, Any]) -> dict[str, Any]:
    notify = workflow.get("notify") or {}
    document = workflow.get("document") or {}
    return {
        "initial": workflow.get("initial") or "",
        "time_limit_days": str(workflow.get("time_limit_days") or ""),
        "notify_citizen": bool(notify.get("citizen")),
        "notify_assignee": bool(notify.get("assignee")),
        "emails": "\n".join(notify.get("emails") or []),
        "document": "yes" if workflow.get("document") else "no",
        "doc_title": document.get("title", ""),
        "doc_body": document.get("body", ""),
        "doc_validity_days": str(document.get("validity_days") or ""),
        "new_code": "",
        "new_label": "",
        "new_kind": "open",
    }


@designer_view
def workflow_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get(request, pk)
    current = draft_copy(service.draft_workflow)
    values = workflow_fields(current)
    field_errors: dict[str, str] = {}
    problems: list[str] = []
    statuses = current.get("statuses") or []
    rows = [{**s, "remove": False} for s in statuses]
    allowed = {(t.get("from"), t.get("to")) for t in current.get("transitions") or []}
    if request.method == "POST":
        data = request.POST
        workflow, field_errors = workflow_read(data, current)
        if not field_errors:
            problems = draft_save(request, service, workflow=workflow)
            if not problems:
                url = reverse("formbuilder:workflow", kwargs={"pk": service.pk})
                return done(request, url, _("Se guardó el flujo del servicio."))
        # Shown again as typed: labels, kinds, boxes ticked, the new status's fields.
        values = {**data.dict(), "notify_citizen": bool(data.get("notify_citizen")),
                  "notify_assignee": bool(data.get("notify_assignee"))}  # fmt: skip
        rows = [
            {
                **s,
                "label": data.get(f"s-{s['code']}-label", s.get("label")),
                "kind": data.get(f"s-{s['code']}-kind", s.get("kind")),
                "remove": bool(data.get(f"s-{s['code']}-remove")),
            }
            for s in statuses
        ]
        allowed = {
            (str(v).split(">", 1)[0], str(v).split(">", 1)[1])
            for v in data.getlist("t")
            if ">" in str(v)
        }
    matrix = [
        (s, [(t, (s.get("code"), t.get("code")) in allowed) for t in statuses]) for s in statuses
    ]
    questions = [
        (qid, q.get("label") or qid)
        for qid, q in question_index(service.draft_definition).items()
        if q.get("type") not in {"info", "group"}
    ]
    context = {
        "statuses": rows,
        "statuses_options": [(s.get("code"), s.get("label") or s.get("code")) for s in statuses],
        "matrix": matrix,
        "kinds": [(k, KIND_LABELS[k]) for k in STATUS_KINDS],
        "values": values,
        "placeholders": questions,
        "fixed_placeholders": [
            ("applicant_name", _("nombre de quien solicita")),
            ("reference", _("número de expediente")),
            ("date", _("fecha de emisión")),
        ],
    }
    return page(
        request,
        "formbuilder/designer/workflow.html",
        context,
        title=_("Flujo y plazos"),
        service=service,
        tab="workflow",
        errors=fields_summary(field_errors, {}) + problems_summary(problems),
        field_errors=field_errors,
    )
