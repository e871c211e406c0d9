"""The citizen's journey: a service's start page, one question page at a time, check your
answers, confirmation (with the satisfaction question), and "Mis trámites".

GOV.UK patterns: one thing per page, an error summary at the top linking to each field and the
message next to it, every button a plain submit (works without JavaScript). Every page holds
personal data, so none is cached (never_cache)."""

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods

from ventanilla.accounts.assurance import meets, parse_level, session_level
from ventanilla.cases.citizen.forms import (
    data_lists,
    group_action,
    group_rows,
    question_opts,
    summary_errors,
)
from ventanilla.cases.models import Application, Case, CaseEvent
from ventanilla.cases.selectors.citizen import (
    application_of_citizen,
    case_of_citizen,
    cases_of_citizen,
    drafts_of_citizen,
    file_of_case,
    files_of_application,
    inbox_items_of_case,
)
from ventanilla.cases.services.applications import (
    application_file_remove,
    application_page_save,
    application_start,
    application_uploads_store,
    satisfaction_record,
)
from ventanilla.cases.services.deadlines import due_label
from ventanilla.cases.services.documents import receipt_pdf
from ventanilla.cases.services.handling import case_correction_submit, case_message_reply
from ventanilla.cases.services.prefill import (
    application_prefill_authorize,
    application_prefill_decline,
    application_prefill_keyed,
    prefill_entries,
    prefill_notice,
    prefill_pending,
    prefill_plan,
)
from ventanilla.cases.services.submission import case_submit
from ventanilla.formbuilder.answers import (
    answer_display,
    answers_summary,
    page_initial,
    page_read,
)
from ventanilla.formbuilder.conditions import pages_visible
from ventanilla.formbuilder.definition import question_index, status_label
from ventanilla.formbuilder.models import DigitalService
from ventanilla.formbuilder.selectors import digital_service_published
from ventanilla.ubigeo.selectors import districts_of, provinces_of

# A page's body may carry this many files of the largest size a question accepts, and some
# text: past it the citizen gets a clear page instead of the upload being read at all.
MAX_BODY_BYTES = 10 * 20 * 1024 * 1024 + 1024 * 1024
CHECK_KEY = "ventanilla-envio-{}"
CORRECTION_KEY = "ventanilla-subsanacion-{}"


# --- Helpers -----------------------------------------------------------------------------------


def _level_redirect(request: HttpRequest, service: DigitalService) -> HttpResponse | None:
    """Send the citizen to log in (or step up) when the session is below the service's level,
    as the catalogue's "Iniciar trámite en línea" does."""
    required = parse_level(service.min_assurance)
    if required is None or meets(session_level(request), required):
        return None
    query = {"next": request.get_full_path()}
    if required != "one_factor":
        query["nivel"] = str(required)
    return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode(query)}")


def _application_or_404(request: HttpRequest, public_id: uuid.UUID) -> Application:
    application = application_of_citizen(user=request.user, public_id=str(public_id))
    if application is None:
        raise Http404(_("No encontramos esa solicitud."))
    return application


def _case_or_404(request: HttpRequest, reference: str) -> Case:
    case = case_of_citizen(user=request.user, reference=reference)
    if case is None:
        raise Http404(_("No encontramos ese trámite."))
    return case


def _page_url(application: Application, page_id: str) -> str:
    return reverse(
        "cases_citizen:page", kwargs={"public_id": application.public_id, "page_id": page_id}
    )


def _check_url(application: Application) -> str:
    return reverse("cases_citizen:check", kwargs={"public_id": application.public_id})


def _sent_url(case: Case) -> str:
    return reverse("cases_citizen:sent", kwargs={"reference": case.reference})


def _consent_url(application: Application) -> str:
    return reverse("cases_citizen:consent", kwargs={"public_id": application.public_id})


def _resume_url(application: Application) -> str:
    """Where the citizen picks up: the consent step when the form reads registries and they
    were not asked yet, then the first page not done yet (or the exit page reached), or the
    check page when every page is done."""
    if prefill_pending(application):
        return _consent_url(application)
    for page in pages_visible(application.service_version.definition, application.answers):
        if page.get("exit") or page["id"] not in application.completed_pages:
            return _page_url(application, str(page["id"]))
    return _check_url(application)


