"""Reads about accounts with rules: which institutions an official acts for, and in which role."""

from collections.abc import Iterable
from typing import Any

from ventanilla.accounts.models import Membership

# Cached on the user object, so one request asks the database once however many checks it makes.
_ROLES_ATTR = "_ventanilla_institution_roles"


def membership_roles_by_institution(*, user: Any) -> dict[int, frozenset[str]]:
    """{institution_id: roles} for an active user; empty for anonymous or inactive users.

    The answer is memoised on `user` (one query per request); call
    `membership_roles_forget(user=user)` after changing that user's memberships."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _ROLES_ATTR, None)
    if cached is None:
        roles: dict[int, set[str]] = {}
        rows = Membership.objects.filter(user_id=user.pk).values_list("institution_id", "role")
        for institution_id, role in rows:
            roles.setdefault(institution_id, set()).add(role)
        cached = {key: frozenset(value) for key, value in roles.items()}
        setattr(user, _ROLES_ATTR, cached)
    return cached


def membership_roles_forget(*, user: Any) -> None:
    """Drop the memoised roles of `user` (after its memberships changed)."""
    if hasattr(user, _ROLES_ATTR):
        delattr(user, _ROLES_ATTR)


def membership_institution_ids(*, user: Any, roles: Iterable[str]) -> set[int]:
    """Ids of the institutions where `user` holds at least one of `roles`."""
    wanted = set(roles)
    return {
        institution_id
        for institution_id, held in membership_roles_by_institution(user=user).items()
        if held & wanted
    }


def user_by_login_name(name: str) -> Any:
    """The account a login form names: 8 digits are a DNI, other digits (9–12) a carné de
    extranjería, anything else an official's username. None when nothing matches."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    value = name.strip()
    if value.isdigit():
        kind = "dni" if len(value) == 8 else "ce"
        return User.objects.filter(document_type=kind, document_number=value).first()
    if not value:
        return None
    return User.objects.filter(username=value, document_number="").first()
