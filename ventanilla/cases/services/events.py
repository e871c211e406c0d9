"""What every case service does on the way out: a line on the timeline and the webhook call."""

from typing import Any

from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services.webhooks import webhook_event


def case_event_add(
    *,
    case: Case,
    kind: str,
    actor: Any = None,
    public: bool = False,
    text: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one line to the case's timeline (inside the caller's transaction)."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        public=public,
        text=text,
        data=data or {},
    )


def case_webhook(*, case: Case, event: str) -> None:
    """Tell the institution's own systems (inside the transaction; delivery waits for the
    commit)."""
    webhook_event(case=case, event=event)
