"""Reads of the mediator's directory (and, below, of consents and the message log)."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page
from django.db.models import OuterRef, Q, Subquery, UUIDField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.pagination import PageOf, paginate

from .identifiers import parse_client_id, parse_service_id
from .models import AccessRight, ConsentRecord, MessageLogEntry, Service, Subsystem
from .services.consent import consents_valid, individual_ref_for


def subsystem_by_id(identifier: str) -> Subsystem | None:
    """The subsystem `PE/GOB/20295613620/padron`, or None (also for a malformed id)."""
    try:
        c = parse_client_id(identifier)
    except ValueError:
        return None
    return (
        Subsystem.objects.select_related("member")
        .filter(
            member__instance=c.instance,
            member__member_class=c.member_class,
            member__member_code=c.member_code,
            code=c.subsystem,
        )
        .first()
    )


def service_by_id(identifier: str) -> Service | None:
    """The service `PE/GOB/20295613620/padron/personas`, or None (also for a malformed id)."""
    try:
        s = parse_service_id(identifier)
    except ValueError:
        return None
    c = s.client
    return (
        Service.objects.select_related("subsystem__member")
        .filter(
            subsystem__member__instance=c.instance,
            subsystem__member__member_class=c.member_class,
            subsystem__member__member_code=c.member_code,
            subsystem__code=c.subsystem,
            code=s.service,
        )
        .first()
    )


def access_right_for(*, service: Service, client: Subsystem) -> AccessRight | None:
    return AccessRight.objects.filter(service=service, client=client).first()


@dataclass(frozen=True)
class ExchangeTarget:
    """What one exchange needs from the directory, read in one query: the service (with its
    subsystem and member), whether `client` holds an access right to it and whether that right
    needs consent, and the consent_valid record for the subject (None when there is none)."""

    service: Service
    access: bool
    consent_required: bool
    consent_record: uuid.UUID | None


def exchange_target(
    *, identifier: str, client: Subsystem, subject: str, now: datetime | None = None
) -> ExchangeTarget | None:
    """The service `PE/GOB/20295613620/padron/personas` as `client` may use it, or None (also
    for a malformed id). The same answers as service_by_id, access_right_for and
    consent_valid, in one round trip instead of three."""
    try:
        s = parse_service_id(identifier)
    except ValueError:
        return None
    c = s.client
    rights = AccessRight.objects.filter(service=OuterRef("pk"), client=client)
    found = Service.objects.select_related("subsystem__member").filter(
        subsystem__member__instance=c.instance,
        subsystem__member__member_class=c.member_class,
        subsystem__member__member_code=c.member_code,
        subsystem__code=c.subsystem,
        code=s.service,
    )
    found = found.annotate(
        access_consent_required=Subquery(rights.values("consent_required")[:1]),
        consent_record_id=(
            Subquery(
                consents_valid(
                    individual_ref=subject, client=client, service=OuterRef("pk"), now=now
                ).values("record_id")[:1]
            )
            if subject
            else Value(None, output_field=UUIDField())
        ),
    )
    service = found.first()
    if service is None:
        return None
    required = getattr(service, "access_consent_required", None)
    return ExchangeTarget(
        service=service,
        access=required is not None,
        consent_required=bool(required),
        consent_record=getattr(service, "consent_record_id", None),
    )


# --- the citizen's consents and the reads of their data ("Mis datos") ---------------------


@dataclass(frozen=True)
class ConsentRow:
    """One consent as the citizen sees it. `state` is "given", "withdrawn" or "expired"
    (given, but past its end date)."""

    record: ConsentRecord
    institution: str  # who reads: the client's member
    source: str  # who holds the data: the service's member
    service_title: str
    data_description: str
    purpose: str
    state: str
    state_label: str
    expires_at: datetime
    withdrawn_at: datetime | None

    @property
    def can_withdraw(self) -> bool:
        return self.state == "given"


def citizen_consents(user: Any, *, now: datetime | None = None) -> list[ConsentRow]:
    """The consents `user` gave, in force first, then newest first (one query)."""
    if not getattr(user, "pk", None):
        return []
    now = now or timezone.now()
    records = ConsentRecord.objects.filter(individual=user).select_related(
        "agreement__client__member", "agreement__service__subsystem__member"
    )
    rows = []
    for record in records:
        agreement = record.agreement
        if record.state == ConsentRecord.State.WITHDRAWN:
            state, label = "withdrawn", _("Revocada")
        elif record.expires_at <= now:
            state, label = "expired", _("Vencida")
        else:
            state, label = "given", _("Vigente")
        rows.append(
            ConsentRow(
                record=record,
                institution=agreement.client.member.name,
                source=agreement.service.subsystem.member.name,
                service_title=agreement.service.title,
                data_description=agreement.service.data_description,
                purpose=agreement.purpose,
                state=state,
                state_label=label,
                expires_at=record.expires_at,
                withdrawn_at=record.withdrawn_at,
            )
        )
    order = {"given": 0, "expired": 1, "withdrawn": 2}
    rows.sort(key=lambda r: (order[r.state], -r.record.given_at.timestamp()))
    return rows


def citizen_consent(*, user: Any, record_id: str) -> ConsentRecord | None:
    """One consent record of `user`; None when it is not theirs or does not exist."""
    if not getattr(user, "pk", None):
        return None
    return (
        ConsentRecord.objects.select_related(
            "agreement__client__member", "agreement__service__subsystem__member"
        )
        .filter(individual=user, record_id=record_id)
        .first()
    )


@dataclass(frozen=True)
class DataRead:
    """One time an institution read the citizen's data through the mediator."""

    seq: int
    when: datetime
    institution: str  # the reading institution (the client's member name)
    client: str  # its identifier, "PE/GOB/20131379944/ventanilla"
    source: str  # the institution holding the data, "RENIEC"
    service_title: str  # "Personas"
    what: str  # the service's data description
    issue: str  # X-Road-Issue: the case or procedure
    x_road_id: str


