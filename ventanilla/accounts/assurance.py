"""Levels of assurance: how sure we are that the person at the keyboard is the account holder.

The level is kept in the session when the citizen logs in (and raised by a second factor), put in
ID tokens as `acr`, and checked by views that need a minimum (`assurance_required`)."""

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

SESSION_LEVEL = "_ventanilla_loa"
SESSION_AUTH_TIME = "_ventanilla_auth_time"  # epoch seconds of the last authentication
# Set between a right password and the second factor: the user id waiting for its code.
SESSION_PENDING_USER = "_ventanilla_pending_user"


class Level(StrEnum):
    ONE_FACTOR = "one_factor"
    TWO_FACTOR = "two_factor"
    # Certificate logins (DNIe, a token): the model has room for them; not offered yet.
    CERTIFICATE_DNIE = "certificate_dnie"
    CERTIFICATE_TOKEN = "certificate_token"  # noqa: S105 - a level name, not a secret


RANK = {
    Level.ONE_FACTOR: 1,
    Level.TWO_FACTOR: 2,
    Level.CERTIFICATE_TOKEN: 3,
    Level.CERTIFICATE_DNIE: 3,
}
LABELS = {
    Level.ONE_FACTOR: _("Contraseña"),
    Level.TWO_FACTOR: _("Contraseña y código de verificación"),
    Level.CERTIFICATE_DNIE: _("DNI electrónico"),
    Level.CERTIFICATE_TOKEN: _("Certificado digital"),
}
AVAILABLE = frozenset({Level.ONE_FACTOR, Level.TWO_FACTOR})


def parse_level(value: Any) -> Level | None:
    """The level named by `value` ("two_factor"), or None when it names none."""
    try:
        return Level(str(value))
    except ValueError:
        return None


def session_level(request: Any) -> Level | None:
    """The level the current session reached, None when nobody is logged in."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return None
    return parse_level(request.session.get(SESSION_LEVEL)) or Level.ONE_FACTOR


def meets(level: Level | None, required: Level) -> bool:
    return level is not None and RANK[level] >= RANK[required]


def strongest(levels: list[Level]) -> Level | None:
    """The most demanding of several requested levels (acr_values lists several)."""
    return max(levels, key=lambda lv: RANK[lv], default=None)
