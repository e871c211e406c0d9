"""Who may do what with notifications.

- A casilla item is read (and opened) by its recipient alone; that check lives in the casilla's
  selectors and services (`recipient_id == user.pk`), not here.
- Officials of the institution that deposited an item read it and its constancia when they
  handle that institution's cases (case officer, case supervisor, institution administrator);
  platform administrators read every item.
- Officials of the institution correct an item (a new item that `corrects` it) with the same roles.
- An institution's wording (templates), senders and API keys are managed by its institution
  administrators and service designers, and by platform administrators.
"""

from typing import Any

from ventanilla.accounts.models import Role
from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.accounts.selectors import membership_institution_ids

# Roles that read what their institution deposited in casillas and correct it.
INBOX_OFFICIAL_ROLES = frozenset({Role.CASE_OFFICER, Role.CASE_SUPERVISOR, Role.INSTITUTION_ADMIN})
# Roles that manage the institution's templates, senders and API keys.
NOTIFICATION_MANAGING_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.SERVICE_DESIGNER})


def inbox_institution_ids(user: Any) -> set[int]:
    """Institutions whose casilla items `user` reads as an official (platform admins: all,
    not listed)."""
    return membership_institution_ids(user=user, roles=INBOX_OFFICIAL_ROLES)


def can_read_inbox_for_institution(user: Any, institution_id: int | None) -> bool:
    """May `user` read the items this institution deposited (and their constancias)?"""
    if is_platform_admin(user):
        return True
    return institution_id is not None and institution_id in inbox_institution_ids(user)


def can_deposit_for_institution(user: Any, institution_id: int | None) -> bool:
    """May `user` deposit or correct a casilla item in this institution's name?"""
    return can_read_inbox_for_institution(user, institution_id)


def can_manage_notifications(user: Any, institution_id: int | None) -> bool:
    """May `user` manage this institution's templates, senders and API keys? Platform-wide
    templates (institution None) belong to the platform administrators."""
    if is_platform_admin(user):
        return True
    return institution_id is not None and institution_id in membership_institution_ids(
        user=user, roles=NOTIFICATION_MANAGING_ROLES
    )
