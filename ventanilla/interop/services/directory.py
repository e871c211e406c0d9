"""The mediator's directory: members, subsystems, services and who may call them.

Every function is idempotent (run it twice, get the same rows) and leaves an audit row when it
changes something, under the institution of the member concerned (for a grant: the member
that owns the service, whose administrators decide who calls it)."""

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.audit.services import record
from ventanilla.interop.models import IDENTIFIER_PART, AccessRight, Member, Service, Subsystem

_PART = re.compile(IDENTIFIER_PART)
PLATFORM_MEMBER_CLASS = "GOB"
INSTITUTION_SUBSYSTEM = "ventanilla"
ALL_ENDPOINTS = [{"method": "*", "path": "**"}]
_METHODS = {"*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def identifier_part_clean(value: str, label: str) -> str:
    value = (value or "").strip()
    if not _PART.match(value):
        raise ValidationError(
            _(
                "%(label)s «%(value)s» no es válido: use letras, números y los signos _ : . - "
                "(hasta 64 caracteres, sin barras)."
            )
            % {"label": label, "value": value[:80]}
        )
    return value


def endpoints_clean(endpoints: Any) -> list[dict[str, str]]:
    if endpoints is None:
        return [dict(e) for e in ALL_ENDPOINTS]
    message = _(
        'Los puntos de acceso deben ser una lista como [{"method": "POST", "path": "/read"}].'
    )
    if not isinstance(endpoints, list):
        raise ValidationError(message)
    clean: list[dict[str, str]] = []
    for endpoint in endpoints:
        if not isinstance(endpoint, dict):
            raise ValidationError(message)
        method = str(endpoint.get("method") or "").strip().upper()
        path = str(endpoint.get("path") or "").strip()
        if method not in _METHODS or not path or len(path) > 500:
            raise ValidationError(message)
        clean.append({"method": method, "path": path})
    return clean


def aliases_clean(aliases: Any) -> dict[str, list[str]]:
    if aliases is None:
        return {}
    if not isinstance(aliases, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
        for k, v in aliases.items()
    ):
        raise ValidationError(
            _('Los alias deben tener la forma {"serviceId": ["…"], "instanceId": ["…"]}.')
        )
    return {k: list(v) for k, v in aliases.items()}


def provider_url_valid(url: str) -> bool:
    """http(s)://host[:port]/path; the host may be a bare name (a container's) as well."""
    if len(url) > 500 or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def legal_basis_clean(*, consent_required: bool, legal_basis: str) -> str:
    """A grant without the citizen's consent rests on a written legal basis."""
    legal_basis = (legal_basis or "").strip()
    if not consent_required and not legal_basis:
        raise ValidationError(
            _(
                "Para consultar datos sin el consentimiento de la persona hace falta una base "
                "legal: escriba la norma que autoriza el acceso."
            )
        )
    if len(legal_basis) > 300:
        raise ValidationError(_("La base legal no puede pasar de 300 caracteres."))
    return legal_basis


def _owner_institution_id(service: Service) -> int | None:
    return service.subsystem.member.institution_id


@transaction.atomic
def member_ensure(
    *,
    instance: str,
    member_class: str,
    member_code: str,
    name: str,
    institution: Any = None,
    actor: Any = None,
) -> Member:
    """The member `instance/member_class/member_code`, made or brought up to date (name, and
    the institution when one is given; an existing link is never dropped)."""
    key = {
        "instance": identifier_part_clean(instance, _("La instancia")),
        "member_class": identifier_part_clean(member_class, _("La clase")),
        "member_code": identifier_part_clean(member_code, _("El código del miembro")),
    }
    name = (name or "").strip()[:300] or key["member_code"]
    member, created = Member.objects.get_or_create(
        **key, defaults={"name": name, "institution": institution}
    )
    changes: dict[str, Any] = {}
    if not created:
        if member.name != name:
            changes["name"] = name
        if institution is not None and member.institution_id != institution.pk:
            changes["institution"] = institution
        for field, value in changes.items():
            setattr(member, field, value)
        if changes:
            member.save(update_fields=[*changes, "updated_at"])
    if created or changes:
        record(
            actor=actor,
            action="interop.member_create" if created else "interop.member_update",
            target=member,
            data={
                "member": member.identifier,
                "changed": sorted(changes) if changes else [],
            },
            institution_id=member.institution_id,
        )
    return member


@transaction.atomic
def subsystem_ensure(*, member: Member, code: str, name: str = "", actor: Any = None) -> Subsystem:
    """The subsystem `code` of `member`, made or renamed."""
    code = identifier_part_clean(code, _("El código del subsistema"))
    name = (name or "").strip()[:300]
    subsystem, created = Subsystem.objects.get_or_create(
        member=member, code=code, defaults={"name": name}
    )
    renamed = not created and bool(name) and subsystem.name != name
    if renamed:
        subsystem.name = name
        subsystem.save(update_fields=["name", "updated_at"])
    if created or renamed:
        record(
            actor=actor,
            action="interop.subsystem_create" if created else "interop.subsystem_update",
            target=subsystem,
            data={"subsystem": subsystem.identifier},
            institution_id=member.institution_id,
        )
    return subsystem


@transaction.atomic
def service_register(
    *,
    subsystem: Subsystem,
    code: str,
    url: str,
    title: str,
    version: str = "v1",
    service_type: str = "OPENAPI",
    openapi: str = "",
    endpoints: list[dict[str, str]] | None = None,
    data_description: str = "",
    personal_data: bool = True,
    timeout_seconds: float = 5.0,
    aliases: dict[str, list[str]] | None = None,
    actor: Any = None,
) -> Service:
    """Register (or update) the service `code` of `subsystem`, forwarded to `url`.
    `endpoints` None means every method and path."""
    code = identifier_part_clean(code, _("El código del servicio"))
    url = (url or "").strip()
    if not provider_url_valid(url):
        raise ValidationError(
            _("La dirección del proveedor «%(url)s» no es una URL http(s) válida.")
            % {"url": url[:200]}
        )
    if service_type not in Service.Type.values:
        raise ValidationError(_("El tipo de servicio debe ser OPENAPI o REST."))
    if not (0 < float(timeout_seconds) <= 120):
        raise ValidationError(_("El tiempo de espera debe estar entre 0 y 120 segundos."))
    title = (title or "").strip()[:300]
    if not title:
        raise ValidationError(_("El servicio necesita un nombre."))
    values: dict[str, Any] = {
        "url": url,
        "title": title,
        "version": (version or "v1").strip()[:32],
        "service_type": service_type,
        "openapi": openapi or "",
        "endpoints": endpoints_clean(endpoints),
        "data_description": (data_description or "").strip()[:300],
        "personal_data": bool(personal_data),
        "timeout_seconds": float(timeout_seconds),
        "aliases": aliases_clean(aliases),
    }
    service = Service.objects.filter(subsystem=subsystem, code=code).first()
    created = service is None
    changed: list[str] = []
    if service is None:
        service = Service.objects.create(subsystem=subsystem, code=code, **values)
    else:
        changed = [f for f, v in values.items() if getattr(service, f) != v]
        for field in changed:
            setattr(service, field, values[field])
        if changed:
            service.save(update_fields=[*changed, "updated_at"])
    if created or changed:
        record(
            actor=actor,
            action="interop.service_register" if created else "interop.service_update",
            target=service,
            data={"service": service.identifier, "url": url, "changed": sorted(changed)},
            institution_id=subsystem.member.institution_id,
        )
    return service


@transaction.atomic
def service_set_enabled(*, service: Service, enabled: bool, actor: Any) -> Service:
    """Take a service off the exchange (calls answer Server.UnknownService) or back on."""
    if service.enabled != enabled:
        service.enabled = enabled
        service.save(update_fields=["enabled", "updated_at"])
        record(
            actor=actor,
            action="interop.service_enable" if enabled else "interop.service_disable",
            target=service,
            data={"service": service.identifier},
            institution_id=_owner_institution_id(service),
        )
    return service


@transaction.atomic
def access_right_grant(
    *,
    service: Service,
    client: Subsystem,
    actor: Any,
    consent_required: bool = True,
    legal_basis: str = "",
) -> AccessRight:
    """Let `client` call `service`. Without the citizen's consent only on a legal basis,
    written down. Granting again updates the terms."""
    legal_basis = legal_basis_clean(consent_required=consent_required, legal_basis=legal_basis)
    right, created = AccessRight.objects.get_or_create(
        service=service,
        client=client,
        defaults={
            "consent_required": consent_required,
            "legal_basis": legal_basis,
            "granted_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    changed: list[str] = []
    if not created:
        if right.consent_required != consent_required:
            right.consent_required = consent_required
            changed.append("consent_required")
        if right.legal_basis != legal_basis:
            right.legal_basis = legal_basis
            changed.append("legal_basis")
        if changed:
            right.granted_by = actor if getattr(actor, "pk", None) else None
            right.save(update_fields=[*changed, "granted_by", "updated_at"])
    if created or changed:
        record(
            actor=actor,
            action="interop.access_right_grant" if created else "interop.access_right_update",
            target=right,
            data={
                "service": service.identifier,
                "client": client.identifier,
                "consent_required": consent_required,
                "legal_basis": legal_basis,
                "changed": changed,
            },
            institution_id=_owner_institution_id(service),
        )
    return right


@transaction.atomic
def access_right_revoke(*, access_right: AccessRight, actor: Any) -> None:
    """Withdraw a grant: the client's next call is refused."""
    right = (
        AccessRight.objects.select_related("service__subsystem__member", "client__member")
        .filter(pk=access_right.pk)
        .first()
    )
    if right is None:  # already withdrawn (a second click, two tabs)
        return
    record(
        actor=actor,
        action="interop.access_right_revoke",
        target=right,
        data={
            "service": right.service.identifier,
            "client": right.client.identifier,
            "consent_required": right.consent_required,
            "legal_basis": right.legal_basis,
        },
        institution_id=_owner_institution_id(right.service),
    )
    right.delete()


def institution_subsystem(institution: Any) -> Subsystem:
    """The subsystem an institution's digital services call the mediator with:
    `PE/GOB/<RUC or ENT<pk>>/ventanilla`, made on first use and linked to the institution."""
    code = (institution.ruc or "").strip()
    if not _PART.match(code):
        code = f"ENT{institution.pk}"
    existing = (
        Subsystem.objects.select_related("member")
        .filter(
            member__instance=settings.INTEROP_INSTANCE,
            member__member_class=PLATFORM_MEMBER_CLASS,
            member__member_code=code,
            code=INSTITUTION_SUBSYSTEM,
        )
        .first()
    )
    if existing is not None and existing.member.institution_id == institution.pk:
        return existing
    with transaction.atomic():
        member = member_ensure(
            instance=settings.INTEROP_INSTANCE,
            member_class=PLATFORM_MEMBER_CLASS,
            member_code=code,
            name=institution.name,
            institution=institution,
        )
        return subsystem_ensure(
            member=member, code=INSTITUTION_SUBSYSTEM, name=_("Servicios digitales de Ventanilla")
        )
