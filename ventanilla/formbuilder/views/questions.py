"""Questions of a page, and the children of a group (one level): add one by type, edit its
properties with the form of its type, move it, delete it."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.formbuilder.definition import (
    MAX_FILE_MB,
    MAX_FILES,
    NOT_IN_GROUP,
    QUESTION_TYPE_LABELS,
)
from ventanilla.formbuilder.models import DigitalService
from ventanilla.formbuilder.views.common import (
    designer_view,
    done,
    draft_save,
    failed,
    fields_summary,
    page,
    problems_summary,
    service_get,
)
from ventanilla.formbuilder.views.drafting import (
    all_ids,
    draft_copy,
    id_rename,
    item_move,
    page_get,
    question_position,
    question_siblings,
)
from ventanilla.formbuilder.views.editor import (
    condition_context,
    condition_text,
    earlier_index,
    page_url,
)
from ventanilla.formbuilder.views.forms import (
    ACCEPT_CHOICES,
    NO_REQUIRED,
    TYPE_FIELDS,
    condition_fields,
    condition_is_compound,
    condition_read,
    posted_fields,
    question_fields,
    question_read,
)
from ventanilla.interop.sources import source_choices, source_get


def question_url(
    service: DigitalService, page_id: str, question_id: str, group_id: str | None = None
) -> str:
    kwargs = {"pk": service.pk, "page_id": page_id, "question_id": question_id}
    if group_id:
        return reverse("formbuilder:child", kwargs={**kwargs, "group_id": group_id})
    return reverse("formbuilder:question", kwargs=kwargs)


def _back(service: DigitalService, page_id: str, group_id: str | None) -> str:
    return question_url(service, page_id, group_id) if group_id else page_url(service, page_id)


def _types(group_id: str | None) -> list[tuple[str, str]]:
    return [
        (k, _(v)) for k, v in QUESTION_TYPE_LABELS.items() if not (group_id and k in NOT_IN_GROUP)
    ]


def _source_read(data: Any, question: dict[str, Any], group_id: str | None) -> dict[str, str]:
    """The "take the value from a registry" choice into question["source"]; {field: error}."""
    if group_id is not None:
        return {}
    raw = str(data.get("source", "") or "").strip()
    if not raw:
        question.pop("source", None)
        return {}
    code, _sep, name = raw.partition(":")
    source = source_get(code)
    if source is None or name not in source.fields:
        return {"source": _("Elige un dato de la lista.")}
    spec = {"from": code, "field": name}
    if source.lookup == "key":
        key = str(data.get("source_key", "") or "").strip()
        if not key:
            return {
                "source_key": _("Elige la pregunta con la que se busca en %(l)s.")
                % {"l": source.label}
            }
        spec["key"] = key
    question["source"] = spec
    return {}


def _source_values(question: dict[str, Any]) -> dict[str, str]:
    found = question.get("source")
    spec: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "source": f"{spec['from']}:{spec['field']}" if spec.get("from") else "",
        "source_key": str(spec.get("key") or ""),
    }


def _question_page(
    request: HttpRequest,
    service: DigitalService,
    *,
    page_id: str,
    group_id: str | None,
    question_id: str | None,
) -> HttpResponse:
    """Create (question_id None, type from ?tipo=) or edit a question."""
    definition = draft_copy(service.draft_definition)
    siblings = question_siblings(definition, page_id, group_id)
    if siblings is None:
        raise Http404
    index = question_position(siblings, question_id) if question_id else None
    if question_id and index is None:
        raise Http404
    current: dict[str, Any] = siblings[index] if index is not None else {}
    kind = str(current.get("type") or request.POST.get("tipo") or request.GET.get("tipo") or "")
    if kind not in dict(_types(group_id)):
        return failed(
            request,
            _back(service, page_id, group_id),
            [_("Elige un tipo de pregunta de la lista.")],
        )
    values = question_fields(current) if current else {"required": True, "accept": []}
    values.update(_source_values(current))
    cond_values = condition_fields(current.get("show_if"))
    known = earlier_index(definition, page_id, question_id or "")
    field_errors: dict[str, str] = {}
    problems: list[str] = []
    if request.method == "POST":
        values = posted_fields(request.POST)
        cond_values = {
            k: str(request.POST.get(k, "")) for k in ("cond_question", "cond_op", "cond_value")
        }
        question, field_errors = question_read(
            request.POST, kind=kind, current=current, taken=all_ids(definition)
        )
        field_errors.update(_source_read(request.POST, question, group_id))
        if group_id is None:
            condition, cond_errors = condition_read(request.POST, current.get("show_if"), known)
            field_errors.update(cond_errors)
            question["show_if"] = condition
            if condition is None:
                question.pop("show_if")
        if not field_errors:
            workflow = None
            if index is None:
                siblings.append(question)
            else:
                siblings[index] = question
                if question["id"] != question_id:
                    workflow = draft_copy(service.draft_workflow)
                    id_rename(definition, workflow, str(question_id), question["id"])
            problems = draft_save(request, service, definition=definition, workflow=workflow)
            if not problems:
                if kind == "group" and index is None:
                    to = question_url(service, page_id, question["id"])
                else:
                    to = _back(service, page_id, group_id)
                message = (
                    _("Se guardó la pregunta.")
                    if index is not None
                    else _("Se agregó la pregunta.")
                )
                return done(request, to, message, anchor=f"q-{question['id']}")
    children = []
    if kind == "group" and current:
        children = [
            {
                "question": c,
                "type": _(QUESTION_TYPE_LABELS.get(str(c.get("type")), str(c.get("type")))),
                "url": question_url(service, page_id, str(c.get("id")), str(question_id)),
            }
            for c in current.get("questions") or []
        ]
    page_data = page_get(service.draft_definition, page_id) or {}
    if question_id:
        title = _("Pregunta: %(l)s") % {
            "l": current.get("label") or current.get("text") or question_id
        }
    else:
        title = _("Nueva pregunta: %(t)s") % {"t": _(QUESTION_TYPE_LABELS[kind])}
    crumbs: list[tuple[str, str | None]] = [
        (page_data.get("title") or page_id, page_url(service, page_id))
    ]
    if group_id:
        group: dict[str, Any] = next(
            (q for q in page_data.get("questions") or [] if q.get("id") == group_id), {}
        )
        crumbs.append((group.get("label") or group_id, question_url(service, page_id, group_id)))
    context = {
        "kind": kind,
        "kind_label": _(QUESTION_TYPE_LABELS[kind]),
        "fields": TYPE_FIELDS.get(kind, ()),
        "has_required": kind not in NO_REQUIRED,
        "values": values,
        "accept_choices": ACCEPT_CHOICES,
        "max_file_mb": MAX_FILE_MB,
        "max_files": MAX_FILES,
        "in_group": bool(group_id),
        "is_new": question_id is None,
        "children": children,
        "child_types": _types("group"),
        "action": request.path,
        "back": _back(service, page_id, group_id),
        "page_id": page_id,
        "question_id": question_id,
        "source_choices": [] if group_id else source_choices(kind),
        "source_keys": [
            (qid, q.get("label") or qid) for qid, q in known.items() if q.get("type") == "text"
        ],
        "compound": condition_is_compound(current.get("show_if")),
        "condition_now": condition_text(current.get("show_if"), service.draft_definition),
        **condition_context(service.draft_definition, page_id, question_id or "", cond_values),
    }
    if question_id and kind == "group":
        context["child_new"] = reverse(
            "formbuilder:child_new",
            kwargs={"pk": service.pk, "page_id": page_id, "group_id": question_id},
        )
    return page(
        request,
        "formbuilder/designer/question.html",
        context,
        title=title,
        service=service,
        tab="editor",
        crumbs=crumbs,
        errors=fields_summary(field_errors, {}) + problems_summary(problems),
        field_errors=field_errors,
    )


@designer_view
def question_new_view(
    request: HttpRequest, pk: int, page_id: str, group_id: str | None = None
) -> HttpResponse:
    service = service_get(request, pk)
    return _question_page(request, service, page_id=page_id, group_id=group_id, question_id=None)


@designer_view
def question_edit_view(
    request: HttpRequest, pk: int, page_id: str, question_id: str, group_id: str | None = None
) -> HttpResponse:
    service = service_get(request, pk)
    return _question_page(
        request, service, page_id=page_id, group_id=group_id, question_id=question_id
    )


@designer_view
@require_POST
def question_move_view(
    request: HttpRequest, pk: int, page_id: str, question_id: str, group_id: str | None = None
) -> HttpResponse:
    service = service_get(request, pk)
    definition = draft_copy(service.draft_definition)
    siblings = question_siblings(definition, page_id, group_id)
    index = question_position(siblings, question_id) if siblings is not None else None
    if siblings is None or index is None:
        raise Http404
    direction = "up" if request.POST.get("direction") == "up" else "down"
    to = _back(service, page_id, group_id)
    if not item_move(siblings, index, direction):
        return done(request, to, anchor=f"q-{question_id}")
    problems = draft_save(request, service, definition=definition)
    if problems:
        return failed(request, to, problems)
    message = _("Se subió la pregunta.") if direction == "up" else _("Se bajó la pregunta.")
    return done(request, to, message, anchor=f"q-{question_id}")


@designer_view
def question_delete_view(
    request: HttpRequest, pk: int, page_id: str, question_id: str, group_id: str | None = None
) -> HttpResponse:
    """Asks first (GET), deletes on POST."""
    service = service_get(request, pk)
    definition = draft_copy(service.draft_definition)
    siblings = question_siblings(definition, page_id, group_id)
    index = question_position(siblings, question_id) if siblings is not None else None
    if siblings is None or index is None:
        raise Http404
    target = siblings[index]
    back = _back(service, page_id, group_id)
    if request.method == "POST":
        del siblings[index]
        problems = draft_save(request, service, definition=definition)
        if problems:
            return failed(request, back, problems)
        label = target.get("label") or target.get("id")
        return done(request, back, _("Se eliminó la pregunta «%(l)s».") % {"l": label})
    context = {
        "what": _("la pregunta «%(l)s»") % {"l": target.get("label") or target.get("id")},
        "back": question_url(service, page_id, question_id, group_id),
    }
    return page(
        request,
        "formbuilder/designer/confirm_delete.html",
        context,
        title=_("Eliminar pregunta"),
        service=service,
        tab="editor",
        errors=problems_summary([]),
    )
