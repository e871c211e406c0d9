"""GET /api/v1/search: the portal's search over everything it publishes, as JSON."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from ventanilla.api.errors import json_error
from ventanilla.api.pagination import page_param
from ventanilla.api.params import filter_params
from ventanilla.api.schemas import ErrorOut, SearchPage, ValidationErrorOut
from ventanilla.search.query import MAX_QUERY_LENGTH
from ventanilla.search.selectors import (
    MAX_PER_PAGE,
    PER_PAGE,
    FacetValue,
    Hit,
    SearchResults,
    search,
)

router = Router(tags=["Búsqueda"])

DESCRIPTION = f"""
Busca en todo lo que publica el portal (trámites y servicios, instituciones, temas y hechos de
vida) como la página `/buscar/`: sin importar mayúsculas ni tildes, con sinónimos y palabras
coloquiales («brevete», «partida»), tolerante a errores de tipeo y ordenado por relevancia.
Un código de ficha (`P001`) o unas siglas (`sunat`) también se reconocen.

- `type` se puede repetir: `?q=dni&type=procedure&type=institution`.
- Un filtro con un valor que no existe no es un error: se ignora y el motivo va en `warnings`.
- `q` vacío, de más de {MAX_QUERY_LENGTH} caracteres o sin letras ni números responde 422 con
  el motivo en español; también un `page` menor que 1 o que no es un número.
- `per_page` va de 1 a {MAX_PER_PAGE} (por defecto {PER_PAGE}); un valor mayor responde 422.
- Una página posterior a la última responde 200 con `results` vacío y los `total` y `pages`
  reales.
- `snippet` es HTML: las palabras encontradas van entre `<mark>` y el resto viene escapado.
"""


# A module-level default: pydantic copies the list for each request, and ruff (B008) wants no
# list built in a signature.
TYPE_PARAM: Any = Query(
    [],
    alias="type",
    description="Tipo de resultado: procedure, institution, topic o life_event. Se puede repetir.",
    example=["procedure"],
)


def _field_error(message: str, kind: str) -> HttpResponse:
    """A 422 about `q`, in the shape of the API's other parameter errors."""
    return json_error(
        422,
        _("El parámetro «%(field)s» no es válido: %(problem)s.")
        % {"field": "q", "problem": message},
        errors=[
            {
                "loc": ["query", "q"],
                "field": "q",
                "message": f"{message[:1].upper()}{message[1:]}.",
                "type": kind,
            }
        ],
    )


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _facet(value: FacetValue) -> dict[str, Any]:
    return {
        "value": value.value,
        "label": value.label,
        "count": value.count,
        "selected": value.selected,
    }


def _hit(hit: Hit, origin: str) -> dict[str, Any]:
    inst = hit.institution
    return {
        "type": hit.type,
        "id": hit.id,
        "code": hit.code or None,
        "title": hit.title,
        "url": origin + hit.url,
        "institution": (
            {"id": inst.id, "slug": inst.slug, "name": inst.name, "acronym": inst.acronym}
            if inst is not None
            else None
        ),
        "snippet": str(hit.snippet),
        "summary": hit.summary,
        "subtype": hit.subtype,
        "subtype_label": hit.subtype_label,
        "date": hit.date,
    }


def search_page(request: HttpRequest, results: SearchResults) -> dict[str, Any]:
    """The selector's results as the API's SearchPage."""
    origin = request.build_absolute_uri("/").rstrip("/")
    page, pages = results.page, results.pages
    return {
        "query": results.query.raw,
        "total": results.total,
        "page": page,
        "pages": pages,
        "per_page": results.per_page,
        "next": _page_url(request, page + 1) if page < pages else None,
        "previous": _page_url(request, min(page - 1, pages)) if page > 1 else None,
        "corrected": results.corrected or None,
        "corrected_applied": results.corrected_applied,
        "relaxed": results.relaxed,
        "results": [_hit(hit, origin) for hit in results.hits],
        "facets": {
            name: [_facet(v) for v in results.facets.get(name, [])]
            for name in ("type", "institution", "level", "department")
        },
        "warnings": results.filter_problems,
    }


@router.get(
    "",
    response={200: SearchPage, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="search",
    url_name="search",
    summary="Buscar en todo el portal",
    description=DESCRIPTION,
)
def search_view(
    request: HttpRequest,
    q: str = Query(
        ...,
        max_length=MAX_QUERY_LENGTH,
        description=f"Lo que se busca, como lo escribiría una persona (obligatorio, hasta "
        f"{MAX_QUERY_LENGTH} caracteres).",
        example="sacar brevete",
    ),
    types: list[str] = TYPE_PARAM,
    institution: str = Query(
        "", description="Slug de la institución responsable.", example="reniec"
    ),
    level: str = Query(
        "",
        description="Nivel de gobierno de la institución: national, regional o local.",
        example="national",
    ),
    department: str = Query(
        "", description="Código INEI del departamento (2 dígitos).", example="15"
    ),
    sort: str = Query(
        "relevance",
        description="Orden: relevance (por relevancia, por defecto) o date (los más recientes "
        "primero).",
        example="relevance",
    ),
    page: int = page_param(),
    per_page: int = Query(
        PER_PAGE,
        ge=1,
        le=MAX_PER_PAGE,
        description=f"Resultados por página: de 1 a {MAX_PER_PAGE} (por defecto {PER_PAGE}).",
        example=PER_PAGE,
    ),
) -> Any:
    params = filter_params(institution=institution, level=level, department=department, sort=sort)
    text = q.replace("\x00", " ")
    if not text.strip():
        return _field_error(_("no puede estar vacío"), "string_too_short")
    results = search(
        q=text,
        types=[t.replace("\x00", "") for t in types],
        institution=params["institution"] or None,
        level=params["level"] or None,
        department=params["department"] or None,
        sort=params["sort"] or "relevance",
        page=page,
        per_page=per_page,
        # Turning pages is not a new search: the editors' analytics count the first page only.
        log=page == 1,
        source="api",
    )
    if results.query.problem:
        return _field_error(_("debe tener al menos una letra o un número"), "no_words")
    return search_page(request, results)
