"""Who may tune search: the synonym list is shared by every institution, so platform
administrators and officials who edit content somewhere keep it; search analytics are open
to the same people."""

from typing import Any

from ventanilla.accounts.permissions import editable_institution_ids, is_platform_admin


def can_manage_synonyms(user: Any) -> bool:
    if not getattr(user, "is_active", False):
        return False
    return is_platform_admin(user) or bool(editable_institution_ids(user))


def can_view_search_analytics(user: Any) -> bool:
    return can_manage_synonyms(user)
