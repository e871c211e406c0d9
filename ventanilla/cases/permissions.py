"""Who may handle which cases. Officials handle the cases of the institutions where they hold a
case-handling role; platform administrators handle every case; a citizen acts only on their
own cases (replying, correcting)."""

from typing import Any

from ventanilla.accounts.models import Role
from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.accounts.selectors import membership_institution_ids

# Roles that see an institution's inbox and act on its cases.
CASE_HANDLING_ROLES = frozenset({Role.CASE_OFFICER, Role.CASE_SUPERVISOR, Role.INSTITUTION_ADMIN})


def case_institution_ids(user: Any) -> set[int]:
    """Institutions whose cases `user` handles (platform admins: every one, not listed)."""
    return membership_institution_ids(user=user, roles=CASE_HANDLING_ROLES)


def can_handle_cases_somewhere(user: Any) -> bool:
    """Shows the inbox at all."""
    return is_platform_admin(user) or bool(case_institution_ids(user))


def can_handle_for_institution(user: Any, institution_id: int | None) -> bool:
    if is_platform_admin(user):
        return True
    return institution_id is not None and institution_id in case_institution_ids(user)


def can_handle_case(user: Any, case: Any) -> bool:
    """May `user` assign, move, annotate or message about `case`?"""
    return can_handle_for_institution(user, case.institution_id)


def is_case_applicant(user: Any, case: Any) -> bool:
    """Is `user` the citizen who submitted `case` (and still an active account)?"""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and case.applicant_id is not None
        and case.applicant_id == user.pk
    )


def can_read_case_file(user: Any, case_file: Any) -> bool:
    """Files of a case: its handlers and its applicant."""
    case = case_file.case
    if case is None:
        return False
    return can_handle_case(user, case) or is_case_applicant(user, case)
