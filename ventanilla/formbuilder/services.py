"""Changes to digital services: create, edit the draft, publish an immutable version. Each checks
that the user designs for the service's institution, writes in one transaction and leaves an
audit row."""

import hashlib
import json
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ventanilla.audit.services import record
from ventanilla.catalogue.models import Procedure
from ventanilla.catalogue.services import procedure_online_service_link
from ventanilla.formbuilder.definition import (
    default_workflow,
    definition_errors,
    empty_definition,
    workflow_errors,
)
from ventanilla.formbuilder.models import Assurance, DigitalService, ServiceVersion
from ventanilla.formbuilder.permissions import can_design
from ventanilla.institutions.models import Institution

PREFIX_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
UNCHANGED: Any = object()


def _deny(_institution_id: int | None) -> PermissionDenied:
    return PermissionDenied(_("Su rol no le permite diseñar servicios de esa institución."))


def _check_fields(*, name: str, reference_prefix: str, min_assurance: str) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Escribe el nombre del servicio.")
    elif len(name) > 300:
        errors["name"] = _("El nombre admite como máximo 300 caracteres.")
    if not PREFIX_PATTERN.match(reference_prefix):
        errors["reference_prefix"] = _(
            "El prefijo va en mayúsculas, de 2 a 12 letras o números, empezando con letra "
            "(por ejemplo MTC)."
        )
    if min_assurance not in Assurance.values:
        errors["min_assurance"] = _("Elige un nivel de identificación.")
    if errors:
        raise ValidationError(errors)


def _unique_slug(name: str, institution: Institution) -> str:
    base = slugify(f"{institution.acronym or ''} {name}".strip())[:100] or "servicio"
    slug, n = base, 2
    while DigitalService.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_procedure(procedure: Procedure | None, institution_id: int) -> None:
    if procedure is not None and procedure.institution_id != institution_id:
        raise ValidationError(
            {"procedure": _("El trámite del catálogo debe ser de la misma institución.")}
        )


@transaction.atomic
def digital_service_create(
    *,
    institution: Institution,
    name: str,
    reference_prefix: str,
    by: Any,
    procedure: Procedure | None = None,
    slug: str | None = None,
    min_assurance: str = Assurance.ONE_FACTOR,
    description: str = "",
) -> DigitalService:
    """A new service with an empty one-page draft and the default workflow."""
    if not can_design(by, institution.pk):
        raise _deny(institution.pk)
    name = name.strip()
    reference_prefix = reference_prefix.strip().upper()
    _check_fields(name=name, reference_prefix=reference_prefix, min_assurance=min_assurance)
    _check_procedure(procedure, institution.pk)
    if slug and DigitalService.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Ya existe un servicio con esa dirección.")})
    service = DigitalService.objects.create(
        institution=institution,
        procedure=procedure,
        slug=slug or _unique_slug(name, institution),
        name=name,
        description=description.strip(),
        reference_prefix=reference_prefix,
        min_assurance=min_assurance,
        draft_definition=empty_definition(name),
        draft_workflow=default_workflow(),
        draft_updated_at=timezone.now(),
        draft_updated_by=by if getattr(by, "pk", None) else None,
    )
    record(
        actor=by,
        action="digital_service.created",
        target=service,
        institution_id=institution.pk,
        data={"name": name, "procedure": procedure.pk if procedure else None},
    )
    return service


@transaction.atomic
def digital_service_update(
    *,
    service: DigitalService,
    by: Any,
    name: str | None = None,
    description: str | None = None,
    reference_prefix: str | None = None,
    min_assurance: str | None = None,
    procedure: Any = UNCHANGED,
) -> DigitalService:
    """Change the service's settings (not its form): they apply at once, published or not."""
    if not can_design(by, service.institution_id):
        raise _deny(service.institution_id)
    stored = DigitalService.objects.select_for_update().get(pk=service.pk)
    new: dict[str, Any] = {
        "name": stored.name if name is None else name.strip(),
        "description": stored.description if description is None else description.strip(),
        "reference_prefix": stored.reference_prefix
        if reference_prefix is None
        else reference_prefix.strip().upper(),
        "min_assurance": stored.min_assurance if min_assurance is None else min_assurance,
    }
    _check_fields(
        name=new["name"],
        reference_prefix=new["reference_prefix"],
        min_assurance=new["min_assurance"],
    )
    if procedure is not UNCHANGED:
        _check_procedure(procedure, stored.institution_id)
        new["procedure_id"] = procedure.pk if procedure else None
    changed = {k: [getattr(stored, k), v] for k, v in new.items() if getattr(stored, k) != v}
    if not changed:
        return stored
    for key, value in new.items():
        setattr(stored, key, value)
    stored.save()
    record(
        actor=by,
        action="digital_service.updated",
        target=stored,
        institution_id=stored.institution_id,
        data={"changed": changed},
    )
    if (
        stored.current_version_id
        and stored.procedure_id
        and ("procedure_id" in changed or "min_assurance" in changed)
    ):
        _link_procedure(stored, by)
    return stored


