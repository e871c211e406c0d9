"""A fake mail relay for the demo and the tests: a real SMTP server (aiosmtpd) that keeps what it
receives and, like Mailgun, reports each recipient's fate to a webhook, signed.

    python -m ventanilla.integrations.email.fake --port 8921 --store var/fakes/mail \\
        --webhook-url http://127.0.0.1:8000/notificaciones/proveedores/correo/eventos \\
        --webhook-key demo-email-webhook-key [--control-port 0]
    python manage.py mail_fake                     # ports, key and store from the settings

Recipients decide what happens (by the local part, before the @):
    rebote…     accepted, then a "failed" event, severity permanent, code 550 (a bounce)
    rechazo…    refused at RCPT with 550 (the client sees a permanent error)
    temporal…   refused at RCPT with 451 (the client sees a temporary error)
    anything else: accepted, then a "delivered" event (code 250)

Events: POST <webhook-url>, one per recipient, JSON
    {"signature": {"timestamp": "1700000000", "token": "<50 hex>",
                   "signature": hex(HMAC-SHA256(key, timestamp + token))},
     "event-data": {"id", "event": "delivered"|"failed", "severity" (failed only), "reason",
                    "timestamp": 1700000000.123, "recipient",
                    "message": {"headers": {"message-id": "<uuid>@domain" (no angle brackets),
                                            "from", "to", "subject"}},
                    "delivery-status": {"code": 250|550, "message", "description"}}}
from a few background threads with kept-alive connections; no webhook URL, no events.

Store (--store DIR): DIR/messages/<n>.eml, and DIR/index.jsonl one line per message (what
`read_index` in ventanilla.integrations.email.store reads back); appended through a buffer
flushed every half second, never fsynced. A restarted relay on the same store keeps counting.

Control (--control-port, for the tests' fixture; see testing.py), JSON over HTTP:
    GET  /_fake/health                  {"ok": true, "received": n, "pending_events": n}
    GET  /_fake/received?content=1      [{message_id, from, to, cc, recipients, subject,
                                          received_at, outcome, text, html, attachments}, …]
    POST /_fake/reset                   messages, store and pending events gone; mode ok
    POST /_fake/config {"webhook_url", "webhook_key", "mode": "ok"|"temporary"|"drop"}
    POST /_fake/settle {"timeout": 10}  waits until every event has been posted

The first line on stdout names both addresses (how a caller asking for port 0 learns them).
Standard library and aiosmtpd only; it needs no Django settings.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import signal
import socket
import sys
import threading
import time
from email.parser import BytesHeaderParser
from email.policy import compat32
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.smtp import SMTP, Envelope, Session

from ..fakes import CallbackPoster
from .store import INDEX, MESSAGES, header, message_content

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8921  # config/settings/base.py NOTIFICATIONS_SMTP_PORT says the same
MODES = ("ok", "temporary", "drop")
FLUSH_SECONDS = 0.5
JSON = "application/json; charset=utf-8"


def signed(key: str, event_data: dict[str, Any]) -> dict[str, Any]:
    """A Mailgun webhook body: the event and its signature."""
    timestamp = str(int(time.time()))
    token = secrets.token_hex(25)
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": event_data,
    }


def _outcome(recipient: str) -> str:
    local = recipient.split("@", 1)[0].lower()
    return "failed" if local.startswith("rebote") else "delivered"


class Relay:
    """What the relay holds: the received messages (in memory and in the store), how it
    behaves, and where it reports."""

    def __init__(
        self,
        *,
        store: Path | None,
        webhook_url: str = "",
        webhook_key: str = "",
        quiet: bool = False,
    ) -> None:
        self.store = store
        self.webhook_url = webhook_url
        self.webhook_key = webhook_key
        self.mode = "ok"
        self.quiet = quiet
        self.lock = threading.Lock()
        self.records: list[dict[str, Any]] = []
        self.raw: dict[int, bytes] = {}
        self.seq = 0
        self.poster = CallbackPoster(threads=4, name="mail relay", quiet=quiet)
        self._index: Any = None
        if store is not None:
            (store / MESSAGES).mkdir(parents=True, exist_ok=True)
            index = store / INDEX
            if index.exists():
                for line in index.read_bytes().splitlines():
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a killed relay
                    self.records.append(record)
                    self.seq = max(self.seq, int(record.get("seq", 0)))
            self._index = index.open("ab", buffering=1024 * 1024)
        self._flusher = threading.Thread(target=self._flush_often, daemon=True)
        self._flusher.start()

    # --- receiving ---------------------------------------------------------------------------

    def receive(self, envelope: Envelope, *, peer: str = "") -> dict[str, Any]:
        content = envelope.original_content or envelope.content or b""
        raw = content.encode() if isinstance(content, str) else bytes(content)
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
        recipients = [str(r) for r in envelope.rcpt_tos]
        with self.lock:
            self.seq += 1
            seq = self.seq
            record: dict[str, Any] = {
                "seq": seq,
                "message_id": header(headers, "Message-ID").strip().strip("<>"),
                "from": header(headers, "From"),
                "to": header(headers, "To"),
                "cc": header(headers, "Cc"),
                "recipients": recipients,
                "subject": header(headers, "Subject"),
                "received_at": time.time(),
                "size": len(raw),
                "peer": peer,  # the client's address: one connection, one peer
                "outcome": {r: _outcome(r) for r in recipients},
                "file": f"{MESSAGES}/{seq:08d}.eml" if self.store is not None else "",
            }
            if self.store is not None:
                (self.store / record["file"]).write_bytes(raw)
                self._index.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
            else:
                self.raw[seq] = raw
            self.records.append(record)
            url, key = self.webhook_url, self.webhook_key
        if url:
            for recipient in recipients:
                self.poster.post(url, signed(key, _event(record, recipient)))
        return record

    def received(self, *, content: bool) -> list[dict[str, Any]]:
        with self.lock:
            records = [dict(r) for r in self.records]
        if content:
            for record in records:
                raw = self._raw(record)
                record.update(message_content(raw) if raw is not None else {})
        return records

    def _raw(self, record: dict[str, Any]) -> bytes | None:
        if self.store is None:
            return self.raw.get(record["seq"])
        try:
            return (self.store / record["file"]).read_bytes()
        except OSError:
            return None

    def reset(self) -> None:
        self.poster.forget()
        with self.lock:
            self.records.clear()
            self.raw.clear()
            self.seq = 0
            self.mode = "ok"
            if self.store is not None:
                self._index.close()
                for eml in (self.store / MESSAGES).glob("*.eml"):
                    eml.unlink()
                self._index = (self.store / INDEX).open("wb", buffering=1024 * 1024)

    # --- the store ---------------------------------------------------------------------------

    def _flush_often(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            self.flush()

    def flush(self) -> None:
        with self.lock:
            if self._index is not None and not self._index.closed:
                self._index.flush()

    def close(self) -> None:
        self.poster.stop()
        with self.lock:
            if self._index is not None:
                self._index.close()


def _event(record: dict[str, Any], recipient: str) -> dict[str, Any]:
    failed = record["outcome"].get(recipient) == "failed"
    data: dict[str, Any] = {
        "id": secrets.token_urlsafe(16),
        "event": "failed" if failed else "delivered",
        "timestamp": time.time(),
        "recipient": recipient,
        "message": {
            "headers": {
                "message-id": record["message_id"],
                "from": record["from"],
                "to": record["to"],
                "subject": record["subject"],
            }
        },
    }
    if failed:
        data["severity"] = "permanent"
        data["reason"] = "bounce"
        data["delivery-status"] = {
            "code": 550,
            "message": "5.1.1 The email account that you tried to reach does not exist",
            "description": "Buzón inexistente (rebote simulado).",
        }
    else:
        data["delivery-status"] = {"code": 250, "message": "OK", "description": ""}
    return data


class _Handler:
    """aiosmtpd's hooks."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        local = address.split("@", 1)[0].lower()
        if local.startswith("rechazo"):
            return "550 5.1.1 Mailbox unavailable (simulated rejection)"
        if local.startswith("temporal") or self.relay.mode == "temporary":
            return "451 4.3.0 Try again later (simulated)"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.relay.mode == "drop":
            if isinstance(server.transport, asyncio.Transport):
                server.transport.abort()  # hang up without an answer
            return "421 4.3.0 Closing"
        peer = session.peer
        where = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer or "")
        record = self.relay.receive(envelope, peer=where)
        return f"250 2.0.0 OK queued as {record['seq']}"


