"""Who may change the directory. One place: services and the back office both ask here."""

from typing import Any

from django.db.models import QuerySet

from ventanilla.accounts.permissions import (
    can_edit_for_institution,
    can_edit_somewhere,
    editable_institution_ids,
    is_platform_admin,
)
from ventanilla.institutions.models import Institution

# Identifiers that tie a record to its sources: only platform administrators change them,
# so a reload of the reference data keeps finding the same row.
PLATFORM_ONLY_FIELDS = frozenset({"slug", "source", "transparency_id", "siaf_code"})


def institution_can_view_list(user: Any) -> bool:
    return can_edit_somewhere(user)


def institution_can_edit(user: Any, institution: Institution) -> bool:
    """Platform admins, or an official with an editing role in THIS institution."""
    return can_edit_for_institution(user, institution.pk)


def institution_can_edit_field(user: Any, field_name: str) -> bool:
    return field_name not in PLATFORM_ONLY_FIELDS or is_platform_admin(user)


def institution_can_create(user: Any) -> bool:
    return is_platform_admin(user)


def institution_can_delete(user: Any, institution: Institution | None = None) -> bool:
    return is_platform_admin(user)


def institution_scope(user: Any) -> QuerySet[Institution]:
    """The institutions `user` may see and edit in the back office (none for strangers)."""
    if is_platform_admin(user):
        return Institution.objects.all()
    return Institution.objects.filter(pk__in=editable_institution_ids(user))
