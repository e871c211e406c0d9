"""/gestion/avisos/plantillas/: an institution's templates — the list (with the case notices
still using the platform's wording), a new one, editing (with its versions), archiving, and a
preview with sample values that also works without JavaScript (the «Vista previa» button posts
the form and nothing is saved)."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.institutions.models import Institution
from ventanilla.notifications import rendering
from ventanilla.notifications.backoffice.common import (
    done,
    institution_chosen,
    managed_institutions,
    manager_view,
    page,
    text,
)
from ventanilla.notifications.backoffice.selectors import (
    event_coverage,
    template_for_manager,
    templates_for_manager,
)
from ventanilla.notifications.events import EVENTS
from ventanilla.notifications.models import Channel, Template
from ventanilla.notifications.services.templates import (
    BODY_MAX_CHARACTERS,
    template_archive,
    template_check_wording,
    template_create,
    template_preview,
    template_sample_values,
    template_update,
)

FIELD_IDS = {
    "institution": "f-institucion",
    "name": "f-nombre",
    "channel": "f-canal",
    "event": "f-evento",
    "subject": "f-asunto",
    "body": "f-texto",
}
# Posted text is cut past these; the service then refuses what is still too long, saying so.
LIMITS = {"name": 400, "subject": 600, "body": BODY_MAX_CHARACTERS + 1}
VALUE_PREFIX = "dato:"


def _channel_options() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in Channel.choices]


def _event_options() -> list[tuple[str, str]]:
    return [("", _("Uso libre (API): cualquier dato"))] + [
        (code, str(event.label)) for code, event in EVENTS.items()
    ]


def _posted(request: HttpRequest) -> dict[str, str]:
    data = request.POST
    return {
        "name": text(data, "nombre", LIMITS["name"]).strip(),
        "channel": text(data, "canal", 10),
        "event": text(data, "evento", 64),
        "subject": text(data, "asunto", LIMITS["subject"]),
        "body": text(data, "texto", LIMITS["body"]),
    }


def _errors(error: ValidationError) -> tuple[dict[str, str], list[str]]:
    if hasattr(error, "error_dict"):
        by_field = {name: str(msgs[0]) for name, msgs in error.message_dict.items()}
        return {k: v for k, v in by_field.items() if k in FIELD_IDS}, [
            v for k, v in by_field.items() if k not in FIELD_IDS
        ]
    return {}, [str(m) for m in error.messages]


def _preview(
    request: HttpRequest, values: dict[str, str], institution: Institution | None
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The preview of the wording in `values` with the posted sample values (or made-up ones):
    (preview context, field errors). Nothing is saved."""
    channel = values["channel"]
    if not values["body"].strip() or channel not in Channel.values:
        return None, {}
    subject = values["subject"] if channel != Channel.SMS else ""
    try:
        names = template_check_wording(
            channel=channel, event=values["event"], subject=subject, body=values["body"]
        )
    except ValidationError as error:
        field_errors, _rest = _errors(error)
        return None, field_errors
    samples = template_sample_values(names=names, institution=institution)
    given = {
        name: str(request.POST.get(VALUE_PREFIX + name, "") or "")[:2000]
        for name in names
        if request.method == "POST"
    }
    filled = {name: given.get(name) or samples[name] for name in names}
    preview = template_preview(
        channel=channel,
        subject=subject,
        body=values["body"],
        values=filled,
        institution=institution,
    )
    wording = (
        rendering.sms_length(values["body"]) if channel == Channel.SMS else None
    )  # the template as written, placeholders included
    return {
        "preview": preview,
        "samples": [(i, name, filled[name]) for i, name in enumerate(names)],
        "value_prefix": VALUE_PREFIX,
        "wording_sms": wording,
    }, {}


# --- list --------------------------------------------------------------------------------------


@manager_view
@require_http_methods(["GET"])
def templates_view(request: HttpRequest) -> HttpResponse:
    institutions = managed_institutions(request.user)
    institution = institution_chosen(request, institutions)
    archived = request.GET.get("archivadas") == "1"
    templates = templates_for_manager(user=request.user, institution=institution, archived=archived)
    context = {
        "institutions": institutions,
        "institution": institution,
        "archived": archived,
        "templates": templates,
        "event_labels": {code: str(e.label) for code, e in EVENTS.items()},
        "channel_labels": dict(_channel_options()),
        "coverage": event_coverage(templates=templates) if institution else [],
    }
    return page(
        request,
        "notifications/backoffice/templates.html",
        context,
        title=_("Plantillas de avisos"),
        section="templates",
    )


# --- new ---------------------------------------------------------------------------------------


