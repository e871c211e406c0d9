"""Who may change the catalogue. One place: services and the back office both ask here.

Procedures belong to their institution: an official edits them with an editing role there,
and publishes or unpublishes them with a publishing role there. Topics and life events are
the platform's own editorial work: platform administrators only."""

from typing import Any

from django.db.models import QuerySet

from ventanilla.accounts.permissions import (
    can_edit_for_institution,
    can_edit_somewhere,
    can_publish_for_institution,
    editable_institution_ids,
    is_platform_admin,
)
from ventanilla.catalogue.models import Procedure

# Identity of a page across sources and URLs: only platform administrators change them.
PLATFORM_ONLY_FIELDS = frozenset(
    {"number", "slug", "code", "gobpe_id", "gobpe_child_id", "has_detail", "popularity"}
)
PUBLISHING_FIELDS = frozenset({"is_published"})


def procedure_can_view_list(user: Any) -> bool:
    return can_edit_somewhere(user)


def procedure_can_create(user: Any, institution_id: int | None) -> bool:
    return can_edit_for_institution(user, institution_id)


def procedure_can_create_any(user: Any) -> bool:
    return can_edit_somewhere(user)


def procedure_can_edit(user: Any, procedure: Procedure) -> bool:
    return can_edit_for_institution(user, procedure.institution_id)


def procedure_can_publish(user: Any, procedure: Procedure) -> bool:
    return can_publish_for_institution(user, procedure.institution_id)


def procedure_can_edit_field(user: Any, procedure: Procedure, field_name: str) -> bool:
    if field_name in PLATFORM_ONLY_FIELDS:
        return is_platform_admin(user)
    if field_name in PUBLISHING_FIELDS:
        return procedure_can_publish(user, procedure)
    return procedure_can_edit(user, procedure)


def procedure_can_delete(user: Any, procedure: Procedure | None = None) -> bool:
    """Deleting breaks public URLs: officials unpublish instead."""
    return is_platform_admin(user)


def procedure_scope(user: Any) -> QuerySet[Procedure]:
    """The procedures `user` may see and edit in the back office."""
    if is_platform_admin(user):
        return Procedure.objects.all()
    return Procedure.objects.filter(institution_id__in=editable_institution_ids(user))


def topic_can_edit(user: Any) -> bool:
    return is_platform_admin(user)


def life_event_can_edit(user: Any) -> bool:
    return is_platform_admin(user)
