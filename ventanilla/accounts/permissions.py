"""Who may do what, platform-wide. Domain checks (institutions, catalogue) build on these.

Platform administrators are active superusers and may do everything. Officials act only
for the institutions where they hold a Membership, and only with the roles listed here."""

from typing import Any

from ventanilla.accounts.models import Role
from ventanilla.accounts.selectors import membership_institution_ids

# Roles that edit an institution's record and its procedures.
EDITING_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.EDITOR, Role.PUBLISHER})
# Roles that put a procedure page on line or take it down; an editor prepares, others publish.
PUBLISHING_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.PUBLISHER})


def is_platform_admin(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def is_back_office_user(user: Any) -> bool:
    """May open the back office at all: staff, active, and either a platform administrator
    or an official with an editing role somewhere."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    return is_platform_admin(user) or bool(editable_institution_ids(user))


def editable_institution_ids(user: Any) -> set[int]:
    """Institutions whose record and procedures `user` may edit (platform admins: see
    is_platform_admin, this set does not list every institution for them)."""
    return membership_institution_ids(user=user, roles=EDITING_ROLES)


def publishable_institution_ids(user: Any) -> set[int]:
    return membership_institution_ids(user=user, roles=PUBLISHING_ROLES)


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


def can_manage_accounts(user: Any) -> bool:
    """Users and memberships: platform administrators only."""
    return is_platform_admin(user)
