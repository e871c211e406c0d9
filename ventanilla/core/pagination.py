"""One paginator for every list page, tolerant of odd page numbers."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


@dataclass(frozen=True)
class PageOf:
    page: Page[Any]
    paginator: Paginator[Any]
    requested_out_of_range: bool


def paginate(queryset: QuerySet[Any], page_param: str | None, per_page: int = 20) -> PageOf:
    """The page asked for; a page number that is not a number or past the end gives the
    nearest real page and says so, never an error."""
    paginator = Paginator(queryset, per_page)
    try:
        number = int(page_param or "1")
    except ValueError:
        number = 1
    out_of_range = number < 1 or number > max(paginator.num_pages, 1)
    number = min(max(number, 1), max(paginator.num_pages, 1))
    return PageOf(paginator.get_page(number), paginator, out_of_range)
