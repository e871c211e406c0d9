"""Registry fields a form question can be bound to (once-only, D. Leg. 1246).

A question with `"source": {"from": "reniec.persona", "field": "Prenombres"}` is filled from the
citizen's own record in that registry, read through the mediator as the subsystem of the
institution that owns the digital service (`institution_subsystem`), with the citizen's consent.
`"key": "<earlier question id>"` names the answer a source is looked up by when it is not the
citizen's own document (the plate of `sunarp.vehiculo`).

This module says what each source is (`SOURCES`), turns a registry record into the stored answer
of a question (`source_value`), asks for consent (`source_consent_give`) and reads
(`source_read`). Never call `source_read` inside transaction.atomic: the mediator's log entry
must commit whatever the caller does next."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from stdnum.pe import ruc as pe_ruc

if TYPE_CHECKING:
    from ventanilla.interop.models import ConsentRecord

# The mediator's modules are imported where they are used: the form definition's checks
# import SOURCES, and must not need Django's models loaded.

TEXT_TYPES = ("text", "textarea")
# How long a consent given in a citizen's journey lasts: enough to finish the procedure and
# answer a correction, short enough not to become a standing permission.
CONSENT_DAYS = 90
ISSUE_MAX = 200  # MessageLogEntry.issue


@dataclass(frozen=True)
class SourceField:
    """One field of a registry record: its name there, how a designer and a citizen read it,
    and the question types it can fill. `ubigeo` names the record's district code that goes
    with an address field when it fills an `address` question."""

    name: str
    label: str
    types: tuple[str, ...]
    ubigeo: str = ""


@dataclass(frozen=True)
class Source:
    """A registry a question can take its value from."""

    code: str  # "reniec.persona"
    label: str  # "RENIEC": «Dato obtenido de RENIEC»
    name: str  # the institution's full name
    service: str  # the mediator's service identifier
    data: str  # what the citizen is told is read
    lookup: str  # "dni" (the citizen's DNI), "ruc" (their RUC 10) or "key" (an earlier answer)
    query_field: str  # the record field the lookup value is matched on
    fields: dict[str, SourceField] = field(default_factory=dict)
    key_types: tuple[str, ...] = ()  # for lookup "key": the types of the question it reads


def _fields(*items: SourceField) -> dict[str, SourceField]:
    return {item.name: item for item in items}


SOURCES: dict[str, Source] = {
    "reniec.persona": Source(
        code="reniec.persona",
        label="RENIEC",
        name="Registro Nacional de Identificación y Estado Civil",
        service="PE/GOB/20295613620/padron/personas",
        data="tus nombres y apellidos, fecha de nacimiento, estado civil y domicilio",
        lookup="dni",
        query_field="ID",
        fields=_fields(
            SourceField("ID", "DNI", ("dni", "text")),
            SourceField("Prenombres", "Nombres", TEXT_TYPES),
            SourceField("ApellidoPaterno", "Apellido paterno", TEXT_TYPES),
            SourceField("ApellidoMaterno", "Apellido materno", TEXT_TYPES),
            SourceField("FechaNacimiento", "Fecha de nacimiento", ("date", "text")),
            SourceField("EstadoCivil", "Estado civil", ("text", "choice")),
            SourceField("UbigeoDomicilio", "Distrito del domicilio", ("ubigeo",)),
            SourceField(
                "Direccion", "Domicilio", ("address", *TEXT_TYPES), ubigeo="UbigeoDomicilio"
            ),
        ),
    ),
    "sunat.contribuyente": Source(
        code="sunat.contribuyente",
        label="SUNAT",
        name="Superintendencia Nacional de Aduanas y de Administración Tributaria",
        service="PE/GOB/20131312955/padron/contribuyentes",
        data="tu RUC, razón social, estado y condición, domicilio fiscal y actividad económica",
        lookup="ruc",
        query_field="ID",
        fields=_fields(
            SourceField("ID", "RUC", ("ruc", "text")),
            SourceField("RazonSocial", "Razón social", TEXT_TYPES),
            SourceField("Estado", "Estado del contribuyente", ("text", "choice")),
            SourceField("Condicion", "Condición del domicilio", ("text", "choice")),
            SourceField(
                "DomicilioFiscal",
                "Domicilio fiscal",
                ("address", *TEXT_TYPES),
                ubigeo="UbigeoFiscal",
            ),
            SourceField("ActividadEconomica", "Actividad económica", TEXT_TYPES),
        ),
    ),
    "sunarp.vehiculo": Source(
        code="sunarp.vehiculo",
        label="SUNARP",
        name="Superintendencia Nacional de los Registros Públicos",
        service="PE/GOB/20267073580/registros/vehiculos",
        data="los datos del vehículo inscrito con la placa que indicas",
        lookup="key",
        query_field="ID",
        key_types=("text",),
        fields=_fields(
            SourceField("Marca", "Marca", TEXT_TYPES),
            SourceField("Modelo", "Modelo", TEXT_TYPES),
            SourceField("Anio", "Año de fabricación", ("number", "text")),
            SourceField("Color", "Color", TEXT_TYPES),
            SourceField("Categoria", "Categoría", ("text", "choice")),
            SourceField("Propietario", "Propietario", TEXT_TYPES),
            SourceField("Estado", "Estado registral", ("text", "choice")),
        ),
    ),
    "mtc.licencia": Source(
        code="mtc.licencia",
        label="MTC",
        name="Ministerio de Transportes y Comunicaciones",
        service="PE/GOB/20131379944/licencias/licencias",
        data="tu licencia de conducir: número, clase, categoría, vigencia y estado",
        lookup="dni",
        query_field="DNI",
        fields=_fields(
            SourceField("ID", "Número de licencia", TEXT_TYPES),
            SourceField("Clase", "Clase", ("text", "choice")),
            SourceField("Categoria", "Categoría", ("text", "choice")),
            SourceField("FechaExpedicion", "Fecha de expedición", ("date", "text")),
            SourceField("FechaRevalidacion", "Fecha de revalidación", ("date", "text")),
            SourceField("Estado", "Estado de la licencia", ("text", "choice")),
        ),
    ),
}


def source_get(code: Any) -> Source | None:
    return SOURCES.get(code) if isinstance(code, str) else None


def source_choices(kind: str) -> list[tuple[str, str]]:
    """("reniec.persona:Prenombres", "RENIEC — Nombres") for every field a question of type
    `kind` can be bound to, for the designer's list."""
    return [
        (f"{source.code}:{item.name}", f"{source.label} — {item.label}")
        for source in SOURCES.values()
        for item in source.fields.values()
        if kind in item.types
    ]


