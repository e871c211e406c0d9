"""Who may do what, platform-wide. Domain checks (institutions, catalogue) build on these.

Platform administrators are active superusers and may do everything. Officials act only
for the institutions where they hold a Membership, and only with the roles listed here.
The expected answers, role by role, are the table in accounts/tests/test_role_matrix.py."""

from typing import Any

from django.db.models import QuerySet

from ventanilla.accounts.models import Invitation, Membership, Role
from ventanilla.accounts.selectors import (
    membership_institution_ids,
    membership_roles_by_institution,
)

# Roles that edit an institution's record and its procedures.
EDITING_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.EDITOR, Role.PUBLISHER})
# Roles that put a procedure page on line or take it down; an editor prepares, others publish.
PUBLISHING_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.PUBLISHER})
# Roles that invite, remove and re-role the officials of their institution.
OFFICIAL_MANAGING_ROLES = frozenset({Role.INSTITUTION_ADMIN})
# Roles that read the institution's audit trail (what its officials changed, and who).
AUDIT_READING_ROLES = EDITING_ROLES


def is_platform_admin(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def is_official(user: Any) -> bool:
    """Holds at least one role in at least one institution (active accounts only)."""
    return bool(membership_roles_by_institution(user=user))


def is_back_office_user(user: Any) -> bool:
    """May open the back office at all: an active staff account that is a platform
    administrator or holds any role somewhere. What each screen then shows is each domain's
    decision: a role with nothing to see yet (case officers before cases exist) sees only
    its own account."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    return is_platform_admin(user) or is_official(user)


def editable_institution_ids(user: Any) -> set[int]:
    """Institutions whose record and procedures `user` may edit (platform admins: see
    is_platform_admin, this set does not list every institution for them)."""
    return membership_institution_ids(user=user, roles=EDITING_ROLES)


def publishable_institution_ids(user: Any) -> set[int]:
    return membership_institution_ids(user=user, roles=PUBLISHING_ROLES)


def manageable_institution_ids(user: Any) -> set[int]:
    """Institutions whose officials `user` manages (platform admins: all, not listed)."""
    return membership_institution_ids(user=user, roles=OFFICIAL_MANAGING_ROLES)


def can_edit_somewhere(user: Any) -> bool:
    """Shows the directory and catalogue screens of the back office."""
    return is_platform_admin(user) or bool(editable_institution_ids(user))


def can_edit_for_institution(user: Any, institution_id: int | None) -> bool:
    """May `user` edit content owned by this institution? Content owned by no institution
    belongs to the platform administrators."""
    if is_platform_admin(user):
        return True
    return institution_id is not None and institution_id in editable_institution_ids(user)


def can_publish_for_institution(user: Any, institution_id: int | None) -> bool:
    if is_platform_admin(user):
        return True
    return institution_id is not None and institution_id in publishable_institution_ids(user)


def can_manage_officials(user: Any, institution_id: int | None) -> bool:
    """May `user` invite, remove or change the role of officials of this institution?"""
    if is_platform_admin(user):
        return True
    return institution_id is not None and institution_id in manageable_institution_ids(user)


def can_manage_officials_somewhere(user: Any) -> bool:
    """Shows the officials and invitations screens of the back office."""
    return is_platform_admin(user) or bool(manageable_institution_ids(user))


def audit_institution_ids(user: Any) -> set[int]:
    """Institutions whose audit trail `user` reads (platform admins: every event)."""
    return membership_institution_ids(user=user, roles=AUDIT_READING_ROLES)


def can_view_audit_trail(user: Any) -> bool:
    return is_platform_admin(user) or bool(audit_institution_ids(user))


def can_view_audit_event(user: Any, institution_id: int | None) -> bool:
    """Events of no institution (platform settings, accounts) are the platform's."""
    if is_platform_admin(user):
        return True
    return institution_id is not None and institution_id in audit_institution_ids(user)


def can_manage_accounts(user: Any) -> bool:
    """Users as such (names, passwords, flags, locks): platform administrators only."""
    return is_platform_admin(user)


def membership_scope(user: Any) -> QuerySet[Membership]:
    """The memberships `user` sees and manages in the back office (none for strangers)."""
    if is_platform_admin(user):
        return Membership.objects.all()
    return Membership.objects.filter(institution_id__in=manageable_institution_ids(user))


def invitation_scope(user: Any) -> QuerySet[Invitation]:
    """The invitations `user` sees and revokes in the back office (none for strangers)."""
    if is_platform_admin(user):
        return Invitation.objects.all()
    return Invitation.objects.filter(institution_id__in=manageable_institution_ids(user))
