"""A small HTTP client for the fakes' tests: real requests, every detail of the answer kept."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    raw: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> Any:
        return json.loads(self.raw)


def call(
    base: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> Answer:
    """`method` `base`/`path` with `body` as JSON (or `raw` bytes as they are)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=timeout
    )
    payload = raw if raw is not None else None if body is None else json.dumps(body).encode()
    sent = {"Information-Mediator-Client": "eGovStack/GOV/90000009/digitalregistries"}
    if payload is not None:
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    try:
        connection.request(method, "/" + path.lstrip("/"), body=payload, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()
