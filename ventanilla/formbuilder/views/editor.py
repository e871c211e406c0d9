"""The form editor: the draft's texts and its pages in order (add, rename, move, delete, exit
page, condition). Each change reads the draft, changes a copy and saves it through
digital_service_draft_save; its Spanish problems are shown and nothing typed is lost."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.formbuilder.definition import (
    OPERATOR_LABELS,
    QUESTION_TYPE_LABELS,
    question_index,
)
from ventanilla.formbuilder.models import DigitalService
from ventanilla.formbuilder.views.common import (
    designer_view,
    done,
    draft_save,
    editor_url,
    failed,
    fields_summary,
    page,
    problems_summary,
    service_get,
)
from ventanilla.formbuilder.views.drafting import (
    all_ids,
    draft_copy,
    item_move,
    page_get,
    page_position,
    questions_before,
)
from ventanilla.formbuilder.views.forms import (
    condition_fields,
    condition_is_compound,
    condition_read,
    id_read,
)

TEXT_FIELDS = ("title", "intro", "declaration", "confirmation")


def page_url(service: DigitalService, page_id: str) -> str:
    return reverse("formbuilder:page", kwargs={"pk": service.pk, "page_id": page_id})


def condition_text(condition: Any, definition: dict[str, Any]) -> str:
    """A condition in words: «Se muestra si "Tipo de vehículo" es igual a "carga"»."""
    if not condition:
        return ""
    if condition_is_compound(condition):
        joiner = _(" y ") if "all" in condition else _(" o ")
        parts = condition.get("all") or condition.get("any") or []
        return joiner.join(condition_text(p, definition) for p in parts)
    known = question_index(definition)
    target = known.get(str(condition.get("question")), {})
    label = target.get("label") or condition.get("question")
    op = _(OPERATOR_LABELS.get(str(condition.get("op")), str(condition.get("op"))))
    value = condition.get("value")
    if value is None:
        return f"«{label}» {op}"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return f"«{label}» {op} «{value}»"


def condition_context(
    definition: dict[str, Any], page_id: str, question_id: str | None, values: dict[str, Any]
) -> dict[str, Any]:
    """What the condition builder shows: the earlier questions, the operators, the values."""
    earlier = questions_before(definition, page_id, question_id)
    return {
        "cond_questions": [
            (str(q.get("id")), f"{where} › {q.get('label') or q.get('id')} ({q.get('id')})")
            for where, _page, q in earlier
        ],
        "cond_ops": [(code, _(label)) for code, label in OPERATOR_LABELS.items()],
        "cond": values,
    }


def earlier_index(
    definition: dict[str, Any], page_id: str, question_id: str | None
) -> dict[str, dict[str, Any]]:
    return {str(q.get("id")): q for _w, _p, q in questions_before(definition, page_id, question_id)}


@designer_view
def editor_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's texts (title, introduction, declaration, confirmation) and its pages."""
    service = service_get(request, pk)
    definition = draft_copy(service.draft_definition)
    values = {name: definition.get(name) or "" for name in TEXT_FIELDS}
    problems: list[str] = []
    if request.method == "POST":
        values = {name: str(request.POST.get(name, "")).strip() for name in TEXT_FIELDS}
        definition.update(values)
        problems = draft_save(request, service, definition=definition)
        if not problems:
            return done(request, editor_url(service), _("Se guardaron los textos del formulario."))
    pages = [
        {
            "page": p,
            "number": n,
            "questions": len(p.get("questions") or []),
            "condition": condition_text(p.get("show_if"), service.draft_definition),
            "url": page_url(service, str(p.get("id"))),
        }
        for n, p in enumerate(service.draft_definition.get("pages") or [], start=1)
    ]
    context = {"values": values, "pages": pages, "type_labels": QUESTION_TYPE_LABELS}
    return page(
        request,
        "formbuilder/designer/editor.html",
        context,
        title=_("Formulario"),
        service=service,
        tab="editor",
        errors=problems_summary(problems),
    )


@designer_view
@require_POST
def page_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get(request, pk)
    definition = draft_copy(service.draft_definition)
    title = str(request.POST.get("page_title", "")).strip()
    if not title:
        return failed(
            request,
            editor_url(service) + "#nueva-pagina",
            [_("Escribe el título de la página nueva.")],
        )
    new_id, _error = id_read(
        {}, label=title, current=None, taken=all_ids(definition), fallback="pagina"
    )
    definition.setdefault("pages", []).append({"id": new_id, "title": title, "questions": []})
    problems = draft_save(request, service, definition=definition)
    if problems:
        return failed(request, editor_url(service), problems)
    return done(
        request, page_url(service, new_id), _("Se agregó la página «%(t)s».") % {"t": title}
    )


