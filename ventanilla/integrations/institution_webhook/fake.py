"""A fake institution system that receives webhooks, as a real HTTP server in its own process,
for the tests and the demo. It checks every delivery's signature with the shared secret,
records what it got (in memory and, with --record, in a JSON file), and can be told to fail.

    python -m ventanilla.integrations.institution_webhook.fake --port 8902 --secret s3cr3t \
        --record var/webhooks.json --fail-first 2

Any POST path is a delivery: 200 when the signature holds, 401 when it does not, 500 while
told to fail. Control endpoints:

    GET  /_fake/deliveries          [{path, event, delivery, signature_ok, body, status}]
    POST /_fake/fail  {"count": 3}  fail the next 3 deliveries with HTTP 500
    POST /_fake/reset               forget deliveries, stop failing

Standard library only; it needs no Django settings."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

from .client import signature_verify

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8902
DEFAULT_SECRET = "ventanilla-webhook-fake"  # noqa: S105 - the fake's own, printed in the docs
MAX_BODY = 1024 * 1024


class FakeReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        secret: str = DEFAULT_SECRET,
        record: Path | None = None,
        fail_first: int = 0,
        quiet: bool = False,
    ) -> None:
        self.secret = secret
        self.record = record
        self.fail_remaining = fail_first
        self.quiet = quiet
        self.deliveries: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        super().__init__(address, _Handler)
        self._save()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def _save(self) -> None:
        """Write the deliveries to the record file, whole (a reader never sees half)."""
        if self.record is None:
            return
        self.record.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.record.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(self.deliveries, out, ensure_ascii=False, indent=1)
        os.replace(name, self.record)


class _Handler(BaseHTTPRequestHandler):
    server: FakeReceiverServer
    protocol_version = "HTTP/1.1"
    server_version = "FakeInstitution/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"fake webhook receiver: {format % args}\n")

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/_fake/deliveries":
            with self.server.lock:
                payload = list(self.server.deliveries)
            self._send(200, json.dumps(payload, ensure_ascii=False).encode())
        elif self.path.rstrip("/") == "/_fake/health":
            self._send(200, b'{"ok": true}')
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, b'{"error": "too large"}')
            return
        body = self.rfile.read(length)
        path = self.path.rstrip("/")
        if path == "/_fake/fail":
            count = int(json.loads(body or b"{}").get("count", 0))
            with self.server.lock:
                self.server.fail_remaining = count
            self._send(200, json.dumps({"failing": count}).encode())
            return
        if path == "/_fake/reset":
            with self.server.lock:
                self.server.deliveries.clear()
                self.server.fail_remaining = 0
                self.server._save()
            self._send(200, b'{"ok": true}')
            return
        self._delivery(body)

    def _delivery(self, body: bytes) -> None:
        valid = signature_verify(
            secret=self.server.secret,
            body=body,
            header=self.headers.get("X-Ventanilla-Signature", ""),
        )
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            parsed = None
        with self.server.lock:
            if not valid:
                status = 401
            elif self.server.fail_remaining > 0:
                self.server.fail_remaining -= 1
                status = 500
            else:
                status = 200
            self.server.deliveries.append(
                {
                    "path": self.path,
                    "event": self.headers.get("X-Ventanilla-Event", ""),
                    "delivery": self.headers.get("X-Ventanilla-Delivery", ""),
                    "signature_ok": valid,
                    "body": parsed,
                    "status": status,
                }
            )
            self.server._save()
        self._send(status, b'{"ok": true}' if status == 200 else b'{"ok": false}')

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    secret: str = DEFAULT_SECRET,
    record: Path | None = None,
    fail_first: int = 0,
    quiet: bool = False,
) -> None:
    """Serve until SIGTERM or Ctrl+C. The first line on stdout says where ("port 0" picks a
    free port: that line is how a test learns it)."""
    server = FakeReceiverServer(
        (host, port), secret=secret, record=record, fail_first=fail_first, quiet=quiet
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"Sistema de la institución simulado (webhooks) en {server.url}/", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Receptor de webhooks simulado")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0: un puerto libre")
    parser.add_argument("--secret", default=DEFAULT_SECRET, help="secreto compartido")
    parser.add_argument("--record", type=Path, default=None, help="archivo JSON de entregas")
    parser.add_argument("--fail-first", type=int, default=0, help="responder 500 a las N primeras")
    parser.add_argument("--quiet", action="store_true")
    options = parser.parse_args(argv)
    serve(
        host=options.host,
        port=options.port,
        secret=options.secret,
        record=options.record,
        fail_first=options.fail_first,
        quiet=options.quiet,
    )


if __name__ == "__main__":
    main()
