"""Export the draft as XLSForm (.xlsx) or as our JSON; import either into the draft, with a
look at what will change first (pages and questions before and after)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.formbuilder import interchange
from ventanilla.formbuilder.models import DigitalService
from ventanilla.formbuilder.views.common import (
    designer_view,
    done,
    draft_save,
    editor_url,
    failed,
    page,
    service_get,
)
from ventanilla.formbuilder.views.drafting import counts

MAX_UPLOAD = 2 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PENDING = "designer-import-{pk}"


def _meta(service: DigitalService) -> dict[str, Any]:
    return {
        "name": service.name,
        "slug": service.slug,
        "institution": service.institution.name,
        "reference_prefix": service.reference_prefix,
        "min_assurance": service.min_assurance,
        "procedure": service.procedure.number if service.procedure else None,
    }


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@designer_view
def export_xlsform_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get(request, pk)
    content = interchange.definition_to_xlsform(
        definition=service.draft_definition, workflow=service.draft_workflow
    )
    return _download(content, XLSX_TYPE, f"{service.slug}.xlsx")


@designer_view
def export_json_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get(request, pk)
    content = interchange.service_to_json(
        definition=service.draft_definition, workflow=service.draft_workflow, meta=_meta(service)
    )
    return _download(content, "application/json; charset=utf-8", f"{service.slug}.json")


def _read_upload(
    request: HttpRequest,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[str]]:
    """(definition, workflow or None, errors) of the uploaded file."""
    upload = request.FILES.get("archivo")
    if upload is None:
        return None, None, [_("Elige el archivo que quieres importar.")]
    if (upload.size or 0) > MAX_UPLOAD:
        return None, None, [_("El archivo pesa más de 2 MB: no se puede importar.")]
    content = upload.read(MAX_UPLOAD + 1)
    name = (upload.name or "").lower()
    if content.startswith(b"PK") or name.endswith(".xlsx"):
        definition, errors = interchange.definition_from_xlsform(content=content)
        if errors:
            return None, None, errors
        workflow, errors = interchange.workflow_from_xlsform(content=content)
        return definition, workflow, errors
    if name.endswith(".json") or content.lstrip()[:1] == b"{":
        definition, workflow, errors = interchange.service_from_json(content=content)
        return definition, workflow, errors
    return (
        None,
        None,
        [_("El archivo debe ser un XLSForm (.xlsx) o un JSON exportado de Ventanilla.")],
    )


@designer_view
def interchange_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the export buttons and the upload form. POST: read the file and show what the
    import will change, to confirm."""
    service = service_get(request, pk)
    key = _PENDING.format(pk=service.pk)
    problems: list[str] = []
    pending: dict[str, Any] | None = None
    if request.method == "POST":
        definition, workflow, problems = _read_upload(request)
        if not problems and definition is not None:
            pending = {"definition": definition, "workflow": workflow}
            request.session[key] = pending
    context: dict[str, Any] = {
        "now": counts(service.draft_definition),
        "pending": pending,
        "after": counts(pending["definition"]) if pending else None,
        "confirm": reverse("formbuilder:import_confirm", kwargs={"pk": service.pk}),
        "max_mb": MAX_UPLOAD // (1024 * 1024),
    }
    return page(
        request,
        "formbuilder/designer/interchange.html",
        context,
        title=_("Importar y exportar"),
        service=service,
        tab="interchange",
        errors=[("f-archivo", p) for p in problems],
        field_errors={"archivo": problems[0]} if problems else {},
    )


@designer_view
@require_POST
def import_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get(request, pk)
    key = _PENDING.format(pk=service.pk)
    back = reverse("formbuilder:interchange", kwargs={"pk": service.pk})
    pending = request.session.pop(key, None)
    if request.POST.get("cancel") or not isinstance(pending, dict):
        return done(request, back, _("No se importó nada.") if pending else "")
    problems = draft_save(
        request, service, definition=pending.get("definition"), workflow=pending.get("workflow")
    )
    if problems:
        return failed(request, back, problems)
    return done(request, editor_url(service), _("Se importó el archivo en el borrador."))
