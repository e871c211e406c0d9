"""Reads with rules for the single sign-on."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from oauth2_provider.models import get_application_model

from ventanilla.oidc.models import Consent


def consent_covers(*, user: Any, application: Any, scopes: list[str]) -> bool:
    """Has `user` already agreed to share every one of `scopes` with `application`?"""
    given = Consent.objects.filter(user=user, application=application).values_list(
        "scopes", flat=True
    )
    return any(set(scopes) <= set(s.split()) for s in given)


def client_name_asking(next_url: str) -> str | None:
    """The name of the application whose authorization request `next_url` is (the login page
    says who is asking), or None when it is not one or names no known client."""
    parts = urlsplit(next_url)
    if parts.path != reverse("oauth2_provider:authorize"):
        return None
    client_id = (parse_qs(parts.query).get("client_id") or [""])[0]
    if not client_id:
        return None
    return (
        get_application_model()
        .objects.filter(client_id=client_id[:100])
        .values_list("name", flat=True)
        .first()
    )
