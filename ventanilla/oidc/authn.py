"""What an authorize request asks about the login itself (acr_values, max_age) against what
the session holds. Pure functions: the view turns the answer into a redirect."""

import time
from dataclasses import dataclass

from ventanilla.accounts.assurance import AVAILABLE, RANK, Level, meets, parse_level, strongest


@dataclass(frozen=True)
class Requirement:
    level: Level | None  # the level to reach before a code is issued (None: any)
    unmet: bool = False  # asked only for levels Ventanilla does not offer


def level_requirement(acr_values: str) -> Requirement:
    """acr_values names levels in preference order; we require the most demanding we offer.
    Unknown names are ignored (acr is voluntary, OpenID Connect Core §5.5.1.1); asking only
    for levels not offered yet (certificates) cannot be met."""
    levels = [lv for lv in (parse_level(v) for v in acr_values.split()) if lv is not None]
    if not levels:
        return Requirement(level=None)
    offered = [lv for lv in levels if lv in AVAILABLE]
    if not offered:
        return Requirement(level=None, unmet=True)
    return Requirement(level=strongest(offered))


def needs_step_up(session_level: Level | None, requirement: Requirement) -> bool:
    return requirement.level is not None and not meets(session_level, requirement.level)


def too_old(auth_time: int | None, max_age: str | None, *, now: float | None = None) -> bool:
    """Is the last authentication older than the relying party's max_age (seconds)?"""
    if max_age is None or not max_age.strip().isdigit():
        return False
    if auth_time is None:
        return True
    return (now if now is not None else time.time()) - auth_time > int(max_age)


def rank(level: Level | None) -> int:
    return RANK[level] if level is not None else 0
