"""Page-number pagination for API lists: two queries (count, page), whatever the table size."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import ngettext
from ninja import Query
from ninja.errors import HttpError

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


def page_param() -> Any:
    """The `page` query parameter, documented the same way on every list."""
    return Query(1, ge=1, description="Número de página, desde 1.", example=1)


def page_size_param() -> Any:
    """The `page_size` query parameter, documented the same way on every list."""
    return Query(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Resultados por página: de 1 a {MAX_PAGE_SIZE} "
        f"(por defecto {DEFAULT_PAGE_SIZE}).",
        example=DEFAULT_PAGE_SIZE,
    )


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    page: int,
    page_size: int,
    messages: list[str],
) -> tuple[list[Any], dict[str, Any]]:
    """The rows of one page and the page's metadata (count, next, previous, messages).

    A page past the last one is a 404 with a Spanish message; page 1 of nothing is an empty
    page, not an error."""
    paginator = Paginator(queryset, page_size)
    last = max(paginator.num_pages, 1)
    if page > last:
        raise HttpError(
            404,
            ngettext(
                "La página %(page)s no existe: con %(size)s resultados por página hay "
                "%(last)s página.",
                "La página %(page)s no existe: con %(size)s resultados por página hay "
                "%(last)s páginas.",
                last,
            )
            % {"page": page, "last": last, "size": page_size},
        )
    rows = list(paginator.page(page).object_list) if paginator.count else []
    meta = {
        "count": paginator.count,
        "page": page,
        "page_size": page_size,
        "next": _page_url(request, page + 1) if page < last else None,
        "previous": _page_url(request, page - 1) if page > 1 else None,
        "messages": messages,
    }
    return rows, meta
