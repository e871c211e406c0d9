"""The preview: the draft walked page by page exactly as a citizen would, with the citizen's
question macros (templates/formbuilder/questions.html), the same reading of each page and the
same branching. Answers live in the session; no application is made and nothing is sent.
Uploaded files are checked as the citizen's would be, then only their names are kept."""

import re
import uuid
from types import SimpleNamespace
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.formbuilder.answers import answers_summary as summary_of
from ventanilla.formbuilder.answers import (
    field_name,
    file_check,
    page_initial,
    page_read,
)
from ventanilla.formbuilder.conditions import answers_prune, pages_visible, questions_visible
from ventanilla.formbuilder.definition import page_index
from ventanilla.formbuilder.models import DigitalService
from ventanilla.formbuilder.views.common import designer_view, done, page, service_get
from ventanilla.ubigeo.selectors import departments, districts_of, provinces_of

_KEY = "designer-preview-{pk}"
_HEAD = 2048


def _state(request: HttpRequest, service: DigitalService) -> dict[str, Any]:
    state = request.session.get(_KEY.format(pk=service.pk))
    if not isinstance(state, dict):
        state = {}
    state.setdefault("answers", {})
    state.setdefault("files", {})
    return state


def _keep(request: HttpRequest, service: DigitalService, state: dict[str, Any]) -> None:
    request.session[_KEY.format(pk=service.pk)] = state


def _url(service: DigitalService, page_id: str | None = None) -> str:
    if page_id is None:
        return reverse("formbuilder:preview", kwargs={"pk": service.pk})
    return reverse("formbuilder:preview_page", kwargs={"pk": service.pk, "page_id": page_id})


def _lists(data: Any) -> dict[str, list[str]]:
    """Form data as the macros read it: every field name → list of strings."""
    if hasattr(data, "getlist"):
        return {key: [str(v) for v in data.getlist(key)] for key in data}
    return {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in data.items()}


def _items(page_data: dict[str, Any], data: dict[str, list[str]]) -> dict[str, list[int]]:
    """Each group's item indexes present in the data (one empty item at least)."""
    items: dict[str, list[int]] = {}
    for question in page_data.get("questions") or []:
        if question.get("type") != "group":
            continue
        gid = str(question["id"])
        pattern = re.compile(rf"^{re.escape(field_name(gid))}-(\d+)-")
        found = sorted({int(m.group(1)) for key in data if (m := pattern.match(key))})
        items[gid] = found or [0]
    return items


def _next_page(definition: dict[str, Any], answers: dict[str, Any], page_id: str) -> str | None:
    visible = [str(p.get("id")) for p in pages_visible(definition, answers)]
    if page_id in visible:
        after = visible[visible.index(page_id) + 1 :]
        return after[0] if after else None
    return visible[0] if visible else None


def _files_take(
    request: HttpRequest, page_data: dict[str, Any], state: dict[str, Any], errors: dict[str, str]
) -> None:
    """Check the page's uploads as the citizen's journey does; keep names only."""
    removed = str(request.POST.get("quitar-archivo") or "")
    for question in page_data.get("questions") or []:
        if question.get("type") != "file":
            continue
        qid, name = str(question["id"]), field_name(str(question["id"]))
        kept = [f for f in state["files"].get(qid, []) if f.get("id") != removed]
        for upload in request.FILES.getlist(name):
            problem = file_check(
                question=question,
                name=upload.name or "",
                size=upload.size or 0,
                content_type=upload.content_type or "",
                head=upload.read(_HEAD),
            )
            if problem:
                errors[name] = problem
            elif len(kept) < int(question.get("max_files") or 1):
                kept.append(
                    {"id": f"vista-previa-{uuid.uuid4().hex[:12]}", "name": upload.name,
                     "size": filesizeformat(upload.size or 0)}
                )  # fmt: skip
        state["files"][qid] = kept


def _render_page(
    request: HttpRequest,
    service: DigitalService,
    page_data: dict[str, Any],
    data: dict[str, list[str]],
    errors: dict[str, str],
    state: dict[str, Any],
) -> HttpResponse:
    definition = service.draft_definition
    answers = state["answers"]
    visible = pages_visible(definition, answers)
    ids = [str(p.get("id")) for p in visible]
    here = str(page_data.get("id"))
    number = ids.index(here) + 1 if here in ids else None
    previous = ids[number - 2] if number and number > 1 else None
    # The macros read `opts.rows` (group item indexes), `opts.files`, the place lists.
    opts = SimpleNamespace(
        departments=departments(),
        provinces_of=provinces_of,
        districts_of=districts_of,
        files=state["files"],
        rows=_items(page_data, data),
        ubigeo_url="",
    )
    context = {
        "page_data": page_data,
        "questions": questions_visible(page_data, answers),
        "data": data,
        "q_errors": errors,
        "opts": opts,
        "back": _url(service, previous) if previous else "",
        "number": number,
        "restart": reverse("formbuilder:preview_restart", kwargs={"pk": service.pk}),
        "action": _url(service, here),
    }
    summary = [(f"#{name}", message) for name, message in errors.items()]
    return page(
        request,
        "formbuilder/designer/preview_page.html",
        context,
        title=str(page_data.get("title") or _("Vista previa")),
        service=service,
        tab="preview",
        errors=[(anchor[1:], message) for anchor, message in summary],
    )


