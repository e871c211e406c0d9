"""/gestion/expedientes/: the officials' inbox, a case's page and its actions, file downloads
and the CSV export. Each page is parse, call, render: the rules are in the selectors and
services. Every change is a POST with CSRF that redirects (303) on success; a repeated POST
changes nothing twice (the services are idempotent); a refused action says why in Spanish."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ventanilla.cases.backoffice.forms import FILTER_IDS, filters_from
from ventanilla.cases.models import Case, CaseEvent, IssuedDocument
from ventanilla.cases.permissions import can_handle_cases_somewhere
from ventanilla.cases.selectors.inbox import (
    COUNT_CAP,
    case_file_for_official,
    case_files,
    case_for_official,
    case_timeline,
    cases_for_official,
    cases_matching,
    inbox_assignees,
    inbox_institutions,
    inbox_page,
    inbox_services,
    inbox_status_counts,
    status_labels,
)
from ventanilla.cases.services.deadlines import due_label
from ventanilla.cases.services.export import cases_csv
from ventanilla.cases.services.handling import (
    case_assign,
    case_correction_request,
    case_message_send,
    case_note_add,
    case_transition,
    correctable_questions,
)
from ventanilla.formbuilder.answers import answers_summary
from ventanilla.formbuilder.definition import transitions_from
from ventanilla.notifications.selectors.inbox import inbox_items_for_case

View = Callable[..., HttpResponseBase]

# Service field -> id of the control on the case page (the error summary links to it).
ACTION_FIELD_IDS = {
    "assignee": "a-asignado",
    "to_status": "t-estado",
    "text": "n-texto",
    "message": "c-mensaje",
    "fields": "c-campos",
}


def official_required(view: View) -> View:
    """Logged-in officials who handle cases somewhere; others log in or are told why not."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            target = f"/gestion/login/?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseRedirect(target)
        if not can_handle_cases_somewhere(request.user):
            return _forbidden(
                request, _("Tu cuenta no gestiona expedientes de ninguna institución.")
            )
        return view(request, *args, **kwargs)

    return wrapper


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    context = {"message": message, "crumbs": [(_("Expedientes"), None)]}
    return render(request, "cases/backoffice/forbidden.html", context, status=403)


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        (_("Gestión"), "/gestion/"),
        (_("Expedientes"), reverse("cases_backoffice:inbox")),
        *extra,
    ]


# --- inbox -----------------------------------------------------------------------------------


@never_cache
@require_GET
@official_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters, errors = filters_from(request.GET)
    cases = cases_for_official(user=user, filters=filters)
    page_of = inbox_page(cases=cases, page=request.GET.get("page"))
    rows = list(page_of.page.object_list)
    labels = status_labels(versions={c.service_version_id for c in rows if c.service_version_id})
    counts = inbox_status_counts(user=user, filters=filters)
    services = inbox_services(user=user)
    institutions = inbox_institutions(user=user)
    today = timezone.localdate()
    items = []
    for case in rows:
        label, overdue = due_label(case.due_on, today=today) if not case.ended else ("", False)
        items.append(
            {
                "case": case,
                "status": labels.get(case.service_version_id or 0, {}).get(
                    case.status, case.status
                ),
                "due": label,
                "overdue": overdue,
            }
        )
    all_labels: dict[str, str] = {}
    for service in services:
        version = service.current_version
        for status in (version.workflow if version else {}).get("statuses") or []:
            all_labels.setdefault(str(status.get("code")), str(status.get("label")))
    status_options = [(code, all_labels.get(code, code)) for code in sorted(counts)] or list(
        all_labels.items()
    )
    if filters.status and filters.status not in dict(status_options):
        status_options.append((filters.status, all_labels.get(filters.status, filters.status)))
    context = {
        "title": _("Expedientes"),
        "filters": filters,
        "errors": errors,
        "field_errors": dict(reversed(errors)),
        "filter_ids": FILTER_IDS,
        "items": items,
        "page_of": page_of,
        "count_cap": COUNT_CAP,
        "counts": [(code, all_labels.get(code, code), n) for code, n in sorted(counts.items())],
        "services": services,
        "institutions": institutions,
        "assignees": inbox_assignees(user=user, institution=filters.institution),
        "status_options": status_options,
        "notices": [str(m) for m in messages.get_messages(request)],
        "export_url": (
            f"{reverse('cases_backoffice:export')}?{request.GET.urlencode()}"
            if filters.service
            else ""
        ),
        "crumbs": [*_crumbs()[:-1], (_("Expedientes"), None)],
    }
    return render(request, "cases/backoffice/inbox.html", context)


