"""Signed webhook deliveries: one POST of a JSON body, and the signature scheme receivers check.

Headers of every delivery:

    Content-Type: application/json
    X-Ventanilla-Event: case.submitted | case.status_changed
    X-Ventanilla-Delivery: <event id, a UUID; the same on every retry of one event>
    X-Ventanilla-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>

`v1` is HMAC-SHA256, keyed with the webhook's secret, of the bytes `<t>.<body>` (the timestamp
in decimal, a dot, and the raw request body). A receiver recomputes it over the body exactly as
received, compares in constant time, and refuses a `t` more than five minutes from its clock
(a replayed request), as `signature_verify` does. Deliveries may repeat: receivers treat a known
X-Ventanilla-Delivery as done.

Standard library only; no Django."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 5.0
TOLERANCE_SECONDS = 300
USER_AGENT = "Ventanilla-Webhooks/1.0"


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one POST: the HTTP status (None when no answer came) and, if it
    failed, why in a short line."""

    status: int | None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def signature(*, secret: str, body: bytes, timestamp: int) -> str:
    """The X-Ventanilla-Signature header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def signature_verify(
    *,
    secret: str,
    body: bytes,
    header: str,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Does `header` sign `body` with `secret`, recently? (What a receiver runs.)"""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


def webhook_post(
    *,
    url: str,
    secret: str,
    event: str,
    delivery_id: str,
    body: bytes,
    timeout: float = TIMEOUT_SECONDS,
    now: int | None = None,
) -> DeliveryResult:
    """POST `body` to `url`, signed. Never raises for a network or HTTP failure: the result
    says what happened. Redirects are not followed (a receiver answers where it is told)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return DeliveryResult(None, "la dirección no es http(s)")
    timestamp = int(time.time()) if now is None else now
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Ventanilla-Event": event,
        "X-Ventanilla-Delivery": delivery_id,
        "X-Ventanilla-Signature": signature(secret=secret, body=body, timestamp=timestamp),
    }
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # the receiver's answer is not used; do not wait for a huge one
        status = response.status
    except TimeoutError:
        return DeliveryResult(None, f"sin respuesta en {timeout:g} s")
    except (OSError, http.client.HTTPException) as error:
        return DeliveryResult(None, f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()
    if 200 <= status < 300:
        return DeliveryResult(status)
    return DeliveryResult(status, f"HTTP {status}")
