"""Reading one record of a registry (GovStack Digital Registries `read`) through the mediator,
for Ventanilla's own subsystems: prefilled forms, identity checks at sign-up.

`registry_read` returns the record, or None when the registry has none; it raises
`RegistryUnavailable` when the registry could not answer (the caller keeps the citizen's work
and lets them type the data or try later) and `RegistryRefused` when the mediator refused the
call (no access right, no consent, unknown service): both carry a Spanish `.message`."""

import json
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.interop.models import Subsystem
from ventanilla.interop.selectors import service_by_id
from ventanilla.interop.services.gateway import exchange

# Mediator refusals: the call was not allowed, trying again will not help.
REFUSALS = {
    "Client.InvalidClientId",
    "Client.AuthenticationFailed",
    "Client.MissingSubject",
    "Client.RequestTooLarge",
    "Server.UnknownService",
    "Server.AccessDenied",
    "Server.ConsentMissing",
}


class RegistryError(Exception):
    """A read that gave no record. `.message` is for people (Spanish); `.error_type` is the
    X-Road error type (or `Provider.<status>`, `Provider.Unreadable`)."""

    def __init__(self, message: str, error_type: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type


class RegistryUnavailable(RegistryError):
    """The registry did not answer in time, could not be reached, failed (5xx) or answered
    something unreadable."""


class RegistryRefused(RegistryError):
    """The mediator refused the call: access right, consent, unknown service, authentication."""


def _provider_name(service: str) -> str:
    found = service_by_id(service)
    return found.subsystem.member.name if found else _("el registro")


def registry_read(
    *,
    client: Subsystem,
    service: str,
    query: dict[str, str],
    subject: str = "",
    user_id: str = "",
    issue: str = "",
) -> dict[str, Any] | None:
    """The record of `service` (`PE/GOB/20295613620/padron/personas`) matching `query`
    ({"ID": "45678912"}), asked as `client`: POST {service}/read {"query": {"content": query}}.
    None when the registry has no such record (404)."""
    body = json.dumps({"query": {"content": query}}, ensure_ascii=False).encode("utf-8")
    result = exchange(
        client=client.identifier,
        authenticated=client,
        service=service,
        method="POST",
        path="/read",
        body=body,
        content_type="application/json",
        user_id=user_id,
        subject=subject,
        issue=issue,
    )
    if result.error_type in REFUSALS:
        raise RegistryRefused(result.error_message, result.error_type)
    if result.error_type:  # timeout, unreachable, too large
        raise RegistryUnavailable(result.error_message, result.error_type)
    if result.status == 404:
        return None
    provider = _provider_name(service)
    if result.status >= 300:
        raise RegistryUnavailable(
            _("%(provider)s no pudo atender la consulta en este momento. Intente más tarde.")
            % {"provider": provider},
            f"Provider.{result.status}",
        )
    try:
        answer = result.json()
    except ValueError:
        answer = None
    content = answer.get("content") if isinstance(answer, dict) else None
    if not isinstance(content, dict):
        raise RegistryUnavailable(
            _("%(provider)s respondió algo que no se pudo leer. Intente más tarde.")
            % {"provider": provider},
            "Provider.Unreadable",
        )
    return content
