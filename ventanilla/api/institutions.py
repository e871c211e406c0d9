"""GET /api/v1/institutions and /api/v1/institutions/{slug}: parse, call selectors, serialise."""

import re
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.errors import HttpError

from ventanilla.api.labels import label
from ventanilla.api.pagination import page_param, page_size_param, paginate
from ventanilla.api.params import filter_params
from ventanilla.api.schemas import (
    ErrorOut,
    InstitutionDetail,
    InstitutionPage,
    ValidationErrorOut,
)
from ventanilla.institutions.models import Branch, ContactChannel, Institution, Kind, Level
from ventanilla.institutions.selectors import (
    institution_filters_parse,
    institution_get,
    institution_list,
)

router = Router(tags=["Instituciones"])

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")

LIST_DESCRIPTION = """
El directorio de las instituciones del Estado peruano, con los mismos filtros que la página
`/instituciones/`, ordenado de la A a la Z y paginado.

Un filtro con un valor que no existe (por ejemplo `department=99`) no es un error: la respuesta
es 200 con `results` vacío y el motivo en `messages`. Un `page` o `page_size` inválido responde
422; una página posterior a la última, 404.
"""


def _place(obj: Any) -> dict[str, str] | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def _bases(request: HttpRequest) -> tuple[str, str]:
    """The site's origin and this collection's absolute address, computed once per request."""
    origin = request.build_absolute_uri("/").rstrip("/")
    return origin, origin + reverse("api-v1:institution_list")


def institution_item(inst: Institution, *, origin: str, api_base: str) -> dict[str, Any]:
    """One institution as a list item (its location must be select_related)."""
    return {
        "id": inst.slug,
        "slug": inst.slug,
        "name": inst.name,
        "acronym": inst.acronym,
        "level": inst.level,
        "level_label": label(Level, inst.level),
        "kind": inst.kind,
        "kind_label": label(Kind, inst.kind),
        "ruc": inst.ruc,
        "url": origin + inst.get_absolute_url(),
        "api_url": f"{api_base}/{inst.slug}",
        "location": {
            "department": _place(inst.department),
            "province": _place(inst.province),
            "district": _place(inst.district),
        },
    }


@router.get(
    "",
    response={200: InstitutionPage, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="institution_list",
    url_name="institution_list",
    summary="Listar instituciones",
    description=LIST_DESCRIPTION,
)
def institution_list_view(
    request: HttpRequest,
    q: str = Query(
        "", description="Palabras del nombre o las siglas (sin importar tildes).", example="salud"
    ),
    level: str = Query(
        "", description="Nivel de gobierno: national, regional o local.", example="national"
    ),
    kind: str = Query(
        "",
        description="Tipo: ministry, public_agency, program, state_company, "
        "regional_government, provincial_municipality, district_municipality, "
        "populated_centre_municipality, court, university, health, education, "
        "constitutional u other.",
        example="ministry",
    ),
    department: str = Query(
        "", description="Código INEI del departamento (2 dígitos).", example="15"
    ),
    province: str = Query(
        "", description="Código INEI de la provincia (4 dígitos).", example="1501"
    ),
    district: str = Query(
        "", description="Código INEI del distrito (6 dígitos).", example="150101"
    ),
    letter: str = Query("", description="Inicial del nombre, de la A a la Z.", example="M"),
    page: int = page_param(),
    page_size: int = page_size_param(),
) -> dict[str, Any]:
    filters = institution_filters_parse(
        filter_params(
            q=q,
            level=level,
            kind=kind,
            department=department,
            province=province,
            district=district,
            letter=letter,
        )
    )
    rows, meta = paginate(
        request,
        institution_list(filters=filters),
        page=page,
        page_size=page_size,
        messages=filters.problems.messages,
    )
    origin, api_base = _bases(request)
    results = [institution_item(inst, origin=origin, api_base=api_base) for inst in rows]
    return {**meta, "results": results}


@router.get(
    "/{slug}",
    response={200: InstitutionDetail, 404: ErrorOut},
    operation_id="institution_get",
    url_name="institution_get",
    summary="Ver una institución",
    description="Una institución por su slug de gob.pe, con sus canales de contacto. "
    "Un slug que no existe responde 404.",
)
def institution_get_view(
    request: HttpRequest,
    slug: str = Path(..., description="Slug de la institución (el de gob.pe).", example="reniec"),
) -> dict[str, Any]:
    try:
        if not _SLUG.match(slug):  # not even a slug: no need to ask the database
            raise Institution.DoesNotExist
        inst = institution_get(slug=slug)
    except Institution.DoesNotExist:
        raise HttpError(
            404, _("No existe una institución con el identificador «%(v)s».") % {"v": slug[:120]}
        ) from None
    origin, api_base = _bases(request)
    return {
        **institution_item(inst, origin=origin, api_base=api_base),
        "branch": inst.branch,
        "branch_label": label(Branch, inst.branch),
        "description": inst.description,
        "sector": inst.sector,
        "gobpe_url": inst.gobpe_url,
        "contacts": [
            {
                "kind": c.kind,
                "kind_label": label(ContactChannel.Kind, c.kind),
                "value": c.value,
                "label": c.label,
            }
            for c in inst.contacts.all()
        ],
        "procedures_api_url": f"{origin}{reverse('api-v1:procedure_list')}?institution={inst.slug}",
        "updated_at": inst.updated_at,
    }
