"""Reading the inbox's GET filters: anything odd is dropped with a Spanish message, never an
error page."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.cases.selectors.inbox import ORDERS, STATES, InboxFilters

# Filter name -> id of its control on the page (the error summary links to it).
FILTER_IDS = {
    "desde": "f-desde",
    "hasta": "f-hasta",
    "servicio": "f-servicio",
    "institucion": "f-institucion",
}


def _date(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    for parse in (date.fromisoformat, _dmy):
        try:
            return parse(raw)
        except ValueError:
            continue
    raise ValueError(raw)


def _dmy(raw: str) -> date:
    day, month, year = raw.split("/")
    return date(int(year), int(month), int(day))


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def filters_from(params: Mapping[str, Any]) -> tuple[InboxFilters, list[tuple[str, str]]]:
    """The filters a GET asks for, and (field id, message) for each value that made no sense
    (that filter is then left out)."""
    errors: list[tuple[str, str]] = []

    def text(name: str, limit: int = 60) -> str:
        return str(params.get(name) or "").strip()[:limit]

    dates: dict[str, date | None] = {}
    for name in ("desde", "hasta"):
        try:
            dates[name] = _date(text(name, 20))
        except ValueError:
            dates[name] = None
            errors.append((FILTER_IDS[name], _("Escribe la fecha como 31/12/2026 o 2026-12-31.")))
    if dates["desde"] and dates["hasta"] and dates["desde"] > dates["hasta"]:
        errors.append((FILTER_IDS["hasta"], _("La fecha final es anterior a la inicial.")))
        dates["hasta"] = None
    service = _int(text("servicio"))
    if text("servicio") and service is None:
        errors.append((FILTER_IDS["servicio"], _("Ese servicio no existe.")))
    state = text("estado_general") or "open"
    order = text("orden") or "due"
    assignee = text("asignado")
    if assignee not in {"", "me", "none"} and not assignee.isdigit():
        assignee = ""
    filters = InboxFilters(
        institution=_int(text("institucion")),
        service=service,
        status=text("estado", 40),
        state=state if state in STATES else "open",
        assignee=assignee,
        overdue=text("vencidos") == "1",
        submitted_from=dates["desde"],
        submitted_to=dates["hasta"],
        q=text("q", 40),
        order=order if order in ORDERS else "due",
    )
    return filters, errors
