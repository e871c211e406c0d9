"""Consent, shaped on the GovStack Consent building block (DataAgreement, ConsentRecord,
Revision). The mediator asks `consent_valid` before forwarding a request for a citizen's data."""

from datetime import datetime
from typing import Any

from django.utils import timezone

from ventanilla.interop.models import ConsentRecord, Service, Subsystem

_DOCUMENT_PREFIX = {"dni": "DNI", "ce": "CE"}


def individual_ref_for(user: Any) -> str:
    """How the mediator names a citizen (X-Ventanilla-Subject): "DNI:45678912",
    "CE:001234567"; "" for a user without an identity document."""
    number = getattr(user, "document_number", "") or ""
    prefix = _DOCUMENT_PREFIX.get(getattr(user, "document_type", "") or "")
    return f"{prefix}:{number}" if prefix and number else ""


def consent_valid(
    *, individual_ref: str, client: Subsystem, service: Service, now: datetime | None = None
) -> ConsentRecord | None:
    """The citizen's consent, given and not expired, to an active agreement letting `client`
    read `service`; None when there is none."""
    if not individual_ref:
        return None
    now = now or timezone.now()
    return (
        ConsentRecord.objects.filter(
            individual_ref=individual_ref,
            agreement__client=client,
            agreement__service=service,
            agreement__active=True,
            state=ConsentRecord.State.GIVEN,
            expires_at__gt=now,
        )
        .order_by("-expires_at")
        .first()
    )
