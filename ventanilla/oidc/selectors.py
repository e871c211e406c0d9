"""Reads with rules for the single sign-on."""

from typing import Any

from ventanilla.oidc.models import Consent


def consent_covers(*, user: Any, application: Any, scopes: list[str]) -> bool:
    """Has `user` already agreed to share every one of `scopes` with `application`?"""
    given = Consent.objects.filter(user=user, application=application).values_list(
        "scopes", flat=True
    )
    return any(set(scopes) <= set(s.split()) for s in given)