def bound_sources(definition: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """{source code: [bound questions, in form order]} of a definition (top-level questions:
    groups' children cannot be bound)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for page in definition.get("pages") or []:
        for question in page.get("questions") or [] if isinstance(page, dict) else []:
            spec = question.get("source") if isinstance(question, dict) else None
            if isinstance(spec, dict) and source_get(spec.get("from")) is not None:
                found.setdefault(str(spec["from"]), []).append(question)
    return found


# --- Lookup values and answers ------------------------------------------------------------------


def own_dni(user: Any) -> str:
    """The citizen's DNI, or "" for a user who has none (a carné de extranjería holder)."""
    number = str(getattr(user, "document_number", "") or "")
    if getattr(user, "document_type", "") == "dni" and re.fullmatch(r"\d{8}", number):
        return number
    return ""


def ruc10_of(dni: str) -> str:
    """A person's RUC 10: "10" + DNI + check digit."""
    base = "10" + dni
    return base + pe_ruc.calc_check_digit(base)


def plate_normal(raw: Any) -> str:
    """A plate as SUNARP keys it: «abc-123» → «ABC123»."""
    return re.sub(r"[^A-Z0-9]", "", str(raw or "").upper())[:10]


def lookup_value(*, source: Source, user: Any, answers: dict[str, Any], key: str = "") -> str:
    """What the record is looked up by, or "" when it cannot be (no DNI, key not answered)."""
    if source.lookup == "key":
        return plate_normal(answers.get(key)) if key else ""
    dni = own_dni(user)
    if not dni:
        return ""
    return ruc10_of(dni) if source.lookup == "ruc" else dni


def source_value(
    *, question: dict[str, Any], source: Source, field_name: str, record: dict[str, Any]
) -> Any:
    """The stored answer `question` gets from `record`, or None when the record's value does
    not fit the question (empty, not a date, not one of its choices)."""
    item = source.fields.get(field_name)
    if item is None:
        return None
    raw = record.get(field_name)
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    kind = question.get("type")
    if kind == "address":
        ubigeo = str(record.get(item.ubigeo) or "") if item.ubigeo else ""
        if not re.fullmatch(r"\d{6}", ubigeo):
            return None
        return {"street": text[:300], "ubigeo": ubigeo, "reference": ""}
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    if kind == "dni":
        return text if re.fullmatch(r"\d{8}", text) else None
    if kind == "ruc":
        return text if pe_ruc.is_valid(text) else None
    if kind == "ubigeo":
        return text if re.fullmatch(r"\d{6}", text) else None
    if kind == "number":
        return int(text) if text.isdigit() else None
    if kind == "choice":
        for choice in question.get("choices") or []:
            value = str(choice.get("value") or "")
            if value.lower() == text.lower() or str(choice.get("label") or "").lower() == (
                text.lower()
            ):
                return value
        return None
    limit = question.get("max_length") or (5000 if kind == "textarea" else 500)
    return text[: int(limit)]


# --- Consent and reads --------------------------------------------------------------------------


class SourceFailed(Exception):
    """A source could not be read. `message` is for the citizen (Spanish); `unavailable` is
    True when trying again later may work (timeout, registry down), False when it will not
    (no grant, no consent, no record for this person)."""

    def __init__(self, message: str, *, unavailable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.unavailable = unavailable


@dataclass(frozen=True)
class SourceRead:
    record: dict[str, Any]
    x_road_id: str


def _purpose(source: Source, service_name: str) -> str:
    return _("Completar tu solicitud «%(s)s» con %(d)s, tal como figuran en %(l)s.") % {
        "s": service_name,
        "d": source.data,
        "l": source.label,
    }


def source_purpose(*, source: Source, service_name: str) -> str:
    """What the citizen is told the data is read for."""
    return _purpose(source, service_name)


def _directory_service(source: Source) -> Any:
    from ventanilla.interop.selectors import service_by_id

    found = service_by_id(source.service)
    if found is None:
        raise SourceFailed(
            _("Por ahora no podemos consultar %(l)s desde esta plataforma.") % {"l": source.label},
            unavailable=False,
        )
    return found


def source_consent_give(
    *,
    source: Source,
    institution: Any,
    service_slug: str,
    service_name: str,
    fields: list[str],
    user: Any,
) -> ConsentRecord:
    """The citizen's consent letting `institution`'s digital services read `fields` of their
    record in `source` for the digital service `service_slug` (the agreement made or brought up
    to date first). SourceFailed when the directory does not know the source."""
    from ventanilla.interop.services.consent import agreement_ensure, consent_give
    from ventanilla.interop.services.directory import institution_subsystem

    agreement = agreement_ensure(
        client=institution_subsystem(institution),
        service=_directory_service(source),
        purpose_key=f"ventanilla:{service_slug}:{source.code}"[:200],
        purpose=_purpose(source, service_name),
        attributes=[
            {"name": name, "description": source.fields[name].label}
            for name in fields
            if name in source.fields
        ],
        duration_days=CONSENT_DAYS,
    )
    return consent_give(user=user, agreement=agreement)


def source_read(
    *, source: Source, institution: Any, user: Any, lookup: str, issue: str
) -> SourceRead:
    """The record `lookup` names in `source`, read through the mediator as `institution`'s
    subsystem for the citizen `user`, and the X-Road-Id of that read. SourceFailed (with a
    Spanish message) when the registry is slow, down, refuses, or holds no such record."""
    from ventanilla.interop.models import MessageLogEntry
    from ventanilla.interop.services.consent import individual_ref_for
    from ventanilla.interop.services.directory import institution_subsystem
    from ventanilla.interop.services.registries import (
        RegistryRefused,
        RegistryUnavailable,
        registry_read,
    )

    subject = individual_ref_for(user)
    client = institution_subsystem(institution)
    issue = issue[:ISSUE_MAX]
    try:
        record = registry_read(
            client=client,
            service=source.service,
            query={source.query_field: lookup},
            subject=subject,
            user_id=subject,
            issue=issue,
        )
    except RegistryUnavailable:
        raise SourceFailed(
            _("%(l)s no respondió a tiempo.") % {"l": source.label}, unavailable=True
        ) from None
    except RegistryRefused:
        raise SourceFailed(
            _("%(l)s no nos permitió consultar tus datos en este momento.") % {"l": source.label},
            unavailable=False,
        ) from None
    if not record:
        if source.lookup == "key":
            message = _("%(l)s no tiene registrado ese dato (%(v)s).") % {
                "l": source.label,
                "v": lookup,
            }
        else:
            message = _("%(l)s no tiene un registro a tu nombre.") % {"l": source.label}
        raise SourceFailed(message, unavailable=False)
    logged = (
        MessageLogEntry.objects.filter(
            service__startswith=source.service, subject=subject, issue=issue, outcome="ok"
        )
        .order_by("-seq")
        .values_list("x_road_id", flat=True)
        .first()
    )
    return SourceRead(record=dict(record), x_road_id=str(logged or ""))