class _Control(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    relay: Relay  # set on the class made for each server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/_fake/health":
            with self.relay.lock:
                count = len(self.relay.records)
            self._json(200, {"ok": True, "received": count, "mode": self.relay.mode})
        elif parts.path == "/_fake/received":
            content = parse_qs(parts.query).get("content", ["1"])[-1] not in ("0", "false")
            self._json(200, self.relay.received(content=content))
        else:
            self._json(404, {"detail": "Not found."})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._json(400, {"detail": "JSON inválido."})
            return
        relay = self.relay
        path = urlsplit(self.path).path
        if path == "/_fake/reset":
            relay.reset()
            self._json(200, {"ok": True})
        elif path == "/_fake/config":
            mode = body.get("mode", relay.mode)
            if mode not in MODES:
                self._json(400, {"detail": f"mode debe ser uno de: {', '.join(MODES)}"})
                return
            with relay.lock:
                relay.mode = mode
                relay.webhook_url = body.get("webhook_url", relay.webhook_url) or ""
                relay.webhook_key = body.get("webhook_key", relay.webhook_key) or ""
            self._json(200, {"ok": True})
        elif path == "/_fake/settle":
            settled = relay.poster.wait_idle(float(body.get("timeout", 10)))
            relay.flush()
            self._json(200, {"ok": settled})
        else:
            self._json(404, {"detail": "Not found."})

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart on the same port
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def serve(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    store: str | None = None,
    webhook_url: str = "",
    webhook_key: str = "",
    control_port: int | None = None,
    quiet: bool = False,
) -> None:
    """Serve until SIGTERM or Ctrl+C. The first line on stdout names the addresses."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    relay = Relay(
        store=Path(store) if store else None,
        webhook_url=webhook_url,
        webhook_key=webhook_key,
        quiet=quiet,
    )
    loop = asyncio.new_event_loop()
    sock = _listening_socket(host, port)

    def factory() -> SMTP:
        return SMTP(
            _Handler(relay),
            hostname="relay.fake",
            ident="Ventanilla fake relay",
            enable_SMTPUTF8=True,
            data_size_limit=40 * 1024 * 1024,
        )

    server = loop.run_until_complete(loop.create_server(factory, sock=sock))
    control: ThreadingHTTPServer | None = None
    where = f"smtp://{host}:{sock.getsockname()[1]}"
    if control_port is not None:
        handler = type("Control", (_Control,), {"relay": relay})
        control = ThreadingHTTPServer((host, control_port), handler)
        control.daemon_threads = True
        threading.Thread(target=control.serve_forever, args=(0.2,), daemon=True).start()
        where += f" control http://{host}:{control.server_address[1]}"
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, loop.stop)
    print(f"Relé de correo simulado escuchando en {where}", flush=True)
    if not quiet:
        sys.stderr.write(
            f"mail relay: store {store or '(memoria)'}, webhook {webhook_url or '-'}\n"
        )
    try:
        loop.run_forever()
    finally:
        server.close()
        if control is not None:
            control.shutdown()
            control.server_close()
        relay.close()
        loop.close()


def add_arguments(parser: Any) -> None:
    """The options of both ways to start it (here and `manage.py mail_fake`)."""
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=None, help="0: un puerto libre")
    parser.add_argument("--store", default=None, help="carpeta donde guardar los mensajes")
    parser.add_argument("--webhook-url", default="", help="a dónde enviar los eventos")
    parser.add_argument("--webhook-key", default="", help="clave de la firma de los eventos")
    parser.add_argument("--control-port", type=int, default=None, help="0: un puerto libre")
    parser.add_argument("--quiet", action="store_true")


def serve_from_options(options: dict[str, Any]) -> None:
    serve(
        host=options["host"],
        port=DEFAULT_PORT if options["port"] is None else options["port"],
        store=options["store"],
        webhook_url=options["webhook_url"],
        webhook_key=options["webhook_key"],
        control_port=options["control_port"],
        quiet=options["quiet"],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Relé de correo simulado (SMTP + webhooks)")
    add_arguments(parser)
    serve_from_options(vars(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
