"""What every designer screen shares: who may open it, the service it works on, the page
frame (breadcrumbs, tabs, notices, error summary) and saving the draft."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ventanilla.formbuilder.models import DigitalService
from ventanilla.formbuilder.permissions import can_design_somewhere
from ventanilla.formbuilder.selectors import digital_service_for_designer
from ventanilla.formbuilder.services import digital_service_draft_save, draft_differs

BACKOFFICE_LOGIN = "/gestion/login/"

type View = Callable[..., HttpResponse]


def designer_view(view: View) -> View:
    """Logged in (else the back office's login), never cached, and a designer somewhere
    (else 403). The service's own institution is checked by `service_get`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_design_somewhere(request.user):
            raise PermissionDenied(_("Su rol no le permite diseñar servicios."))
        return view(request, *args, **kwargs)

    return login_required(never_cache(wrapper), login_url=BACKOFFICE_LOGIN)


def service_get(request: HttpRequest, pk: int) -> DigitalService:
    """The service `pk` if the user designs for its institution: 404 when it does not exist,
    403 when it belongs to an institution the user does not design for."""
    service = digital_service_for_designer(user=request.user, pk=pk)
    if service is not None:
        return service
    if DigitalService.objects.filter(pk=pk).exists():
        raise PermissionDenied(_("Su rol no le permite diseñar servicios de esa institución."))
    raise Http404


def draft_save(
    request: HttpRequest,
    service: DigitalService,
    *,
    definition: dict[str, Any] | None = None,
    workflow: dict[str, Any] | None = None,
) -> list[str]:
    """Save the draft; the Spanish problems that kept it from being saved ([] = saved)."""
    try:
        digital_service_draft_save(
            service=service, by=request.user, definition=definition, workflow=workflow
        )
    except ValidationError as error:
        return [str(m) for m in error.messages]
    return []


def done(request: HttpRequest, to: str, message: str = "", anchor: str = "") -> HttpResponse:
    """POST/redirect/GET with a notice for the next page."""
    if message:
        messages.success(request, message)
    return HttpResponseRedirect(f"{to}#{anchor}" if anchor else to)


def failed(request: HttpRequest, to: str, problems: list[str]) -> HttpResponse:
    """Redirect back with the problems that kept a one-button change from being saved."""
    for problem in problems:
        messages.error(request, problem)
    return HttpResponseRedirect(to)


def editor_url(service: DigitalService) -> str:
    return reverse("formbuilder:editor", kwargs={"pk": service.pk})


TABS = (
    ("editor", "Formulario"),
    ("workflow", "Flujo y plazos"),
    ("settings", "Ajustes"),
    ("preview", "Vista previa"),
    ("publish", "Publicar"),
    ("interchange", "Importar y exportar"),
)


def page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    service: DigitalService | None = None,
    tab: str = "",
    crumbs: list[tuple[str, str | None]] | None = None,
    errors: list[tuple[str, str]] | None = None,
    field_errors: dict[str, str] | None = None,
    status: int | None = None,
) -> HttpResponse:
    """Render a designer page: errors in the summary (field id, message) and by field, the
    notices and problems left by the last redirect, the breadcrumbs and the service's tabs."""
    errors = list(errors or [])
    notices: list[str] = []
    for message in messages.get_messages(request):
        if message.level >= messages.ERROR:
            errors.append(("", str(message)))
        else:
            notices.append(str(message))
    trail: list[tuple[str, str | None]] = [
        (_("Gestión"), "/gestion/"),
        (_("Servicios digitales"), reverse("formbuilder:list")),
    ]
    if service is not None:
        trail.append((service.name, editor_url(service)))
        context.update(
            service=service,
            draft_changed=draft_differs(service),
            tabs=[
                (name, _(label), reverse(f"formbuilder:{name}", kwargs={"pk": service.pk}))
                for name, label in TABS
            ],
            tab=tab,
        )
    trail += crumbs or []
    if trail[-1][0] != title:
        trail.append((title, None))
    trail[-1] = (trail[-1][0], None)
    context.update(
        title=title,
        crumbs=trail,
        errors=errors,
        field_errors=field_errors or {},
        notices=notices,
    )
    bad = bool(errors) and request.method == "POST"
    return render(request, template, context, status=status or (400 if bad else 200))


def problems_summary(problems: list[str]) -> list[tuple[str, str]]:
    return [("", problem) for problem in problems]


def fields_summary(field_errors: dict[str, str], ids: dict[str, str]) -> list[tuple[str, str]]:
    """Summary lines linking to each field: `ids` maps a field name to its input's id."""
    return [(ids.get(name, f"f-{name}"), message) for name, message in field_errors.items()]