@transaction.atomic
def digital_service_draft_save(
    *,
    service: DigitalService,
    by: Any,
    definition: dict[str, Any] | None = None,
    workflow: dict[str, Any] | None = None,
) -> DigitalService:
    """Replace the draft's definition and/or workflow. Raises ValidationError with the Spanish
    list of problems when what is given is malformed; a draft may be incomplete (a page still
    without questions) — publishing is what demands a complete form."""
    if not can_design(by, service.institution_id):
        raise _deny(service.institution_id)
    problems: list[str] = []
    if definition is not None:
        problems += definition_errors(definition, draft=True)
    if workflow is not None:
        problems += workflow_errors(workflow)
    if problems:
        raise ValidationError(problems)
    stored = DigitalService.objects.select_for_update().get(pk=service.pk)
    if definition is not None:
        stored.draft_definition = definition
    if workflow is not None:
        stored.draft_workflow = workflow
    stored.draft_updated_at = timezone.now()
    stored.draft_updated_by = by if getattr(by, "pk", None) else None
    stored.save(
        update_fields=[
            "draft_definition",
            "draft_workflow",
            "draft_updated_at",
            "draft_updated_by",
            "updated_at",
        ]
    )
    record(
        actor=by,
        action="digital_service.draft_saved",
        target=stored,
        institution_id=stored.institution_id,
        data={"definition": definition is not None, "workflow": workflow is not None},
    )
    return stored


def _digest(definition: dict[str, Any], workflow: dict[str, Any]) -> str:
    blob = json.dumps({"d": definition, "w": workflow}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def draft_differs(service: DigitalService) -> bool:
    """Whether the draft holds changes not yet published."""
    version = service.current_version
    if version is None:
        return True
    return _digest(service.draft_definition, service.draft_workflow) != version.digest


def _link_procedure(service: DigitalService, by: Any) -> None:
    """The catalogue procedure's "Iniciar trámite en línea" now leads to this service."""
    if service.procedure is None:
        return
    procedure_online_service_link(
        procedure=service.procedure,
        url=f"/servicios/{service.slug}/",
        min_assurance=service.min_assurance,
        by=by,
    )


@transaction.atomic
def digital_service_publish(*, service: DigitalService, by: Any) -> ServiceVersion:
    """Publish the draft as the next immutable version; new applications use it, those already
    started keep theirs. Raises ValidationError listing what must be fixed first."""
    if not can_design(by, service.institution_id):
        raise _deny(service.institution_id)
    stored = DigitalService.objects.select_for_update().get(pk=service.pk)
    problems = definition_errors(stored.draft_definition) + workflow_errors(stored.draft_workflow)
    if problems:
        raise ValidationError(problems)
    digest = _digest(stored.draft_definition, stored.draft_workflow)
    current = stored.current_version
    if current is not None and current.digest == digest:
        return current  # publishing twice (a double click) makes no new version
    number = (stored.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ServiceVersion.objects.create(
        service=stored,
        number=number,
        name=str(stored.draft_definition.get("title") or stored.name),
        definition=stored.draft_definition,
        workflow=stored.draft_workflow,
        digest=digest,
        published_at=timezone.now(),
        published_by=by if getattr(by, "pk", None) else None,
    )
    stored.current_version = version
    stored.archived_at = None
    stored.save(update_fields=["current_version", "archived_at", "updated_at"])
    record(
        actor=by,
        action="digital_service.published",
        target=stored,
        institution_id=stored.institution_id,
        data={"version": number, "digest": digest},
    )
    _link_procedure(stored, by)
    service.current_version = version
    return version
