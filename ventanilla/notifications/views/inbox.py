"""The casilla electrónica's pages: the citizen's list and items (opening one records its first
opening), attachments and constancias; the public check of a constancia by its code; an
official's copy of a constancia. Server-rendered, no JavaScript; every page with personal
data is never cached."""

from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ventanilla.notifications.constancia import LIMA, inbox_constancia_pdf
from ventanilla.notifications.models import InboxItem
from ventanilla.notifications.selectors.inbox import (
    inbox_attachment_of,
    inbox_for_citizen,
    inbox_item_by_code,
    inbox_item_for_citizen,
    inbox_item_for_official,
    inbox_item_intact,
    inbox_unread_count,
)
from ventanilla.notifications.services.inbox import (
    inbox_code_display,
    inbox_code_normalise,
    inbox_open,
)

BACKOFFICE_LOGIN = "/gestion/login/"


def _when(moment: datetime | None, *, seconds: bool = False) -> str:
    """27/03/2026 14:05 (Lima); with the seconds where the time is a legal fact."""
    if moment is None:
        return ""
    return timezone.localtime(moment, LIMA).strftime(
        "%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M"
    )


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment, LIMA).isoformat() if moment is not None else ""


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        (_("Mi cuenta"), reverse("accounts:home")),
        (_("Casilla electrónica"), reverse("notifications_inbox:list") if items else None),
        *items,
    ]


def _safe_link(link: str) -> str:
    """Only the platform's own paths or https addresses become a link."""
    if (link.startswith("/") and not link.startswith("//")) or link.startswith("https://"):
        return link
    return ""


def _pdf(content: bytes, code: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="constancia-casilla-{code}.pdf"'
    return response


def _item_or_404(request: HttpRequest, item_id: Any) -> InboxItem:
    item = inbox_item_for_citizen(user=request.user, item_id=item_id)
    if item is None:
        raise Http404(_("No encontramos esa notificación en tu casilla."))
    return item


# --- The header's unread count (a Jinja2 context processor) ---------------------------------


def inbox_header(request: HttpRequest) -> dict[str, Callable[[], int | None]]:
    """`inbox_unread()` for the citizen header: None for visitors without a session and for
    accounts that are not citizens (no query), else the unread count (one query per request,
    none on the casilla's list, which already counted)."""

    def inbox_unread() -> int | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False) or not getattr(user, "document_number", ""):
            return None
        return inbox_unread_count(user=user)

    return {"inbox_unread": inbox_unread}


# --- Citizen pages -----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def inbox_list(request: HttpRequest) -> HttpResponse:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = inbox_for_citizen(user=request.user, page=number)
    rows = [
        {
            "item": item,
            "url": reverse("notifications_inbox:detail", args=[item.pk]),
            "unread": item.first_opened_at is None,
            "when": _when(item.deposited_at),
            "iso": _iso(item.deposited_at),
        }
        for item in page.object_list
    ]
    context = {
        "title": _("Casilla electrónica"),
        "rows": rows,
        "page_of": SimpleNamespace(page=page, paginator=page.paginator),
        "total": page.paginator.count,
        "unread": inbox_unread_count(user=request.user),
        "crumbs": _crumbs(),
    }
    return render(request, "notifications/inbox_list.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def inbox_detail(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = _item_or_404(request, item_id)
    newly_opened = False
    if request.method == "GET" and item.first_opened_at is None:
        inbox_open(item=item, by=request.user)
        newly_opened = True
    corrects = item.corrects
    context = {
        "title": item.subject,
        "item": item,
        "newly_opened": newly_opened,
        "deposited": _when(item.deposited_at, seconds=True),
        "deposited_iso": _iso(item.deposited_at),
        "opened": _when(item.first_opened_at, seconds=True),
        "opened_iso": _iso(item.first_opened_at),
        "link": _safe_link(item.link),
        "attachments": [
            {
                "name": a.name,
                "size": filesizeformat(a.size),
                "kind": "PDF" if a.content_type == "application/pdf" else "",
                "url": reverse("notifications_inbox:attachment", args=[item.pk, a.pk]),
            }
            for a in item.attachments.all()
        ],
        "corrects": (
            {
                "url": reverse("notifications_inbox:detail", args=[corrects.pk]),
                "when": _when(corrects.deposited_at),
            }
            if corrects is not None
            else None
        ),
        "corrections": [
            {
                "url": reverse("notifications_inbox:detail", args=[c.pk]),
                "when": _when(c.deposited_at),
            }
            for c in item.corrections.all()
        ],
        "constancia_url": reverse("notifications_inbox:constancia", args=[item.pk]),
        "code": inbox_code_display(item.code),
        "crumbs": _crumbs((item.subject, None)),
    }
    return render(request, "notifications/inbox_detail.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def inbox_attachment(request: HttpRequest, item_id: Any, attachment_id: int) -> FileResponse:
    """An attachment's file. Reading it is reading the notification: it records the first
    opening as the item's page does."""
    item = _item_or_404(request, item_id)
    attachment = inbox_attachment_of(item=item, attachment_id=attachment_id)
    if attachment is None or not attachment.file:
        raise Http404(_("No encontramos ese archivo."))
    if request.method == "GET" and item.first_opened_at is None:
        inbox_open(item=item, by=request.user)
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.name,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def inbox_constancia(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = _item_or_404(request, item_id)
    return _pdf(inbox_constancia_pdf(item=item), item.code)


# --- The public check --------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def constancia_check(request: HttpRequest, code: str) -> HttpResponse:
    """What a constancia's code proves: the institution, when the item was deposited and
    first opened, and its SHA-256 — never its subject, text, attachments or recipient."""
    item = inbox_item_by_code(code=code)
    if item is None:
        missing: dict[str, Any] = {"title": _("Constancia no encontrada"), "crumbs": []}
        return render(request, "notifications/constancia_check.html", missing, status=404)
    display = inbox_code_display(item.code)
    if code != display and inbox_code_normalise(code) == item.code:
        return HttpResponseRedirect(reverse("notifications_inbox:check", args=[display]))
    context: dict[str, Any] = {
        "title": _("Constancia de notificación %(code)s") % {"code": display},
        "found": True,
        "code": display,
        "institution": item.institution.name,
        "deposited": _when(item.deposited_at, seconds=True),
        "deposited_iso": _iso(item.deposited_at),
        "opened": _when(item.first_opened_at, seconds=True),
        "opened_iso": _iso(item.first_opened_at),
        "sha256": item.content_sha256,
        "intact": inbox_item_intact(item=item),
        "corrected": item.corrects_id is not None,
        "crumbs": [],
    }
    return render(request, "notifications/constancia_check.html", context)


# --- The official's copy -----------------------------------------------------------------------


@never_cache
@login_required(login_url=BACKOFFICE_LOGIN)
@require_http_methods(["GET", "HEAD"])
def official_constancia(request: HttpRequest, item_id: Any) -> HttpResponse:
    """The constancia for an official of the depositing institution (or a platform admin);
    404 for anyone else, as if the item did not exist."""
    item = inbox_item_for_official(user=request.user, item_id=item_id)
    if item is None:
        raise Http404(_("No encontramos esa notificación."))
    return _pdf(inbox_constancia_pdf(item=item), item.code)
