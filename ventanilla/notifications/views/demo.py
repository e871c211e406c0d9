"""The demo's mailbox (/demo/buzon/, like Mailpit): what the fake mail relay and SMS gateway
received, newest first, read from their stores under NOTIFICATIONS_FAKES_DIR. Only when
NOTIFICATIONS_DEMO_MAILBOX is on (the demo); 404 otherwise.

The stores are read from their end, a page at a time, so ten thousand messages cost what fifty
do. An e-mail's HTML is served on its own address with a CSP that allows no script, no request
and nothing but inline styles, and shown inside a sandboxed iframe."""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from ventanilla.integrations.email import store as mail_store
from ventanilla.integrations.sms import store as sms_store

PER_PAGE = 50
LIMA = ZoneInfo("America/Lima")
# The e-mail's own HTML: inline styles and inline images only; no script, form, frame or fetch.
HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox"
)


def _mail_outcome(outcome: str) -> str:
    return {"delivered": _("Entregado"), "failed": _("Rebotado")}.get(outcome, outcome)


def _sms_outcome(outcome: str) -> str:
    return {
        "DELIVERED": _("Entregado"),
        "UNDELIVERABLE": _("No entregado"),
        "REJECTED": _("Rechazado"),
    }.get(outcome, outcome)


def _mailbox_on(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.NOTIFICATIONS_DEMO_MAILBOX:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _store(kind: str) -> Path:
    return Path(settings.NOTIFICATIONS_FAKES_DIR) / kind


def _when(epoch: Any) -> str:
    try:
        moment = datetime.fromtimestamp(float(epoch), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return ""
    return moment.astimezone(LIMA).strftime("%d/%m/%Y %H:%M:%S")


class _NewestFirst:
    """A stored list as Django's Paginator wants it: its length, and a slice read from the
    file's end."""

    def __init__(self, count: Callable[[], int], page: Callable[[int, int], list[Any]]) -> None:
        self._count = count
        self._page = page
        self._length: int | None = None

    def __len__(self) -> int:
        if self._length is None:
            self._length = self._count()
        return self._length

    def __getitem__(self, window: slice) -> list[Any]:
        start = window.start or 0
        stop = len(self) if window.stop is None else window.stop
        return self._page(start, max(stop - start, 0))


def _page_of(request: HttpRequest, items: _NewestFirst) -> Any:
    paginator: Paginator[Any] = Paginator(items, PER_PAGE)  # type: ignore[arg-type]
    return paginator.get_page(request.GET.get("page"))


def _context(request: HttpRequest, section: str, page: Any, rows: list[Any]) -> dict[str, Any]:
    return {
        "title": _("Buzón de la demo"),
        "section": section,
        "page": page,
        "rows": rows,
        "total": page.paginator.count,
        "previous_url": f"?page={page.previous_page_number()}" if page.has_previous() else "",
        "next_url": f"?page={page.next_page_number()}" if page.has_next() else "",
    }


@never_cache
@_mailbox_on
@require_http_methods(["GET"])
def mailbox_emails(request: HttpRequest) -> HttpResponse:
    """The e-mails the fake relay received, newest first, fifty a page."""
    store = _store("mail")
    page = _page_of(
        request,
        _NewestFirst(
            lambda: mail_store.index_count(store),
            lambda offset, limit: mail_store.read_index(store, offset=offset, limit=limit),
        ),
    )
    rows = []
    for record in page.object_list:
        outcomes = set((record.get("outcome") or {}).values())
        rows.append(
            {
                "url": reverse("notifications_demo:email", kwargs={"seq": record.get("seq", 0)}),
                "subject": record.get("subject") or _("(sin asunto)"),
                "to": ", ".join(record.get("recipients") or []),
                "when": _when(record.get("received_at")),
                "outcome": ", ".join(_mail_outcome(o) for o in sorted(outcomes)),
                "bounced": "failed" in outcomes,
            }
        )
    context = _context(request, "email", page, rows)
    return render(request, "notifications/demo_mailbox.html", context)


@never_cache
@_mailbox_on
@require_http_methods(["GET"])
def mailbox_sms(request: HttpRequest) -> HttpResponse:
    """The SMS the fake gateway took or refused, newest first, fifty a page."""
    store = _store("sms")
    page = _page_of(
        request,
        _NewestFirst(
            lambda: sms_store.messages_count(store),
            lambda offset, limit: sms_store.read_messages(store, offset=offset, limit=limit),
        ),
    )
    rows = [
        {
            "to": f"+{record.get('to', '')}",
            "sender": record.get("from", ""),
            "text": record.get("text", ""),
            "when": _when(record.get("received_at")),
            "outcome": _sms_outcome(str(record.get("outcome", ""))),
            "failed": record.get("outcome") != "DELIVERED",
            "parts": record.get("smsCount", 1),
        }
        for record in page.object_list
    ]
    context = _context(request, "sms", page, rows)
    return render(request, "notifications/demo_mailbox.html", context)


def _email(seq: int) -> tuple[dict[str, Any], dict[str, Any]]:
    store = _store("mail")
    record = mail_store.find_record(store, seq)
    raw = mail_store.read_raw(store, record) if record is not None else None
    if record is None or raw is None:
        raise Http404
    return record, mail_store.message_content(raw)


@never_cache
@_mailbox_on
@require_http_methods(["GET"])
def mailbox_email(request: HttpRequest, seq: int) -> HttpResponse:
    """One e-mail: its headers, its text, its attachments and its HTML (sandboxed)."""
    record, content = _email(seq)
    context = {
        "title": record.get("subject") or _("(sin asunto)"),
        "record": record,
        "when": _when(record.get("received_at")),
        "recipients": ", ".join(record.get("recipients") or []),
        "outcome": ", ".join(
            f"{r}: {_mail_outcome(o)}" for r, o in (record.get("outcome") or {}).items()
        ),
        "content": content,
        "html_url": reverse("notifications_demo:email_html", kwargs={"seq": seq})
        if content["html"]
        else "",
        "back_url": reverse("notifications_demo:emails"),
    }
    return render(request, "notifications/demo_email.html", context)


@never_cache
@_mailbox_on
@xframe_options_sameorigin
@require_http_methods(["GET"])
def mailbox_email_html(request: HttpRequest, seq: int) -> HttpResponse:
    """The e-mail's HTML as it was sent, under a CSP that lets nothing in it run or call out."""
    _record, content = _email(seq)
    if not content["html"]:
        raise Http404
    response = HttpResponse(content["html"], content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = HTML_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response