READS_PER_PAGE = 20


def citizen_data_reads(
    user: Any, *, page: str | None = None, per_page: int = READS_PER_PAGE
) -> PageOf:
    """The successful reads of `user`'s data, newest first, one page (of `DataRead`s) at a time.
    Four queries whatever the page: the count, the page, its clients and its services (the log
    names them by identifier; the directory gives their names)."""
    subject = individual_ref_for(user)
    entries = (
        MessageLogEntry.objects.filter(subject=subject, outcome="ok")
        .order_by("-seq")
        .only("seq", "created_at", "client", "service", "issue", "x_road_id")
    )
    if not subject:  # no document, no reads: never list the entries without a subject
        entries = entries.none()
    page_of = paginate(entries, page, per_page)
    found = list(page_of.page.object_list)
    clients = _subsystems_named({e.client for e in found})
    services = _services_named({e.service for e in found})
    rows = []
    for entry in found:
        client = clients.get(entry.client)
        service = services.get(entry.service)
        rows.append(
            DataRead(
                seq=entry.seq,
                when=entry.created_at,
                institution=client.member.name if client else entry.client,
                client=entry.client,
                source=service.subsystem.member.name if service else entry.service,
                service_title=service.title if service else "",
                what=service.data_description if service else "",
                issue=entry.issue,
                x_road_id=entry.x_road_id,
            )
        )
    paginator = page_of.paginator
    return PageOf(
        Page(rows, page_of.page.number, paginator), paginator, page_of.requested_out_of_range
    )


def _subsystems_named(identifiers: set[str]) -> dict[str, Subsystem]:
    """{identifier: subsystem (member joined)} for those identifiers the directory knows."""
    match = Q(pk__in=[])
    for identifier in identifiers:
        try:
            c = parse_client_id(identifier)
        except ValueError:
            continue
        match |= Q(
            member__instance=c.instance,
            member__member_class=c.member_class,
            member__member_code=c.member_code,
            code=c.subsystem,
        )
    if not identifiers:
        return {}
    found = Subsystem.objects.select_related("member").filter(match)
    return {s.identifier: s for s in found}


def _services_named(identifiers: set[str]) -> dict[str, Service]:
    """{identifier: service (subsystem and member joined)} for those the directory knows."""
    match = Q(pk__in=[])
    for identifier in identifiers:
        try:
            s = parse_service_id(identifier)
        except ValueError:
            continue
        c = s.client
        match |= Q(
            subsystem__member__instance=c.instance,
            subsystem__member__member_class=c.member_class,
            subsystem__member__member_code=c.member_code,
            subsystem__code=c.subsystem,
            code=s.service,
        )
    if not identifiers:
        return {}
    found = Service.objects.select_related("subsystem__member").filter(match)
    return {s.identifier: s for s in found}
