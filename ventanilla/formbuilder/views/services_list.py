"""The designer's list of services, a new service, and a service's settings (name, reference
prefix, catalogue procedure, level of identification)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.catalogue.models import Procedure
from ventanilla.catalogue.selectors import procedure_get, procedure_list_for_institution
from ventanilla.formbuilder.models import Assurance, DigitalService
from ventanilla.formbuilder.permissions import designable_institution_ids
from ventanilla.formbuilder.selectors import digital_services_for_designer
from ventanilla.formbuilder.services import (
    digital_service_create,
    digital_service_update,
    draft_differs,
)
from ventanilla.formbuilder.views.common import (
    designer_view,
    done,
    editor_url,
    fields_summary,
    page,
    service_get,
)
from ventanilla.institutions.models import Institution

FIELD_IDS = {
    "institution": "f-institution",
    "name": "f-name",
    "description": "f-description",
    "reference_prefix": "f-reference_prefix",
    "procedure": "f-procedure",
    "procedure_number": "f-procedure_number",
    "min_assurance": "f-min_assurance",
}
PROCEDURES_SHOWN = 300


def _institutions(user: Any) -> list[Institution]:
    institutions = Institution.objects.order_by("name").only("pk", "name", "acronym")
    if is_platform_admin(user):
        return list(institutions)
    return list(institutions.filter(pk__in=designable_institution_ids(user)))


def _procedure_pick(data: Any, institution: Institution) -> tuple[Procedure | None, str, str]:
    """(procedure, field, error) from the select or, when given, the typed number."""
    raw_number = str(data.get("procedure_number", "")).strip()
    raw_pick = str(data.get("procedure", "")).strip()
    raw = raw_number or raw_pick
    field = "procedure_number" if raw_number else "procedure"
    if not raw:
        return None, "", ""
    if not raw.isdigit() or len(raw) > 9:
        return None, field, _("Escribe el número del trámite, solo con cifras.")
    try:
        procedure = procedure_get(number=int(raw))
    except Procedure.DoesNotExist:
        return None, field, _("No hay un trámite publicado con el número %(n)s.") % {"n": raw}
    if procedure.institution_id != institution.pk:
        return None, field, _("El trámite %(n)s es de otra institución.") % {"n": raw}
    return procedure, "", ""


def _service_errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {name: str(msgs[0]) for name, msgs in error.message_dict.items()}
    return {"__all__": " ".join(error.messages)}


def _summary(field_errors: dict[str, str]) -> list[tuple[str, str]]:
    return fields_summary({k: v for k, v in field_errors.items() if k != "__all__"}, FIELD_IDS) + (
        [("", field_errors["__all__"])] if "__all__" in field_errors else []
    )


@designer_view
def services_view(request: HttpRequest) -> HttpResponse:
    services = list(digital_services_for_designer(user=request.user))
    rows = [
        {
            "service": s,
            "changed": draft_differs(s),
            "editor": editor_url(s),
        }
        for s in services
    ]
    return page(
        request, "formbuilder/designer/list.html", {"rows": rows}, title=_("Servicios digitales")
    )


def _procedure_options(procedures: list[Procedure]) -> list[tuple[str, str]]:
    return [(str(p.number), f"{p.number} · {p.title}") for p in procedures]


def _assurance_choices() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in Assurance.choices]


@designer_view
def service_new_view(request: HttpRequest) -> HttpResponse:
    institutions = _institutions(request.user)
    chosen_id = str(request.POST.get("institution") or request.GET.get("institucion") or "")
    if len(institutions) == 1 and not chosen_id:
        chosen_id = str(institutions[0].pk)
    institution = next((i for i in institutions if str(i.pk) == chosen_id), None)
    values: dict[str, Any] = {"min_assurance": Assurance.ONE_FACTOR, **request.POST.dict()}
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        procedure, field, message = (None, "", "")
        if institution is None:
            field_errors["institution"] = _("Elige la institución.")
        else:
            procedure, field, message = _procedure_pick(request.POST, institution)
            if message:
                field_errors[field] = message
        if not field_errors and institution is not None:
            try:
                service = digital_service_create(
                    institution=institution,
                    name=values.get("name", ""),
                    reference_prefix=values.get("reference_prefix", ""),
                    procedure=procedure,
                    min_assurance=values.get("min_assurance", ""),
                    description=values.get("description", ""),
                    by=request.user,
                )
            except ValidationError as error:
                field_errors = _service_errors(error)
            else:
                return done(
                    request,
                    editor_url(service),
                    _("Se creó el servicio «%(n)s».") % {"n": service.name},
                )
    procedures = (
        procedure_list_for_institution(institution=institution, limit=PROCEDURES_SHOWN)
        if institution
        else []
    )
    context = {
        "institutions": institutions,
        "institutions_options": [(i.pk, i.name) for i in institutions],
        "institution": institution,
        "procedure_options": _procedure_options(procedures),
        "values": values,
        "assurances": _assurance_choices(),
        "action": reverse("formbuilder:new"),
    }
    return page(
        request,
        "formbuilder/designer/new.html",
        context,
        title=_("Nuevo servicio"),
        errors=_summary(field_errors),
        field_errors=field_errors,
    )


@designer_view
def service_settings_view(request: HttpRequest, pk: int) -> HttpResponse:
    service: DigitalService = service_get(request, pk)
    field_errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "name": service.name,
        "description": service.description,
        "reference_prefix": service.reference_prefix,
        "min_assurance": service.min_assurance,
        "procedure": str(service.procedure.number) if service.procedure else "",
    }
    if request.method == "POST":
        values = request.POST.dict()
        procedure, field, message = _procedure_pick(request.POST, service.institution)
        if message:
            field_errors[field] = message
        else:
            try:
                digital_service_update(
                    service=service,
                    by=request.user,
                    name=values.get("name", ""),
                    description=values.get("description", ""),
                    reference_prefix=values.get("reference_prefix", ""),
                    min_assurance=values.get("min_assurance", ""),
                    procedure=procedure,
                )
            except ValidationError as error:
                field_errors = _service_errors(error)
            else:
                url = reverse("formbuilder:settings", kwargs={"pk": service.pk})
                return done(request, url, _("Se guardaron los ajustes del servicio."))
    procedures = procedure_list_for_institution(
        institution=service.institution, limit=PROCEDURES_SHOWN
    )
    if service.procedure and all(p.pk != service.procedure_id for p in procedures):
        procedures.insert(0, service.procedure)
    context = {
        "values": values,
        "institution": service.institution,
        "procedure_options": _procedure_options(procedures),
        "assurances": _assurance_choices(),
        "action": reverse("formbuilder:settings", kwargs={"pk": service.pk}),
    }
    return page(
        request,
        "formbuilder/designer/settings.html",
        context,
        title=_("Ajustes del servicio"),
        service=service,
        tab="settings",
        errors=_summary(field_errors),
        field_errors=field_errors,
    )
