"""pytest plugin: the fake mail relay (fake.py) as its own process, started on first use, one per
xdist worker on free ports, stopped at the end of the session. Registered in the root conftest.

    def test_case_submitted_emails_the_citizen(mail_relay, settings, live_server):
        settings.NOTIFICATIONS_SMTP_HOST = mail_relay.host
        settings.NOTIFICATIONS_SMTP_PORT = mail_relay.port
        mail_relay.set_webhook(f"{live_server.url}/notificaciones/proveedores/correo/eventos",
                               key=settings.NOTIFICATIONS_EMAIL_WEBHOOK_KEY)
        ...
        [email] = mail_relay.wait_for(1)     # until one message has arrived (10 s at most)
        email["message_id"], email["recipients"], email["subject"], email["text"]
        mail_relay.settle()                  # every delivery event has been posted

`mail_relay` (function scope) is the session's relay, running and emptied for each test (no
messages, no webhook, mode ok). Its API:
    .host, .port                 where to send (SMTP)
    .store                       its store folder (Path): index.jsonl + messages/<n>.eml
    .received(content=True)      list of dicts, oldest first: message_id (no <>), from, to, cc
                                 (header text), recipients (envelope list), subject,
                                 received_at (epoch s), size, outcome {recipient: "delivered" |
                                 "failed"}, and with content: text, html, attachments
                                 [{name, content_type, size}]
    .wait_for(count, timeout=10) received() once at least `count` have arrived (TimeoutError)
    .reset()                     all messages and pending events gone, no webhook, mode ok
    .set_webhook(url, key="")    where the events go and the HMAC key that signs them
                                 ("" url: no events)
    .set_mode("ok"|"temporary"|"drop")   every RCPT 451 / DATA hangs up without an answer
    .settle(timeout=10)          wait until every event has been posted (True) or the timeout
    .stop(kill=False)            SIGTERM (or SIGKILL); the port stays reserved for start()
    .start()                     again on the same ports, same store, same webhook and key
    with mail_relay.outage(): …  stopped inside the block, started again after it
Recipients' local parts decide their fate: rebote… bounce (accepted, then a "failed" permanent
550 event), rechazo… refused at RCPT with 550, temporal… refused at RCPT with 451.
"""

from __future__ import annotations

import re
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

BANNER = "Relé de correo simulado"
_ADDRESSES = re.compile(r"smtp://([^:]+):(\d+) control (http://\S+)")


class MailRelay:
    """The fake relay of this test session (of this xdist worker)."""

    def __init__(self) -> None:
        self.store = Path(tempfile.mkdtemp(prefix="mail-relay-"))
        self.host = "127.0.0.1"
        self.port = 0
        self._control_port = 0
        self._control_url = ""
        self._webhook_url = ""
        self._webhook_key = ""
        self._process: Any = None
        self._lock = threading.Lock()

    # --- life --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start it (again, on the same ports and store) unless it is running."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return
            command = [
                sys.executable,
                "-m",
                "ventanilla.integrations.email.fake",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--control-port",
                str(self._control_port),
                "--store",
                str(self.store),
                "--quiet",
            ]
            if self._webhook_url:
                command += ["--webhook-url", self._webhook_url]
            if self._webhook_key:
                command += ["--webhook-key", self._webhook_key]
            self._process, first = start_process(command, banner=BANNER)
            match = _ADDRESSES.search(first)
            if match is None:
                raise RuntimeError(f"unexpected first line of the relay: {first!r}")
            self.port = int(match.group(2))
            self._control_url = match.group(3)
            self._control_port = int(self._control_url.rsplit(":", 1)[1])

    def stop(self, *, kill: bool = False) -> None:
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            stop_process(process, kill=kill)

    @contextmanager
    def outage(self) -> Iterator[None]:
        """The relay is down inside the block (connections refused), up again after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # --- what it holds -----------------------------------------------------------------------

    def received(self, *, content: bool = True) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = control(
            f"{self._control_url}/_fake/received?content={int(content)}"
        )
        return answer

    def wait_for(
        self, count: int, *, timeout: float = 10, content: bool = True
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            health = control(f"{self._control_url}/_fake/health")
            if health["received"] >= count:
                return self.received(content=content)
            if time.monotonic() > deadline:
                raise TimeoutError(f"the relay has {health['received']} messages, not {count}")
            time.sleep(0.05)

    def reset(self) -> None:
        self._webhook_url = self._webhook_key = ""
        control(f"{self._control_url}/_fake/reset", body={})
        self._configure(webhook_url="", webhook_key="", mode="ok")

    def set_webhook(self, url: str, *, key: str = "") -> None:
        self._webhook_url, self._webhook_key = url, key
        self._configure(webhook_url=url, webhook_key=key)

    def set_mode(self, mode: str) -> None:
        self._configure(mode=mode)

    def settle(self, timeout: float = 10) -> bool:
        answer = control(f"{self._control_url}/_fake/settle", body={"timeout": timeout})
        return bool(answer["ok"])

    def _configure(self, **values: str) -> None:
        control(f"{self._control_url}/_fake/config", body=values)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.store, ignore_errors=True)


@pytest.fixture(scope="session")
def mail_relay_session() -> Iterator[MailRelay]:
    """The session's relay, started on first use by `mail_relay`."""
    relay = MailRelay()
    try:
        yield relay
    finally:
        relay.close()


@pytest.fixture
def mail_relay(mail_relay_session: MailRelay) -> MailRelay:
    """The fake relay, running and empty (see the module docstring)."""
    mail_relay_session.start()
    mail_relay_session.reset()
    return mail_relay_session
