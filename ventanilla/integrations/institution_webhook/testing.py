"""pytest fixtures for tests that deliver webhooks: the fake receiver runs as its own process
(one per xdist worker, for the whole session), with a known secret. Import the fixtures into a
test module (or list this module in a conftest's pytest_plugins):

    from ventanilla.integrations.institution_webhook.testing import (  # noqa: F401
        webhook_receiver, webhook_receiver_process)

    def test_delivery(webhook_receiver):
        webhook_receiver.fail_next(2)
        ...
        assert webhook_receiver.deliveries()[0]["signature_ok"]
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SECRET = "secreto-compartido-de-prueba"  # noqa: S105 - the test receiver's


@dataclass
class FakeReceiverProcess:
    """The running receiver: where it listens, its secret, and what it received."""

    url: str
    secret: str
    record: Path
    process: subprocess.Popen[bytes]

    def _post(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(  # noqa: S310 - our fake's http URL
            f"{self.url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our fake
            response.read()

    def fail_next(self, count: int) -> None:
        """Answer HTTP 500 to the next `count` deliveries."""
        self._post("/_fake/fail", {"count": count})

    def reset(self) -> None:
        self._post("/_fake/reset", {})

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery received, in order, as the receiver recorded it (its JSON file)."""
        return list(json.loads(self.record.read_text(encoding="utf-8") or "[]"))


def start_receiver(record: Path, secret: str = SECRET) -> FakeReceiverProcess:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ventanilla.integrations.institution_webhook.fake",
            "--port",
            "0",
            "--secret",
            secret,
            "--record",
            str(record),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    first = process.stdout.readline().decode().strip()
    if not first.startswith("Sistema de la institución simulado"):
        stop_receiver(process)
        raise RuntimeError(f"the fake webhook receiver did not start: {first!r}")
    url = first.rsplit(" ", 1)[-1].rstrip("/")
    return FakeReceiverProcess(url=url, secret=secret, record=record, process=process)


def stop_receiver(process: subprocess.Popen[bytes]) -> None:
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
def webhook_receiver_process(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FakeReceiverProcess]:
    """The fake receiver of this test session (of this xdist worker)."""
    receiver = start_receiver(tmp_path_factory.mktemp("webhooks") / "deliveries.json")
    try:
        yield receiver
    finally:
        stop_receiver(receiver.process)


@pytest.fixture
def webhook_receiver(
    webhook_receiver_process: FakeReceiverProcess,
) -> Iterator[FakeReceiverProcess]:
    """The running receiver with nothing received and nothing set to fail."""
    webhook_receiver_process.reset()
    yield webhook_receiver_process
    webhook_receiver_process.reset()