# --- one case --------------------------------------------------------------------------------


def _case_or_404(request: HttpRequest, reference: str) -> Case:
    case = case_for_official(user=request.user, reference=reference)
    if case is None:
        raise Http404(_("No existe ese expediente o no lo gestionas."))
    return case


def _document_of(case: Case) -> IssuedDocument | None:
    try:
        return case.document
    except IssuedDocument.DoesNotExist:
        return None


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    errors: list[tuple[str, str]] | None = None,
    posted: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    version = case.service_version
    workflow = version.workflow if version is not None else {}
    definition = version.definition if version is not None else {}
    labels = {
        str(s.get("code")): str(s.get("label") or s.get("code"))
        for s in workflow.get("statuses") or []
    }
    due, overdue = due_label(case.due_on) if not case.ended else ("", False)
    errors = errors or []
    correction = case.corrections.filter(resolved_at__isnull=True).first()
    transitions = [
        s for s in transitions_from(workflow, case.status) if s.get("kind") != "correction"
    ]
    can_correct = (
        not case.ended
        and correction is None
        and any(s.get("kind") == "correction" for s in transitions_from(workflow, case.status))
    )
    context = {
        "title": _("Expediente %(reference)s") % {"reference": case.reference},
        "case": case,
        "status_label": labels.get(case.status, case.status),
        "due": due,
        "overdue": overdue,
        "summary": answers_summary(definition=definition, answers=case.answers or {})
        if definition
        else [],
        "files": case_files(case=case),
        "timeline": case_timeline(case=case),
        "event_labels": {value: str(label) for value, label in CaseEvent.Kind.choices},
        "status_labels": labels,
        "transitions": transitions,
        "can_correct": can_correct,
        "correction": correction,
        "correctable": correctable_questions(case=case),
        "assignees": inbox_assignees(user=request.user, institution=case.institution_id),
        "document": _document_of(case),
        # What the citizen was notified in their casilla, with each e-mail/SMS's status.
        "inbox_items": inbox_items_for_case(
            user=request.user, institution_id=case.institution_id, reference=case.reference
        ),
        "errors": errors,
        "field_errors": dict(reversed(errors)),
        "posted": posted or {},
        "notices": [str(m) for m in messages.get_messages(request)],
        "crumbs": _crumbs((case.reference, None)),
    }
    return render(request, "cases/backoffice/case.html", context, status=status)


@never_cache
@require_GET
@official_required
def case_view(request: HttpRequest, reference: str) -> HttpResponse:
    return _case_page(request, _case_or_404(request, reference))


def _error_list(error: ValidationError, ids: dict[str, str]) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            (ids.get(name, ""), str(message))
            for name, messages_ in error.message_dict.items()
            for message in messages_
        ]
    return [("", str(message)) for message in error.messages]


def _action(
    request: HttpRequest,
    reference: str,
    act: Callable[[Case], str],
    ids: dict[str, str] | None = None,
) -> HttpResponse:
    """Run one action on the case: success -> a notice and back to where the form was;
    refused -> the case page again with the reason and what was typed."""
    case = _case_or_404(request, reference)
    try:
        done = act(case)
    except ValidationError as error:
        posted = request.POST.dict() | {"campos": request.POST.getlist("campos")}
        errors = _error_list(error, {**ACTION_FIELD_IDS, **(ids or {})})
        return _case_page(request, case, errors=errors, posted=posted, status=400)
    except PermissionDenied:
        return _forbidden(request, _("No puedes hacer eso con este expediente."))
    messages.success(request, done)
    target = request.POST.get("volver") == "bandeja" and reverse("cases_backoffice:inbox")
    return HttpResponseRedirect(
        target or reverse("cases_backoffice:case", kwargs={"reference": case.reference}),
        status=303,
    )


