"""Who manages the mediator's directory. A member's subsystems, services, grants and keys
belong to the member's institution: platform administrators and that institution's
administrators (Role.INSTITUTION_ADMIN) manage them, nobody else. Only platform
administrators create members (a member is an institution joining the exchange)."""

from typing import Any

from django.db.models import Q, QuerySet

from ventanilla.accounts.permissions import is_platform_admin, manageable_institution_ids
from ventanilla.interop.models import (
    AccessRight,
    ClientKey,
    Member,
    MessageLogEntry,
    Service,
    Subsystem,
)


def managed_institution_ids(user: Any) -> set[int]:
    """Institutions whose members `user` manages (platform admins: all, not listed)."""
    return manageable_institution_ids(user)


def can_manage_member(user: Any, member: Member | None) -> bool:
    """May `user` change this member, its subsystems and services, grant or withdraw access
    to its services and make its keys?"""
    if is_platform_admin(user):
        return True
    return (
        member is not None
        and member.institution_id is not None
        and member.institution_id in managed_institution_ids(user)
    )


def can_manage_interop_somewhere(user: Any) -> bool:
    """Shows the mediator's screens of the back office."""
    return is_platform_admin(user) or bool(managed_institution_ids(user))


def can_create_member(user: Any) -> bool:
    return is_platform_admin(user)


def member_scope(user: Any) -> QuerySet[Member]:
    if is_platform_admin(user):
        return Member.objects.all()
    return Member.objects.filter(institution_id__in=managed_institution_ids(user))


def subsystem_scope(user: Any) -> QuerySet[Subsystem]:
    if is_platform_admin(user):
        return Subsystem.objects.all()
    return Subsystem.objects.filter(member__institution_id__in=managed_institution_ids(user))


def service_scope(user: Any) -> QuerySet[Service]:
    if is_platform_admin(user):
        return Service.objects.all()
    return Service.objects.filter(
        subsystem__member__institution_id__in=managed_institution_ids(user)
    )


def access_right_scope(user: Any) -> QuerySet[AccessRight]:
    """Grants on the services `user` manages (the owner decides who calls)."""
    if is_platform_admin(user):
        return AccessRight.objects.all()
    return AccessRight.objects.filter(
        service__subsystem__member__institution_id__in=managed_institution_ids(user)
    )


def client_key_scope(user: Any) -> QuerySet[ClientKey]:
    if is_platform_admin(user):
        return ClientKey.objects.all()
    return ClientKey.objects.filter(
        subsystem__member__institution_id__in=managed_institution_ids(user)
    )


def message_log_scope(user: Any) -> QuerySet[MessageLogEntry]:
    """Exchanges where one of `user`'s members asked or answered."""
    if is_platform_admin(user):
        return MessageLogEntry.objects.all()
    condition = Q(pk__in=[])
    for identifier in (m.identifier for m in member_scope(user)):
        prefix = f"{identifier}/"
        condition |= Q(client__startswith=prefix) | Q(service__startswith=prefix)
    return MessageLogEntry.objects.filter(condition)