@designer_view
def preview_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get(request, pk)
    state = _state(request, service)
    first = _next_page(service.draft_definition, state["answers"], "")
    if first is None:
        return page(
            request, "formbuilder/designer/preview_empty.html", {}, title=_("Vista previa"),
            service=service, tab="preview",
        )  # fmt: skip
    return HttpResponseRedirect(_url(service, first))


@designer_view
def preview_page_view(request: HttpRequest, pk: int, page_id: str) -> HttpResponse:
    service = service_get(request, pk)
    definition = service.draft_definition
    page_data = page_index(definition).get(page_id)
    if page_data is None:
        raise Http404
    state = _state(request, service)
    if page_data.get("exit"):
        context = {
            "page_data": page_data,
            "restart": reverse("formbuilder:preview_restart", kwargs={"pk": service.pk}),
        }
        return page(
            request, "formbuilder/designer/preview_exit.html", context,
            title=str(page_data.get("title") or ""), service=service, tab="preview",
        )  # fmt: skip
    if request.method != "POST":
        data = _lists(
            page_initial(definition=definition, page_id=page_id, answers=state["answers"])
        )
        return _render_page(request, service, page_data, data, {}, state)
    errors: dict[str, str] = {}
    _files_take(request, page_data, state, errors)
    posted = request.POST.copy()
    for qid, files in state["files"].items():
        posted.setlist(field_name(qid), [f["id"] for f in files])
    _keep(request, service, state)
    data = _lists(posted)
    action = str(request.POST.get("accion") or "")
    if action or request.POST.get("quitar-archivo") or errors:
        data = _group_action(action, data)
        return _render_page(request, service, page_data, data, errors, state)
    outcome = page_read(
        definition=definition, page_id=page_id, data=posted, answers=state["answers"]
    )
    if outcome.errors:
        return _render_page(request, service, page_data, data, outcome.errors, state)
    answers = {
        k: v
        for k, v in state["answers"].items()
        if k not in {str(q.get("id")) for q in page_data.get("questions") or []}
    }
    answers.update(outcome.answers)
    state["answers"] = answers_prune(definition, answers)
    _keep(request, service, state)
    following = _next_page(definition, state["answers"], page_id)
    if following is None:
        return HttpResponseRedirect(reverse("formbuilder:preview_check", kwargs={"pk": service.pk}))
    return HttpResponseRedirect(_url(service, following))


def _group_action(action: str, data: dict[str, list[str]]) -> dict[str, list[str]]:
    """ "anadir:<group>" adds an empty item; "quitar:<group>:<n>" drops item n."""
    parts = action.split(":")
    if parts[0] == "anadir" and len(parts) == 2:
        prefix = field_name(parts[1])
        indexes = [
            int(m.group(1)) for k in data if (m := re.match(rf"^{re.escape(prefix)}-(\d+)-", k))
        ]
        data[f"{prefix}-{max(indexes, default=0) + 1}-"] = [""]
    elif parts[0] == "quitar" and len(parts) == 3:
        dropped = f"{field_name(parts[1])}-{parts[2]}-"
        data = {k: v for k, v in data.items() if not k.startswith(dropped)}
    return data


@designer_view
def preview_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers, then a pretend confirmation: nothing is sent."""
    service = service_get(request, pk)
    definition = service.draft_definition
    state = _state(request, service)
    sent = request.method == "POST"
    declaration_error = ""
    if sent and definition.get("declaration") and not request.POST.get("declaracion"):
        sent, declaration_error = False, _("Marca la declaración para poder enviar la solicitud.")
    rows = summary_of(definition=definition, answers=state["answers"])
    context = {
        "rows": [(p, _url(service, str(p.get("id"))), answers) for p, answers in rows],
        "declaration": definition.get("declaration") or "",
        "declaration_error": declaration_error,
        "sent": sent,
        "confirmation": definition.get("confirmation") or "",
        "example_reference": f"{service.reference_prefix}-AAAA-000000",
        "restart": reverse("formbuilder:preview_restart", kwargs={"pk": service.pk}),
        "action": request.path,
    }
    return page(
        request,
        "formbuilder/designer/preview_check.html",
        context,
        title=_("Solicitud enviada") if sent else _("Revisa tus respuestas"),
        service=service,
        tab="preview",
        errors=[("declaracion", declaration_error)] if declaration_error else [],
    )


@designer_view
@require_POST
def preview_restart_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get(request, pk)
    request.session.pop(_KEY.format(pk=service.pk), None)
    return done(request, _url(service), _("La vista previa empieza de nuevo, sin respuestas."))
