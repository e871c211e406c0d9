"""Who designs which institution's digital services."""

from typing import Any

from ventanilla.accounts.models import Role
from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.accounts.selectors import membership_institution_ids

DESIGNING_ROLES = frozenset({Role.SERVICE_DESIGNER, Role.INSTITUTION_ADMIN})


def designable_institution_ids(user: Any) -> set[int]:
    """Institutions whose services `user` designs (platform admins: all, not listed)."""
    return membership_institution_ids(user=user, roles=DESIGNING_ROLES)


def can_design(user: Any, institution_id: int | None) -> bool:
    if is_platform_admin(user):
        return True
    return institution_id is not None and institution_id in designable_institution_ids(user)


def can_design_somewhere(user: Any) -> bool:
    return is_platform_admin(user) or bool(designable_institution_ids(user))
