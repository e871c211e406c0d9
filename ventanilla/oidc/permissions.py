"""Who may register and change the applications that log citizens in through Ventanilla."""

from typing import Any

from ventanilla.accounts.permissions import is_platform_admin


def can_manage_clients(user: Any) -> bool:
    """Registered clients receive citizens' data: platform administrators only."""
    return is_platform_admin(user)
