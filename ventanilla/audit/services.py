"""The audit trail: every service records its state change here, in the same transaction."""

from typing import Any

from django.db import models

from ventanilla.audit.models import AuditEvent


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    data: dict[str, Any] | None = None,
    institution_id: int | None = None,
) -> AuditEvent:
    """Append one audit row. `actor` may be None for system jobs such as the data loader."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        institution_id=institution_id,
        data=data or {},
    )
