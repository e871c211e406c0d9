"""What a citizen may read of their own applications and cases ("Mis trámites"). Every read
takes the acting user: a citizen never reaches another person's case or draft."""

import uuid
from typing import Any

from django.db.models import QuerySet

from ventanilla.cases.models import Application, Case, CaseFile
from ventanilla.notifications.models import InboxItem


def cases_of_citizen(*, user: Any) -> QuerySet[Case]:
    """The citizen's cases, newest first, with what the list shows."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return (
        Case.objects.filter(applicant=user)
        .select_related("service", "service_version", "institution")
        .order_by("-submitted_at", "-pk")
    )


def case_of_citizen(*, user: Any, reference: str) -> Case | None:
    """The citizen's case with that reference, or None (also when it is someone else's)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Case.objects.filter(applicant=user, reference=reference)
        .select_related("service", "service_version", "institution")
        .first()
    )


def inbox_items_of_case(*, user: Any, case: Case) -> list[InboxItem]:
    """The notifications the case's institution deposited in `user`'s own casilla about the
    case, oldest first (subject, times; no text): [] for anyone but the recipient."""
    if not getattr(user, "is_authenticated", False) or case.applicant_id != user.pk:
        return []
    return list(
        InboxItem.objects.filter(
            recipient_id=user.pk, institution_id=case.institution_id, reference=case.reference
        )
        .only("id", "subject", "kind", "deposited_at", "first_opened_at")
        .order_by("deposited_at", "pk")
    )


def drafts_of_citizen(*, user: Any) -> QuerySet[Application]:
    """The citizen's applications not yet sent, last touched first."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return (
        Application.objects.filter(applicant=user, submitted_at__isnull=True)
        .select_related("service_version__service__institution")
        .order_by("-updated_at")
    )


def application_of_citizen(*, user: Any, public_id: str) -> Application | None:
    """The citizen's application (draft or sent) with that id, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        Application.objects.filter(applicant=user, public_id=key)
        .select_related("service_version__service__institution", "case")
        .first()
    )


def files_of_application(*, application: Application) -> dict[str, list[CaseFile]]:
    """The draft's attached files by question id, in upload order."""
    found: dict[str, list[CaseFile]] = {}
    for case_file in application.files.filter(case__isnull=True).order_by("created_at", "pk"):
        found.setdefault(case_file.question, []).append(case_file)
    return found


def file_of_case(*, case: Case, public_id: str) -> CaseFile | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return case.files.filter(public_id=key).first()
