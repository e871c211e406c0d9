"""E-mails about cases: to the citizen, the assigned official and the institution's fixed
addresses, as the workflow's `notify` says. Queued after the commit; sent by the task worker."""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@task()
def case_mail(*, to: list[str], subject: str, body: str) -> None:
    """Send one notice about a case (the text is already translated)."""
    text = "\n\n".join(
        [
            _("Hola:"),
            body,
            _("Este es un mensaje automático de Ventanilla; no respondas a este correo."),
        ]
    )
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, to)


def _addresses(values: Iterable[Any]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        address = str(value or "").strip()
        if address and "@" in address:
            seen.setdefault(address.lower(), None)
    return list(seen)


def mail_after_commit(*, to: Iterable[Any], subject: str, body: str) -> None:
    """Queue the e-mail once the transaction commits; a queue that is down must not fail a
    committed change (it is logged)."""
    addresses = _addresses(to)
    if not addresses:
        return

    def run() -> None:
        try:
            case_mail.enqueue(to=addresses, subject=subject, body=body)
        except Exception:
            logger.exception("case mail not queued")

    transaction.on_commit(run)


def notify_settings(case: Any) -> dict[str, Any]:
    """The workflow's `notify` of the case's version (nothing for foreign records)."""
    version = case.service_version
    workflow = version.workflow if version is not None else {}
    notify = workflow.get("notify") or {}
    return notify if isinstance(notify, dict) else {}


def case_recipients(
    case: Any, *, citizen: bool = False, assignee: bool = False, fixed: bool = False
) -> list[str]:
    """Who hears about this change, among those asked for and allowed by `notify`."""
    notify = notify_settings(case)
    found: list[Any] = []
    if citizen and notify.get("citizen", True) and case.applicant_id:
        found.append(case.applicant.email)
    if assignee and notify.get("assignee", True) and case.assignee_id:
        found.append(case.assignee.email)
    if fixed:
        found.extend(notify.get("emails") or [])
    return _addresses(found)
