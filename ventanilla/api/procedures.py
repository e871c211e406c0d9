"""GET /api/v1/procedures and /api/v1/procedures/{id}: parse, call selectors, serialise."""

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
    ProcedureDetail,
    ProcedurePage,
    ValidationErrorOut,
)
from ventanilla.catalogue.models import Channel, Procedure, ProcedureKind
from ventanilla.catalogue.selectors import procedure_filters_parse, procedure_get, procedure_list

router = Router(tags=["Trámites y servicios"])

# "224", "224-solicitar-duplicado-de-dni" (gob.pe's own address) or a source code "P001".
_NUMBER = re.compile(r"^([0-9]{1,10})(?:-[0-9a-z-]*)?$")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,19}$")

LIST_DESCRIPTION = """
El catálogo de trámites y servicios, con los mismos filtros que la página `/tramites/`:
primero los que tienen ficha completa, luego por uso. Paginado.

Un filtro con un valor que no existe (por ejemplo `institution=no-existe`) no es un error: la
respuesta es 200 con `results` vacío y el motivo en `messages`. Un `page` o `page_size`
inválido responde 422; una página posterior a la última, 404.
"""

DETAIL_DESCRIPTION = """
La ficha completa de un trámite: todo lo que muestra su página en el portal.

`{id}` acepta:
- el número del trámite, compatible con gob.pe: `224` (como en `gob.pe/224`);
- la dirección de gob.pe con su título: `224-solicitar-duplicado-de-dni`;
- el código de la ficha curada: `P001` (sin distinguir mayúsculas).

Un identificador que no existe responde 404 con un mensaje en español.
"""


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _bases(request: HttpRequest) -> tuple[str, str]:
    """The site's origin and this collection's absolute address, computed once per request."""
    origin = request.build_absolute_uri("/").rstrip("/")
    return origin, origin + reverse("api-v1:procedure_list")


def procedure_item(proc: Procedure, *, origin: str, api_base: str) -> dict[str, Any]:
    """One procedure as a list item (its institution must be select_related)."""
    inst = proc.institution
    return {
        "id": proc.number,
        "code": proc.code,
        "title": proc.title,
        "kind": proc.kind,
        "kind_label": label(ProcedureKind, proc.kind),
        "url": origin + proc.get_absolute_url(),
        "api_url": f"{api_base}/{proc.number}",
        "institution": (
            {"slug": inst.slug, "name": inst.name, "acronym": inst.acronym} if inst else None
        ),
        "fee_amount": _money(proc.fee_amount),
        "has_detail": proc.has_detail,
    }


@router.get(
    "",
    response={200: ProcedurePage, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="procedure_list",
    url_name="procedure_list",
    summary="Listar trámites y servicios",
    description=LIST_DESCRIPTION,
)
def procedure_list_view(
    request: HttpRequest,
    q: str = Query("", description="Palabras del título (sin importar tildes).", example="dni"),
    kind: str = Query(
        "",
        description="Tipo: procedure (trámite), service (servicio), guidance (orientación) o "
        "page (página informativa).",
        example="procedure",
    ),
    institution: str = Query(
        "", description="Slug de la institución responsable.", example="reniec"
    ),
    level: str = Query(
        "",
        description="Nivel de gobierno de la institución: national, regional o local.",
        example="national",
    ),
    topic: str = Query("", description="Slug del tema.", example="identidad"),
    online: bool = Query(
        False, description="true: solo los que se pueden iniciar en línea.", example=True
    ),
    page: int = page_param(),
    page_size: int = page_size_param(),
) -> dict[str, Any]:
    filters = procedure_filters_parse(
        filter_params(
            q=q,
            kind=kind,
            institution=institution,
            level=level,
            topic=topic,
            online="1" if online else "",
        )
    )
    rows, meta = paginate(
        request,
        procedure_list(filters=filters),
        page=page,
        page_size=page_size,
        messages=filters.problems.messages,
    )
    origin, api_base = _bases(request)
    results = [procedure_item(proc, origin=origin, api_base=api_base) for proc in rows]
    return {**meta, "results": results}


def _find(identifier: str) -> Procedure:
    number = _NUMBER.match(identifier)
    if number:
        return procedure_get(number=int(number.group(1)))
    if _CODE.match(identifier):
        return procedure_get(code=identifier.upper())
    raise Procedure.DoesNotExist


@router.get(
    "/{id}",
    response={200: ProcedureDetail, 404: ErrorOut},
    operation_id="procedure_get",
    url_name="procedure_get",
    summary="Ver la ficha de un trámite",
    description=DETAIL_DESCRIPTION,
)
def procedure_get_view(
    request: HttpRequest,
    id: str = Path(
        ...,
        description="Número del trámite (224), dirección de gob.pe "
        "(224-solicitar-duplicado-de-dni) o código de la ficha (P001).",
        example="224",
    ),
) -> dict[str, Any]:
    try:
        proc = _find(id)
    except Procedure.DoesNotExist:
        raise HttpError(
            404, _("No existe un trámite con el identificador «%(v)s».") % {"v": id[:120]}
        ) from None
    origin, api_base = _bases(request)
    return {
        **procedure_item(proc, origin=origin, api_base=api_base),
        "slug": proc.slug,
        "summary": proc.summary,
        "audience": proc.audience,
        "requirements": [r.text for r in proc.requirements.all()],
        "is_free": proc.is_free,
        "fee_detail": proc.fee_detail,
        "time_limit": proc.time_limit,
        "validity": proc.validity,
        "tupa_code": proc.tupa_code,
        "online_url": proc.online_url,
        "gobpe_url": proc.gobpe_url,
        "channels": [
            {
                "kind": ch.kind,
                "kind_label": label(Channel.Kind, ch.kind),
                "description": ch.description,
                "url": ch.url,
                "steps": [step.text for step in ch.steps.all()],
            }
            for ch in proc.channels.all()
        ],
        "sections": [
            {"heading": s.heading, "items": [str(item) for item in s.items or []]}
            for s in proc.sections.all()
        ],
        "topics": [
            {
                "slug": t.slug,
                "name": t.name,
                "url": origin + t.get_absolute_url(),
            }
            for t in proc.topics.all()
        ],
        "source": {
            "url": proc.source_url,
            "type": proc.source_type,
            "checked_on": proc.source_checked_on,
        },
        "updated_at": proc.updated_at,
    }
