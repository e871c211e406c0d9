"""pytest fixtures for tests that reach a registry through the information mediator. The fake
registries run as their own processes (`registry_processes`, from
ventanilla.integrations.registries.testing); these fixtures write the mediator's directory in the
test database, pointing at them. Registered in the root conftest.py:

    pytest_plugins = ["ventanilla.integrations.registries.testing", "ventanilla.interop.testing"]

    def test_registration_needs_the_registry(civil_registry_fake, client):
        with civil_registry_fake.misbehaving("error"):
            ...  # RENIEC answers 500: "try again later", nothing created
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from ventanilla.interop.models import Service
from ventanilla.interop.services.setup import directory_setup

# The registries of the Peruvian directory (directory_setup's keys).
DIRECTORY_REGISTRIES = ("reniec", "migraciones", "sunat", "sunarp", "mtc")
CIVIL_REGISTRIES = ("reniec", "migraciones")
# The civil registries' services answer within this in tests, so "slow" is quick to see.
CIVIL_REGISTRY_TIMEOUT = 1.0
SLOW_DELAY = 3.0


@pytest.fixture
def interop_directory(registry_processes: Any, db: None) -> dict[str, str]:
    """The Peruvian directory in the test database, every registry pointing at its running
    fake; returns {registry name: URL}."""
    urls = {name: registry_processes.url(name) for name in DIRECTORY_REGISTRIES}
    directory_setup(registry_urls=urls)
    return urls


@dataclass
class CivilRegistryFake:
    """The fake RENIEC (and Migraciones) behind the mediator: `url` is RENIEC's."""

    url: str
    migraciones_url: str
    processes: Any

    @contextmanager
    def misbehaving(self, mode: str, delay: float | None = None) -> Iterator[None]:
        """Both civil registries slow (past the services' timeout unless `delay` says),
        answering 500 (error), HTML (garbage) or hanging up (drop) — then back to normal."""
        if mode == "slow" and delay is None:
            delay = SLOW_DELAY
        with ExitStack() as stack:
            for name in CIVIL_REGISTRIES:
                stack.enter_context(self.processes.misbehaving(name, mode, delay))
            yield


@pytest.fixture
def civil_registry_fake(registry_processes: Any, db: None) -> CivilRegistryFake:
    """RENIEC and Migraciones running and behaving, in the directory with a short timeout."""
    urls = {name: registry_processes.url(name) for name in CIVIL_REGISTRIES}
    directory_setup(registry_urls=urls)
    Service.objects.filter(
        subsystem__member__member_code__in=("20295613620", "20551239692"),
        code__in=("personas", "extranjeros"),
    ).update(timeout_seconds=CIVIL_REGISTRY_TIMEOUT)
    return CivilRegistryFake(urls["reniec"], urls["migraciones"], registry_processes)


@pytest.fixture
def civil_registry(civil_registry_fake: CivilRegistryFake) -> str:
    """The fake RENIEC's base URL; the mediator's directory forwards to it."""
    return civil_registry_fake.url
