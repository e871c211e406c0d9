"""The GovStack Messaging reference data loaded as the demo loads it, a live server that lets
the `api_key` header through (as the demo's runserver does), and a client that speaks raw HTTP
with exactly the header names reference clients send."""

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from pytest_django.live_server_helper import LiveServer

from ventanilla.core.devserver import QuietRequestHandler
from ventanilla.notifications.management.commands.govstack_messaging_load import (
    DEFAULT_FIXTURES,
)

BASE = "/api/govstack/messaging/"
FIXTURES: dict[str, Any] = json.loads(Path(DEFAULT_FIXTURES).read_text(encoding="utf-8"))
KEY = "abcdef12345"  # the key reference clients use on every path
BATCH_KEY = "xyz0987"  # send/email/batch
UNKNOWN_KEY = "xyz12345"  # only sent with a wrong method
SINGLE_BODY: dict[str, Any] = FIXTURES["requestBodies"]["singleEmail"]
BATCH_BODY: dict[str, Any] = {
    **SINGLE_BODY,
    "recipientInfo": FIXTURES["requestBodies"]["batchRecipientInfo"],
}
CALLBACK_BODY: dict[str, Any] = FIXTURES["requestBodies"]["callback"]


class _ApiKeyLiveServerThread(LiveServerThread):
    def _create_server(self, connections_override: Any = None) -> ThreadedWSGIServer:
        return self.server_class(
            (self.host, self.port),
            QuietRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """pytest-django's live server, serving with the demo's request handler (Django's own
    drops `api_key`)."""
    server = LiveServer("127.0.0.1:0", start=False)
    stock = server.thread
    server.thread = _ApiKeyLiveServerThread(
        stock.host,
        stock.static_handler,
        connections_override=stock.connections_override,
        port=stock.port,
    )
    server.thread.daemon = True
    server.start()
    yield server
    server.stop()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class RawClient:
    """HTTP/1.1 over a socket: header names go out exactly as written (`api_key`)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        raw: bytes | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        sent.setdefault("Accept", "application/json")
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=15)
        try:
            connection.request(method, BASE + path, body=payload, headers=sent)
            response = connection.getresponse()
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()


@pytest.fixture
def reference(transactional_db: None) -> dict[str, Any]:
    call_command("govstack_messaging_load", verbosity=0)
    return FIXTURES


@pytest.fixture
def api(live_server: LiveServer, reference: dict[str, Any]) -> RawClient:
    return RawClient(live_server.url)
