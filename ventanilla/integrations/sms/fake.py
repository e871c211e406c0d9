"""A fake SMS gateway for the demo and the tests, speaking the subset of Infobip's SMS API v2
that Ventanilla uses, as a real HTTP server in its own process.

    python -m ventanilla.integrations.sms.fake --port 8922 --store var/fakes/sms \\
        --api-key demo-sms-key [--rate 200]
    python manage.py sms_fake                        # port, key and store from the settings

POST /sms/2/text/advanced, `Authorization: App <key>`, JSON {"messages": [{"destinations":
[{"to": "51987654321", "messageId": "…"}], "from", "text", "notifyUrl", "notifyContentType"}]}
answers 200 {"bulkId", "messages": [{"to", "messageId", "status": {"groupId": 1, "groupName":
"PENDING", "id": 26, "name": "PENDING_ACCEPTED", "description"}}]}. Like the real one:
    - a repeated messageId is the same message: answered as the first time, not sent again;
    - more than --rate destinations in one second (0: no limit): 429, nothing taken;
    - a wrong key: 401; a body that is not the API's: 400 (Infobip's requestError shape);
    - a "to" that is not 8 to 15 digits, or ends in 999: status groupId 5 REJECTED at once;
    - a "to" ending in 000 (an absent subscriber): taken, then reported UNDELIVERABLE
      (groupId 2) with error.permanent true; any other number is reported DELIVERED (groupId 3).
Delivery reports go to each message's notifyUrl as {"results": [...]}, up to 100 a POST, every
0.2 s, from a few threads with kept-alive connections (retried while the receiver is down).

Store (--store DIR): DIR/messages.jsonl, one line per message taken or refused, appended through
a buffer flushed every 0.2 s, never fsynced; a restarted gateway on the same store remembers
the messageIds it has seen. `read_messages` in ventanilla.integrations.sms.store reads it back.

Control (for the tests' fixture; see testing.py), JSON:
    GET  /_fake/health                 {"ok": true, "received": n}
    GET  /_fake/received               [{messageId, to, from, text, notifyUrl, bulkId,
                                         received_at, status, outcome, smsCount}, …]
    POST /_fake/reset                  messages, store, pending reports gone; key and rate back
    POST /_fake/config {"api_key", "rate"}
    POST /_fake/settle {"timeout": 10} waits until every report has been posted

The first line on stdout ends with the URL. Standard library only; no Django settings needed.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from ..fakes import CallbackPoster
from .store import MESSAGES, sms_parts

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8922  # config/settings/base.py NOTIFICATIONS_SMS_URL says the same
DEFAULT_KEY = "demo-sms-key"
PATH = "/sms/2/text/advanced"
REPORT_SECONDS = 0.2
REPORT_BATCH = 100
MAX_BODY = 10 * 1024 * 1024
JSON = "application/json; charset=utf-8"
_NUMBER = re.compile(r"^\d{8,15}$")

PENDING = {
    "groupId": 1,
    "groupName": "PENDING",
    "id": 26,
    "name": "PENDING_ACCEPTED",
    "description": "Message sent to next instance",
}
REJECTED = {
    "groupId": 5,
    "groupName": "REJECTED",
    "id": 52,
    "name": "REJECTED_DESTINATION",
    "description": "Request was rejected due to an invalid destination address.",
}
DELIVERED = {
    "groupId": 3,
    "groupName": "DELIVERED",
    "id": 5,
    "name": "DELIVERED_TO_HANDSET",
    "description": "Message delivered to handset",
}
UNDELIVERABLE = {
    "groupId": 2,
    "groupName": "UNDELIVERABLE",
    "id": 9,
    "name": "UNDELIVERABLE_NOT_DELIVERED",
    "description": "Message sent not delivered",
}
NO_ERROR = {
    "groupId": 0,
    "groupName": "OK",
    "id": 0,
    "name": "NO_ERROR",
    "description": "No Error",
    "permanent": False,
}
ABSENT = {
    "groupId": 1,
    "groupName": "HANDSET_ERRORS",
    "id": 27,
    "name": "EC_ABSENT_SUBSCRIBER",
    "description": "Absent Subscriber",
    "permanent": True,
}


def _stamp(at: float) -> str:
    """Infobip's time format: 2024-05-01T10:00:00.000+0000."""
    moment = datetime.fromtimestamp(at, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _service_error(message_id: str, text: str) -> dict[str, Any]:
    return {"requestError": {"serviceException": {"messageId": message_id, "text": text}}}


class Gateway:
    """The gateway's state: what it has taken (by messageId), its key and rate, the reports
    waiting to go out, and the store."""

    def __init__(self, *, api_key: str, rate: int, store: Path | None, quiet: bool = False) -> None:
        self.default_key, self.default_rate = api_key, rate
        self.api_key, self.rate = api_key, rate
        self.store = store
        self.quiet = quiet
        self.lock = threading.Lock()
        self.records: list[dict[str, Any]] = []
        self.answers: dict[str, dict[str, Any]] = {}
        self.per_second: dict[int, int] = defaultdict(int)
        self.pending: list[tuple[str, dict[str, Any]]] = []
        self.poster = CallbackPoster(threads=4, name="sms gateway", quiet=quiet)
        self._file: Any = None
        if store is not None:
            store.mkdir(parents=True, exist_ok=True)
            path = store / MESSAGES
            if path.exists():
                for line in path.read_bytes().splitlines():
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a killed gateway
                    self.records.append(record)
                    self.answers[record["messageId"]] = _answer(record)
            self._file = path.open("ab", buffering=1024 * 1024)
        self._reporter = threading.Thread(target=self._report_often, daemon=True)
        self._reporter.start()

    # --- sending -----------------------------------------------------------------------------

    def take(self, body: Any) -> tuple[int, dict[str, Any]]:
        """The answer (status, JSON) to a send request already authenticated."""
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not messages:
            return 400, _service_error("BAD_REQUEST", "Invalid request: messages are missing.")
        wanted = []
        for message in messages:
            if not isinstance(message, dict) or not isinstance(message.get("destinations"), list):
                return 400, _service_error("BAD_REQUEST", "Invalid request: destinations.")
            for destination in message["destinations"]:
                if not isinstance(destination, dict) or not destination.get("to"):
                    return 400, _service_error("BAD_REQUEST", "Invalid request: missing to.")
                wanted.append((message, destination))
        now = time.time()
        bulk_id = str(uuid.uuid4())
        answered = []
        with self.lock:
            second = int(now)
            if self.rate and self.per_second[second] + len(wanted) > self.rate:
                return 429, _service_error("TOO_MANY_REQUESTS", "Too many requests")
            self.per_second[second] += len(wanted)
            for old in [s for s in self.per_second if s < second - 5]:
                del self.per_second[old]
            for message, destination in wanted:
                message_id = str(destination.get("messageId") or uuid.uuid4())
                seen = self.answers.get(message_id)
                if seen is not None:  # the same message again: same answer, no second delivery
                    answered.append(seen)
                    continue
                record = self._record(message, destination, message_id, bulk_id, now)
                self.records.append(record)
                answer = _answer(record)
                self.answers[message_id] = answer
                answered.append(answer)
                if self._file is not None:
                    self._file.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
                if record["status"] != "REJECTED" and record["notifyUrl"]:
                    self.pending.append((record["notifyUrl"], _report(record)))
        return 200, {"bulkId": bulk_id, "messages": answered}

    @staticmethod
    def _record(
        message: dict[str, Any],
        destination: dict[str, Any],
        message_id: str,
        bulk_id: str,
        now: float,
    ) -> dict[str, Any]:
        to = str(destination["to"]).strip().lstrip("+")
        text = str(message.get("text") or "")
        rejected = not _NUMBER.match(to) or to.endswith("999")
        outcome = "REJECTED" if rejected else "UNDELIVERABLE" if to.endswith("000") else "DELIVERED"
        return {
            "messageId": message_id,
            "bulkId": bulk_id,
            "to": to,
            "from": str(message.get("from") or ""),
            "text": text,
            "notifyUrl": str(message.get("notifyUrl") or ""),
            "received_at": now,
            "status": "REJECTED" if rejected else "PENDING",
            "outcome": outcome,
            "smsCount": sms_parts(text),
        }

    # --- reports -----------------------------------------------------------------------------

    def _report_often(self) -> None:
        while True:
            time.sleep(REPORT_SECONDS)
            self.report_now()

    def report_now(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, []
            if self._file is not None and not self._file.closed:
                self._file.flush()
        by_url: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for url, report in pending:
            by_url[url].append(report)
        for url, reports in by_url.items():
            for start in range(0, len(reports), REPORT_BATCH):
                self.poster.post(url, {"results": reports[start : start + REPORT_BATCH]})

    def settle(self, timeout: float) -> bool:
        self.report_now()
        return self.poster.wait_idle(timeout)

    # --- control -----------------------------------------------------------------------------

    def received(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for r in self.records]

    def configure(self, body: dict[str, Any]) -> None:
        with self.lock:
            if "api_key" in body:
                self.api_key = str(body["api_key"])
            if "rate" in body:
                self.rate = int(body["rate"] or 0)

    def reset(self) -> None:
        self.poster.forget()
        with self.lock:
            self.records.clear()
            self.answers.clear()
            self.pending.clear()
            self.per_second.clear()
            self.api_key, self.rate = self.default_key, self.default_rate
            if self.store is not None:
                self._file.close()
                self._file = (self.store / MESSAGES).open("wb", buffering=1024 * 1024)

    def close(self) -> None:
        self.report_now()
        self.poster.stop()
        with self.lock:
            if self._file is not None:
                self._file.close()


def _answer(record: dict[str, Any]) -> dict[str, Any]:
    status = REJECTED if record["status"] == "REJECTED" else PENDING
    return {"to": record["to"], "messageId": record["messageId"], "status": dict(status)}


def _report(record: dict[str, Any]) -> dict[str, Any]:
    undeliverable = record["outcome"] == "UNDELIVERABLE"
    return {
        "bulkId": record["bulkId"],
        "messageId": record["messageId"],
        "to": record["to"],
        "sentAt": _stamp(record["received_at"]),
        "doneAt": _stamp(time.time()),
        "smsCount": record["smsCount"],
        "price": {"pricePerMessage": 0, "currency": "PEN"},
        "status": dict(UNDELIVERABLE if undeliverable else DELIVERED),
        "error": dict(ABSENT if undeliverable else NO_ERROR),
    }


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True  # restart on the same port at once

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: GatewayServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # answers on kept-alive connections go out at once
    server_version = "FakeInfobip/2"

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.gateway.quiet:
            sys.stderr.write(f"sms gateway: {format % args}\n")

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        gateway = self.server.gateway
        if path == "/_fake/health":
            with gateway.lock:
                count = len(gateway.records)
            self._json(200, {"ok": True, "received": count})
        elif path == "/_fake/received":
            self._json(200, gateway.received())
        elif path == PATH:
            self._json(405, _service_error("METHOD_NOT_ALLOWED", "Use POST."))
        else:
            self._json(404, _service_error("NOT_FOUND", "Not found."))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        gateway = self.server.gateway
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._json(400, _service_error("BAD_REQUEST", "Invalid Content-Length."))
            return
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = None
        if path.startswith("/_fake/"):
            self._control(path, body if isinstance(body, dict) else {})
            return
        if path != PATH:
            self._json(404, _service_error("NOT_FOUND", "Not found."))
            return
        with gateway.lock:
            key = gateway.api_key
        if self.headers.get("Authorization", "") != f"App {key}":
            self._json(401, _service_error("UNAUTHORIZED", "Invalid login details"))
            return
        if body is None:
            self._json(400, _service_error("BAD_REQUEST", "Invalid JSON."))
            return
        status, answer = gateway.take(body)
        self._json(status, answer)

    def _control(self, path: str, body: dict[str, Any]) -> None:
        gateway = self.server.gateway
        if path == "/_fake/reset":
            gateway.reset()
            self._json(200, {"ok": True})
        elif path == "/_fake/config":
            gateway.configure(body)
            self._json(200, {"ok": True})
        elif path == "/_fake/settle":
            self._json(200, {"ok": gateway.settle(float(body.get("timeout", 10)))})
        else:
            self._json(404, {"detail": "Not found."})

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    api_key: str = DEFAULT_KEY,
    rate: int = 0,
    store: str | None = None,
    quiet: bool = False,
) -> None:
    """Serve until SIGTERM or Ctrl+C. The first line on stdout ends with the URL."""
    gateway = Gateway(api_key=api_key, rate=rate, store=Path(store) if store else None, quiet=quiet)
    server = GatewayServer((host, port), gateway)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"Pasarela de SMS simulada escuchando en {server.url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        gateway.close()


def add_arguments(parser: Any) -> None:
    """The options of both ways to start it (here and `manage.py sms_fake`)."""
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=None, help="0: un puerto libre")
    parser.add_argument("--api-key", default=DEFAULT_KEY, help="la clave que se acepta")
    parser.add_argument("--rate", type=int, default=0, help="destinos por segundo (0: sin límite)")
    parser.add_argument("--store", default=None, help="carpeta donde guardar los mensajes")
    parser.add_argument("--quiet", action="store_true")


def serve_from_options(options: dict[str, Any]) -> None:
    serve(
        host=options["host"],
        port=DEFAULT_PORT if options["port"] is None else options["port"],
        api_key=options["api_key"],
        rate=options["rate"],
        store=options["store"],
        quiet=options["quiet"],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Pasarela de SMS simulada (Infobip SMS API v2)")
    add_arguments(parser)
    serve_from_options(vars(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