def _when(moment: datetime | None, *, time: bool = True) -> str:
    """A date (and time) as read in Lima: 27/03/2026 14:05."""
    if moment is None:
        return ""
    return localtime(moment).strftime("%d/%m/%Y %H:%M" if time else "%d/%m/%Y")


def _see_other(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Mis trámites"), reverse("cases_citizen:list")), *items]


def _too_big(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/citizen/too_big.html", {"back": request.path}, status=413)


def _body_too_big(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > MAX_BODY_BYTES


# --- Start -------------------------------------------------------------------------------------


@never_cache
def service_start(request: HttpRequest, slug: str) -> HttpResponse:
    """The service's start page: what it is, what you need, how long it takes."""
    service = digital_service_published(slug=slug)
    if service is None or service.current_version is None:
        raise Http404(_("No encontramos ese servicio."))
    draft = None
    if request.user.is_authenticated:
        draft = (
            drafts_of_citizen(user=request.user).filter(service_version__service=service).first()
        )
    version = service.current_version
    context = {
        "service": service,
        "definition": version.definition,
        "workflow": version.workflow,
        "draft": draft,
        "draft_url": _resume_url(draft) if draft else "",
        "begin_url": reverse("cases_citizen:begin", kwargs={"slug": service.slug}),
        "level_two": service.min_assurance == "two_factor",
        "crumbs": [
            (service.institution.acronym or service.institution.name, None),
            (service.name, None),
        ],
    }
    return render(request, "cases/citizen/start.html", context)


@never_cache
def service_begin(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Empezar ahora": log in at the service's level, then start (or resume) the draft."""
    service = digital_service_published(slug=slug)
    if service is None:
        raise Http404(_("No encontramos ese servicio."))
    if (redirect := _level_redirect(request, service)) is not None:
        return redirect
    try:
        application = application_start(service=service, applicant=request.user)
    except ValidationError as error:
        return render(
            request,
            "cases/citizen/unavailable.html",
            {"service": service, "message": " ".join(error.messages)},
            status=409,
        )
    return HttpResponseRedirect(_resume_url(application))


# --- One page at a time ------------------------------------------------------------------------


def _page_context(
    *,
    application: Application,
    page: dict[str, Any],
    data: dict[str, list[str]],
    errors: dict[str, str],
    rows: dict[str, list[int]] | None = None,
    back_to_check: bool = False,
) -> dict[str, Any]:
    definition = application.service_version.definition
    pages = [p for p in pages_visible(definition, application.answers) if not p.get("exit")]
    ids = [str(p["id"]) for p in pages]
    index = ids.index(page["id"]) if page["id"] in ids else 0
    prefilled = _prefilled_shown(application, page.get("questions") or [])
    if back_to_check:
        back = _check_url(application)
    elif index > 0:
        back = _page_url(application, ids[index - 1])
    else:
        back = reverse(
            "cases_citizen:start", kwargs={"slug": application.service_version.service.slug}
        )
    return {
        "application": application,
        "service": application.service_version.service,
        "page": page,
        "questions": page.get("questions") or [],
        "data": data,
        "errors": errors,
        "summary": summary_errors(errors),
        "opts": question_opts(
            files=files_of_application(application=application),
            rows=rows if rows is not None else group_rows(page, data),
        ),
        "back": back,
        "step": index + 1,
        "steps": len(ids),
        "multipart": any(q.get("type") == "file" for q in page.get("questions") or []),
        "single": _single_question(page) and not prefilled,
        "prefilled": prefilled,
    }


def _prefilled_shown(
    application: Application, questions: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """{question id: {"text": the value as a person reads it, "label": "RENIEC", …}} of the
    questions answered from a registry: shown read-only."""
    entries = prefill_entries(application)
    return {
        str(q["id"]): {
            **entries[str(q["id"])],
            "text": answer_display(question=q, value=entries[str(q["id"])]["value"]),
        }
        for q in questions
        if str(q.get("id")) in entries
    }


def _single_question(page: dict[str, Any]) -> bool:
    """A page with one simple question uses the question as its heading (GOV.UK pattern)."""
    questions = [q for q in page.get("questions") or [] if q.get("type") != "info"]
    return (
        len(page.get("questions") or []) == 1
        and len(questions) == 1
        and questions[0].get("type") not in {"group", "address", "ubigeo", "info"}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def application_page(request: HttpRequest, public_id: uuid.UUID, page_id: str) -> HttpResponse:
    if request.method == "POST" and _body_too_big(request):
        return _too_big(request)
    application = _application_or_404(request, public_id)
    if application.case_id is not None:
        return _see_other(_sent_url(application.case))  # type: ignore[arg-type]
    service = application.service_version.service
    if (redirect := _level_redirect(request, service)) is not None:
        return redirect
    if prefill_pending(application):
        return HttpResponseRedirect(_consent_url(application))
    definition = application.service_version.definition
    page = next(
        (p for p in pages_visible(definition, application.answers) if p["id"] == page_id), None
    )
    if page is None:
        return HttpResponseRedirect(_resume_url(application))
    if page.get("exit"):
        return render(
            request,
            "cases/citizen/exit.html",
            {
                "service": service,
                "page": page,
                "title": page.get("title"),
                "change": _page_url(application, application.completed_pages[-1])
                if application.completed_pages
                else reverse("cases_citizen:start", kwargs={"slug": service.slug}),
            },
        )
    back_to_check = request.GET.get("volver") == "revisar"
    if request.method == "GET":
        data = data_lists(
            page_initial(definition=definition, page_id=page_id, answers=application.answers)
        )
        context = _page_context(
            application=application, page=page, data=data, errors={}, back_to_check=back_to_check
        )
        return render(request, "cases/citizen/page.html", context)
    try:
        posted = data_lists(request.POST)
        files = request.FILES
    except RequestDataTooBig:
        return _too_big(request)
    action = request.POST.get("accion", "")
    remove = request.POST.get("quitar-archivo", "")
    rows = group_rows(page, posted)
    if action.startswith(("anadir:", "quitar:")):
        group_action(action, page, posted, rows)
    page_errors: dict[str, str] = {}
    if remove:
        try:
            application_file_remove(application=application, file_id=remove, by=request.user)
        except ValidationError as error:
            page_errors["__all__"] = " ".join(error.messages)
    upload_errors = application_uploads_store(
        application=application, page_id=page_id, files=files, by=request.user
    )
    outcome = application_page_save(
        application=application, page_id=page_id, data=_Query(posted), by=request.user
    )
    outcome.errors.update(upload_errors)
    application.refresh_from_db()
    if action or remove:
        # Add/remove a row, remove a file, show the next list of places: the page comes back
        # as it was sent; only what went wrong with the button itself or an upload is said.
        context = _page_context(
            application=application,
            page=page,
            data=posted,
            errors={**page_errors, **upload_errors},
            rows=rows,
            back_to_check=back_to_check,
        )
        status = 400 if context["errors"] else 200
        return render(request, "cases/citizen/page.html", context, status=status)
    if not outcome.ok:
        context = _page_context(
            application=application,
            page=page,
            data=posted,
            errors=outcome.errors,
            rows=rows,
            back_to_check=back_to_check,
        )
        return render(request, "cases/citizen/page.html", context, status=400)
    # An answer a registry is looked up by (a plate) was saved: read it now, outside the
    # page's transaction; a failure only leaves those questions editable.
    application_prefill_keyed(application=application, by=request.user)
    application.refresh_from_db()
    resume = _resume_url(application)
    if back_to_check or resume == _check_url(application):
        return _see_other(resume)
    # Next visible page after this one (a changed answer may have added or hidden pages).
    ids = [str(p["id"]) for p in pages_visible(definition, application.answers)]
    if page_id in ids and ids.index(page_id) + 1 < len(ids):
        return _see_other(_page_url(application, ids[ids.index(page_id) + 1]))
    return _see_other(resume)


# --- Once-only: the consent step before the first page ----------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def application_consent(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The registries the form reads, who reads them and what for: "Autorizar y continuar"
    reads them (a registry that fails says so, keeps the draft, and offers to try again or to
    type the data); "Prefiero escribir mis datos" leaves every question editable."""
    application = _application_or_404(request, public_id)
    if application.case_id is not None:
        return _see_other(_sent_url(application.case))  # type: ignore[arg-type]
    service = application.service_version.service
    if (redirect := _level_redirect(request, service)) is not None:
        return redirect
    notice, retry, status = "", False, 200
    if request.method == "POST":
        action = request.POST.get("accion", "")
        if action == "escribir":
            application_prefill_decline(application=application, by=request.user)
            return _see_other(_resume_url(application))
        if action == "autorizar":
            outcome = application_prefill_authorize(application=application, by=request.user)
            if outcome.ok:
                return _see_other(_resume_url(application))
            notice, retry = prefill_notice(outcome.problems, retry=outcome.retry), outcome.retry
            status = 503 if outcome.retry else 200
    elif not prefill_pending(application):
        return HttpResponseRedirect(_resume_url(application))
    plan = [p for p in prefill_plan(application=application) if p.available]
    context = {
        "application": application,
        "service": service,
        "plan": plan,
        "notice": notice,
        "retry": retry,
        "filled": prefill_entries(application),
        "back": reverse("cases_citizen:start", kwargs={"slug": service.slug}),
        "errors": {},
        "summary": [],
    }
    return render(request, "cases/citizen/consent.html", context, status=status)


class _Query(dict[str, Any]):
    """Posted lists as page_read reads them: get -> last value, getlist -> all."""

    def __init__(self, lists: dict[str, list[str]]) -> None:
        super().__init__({k: v[-1] if v else "" for k, v in lists.items()})
        self._lists = lists

    def getlist(self, key: str) -> list[str]:
        return list(self._lists.get(key, []))


# --- Check your answers and submit -------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def application_check(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _application_or_404(request, public_id)
    if application.case_id is not None:
        return _see_other(_sent_url(application.case))  # type: ignore[arg-type]
    service = application.service_version.service
    if (redirect := _level_redirect(request, service)) is not None:
        return redirect
    resume = _resume_url(application)
    if resume != _check_url(application):
        return HttpResponseRedirect(resume)
    definition = application.service_version.definition
    session_key = CHECK_KEY.format(application.public_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        key = str(request.POST.get("clave") or request.session.get(session_key) or "")[:80]
        if definition.get("declaration") and request.POST.get("declaracion") != "si":
            errors["declaracion"] = _(
                "Marca la casilla para declarar que los datos son verdaderos."
            )
        elif not key:
            errors["__all__"] = _("La página caducó. Vuelve a pulsar «Enviar solicitud».")
        else:
            try:
                case = case_submit(application=application, by=request.user, idempotency_key=key)
            except ValidationError as error:
                errors = _submit_errors(error, application)
            else:
                request.session.pop(session_key, None)
                return _see_other(_sent_url(case))
    key = str(request.session.get(session_key) or "")
    if not key:
        key = request.session[session_key] = str(uuid.uuid4())
    summary = answers_summary(definition=definition, answers=application.answers)
    context = {
        "application": application,
        "service": service,
        "definition": definition,
        "sections": [
            (
                page,
                [
                    (
                        q,
                        text,
                        f"{_page_url(application, str(page['id']))}?volver=revisar#q-{q['id']}",
                    )
                    for q, text in rows
                ],
            )
            for page, rows in summary
        ],
        "key": key,
        "prefilled": prefill_entries(application),
        "errors": errors,
        "summary": summary_errors(errors),
        "back": _page_url(application, application.completed_pages[-1])
        if application.completed_pages
        else reverse("cases_citizen:start", kwargs={"slug": service.slug}),
    }
    return render(request, "cases/citizen/check.html", context, status=400 if errors else 200)


def _submit_errors(error: ValidationError, application: Application) -> dict[str, str]:
    """case_submit's {field: message} as links to the pages that hold those fields."""
    found: dict[str, str] = {}
    messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for field, texts in messages.items():
        found[field] = " ".join(str(t) for t in texts)
    return found


# --- After submitting --------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_sent(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation page (a refresh shows it again; it never submits) and the one
    satisfaction question."""
    case = _case_or_404(request, reference)
    errors: dict[str, str] = {}
    if request.method == "POST":
        score_raw = request.POST.get("puntaje", "")
        try:
            satisfaction_record(
                case=case,
                score=int(score_raw) if score_raw.isdigit() else 0,
                comment=request.POST.get("comentario", ""),
                by=request.user,
            )
        except ValidationError as error:
            errors = {k: " ".join(v) for k, v in error.message_dict.items()}
        else:
            return _see_other(f"{_sent_url(case)}#satisfaccion")
    definition = case.service_version.definition if case.service_version else {}
    context = {
        "case": case,
        "confirmation": definition.get("confirmation") or "",
        "rated": hasattr(case, "satisfaction") and _rated(case),
        "errors": errors,
        "summary": summary_errors(errors),
        "comment": request.POST.get("comentario", "") if errors else "",
    }
    return render(request, "cases/citizen/sent.html", context, status=400 if errors else 200)


def _rated(case: Case) -> bool:
    try:
        return case.satisfaction is not None
    except Case.satisfaction.RelatedObjectDoesNotExist:
        return False


@never_cache
@login_required
def case_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    response = HttpResponse(receipt_pdf(case=case), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="constancia-{case.reference}.pdf"'
    return response


# --- Mis trámites ------------------------------------------------------------------------------


@never_cache
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = list(cases_of_citizen(user=request.user)[:200])
    rows = []
    for case in cases:
        workflow = case.service_version.workflow if case.service_version else {}
        label, overdue = due_label(case.due_on) if case.due_on and not case.ended else ("", False)
        rows.append(
            {
                "case": case,
                "name": case.service.name if case.service else case.reference,
                "status": status_label(workflow, case.status),
                "submitted": _when(case.submitted_at, time=False),
                "due": label,
                "overdue": overdue,
            }
        )
    drafts = [
        {
            "application": a,
            "url": _resume_url(a),
            "service": a.service_version.service,
            "saved": _when(a.updated_at, time=False),
        }
        for a in drafts_of_citizen(user=request.user)
    ]
    context = {"rows": rows, "drafts": drafts, "crumbs": [(_("Mis trámites"), None)]}
    return render(request, "cases/citizen/list.html", context)


def _correction_page(case: Case, correction: Any) -> dict[str, Any]:
    """The asked fields as one page (file questions are not corrected online yet)."""
    index = question_index(case.service_version.definition if case.service_version else {})
    top = {
        str(q.get("id")): q
        for p in (
            case.service_version.definition.get("pages") or [] if case.service_version else []
        )
        for q in p.get("questions") or []
    }
    asked = []
    for qid in correction.fields or []:
        question = top.get(str(qid)) or index.get(str(qid))
        if (
            question is not None
            and question.get("type") not in {"file", "info"}
            and question not in asked
        ):
            asked.append(question)
    return {"id": "subsanacion", "title": _("Subsanación"), "questions": asked}


def _detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    workflow = case.service_version.workflow if case.service_version else {}
    correction = case.corrections.filter(resolved_at__isnull=True).first()
    correction_page = _correction_page(case, correction) if correction else None
    session_key = CORRECTION_KEY.format(correction.pk) if correction else ""
    if correction and not request.session.get(session_key):
        request.session[session_key] = str(uuid.uuid4())
    events = [
        {"kind": e.kind, "text": e.text, "when": _when(e.created_at)}
        for e in case.events.filter(public=True)
    ]
    label, overdue = due_label(case.due_on) if case.due_on and not case.ended else ("", False)
    document = getattr(case, "document", None) if _has_document(case) else None
    return {
        "case": case,
        "service_name": case.service.name if case.service else "",
        "status": status_label(workflow, case.status),
        "due": label,
        "overdue": overdue,
        "events": events,
        "kinds": dict(CaseEvent.Kind.choices),
        "correction": correction,
        "correction_page": correction_page,
        "correction_key": request.session.get(session_key, "") if correction else "",
        "document": document,
        "inbox_items": [
            {
                "id": str(i.pk),
                "subject": i.subject,
                "when": _when(i.deposited_at),
                "opened": i.first_opened_at is not None,
            }
            for i in inbox_items_of_case(user=request.user, case=case)
        ],
        "submitted": _when(case.submitted_at),
        "files": [
            {"public_id": str(f.public_id), "name": f.name, "size": filesizeformat(f.size)}
            for f in case.files.order_by("created_at", "pk")
        ],
        "summary_rows": answers_summary(
            definition=case.service_version.definition if case.service_version else {},
            answers=case.answers,
        ),
        "crumbs": _crumbs((case.reference, None)),
        "errors": {},
        "summary": [],
        "data": {},
        "opts": question_opts(),
        "message_text": "",
    }


def _has_document(case: Case) -> bool:
    try:
        return case.document is not None and case.document.revoked_at is None
    except Case.document.RelatedObjectDoesNotExist:
        return False


@never_cache
@login_required
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    context = _detail_context(request, case)
    if correction := context["correction"]:
        context["data"] = data_lists(
            page_initial(
                definition={"pages": [context["correction_page"]]},
                page_id="subsanacion",
                answers=case.answers,
            )
        )
        context["opts"] = question_opts(
            rows=group_rows(context["correction_page"], context["data"])
        )
        del correction
    return render(request, "cases/citizen/detail.html", context)


@never_cache
@login_required
@require_http_methods(["POST"])
def case_message(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    text = request.POST.get("mensaje", "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["mensaje"] = _("Escribe tu mensaje.")
    elif len(text) > 4000:
        errors["mensaje"] = _("Escribe como máximo 4000 caracteres.")
    else:
        try:
            case_message_reply(case=case, text=text, by=request.user)
        except ValidationError as error:
            errors["mensaje"] = " ".join(error.messages)
        else:
            return _see_other(
                reverse("cases_citizen:detail", kwargs={"reference": case.reference}) + "#mensajes"
            )
    context = _detail_context(request, case)
    context.update(errors=errors, summary=summary_errors(errors), message_text=text)
    return render(request, "cases/citizen/detail.html", context, status=400)


@never_cache
@login_required
@require_http_methods(["POST"])
def case_correction(request: HttpRequest, reference: str) -> HttpResponse:
    """The citizen's corrections: only the asked fields, checked with the form's own rules."""
    case = _case_or_404(request, reference)
    context = _detail_context(request, case)
    correction, page = context["correction"], context["correction_page"]
    detail_url = reverse("cases_citizen:detail", kwargs={"reference": case.reference})
    if correction is None:
        return _see_other(detail_url)
    posted = data_lists(request.POST)
    rows = group_rows(page, posted)
    action = request.POST.get("accion", "")
    if action.startswith(("anadir:", "quitar:")) or action == "ubigeo":
        group_action(action, page, posted, rows)
        context.update(data=posted, opts=question_opts(rows=rows))
        return render(request, "cases/citizen/detail.html", context)
    outcome = page_read(
        definition={"pages": [page]},
        page_id="subsanacion",
        data=_Query(posted),
        answers=case.answers,
    )
    if outcome.ok:
        key = str(request.POST.get("clave") or context["correction_key"] or uuid.uuid4())[:80]
        try:
            case_correction_submit(
                case=case, answers=outcome.answers, by=request.user, idempotency_key=key
            )
        except ValidationError as error:
            outcome.errors.update(
                error.message_dict
                if hasattr(error, "error_dict")
                else {"__all__": " ".join(error.messages)}  # type: ignore[arg-type]
            )
            outcome.errors = {
                k: v if isinstance(v, str) else " ".join(v) for k, v in outcome.errors.items()
            }
        except PermissionDenied:
            return _see_other(detail_url)
        else:
            request.session.pop(CORRECTION_KEY.format(correction.pk), None)
            return _see_other(detail_url + "#estado")
    context.update(
        data=posted,
        opts=question_opts(rows=rows),
        errors=outcome.errors,
        summary=summary_errors(outcome.errors),
    )
    return render(request, "cases/citizen/detail.html", context, status=400)


@never_cache
@login_required
def case_document(request: HttpRequest, reference: str) -> FileResponse:
    """The issued document, for the applicant only."""
    case = _case_or_404(request, reference)
    if not _has_document(case) or not case.document.pdf:
        raise Http404(_("Este trámite todavía no tiene un documento emitido."))
    document = case.document
    return FileResponse(
        document.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{case.reference}.pdf",
    )


@never_cache
@login_required
def case_file(request: HttpRequest, reference: str, file_id: str) -> FileResponse:
    case = _case_or_404(request, reference)
    found = file_of_case(case=case, public_id=file_id)
    if found is None or not found.file:
        raise Http404(_("No encontramos ese archivo."))
    return FileResponse(
        found.file.open("rb"),
        content_type=found.content_type,
        as_attachment=True,
        filename=found.name,
    )


# --- Places for the ubigeo selects (progressive enhancement) -----------------------------------


@cache_control(public=True, max_age=86400)
def ubigeo_children(request: HttpRequest, code: str) -> JsonResponse:
    """The provinces of a department (2 digits) or the districts of a province (4 digits), as
    [[code, name], …] for static/js/ubigeo.js."""
    if len(code) == 2 and code.isdigit():
        found = provinces_of(code)
    elif len(code) == 4 and code.isdigit():
        found = districts_of(code)
    else:
        raise Http404(_("Código de ubigeo no válido."))
    return JsonResponse([list(pair) for pair in found], safe=False)
