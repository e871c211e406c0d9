"""pytest plugin: the fake SMS gateway (fake.py) as its own process, started on first use, one per
xdist worker on a free port, stopped at the end of the session. Registered in the root conftest.

    def test_correction_texts_the_citizen(sms_gateway, settings, live_server):
        settings.NOTIFICATIONS_SMS_URL = sms_gateway.url
        settings.NOTIFICATIONS_SMS_API_KEY = sms_gateway.api_key
        settings.NOTIFICATIONS_CALLBACK_BASE_URL = live_server.url   # where reports go
        ...
        [sms] = sms_gateway.wait_for(1)
        sms["messageId"], sms["to"], sms["text"]
        sms_gateway.settle()                 # every delivery report has been posted

`sms_gateway` (function scope) is the session's gateway, running and emptied for each test
(no messages, key `demo-sms-key` as in the settings, no rate limit). Its API:
    .url, .api_key               where to send and the key it accepts
    .store                       its store folder (Path): messages.jsonl
    .received()                  list of dicts, oldest first: messageId, bulkId, to (digits, no
                                 +), from, text, notifyUrl, received_at (epoch s), status
                                 (PENDING | REJECTED), outcome (DELIVERED | UNDELIVERABLE |
                                 REJECTED), smsCount — each messageId once, however often sent
    .wait_for(count, timeout=10) received() once at least `count` have arrived (TimeoutError)
    .reset()                     messages and pending reports gone; key and rate back
    .configure(api_key=…, rate=…)   another key (401 for ours) / destinations a second (429 over)
    .settle(timeout=10)          wait until every delivery report has been posted
    .stop(kill=False), .start()  down (connections refused) and up on the same port and store
    with sms_gateway.outage(): …
Numbers decide their fate: ending in 000 undeliverable (reported, error.permanent true),
ending in 999 or not 8-15 digits refused at once (status groupId 5 REJECTED).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ..fakes import control, start_process, stop_process
from .fake import DEFAULT_KEY

BANNER = "Pasarela de SMS simulada"


class SmsGateway:
    """The fake gateway of this test session (of this xdist worker)."""

    def __init__(self) -> None:
        self.store = Path(tempfile.mkdtemp(prefix="sms-gateway-"))
        self.host = "127.0.0.1"
        self.port = 0
        self.api_key = DEFAULT_KEY
        self.rate = 0
        self._process: Any = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Start it (again, on the same port and store) unless it is running."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return
            command = [
                sys.executable,
                "-m",
                "ventanilla.integrations.sms.fake",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--api-key",
                DEFAULT_KEY,
                "--store",
                str(self.store),
                "--quiet",
            ]
            self._process, first = start_process(command, banner=BANNER)
            self.port = int(first.rsplit(":", 1)[1].rstrip("/"))
        if (self.api_key, self.rate) != (DEFAULT_KEY, 0):
            self.configure(api_key=self.api_key, rate=self.rate)

    def stop(self, *, kill: bool = False) -> None:
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            stop_process(process, kill=kill)

    @contextmanager
    def outage(self) -> Iterator[None]:
        self.stop()
        try:
            yield
        finally:
            self.start()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def received(self) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = control(f"{self.url}/_fake/received")
        return answer

    def wait_for(self, count: int, *, timeout: float = 10) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            health = control(f"{self.url}/_fake/health")
            if health["received"] >= count:
                return self.received()
            if time.monotonic() > deadline:
                raise TimeoutError(f"the gateway has {health['received']} messages, not {count}")
            time.sleep(0.05)

    def reset(self) -> None:
        self.api_key, self.rate = DEFAULT_KEY, 0
        control(f"{self.url}/_fake/reset", body={})

    def configure(self, *, api_key: str | None = None, rate: int | None = None) -> None:
        values: dict[str, Any] = {}
        if api_key is not None:
            self.api_key = values["api_key"] = api_key
        if rate is not None:
            self.rate = values["rate"] = rate
        control(f"{self.url}/_fake/config", body=values)

    def settle(self, timeout: float = 10) -> bool:
        return bool(control(f"{self.url}/_fake/settle", body={"timeout": timeout})["ok"])

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.store, ignore_errors=True)


@pytest.fixture(scope="session")
def sms_gateway_session() -> Iterator[SmsGateway]:
    """The session's gateway, started on first use by `sms_gateway`."""
    gateway = SmsGateway()
    try:
        yield gateway
    finally:
        gateway.close()


@pytest.fixture
def sms_gateway(sms_gateway_session: SmsGateway) -> SmsGateway:
    """The fake gateway, running and empty (see the module docstring)."""
    sms_gateway_session.start()
    sms_gateway_session.reset()
    return sms_gateway_session