@never_cache
@require_POST
@official_required
def assign_view(request: HttpRequest, reference: str) -> HttpResponse:
    raw = str(request.POST.get("asignado") or "").strip()

    def act(case: Case) -> str:
        if raw == "me":
            assignee = request.user
        elif raw == "":
            assignee = None
        else:
            User = get_user_model()
            assignee = (
                User.objects.filter(pk=int(raw)).first()
                if raw.isdigit() and len(raw) < 12
                else None
            )
            if assignee is None:
                raise ValidationError({"assignee": _("Elige a una persona de la lista.")})
        case_assign(case=case, assignee=assignee, by=request.user)
        if assignee is None:
            return _("El expediente %(reference)s quedó sin asignar.") % {
                "reference": case.reference
            }
        name = getattr(assignee, "get_full_name", lambda: "")() or assignee.get_username()
        return _("El expediente %(reference)s está asignado a %(name)s.") % {
            "reference": case.reference,
            "name": name,
        }

    return _action(request, reference, act)


@never_cache
@require_POST
@official_required
def transition_view(request: HttpRequest, reference: str) -> HttpResponse:
    to_status = str(request.POST.get("estado") or "").strip()[:40]
    note = str(request.POST.get("comentario") or "")

    def act(case: Case) -> str:
        if not to_status:
            raise ValidationError({"to_status": _("Elige el nuevo estado.")})
        case_transition(case=case, to_status=to_status, by=request.user, note=note)
        workflow = case.service_version.workflow if case.service_version else {}
        label = next(
            (s.get("label") for s in workflow.get("statuses") or [] if s.get("code") == to_status),
            to_status,
        )
        return _("El expediente pasó a «%(status)s».") % {"status": label}

    return _action(request, reference, act)


@never_cache
@require_POST
@official_required
def note_view(request: HttpRequest, reference: str) -> HttpResponse:
    def act(case: Case) -> str:
        case_note_add(case=case, text=str(request.POST.get("texto") or ""), by=request.user)
        return _("Nota interna guardada.")

    return _action(request, reference, act)


@never_cache
@require_POST
@official_required
def message_view(request: HttpRequest, reference: str) -> HttpResponse:
    def act(case: Case) -> str:
        case_message_send(case=case, text=str(request.POST.get("mensaje") or ""), by=request.user)
        return _("Mensaje enviado al ciudadano.")

    return _action(request, reference, act, ids={"text": "m-mensaje"})


@never_cache
@require_POST
@official_required
def correction_view(request: HttpRequest, reference: str) -> HttpResponse:
    def act(case: Case) -> str:
        case_correction_request(
            case=case,
            fields=[str(f)[:60] for f in request.POST.getlist("campos")][:100],
            message=str(request.POST.get("explicacion") or ""),
            by=request.user,
        )
        return _("Pedimos la subsanación al ciudadano; el plazo se detiene hasta que responda.")

    return _action(request, reference, act)


# --- downloads -------------------------------------------------------------------------------


@never_cache
@require_GET
@official_required
def file_view(request: HttpRequest, reference: str, file_id: str) -> HttpResponseBase:
    case_file = case_file_for_official(user=request.user, reference=reference, public_id=file_id)
    if case_file is None:
        raise Http404(_("No existe ese archivo o no lo puedes ver."))
    try:
        handle = case_file.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("El archivo ya no está disponible.")) from missing
    response = FileResponse(
        handle, as_attachment=True, filename=case_file.name, content_type=case_file.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
@official_required
def document_view(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _case_or_404(request, reference)
    document = _document_of(case)
    if document is None or not document.pdf:
        raise Http404(_("Este expediente no tiene un documento emitido."))
    try:
        handle = document.pdf.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("El documento ya no está disponible.")) from missing
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{case.reference}-{document.code}.pdf",
        content_type="application/pdf",
    )


@never_cache
@require_GET
@official_required
def export_view(request: HttpRequest) -> HttpResponseBase:
    filters, errors = filters_from(request.GET)
    service = next((s for s in inbox_services(user=request.user) if s.pk == filters.service), None)
    if service is None or errors:
        messages.error(request, _("Para exportar, elige primero un servicio en los filtros."))
        return HttpResponseRedirect(
            f"{reverse('cases_backoffice:inbox')}?{request.GET.urlencode()}", status=303
        )
    cases = cases_matching(user=request.user, filters=filters)
    response = StreamingHttpResponse(
        ("\ufeff" if i == 0 else "") + line
        for i, line in enumerate(cases_csv(cases=cases, service=service))
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = (
        f'attachment; filename="expedientes-{service.slug}-{stamp}.csv"'
    )
    return response
