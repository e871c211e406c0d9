"""What every /gestion/avisos/ screen shares: who may open it, the institutions the user
manages, reading small GET/POST values, and the page frame (breadcrumbs, notices, errors)."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.accounts.selectors import membership_institution_ids
from ventanilla.institutions.models import Institution
from ventanilla.notifications.permissions import (
    NOTIFICATION_MANAGING_ROLES,
    can_manage_notifications,
)

BACKOFFICE_LOGIN = "/gestion/login/"

type View = Callable[..., HttpResponseBase]


def managed_institution_ids(user: Any) -> set[int]:
    """Institutions whose notifications `user` manages (platform admins: all, not listed)."""
    ids = membership_institution_ids(user=user, roles=NOTIFICATION_MANAGING_ROLES)
    return {pk for pk in ids if can_manage_notifications(user, pk)}


def can_manage_somewhere(user: Any) -> bool:
    return is_platform_admin(user) or bool(managed_institution_ids(user))


def managed_institutions(user: Any) -> list[Institution]:
    """The institutions `user` manages, by name (one query)."""
    institutions = Institution.objects.order_by("name").only("pk", "name", "acronym")
    if is_platform_admin(user):
        return list(institutions)
    return list(institutions.filter(pk__in=managed_institution_ids(user)))


def institution_chosen(
    request: HttpRequest, institutions: list[Institution], raw: str | None = None
) -> Institution | None:
    """The institution a GET/POST names among `institutions`; the only one when there is one."""
    value = str(raw if raw is not None else request.GET.get("institucion") or "").strip()
    if not value and len(institutions) == 1:
        return institutions[0]
    return next((i for i in institutions if str(i.pk) == value), None)


def manager_view(view: View) -> View:
    """Logged in (else the back office's login), never cached, and managing the notifications
    of some institution (else 403 saying why). Each object's institution is checked again by
    the view (another institution's object is a 404) and by the service."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            target = f"{BACKOFFICE_LOGIN}?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseRedirect(target)
        if not can_manage_somewhere(request.user):
            return forbidden(request, _("Tu cuenta no gestiona los avisos de ninguna institución."))
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as error:
            return forbidden(request, str(error) or _("No puedes hacer eso."))

    return never_cache(wrapper)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    context = {"message": message, "crumbs": crumbs()}
    return render(request, "notifications/backoffice/forbidden.html", context, status=403)


def crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    trail: list[tuple[str, str | None]] = [
        (_("Gestión"), "/gestion/"),
        (_("Avisos"), reverse("notifications_backoffice:templates")),
        *extra,
    ]
    trail[-1] = (trail[-1][0], None)
    return trail


def page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    section: str,
    trail: list[tuple[str, str | None]] | None = None,
    field_errors: dict[str, str] | None = None,
    field_ids: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status: int | None = None,
) -> HttpResponse:
    """Render a screen: the error summary (each field's message links to its control), the
    notices left by the last redirect, the section tabs and the breadcrumbs."""
    field_errors = field_errors or {}
    ids = field_ids or {}
    summary = [(ids.get(name, ""), message) for name, message in field_errors.items()]
    summary += [("", message) for message in errors or []]
    notices: list[str] = []
    for message in messages.get_messages(request):
        if message.level >= messages.ERROR:
            summary.append(("", str(message)))
        else:
            notices.append(str(message))
    context.setdefault(
        "institution_options", [(i.pk, i.name) for i in context.get("institutions") or []]
    )
    context.update(
        title=title,
        section=section,
        sections=[
            ("templates", _("Plantillas"), reverse("notifications_backoffice:templates")),
            ("keys", _("Claves de API"), reverse("notifications_backoffice:keys")),
            ("messages", _("Mensajes enviados"), reverse("notifications_backoffice:messages")),
        ],
        errors=summary,
        field_errors=field_errors,
        notices=notices,
        crumbs=crumbs(*(trail or []), (title, None)),
    )
    bad = bool(summary) and request.method == "POST"
    return render(request, template, context, status=status or (400 if bad else 200))


def done(request: HttpRequest, to: str, message: str) -> HttpResponse:
    """POST/redirect/GET with a notice for the next page."""
    messages.success(request, message)
    return HttpResponseRedirect(to, status=303)


def text(data: Any, name: str, limit: int) -> str:
    """A posted or queried value, as text, cut at `limit` (a longer one is refused later by
    the service, which says how long it may be)."""
    return str(data.get(name) or "")[:limit]
