"""Senders: an institution's sending identity (GOV.UK Notify's "service")."""

from django.db import IntegrityError, transaction

from ventanilla.institutions.models import Institution
from ventanilla.notifications.models import Sender


def sender_default(*, institution: Institution) -> Sender:
    """The institution's first sender, made (named after it) the first time it is asked for."""
    existing = Sender.objects.filter(institution=institution).order_by("created_at").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Sender.objects.create(institution=institution, name=institution.name[:200])
    except IntegrityError:  # pragma: no cover - no unique constraint today; kept for safety
        found = Sender.objects.filter(institution=institution).order_by("created_at").first()
        assert found is not None
        return found
