"""pytest fixtures for any test that reaches the civil registry: the fake runs as its own
process (one per xdist worker, for the whole session) and the settings point at it. Registered
in the root conftest.py:

    pytest_plugins = ["ventanilla.integrations.civil_registry.testing"]

    def test_registration_needs_the_registry(civil_registry_fake, client):
        with civil_registry_fake.misbehaving("error"):
            ...  # the registry answers 500: "try again later", nothing created
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from .fake import DEFAULT_CREDENTIALS

START_SECONDS = 20


@dataclass
class FakeRegistryProcess:
    """The running fake: its URL, and a way to make it misbehave for a while."""

    url: str
    process: subprocess.Popen[bytes]

    def set_mode(self, mode: str, *, delay: float | None = None) -> None:
        body: dict[str, Any] = {"mode": mode}
        if delay is not None:
            body["delay"] = delay
        request = urllib.request.Request(  # noqa: S310 - our fake's http URL
            f"{self.url}/_fake/mode",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our fake
            response.read()

    @contextmanager
    def misbehaving(self, mode: str, *, delay: float | None = None) -> Iterator[None]:
        """slow (answers after `delay` s), error (HTTP 500), garbage (HTML), malformed (JSON
        without the person), quota (RENIEC 1003), drop (hangs up) — then back to ok."""
        self.set_mode(mode, delay=delay)
        try:
            yield
        finally:
            self.set_mode("ok", delay=5.0)


def start_fake() -> FakeRegistryProcess:
    """Start the fake on a free port; it tells us which on its first line."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ventanilla.integrations.civil_registry.fake",
            "--port",
            "0",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    # EOF (an empty line) if the fake dies before it binds: no hang, a clear failure.
    first = process.stdout.readline().decode().strip()
    if not first.startswith("Registro civil simulado"):
        stop_fake(process)
        raise RuntimeError(f"the fake civil registry did not start: {first!r}")
    url = first.rsplit(" ", 1)[-1].rstrip("/")
    return FakeRegistryProcess(url=url, process=process)


def stop_fake(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture(scope="session")
def civil_registry_process() -> Iterator[FakeRegistryProcess]:
    """The fake civil registry of this test session (of this xdist worker)."""
    fake = start_fake()
    try:
        yield fake
    finally:
        stop_fake(fake.process)


@pytest.fixture
def civil_registry_fake(
    civil_registry_process: FakeRegistryProcess, settings: Any
) -> Iterator[FakeRegistryProcess]:
    """The running fake, behaving, with the settings pointing at it (and a short timeout)."""
    c = DEFAULT_CREDENTIALS
    settings.CIVIL_REGISTRY_URL = civil_registry_process.url
    settings.CIVIL_REGISTRY_MIGRACIONES_URL = civil_registry_process.url
    settings.CIVIL_REGISTRY_USER_DNI = c.user_dni
    settings.CIVIL_REGISTRY_USER_RUC = c.user_ruc
    settings.CIVIL_REGISTRY_PASSWORD = c.password
    settings.CIVIL_REGISTRY_INSTITUTION = c.institution
    settings.CIVIL_REGISTRY_MAC = c.mac
    settings.CIVIL_REGISTRY_IP = c.ip
    settings.CIVIL_REGISTRY_TIMEOUT = 1.0
    civil_registry_process.set_mode("ok", delay=5.0)
    yield civil_registry_process
    civil_registry_process.set_mode("ok", delay=5.0)


@pytest.fixture
def civil_registry(civil_registry_fake: FakeRegistryProcess) -> str:
    """The fake civil registry's base URL; settings.CIVIL_REGISTRY_* point at it."""
    return civil_registry_fake.url
