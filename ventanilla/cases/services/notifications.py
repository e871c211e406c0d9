"""Notices about cases, as the workflow's `notify` says: the citizen's through their casilla
electrónica (and the e-mail or SMS they chose: notifications' citizen_notify), the officials'
(the assignee, the institution's fixed addresses) by plain e-mail (staff_email). Both are
written in the caller's transaction and delivered by the task worker after the commit."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse

from ventanilla.notifications.attachments import Attachment
from ventanilla.notifications.models import InboxItem
from ventanilla.notifications.services.citizen import citizen_notify
from ventanilla.notifications.services.messages import staff_email

# Notices that only inform: a workflow with `notify.citizen` off leaves them out. A correction
# request, a decision and a message from the institution always reach the casilla: the citizen
# must act on them, and a notification deposited there is what gives them legal effect.
INFORMATIVE_EVENTS = frozenset({"case.submitted", "case.status_changed"})


def notify_settings(case: Any) -> dict[str, Any]:
    """The workflow's `notify` of the case's version (nothing for foreign records)."""
    version = case.service_version
    workflow = version.workflow if version is not None else {}
    notify = workflow.get("notify") or {}
    return notify if isinstance(notify, dict) else {}


def _addresses(values: Iterable[Any]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        address = str(value or "").strip()
        if address and "@" in address:
            seen.setdefault(address.lower(), None)
    return list(seen)


def case_recipients(case: Any, *, assignee: bool = False, fixed: bool = False) -> list[str]:
    """The officials' addresses that hear about this change, among those asked for and
    allowed by `notify`."""
    notify = notify_settings(case)
    found: list[Any] = []
    if assignee and notify.get("assignee", True) and case.assignee_id:
        found.append(case.assignee.email)
    if fixed:
        found.extend(notify.get("emails") or [])
    return _addresses(found)


def case_staff_email(*, case: Any, to: Iterable[str], subject: str, body: str) -> None:
    """An e-mail to the case's officials (nothing when `to` is empty)."""
    addresses = list(to)
    if addresses:
        staff_email(to=addresses, subject=subject, body=body, institution=case.institution)


def case_citizen_notify(
    *,
    case: Any,
    event: str,
    values: Mapping[str, str] | None = None,
    attachments: Sequence[Attachment] = (),
    by: Any = None,
) -> InboxItem | None:
    """The notice of `event` to the case's applicant: in their casilla, linked to the case's
    page, with the case's reference and service (None for a case without a citizen account,
    or an informative notice the workflow turned off)."""
    if not case.applicant_id:
        return None
    if event in INFORMATIVE_EVENTS and notify_settings(case).get("citizen", True) is False:
        return None
    return citizen_notify(
        user=case.applicant,
        institution=case.institution,
        event=event,
        values={
            "referencia": case.reference,
            "servicio": case.service.name if case.service is not None else "",
            **(values or {}),
        },
        reference=case.reference,
        link=reverse("cases_citizen:detail", args=[case.reference]),
        attachments=attachments,
        by=by,
    )