@manager_view
@require_http_methods(["GET", "POST"])
def template_new_view(request: HttpRequest) -> HttpResponse:
    institutions = managed_institutions(request.user)
    raw_institution = request.POST.get("institucion") if request.method == "POST" else None
    institution = institution_chosen(request, institutions, raw_institution)
    field_errors: dict[str, str] = {}
    errors: list[str] = []
    if request.method == "POST":
        values = _posted(request)
        form_id = _uuid(request.POST.get("form_id")) or uuid.uuid4()
    else:
        values = _start_values(request)
        form_id = uuid.uuid4()
    preview: dict[str, Any] | None = None
    if request.method == "POST" and institution is None:
        field_errors["institution"] = _("Elige la institución.")
    elif request.method == "POST" and request.POST.get("accion") == "guardar":
        try:
            template = template_create(
                institution=institution,
                channel=values["channel"],
                event=values["event"],
                name=values["name"],
                subject=values["subject"] if values["channel"] != Channel.SMS else "",
                body=values["body"],
                by=request.user,
                id=form_id,
            )
        except ValidationError as error:
            field_errors, errors = _errors(error)
        else:
            return done(
                request,
                reverse("notifications_backoffice:template", kwargs={"pk": template.pk}),
                _("Se guardó la plantilla «%(n)s» (versión 1).") % {"n": template.name},
            )
    if not field_errors and not errors:
        preview, field_errors = _preview(request, values, institution)
    context = {
        "institutions": institutions,
        "institution": institution,
        "values": values,
        "form_id": form_id,
        "channels": _channel_options(),
        "events": _event_options(),
        "event_placeholders": {code: e.placeholders for code, e in EVENTS.items()},
        "action": reverse("notifications_backoffice:template_new"),
        "template": None,
        **(preview or {}),
    }
    return page(
        request,
        "notifications/backoffice/template_form.html",
        context,
        title=_("Nueva plantilla"),
        section="templates",
        trail=[(_("Plantillas"), reverse("notifications_backoffice:templates"))],
        field_errors=field_errors,
        field_ids=FIELD_IDS,
        errors=errors,
    )


def _uuid(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw or "")[:40])
    except ValueError:
        return None


def _start_values(request: HttpRequest) -> dict[str, str]:
    """A new template's first values: a case notice and channel named in the link start
    from the platform's wording, so the institution edits rather than starts blank."""
    event = str(request.GET.get("evento") or "")[:64]
    channel = str(request.GET.get("canal") or "")[:10]
    values = {"name": "", "channel": channel, "event": "", "subject": "", "body": ""}
    if event in EVENTS and channel in Channel.values:
        definition = EVENTS[event]
        wording = getattr(definition, channel)
        values.update(
            name=f"{definition.label} · {Channel(channel).label}",
            event=event,
            subject=str(wording.subject),
            body=str(wording.body),
        )
    return values


# --- edit --------------------------------------------------------------------------------------


def _template_or_404(request: HttpRequest, pk: uuid.UUID) -> Template:
    template = template_for_manager(user=request.user, pk=pk)
    if template is None:
        raise Http404(_("No existe esa plantilla o no es de tu institución."))
    return template


@manager_view
@require_http_methods(["GET", "POST"])
def template_view(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    template = _template_or_404(request, pk)
    field_errors: dict[str, str] = {}
    errors: list[str] = []
    values = {
        "name": template.name,
        "channel": template.channel,
        "event": template.event,
        "subject": template.subject,
        "body": template.body,
    }
    expected: int | None = template.version
    if request.method == "POST":
        posted = _posted(request)
        values.update(name=posted["name"], subject=posted["subject"], body=posted["body"])
        raw_version = str(request.POST.get("version") or "")
        expected = int(raw_version) if raw_version.isdigit() and len(raw_version) < 9 else None
        if request.POST.get("accion") == "guardar":
            try:
                saved = template_update(
                    template=template,
                    by=request.user,
                    name=values["name"],
                    subject=values["subject"] if template.channel != Channel.SMS else "",
                    body=values["body"],
                    expected_version=expected,
                )
            except ValidationError as error:
                field_errors, errors = _errors(error)
            else:
                return done(
                    request,
                    reverse("notifications_backoffice:template", kwargs={"pk": saved.pk}),
                    _("Se guardó la plantilla «%(n)s» (versión %(v)s).")
                    % {"n": saved.name, "v": saved.version},
                )
    preview: dict[str, Any] | None = None
    if not field_errors and not errors:
        preview, field_errors = _preview(request, values, template.institution)
    context = {
        "template": template,
        "institution": template.institution,
        "values": values,
        "expected_version": expected if expected is not None else template.version,
        "versions": list(template.versions.select_related("created_by").order_by("-version")),
        "event_label": str(EVENTS[template.event].label) if template.event in EVENTS else "",
        "event_placeholders": {code: e.placeholders for code, e in EVENTS.items()},
        "channel_label": Channel(template.channel).label,
        "action": reverse("notifications_backoffice:template", kwargs={"pk": template.pk}),
        **(preview or {}),
    }
    return page(
        request,
        "notifications/backoffice/template_form.html",
        context,
        title=template.name,
        section="templates",
        trail=[(_("Plantillas"), reverse("notifications_backoffice:templates"))],
        field_errors=field_errors,
        field_ids=FIELD_IDS,
        errors=errors,
    )


@manager_view
@require_http_methods(["GET", "POST"])
def template_archive_view(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    template = _template_or_404(request, pk)
    if request.method == "POST":
        template_archive(template=template, by=request.user)
        url = reverse("notifications_backoffice:templates")
        if template.institution_id:
            url += f"?institucion={template.institution_id}"
        message = _("Se archivó la plantilla «%(n)s».") % {"n": template.name}
        if template.event in EVENTS:
            message += " " + _("Ese aviso usa ahora el texto de la plataforma.")
        return done(request, url, message)
    context = {"template": template, "crumbs": []}
    return page(
        request,
        "notifications/backoffice/template_archive.html",
        context,
        title=_("Archivar «%(n)s»") % {"n": template.name},
        section="templates",
        trail=[
            (_("Plantillas"), reverse("notifications_backoffice:templates")),
            (template.name, reverse("notifications_backoffice:template", kwargs={"pk": pk})),
        ],
    )
