"""Reads of the mediator's directory (and, below, of consents and the message log)."""

from .identifiers import parse_client_id, parse_service_id
from .models import AccessRight, Service, Subsystem


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