@designer_view
def page_edit_view(request: HttpRequest, pk: int, page_id: str) -> HttpResponse:
    """A page's title, id, exit message and condition, and the list of its questions."""
    service = service_get(request, pk)
    definition = draft_copy(service.draft_definition)
    current = page_get(definition, page_id)
    if current is None:
        raise Http404
    values: dict[str, Any] = {
        "title": current.get("title") or "",
        "id": current.get("id"),
        "exit": bool(current.get("exit")),
        "exit_message": current.get("exit_message") or "",
    }
    cond_values = condition_fields(current.get("show_if"))
    field_errors: dict[str, str] = {}
    problems: list[str] = []
    if request.method == "POST":
        data = request.POST
        values = {
            "title": str(data.get("title", "")).strip(),
            "id": str(data.get("id", "")).strip(),
            "exit": bool(data.get("exit")),
            "exit_message": str(data.get("exit_message", "")).strip(),
        }
        cond_values = {k: str(data.get(k, "")) for k in ("cond_question", "cond_op", "cond_value")}
        if not values["title"]:
            field_errors["title"] = _("Escribe el título de la página.")
        new_id, id_error = id_read(
            data,
            label=values["title"],
            current=page_id,
            taken=all_ids(definition),
            fallback="pagina",
        )
        if id_error:
            field_errors["id"] = id_error
        condition, cond_errors = condition_read(
            data, current.get("show_if"), earlier_index(definition, page_id, None)
        )
        field_errors.update(cond_errors)
        if not field_errors:
            current.update(title=values["title"], id=new_id, show_if=condition)
            if values["exit"]:
                current.update(exit=True, exit_message=values["exit_message"])
            else:
                current.pop("exit", None)
                current.pop("exit_message", None)
            problems = draft_save(request, service, definition=definition)
            if not problems:
                return done(request, page_url(service, new_id), _("Se guardó la página."))
    stored = page_get(service.draft_definition, page_id) or {}
    questions = [
        {
            "question": q,
            "type": _(QUESTION_TYPE_LABELS.get(str(q.get("type")), str(q.get("type")))),
            "condition": condition_text(q.get("show_if"), service.draft_definition),
            "url": reverse(
                "formbuilder:question",
                kwargs={"pk": service.pk, "page_id": page_id, "question_id": q.get("id")},
            ),
        }
        for q in stored.get("questions") or []
    ]
    context = {
        "page_data": stored,
        "number": (page_position(service.draft_definition, page_id) or 0) + 1,
        "values": values,
        "questions": questions,
        "type_choices": [(k, _(v)) for k, v in QUESTION_TYPE_LABELS.items()],
        "compound": condition_is_compound(stored.get("show_if")),
        "condition_now": condition_text(stored.get("show_if"), service.draft_definition),
        **condition_context(service.draft_definition, page_id, None, cond_values),
    }
    return page(
        request,
        "formbuilder/designer/page.html",
        context,
        title=_("Página: %(t)s") % {"t": stored.get("title") or page_id},
        service=service,
        tab="editor",
        errors=fields_summary(field_errors, {}) + problems_summary(problems),
        field_errors=field_errors,
    )


@designer_view
@require_POST
def page_move_view(request: HttpRequest, pk: int, page_id: str) -> HttpResponse:
    service = service_get(request, pk)
    definition = draft_copy(service.draft_definition)
    index = page_position(definition, page_id)
    if index is None:
        raise Http404
    direction = "up" if request.POST.get("direction") == "up" else "down"
    to = editor_url(service)
    if not item_move(definition["pages"], index, direction):
        return done(request, to, anchor=f"p-{page_id}")
    problems = draft_save(request, service, definition=definition)
    if problems:
        return failed(request, to, problems)
    message = _("Se subió la página.") if direction == "up" else _("Se bajó la página.")
    return done(request, to, message, anchor=f"p-{page_id}")


@designer_view
def page_delete_view(request: HttpRequest, pk: int, page_id: str) -> HttpResponse:
    """Asks first (GET), deletes on POST."""
    service = service_get(request, pk)
    definition = draft_copy(service.draft_definition)
    index = page_position(definition, page_id)
    if index is None:
        raise Http404
    target = definition["pages"][index]
    if request.method == "POST":
        del definition["pages"][index]
        problems = draft_save(request, service, definition=definition)
        if problems:
            return failed(request, page_url(service, page_id), problems)
        return done(
            request,
            editor_url(service),
            _("Se eliminó la página «%(t)s».") % {"t": target.get("title")},
        )
    context = {
        "what": _("la página «%(t)s» y sus %(n)s preguntas")
        % {"t": target.get("title"), "n": len(target.get("questions") or [])},
        "back": page_url(service, page_id),
    }
    return page(
        request,
        "formbuilder/designer/confirm_delete.html",
        context,
        title=_("Eliminar página"),
        service=service,
        tab="editor",
    )
