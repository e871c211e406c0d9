"""Fake registries that speak the GovStack Digital Registries API (1.3.0), each as a real HTTP
server in its own process, for the demo and the tests: RENIEC, Migraciones, SUNAT, SUNARP, MTC,
and GovStack's reference registry with the records of its fixtures.json.

    python -m ventanilla.integrations.registries.fake --registry reniec --port 8911
    python manage.py registry_fake --registry reniec    # the port from the settings

Each serves the spec's paths at its own root (data/{registry}/{version}/read, …, with the
camelCase and kebab-case spellings, and MyPersonalDataUsage), the reference one also databases,
database/{id} and database/modify. Records live in memory; writes are kept until

    POST /_fake/reseed                                 back to the seed, usage log emptied
    POST /_fake/mode  {"mode": "slow", "delay": 5}     modes: ok, slow, error, garbage, drop
    GET  /_fake/health                                 {"ok": true, "mode": "ok"}

The first line on stdout ends with the URL (how a test learns the port when it asks for 0).
Standard library and python-stdnum only; it needs no Django settings.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .data import REGISTRIES
from .store import Reader, Refused, Store

DEFAULT_HOST = "127.0.0.1"
# config/settings/base.py INTEROP_REGISTRY_PORTS says the same.
DEFAULT_PORTS = {
    "reniec": 8911,
    "migraciones": 8912,
    "sunat": 8913,
    "sunarp": 8914,
    "mtc": 8915,
    "govstack": 8916,
}
MODES = ("ok", "slow", "error", "garbage", "drop")
MAX_BODY = 1024 * 1024  # the mediator refuses more, too
JSON = "application/json; charset=utf-8"
_CLIENT_HEADERS = ("X-Road-Client", "X-GovStack-Client", "Information-Mediator-Client")


@dataclass
class Behaviour:
    mode: str = "ok"
    delay: float = 5.0


class RegistryServer(ThreadingHTTPServer):
    daemon_threads = True  # a slow answer in flight does not hold up the shutdown
    request_queue_size = 128  # many institutions at once: the default 5 resets connections

    def __init__(
        self,
        address: tuple[str, int],
        *,
        registry: str,
        behaviour: Behaviour | None = None,
        quiet: bool = False,
    ) -> None:
        self.registry = registry
        self.store = Store(registry)
        self.behaviour = behaviour or Behaviour()
        self.quiet = quiet
        self.lock = threading.Lock()
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Body(Exception):
    """The request body could not be taken: answered with this status and detail."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class _Handler(BaseHTTPRequestHandler):
    server: RegistryServer
    protocol_version = "HTTP/1.1"
    # Headers and body go in two writes: without TCP_NODELAY the body of every answer on a
    # kept-alive connection (the mediator pools them) waits ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True
    server_version = "FakeDigitalRegistries/1.3"

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"registry {self.server.registry}: {format % args}\n")

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    # --- the request -------------------------------------------------------------------------

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        segments = [unquote(s) for s in parts.path.strip("/").split("/") if s]
        params = parse_qs(parts.query, keep_blank_values=True)
        try:
            body = self._body()
        except _Body as refused:
            self.close_connection = True  # the rest of a refused body is never read
            self._json(refused.status, {"detail": refused.detail}, close=True)
            return
        if segments[:1] == ["_fake"]:
            self._control(segments[1:], body)
            return
        with self.server.lock:
            mode, delay = self.server.behaviour.mode, self.server.behaviour.delay
        if mode == "slow":
            time.sleep(delay)
        elif mode == "error":
            self._json(500, {"detail": "Error interno del registro (simulado)."})
            return
        elif mode == "garbage":
            self._send(200, "text/html; charset=utf-8", b"<html><body>Mantenimiento</body></html>")
            return
        elif mode == "drop":
            self.close_connection = True  # hang up without a word
            return
        try:
            self._route(segments, params, body, parts.path)
        except Refused as refused:
            self._json(refused.status, {"detail": refused.detail})

    def _body(self) -> Any:
        """The JSON body, None when there is none; _Body when too big or not JSON."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raw = self._chunked()
        else:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                raise _Body(400, "Content-Length no es un número.") from None
            if length > MAX_BODY:
                raise _Body(413, "El cuerpo de la petición pasa de 1 MB.")
            raw = self.rfile.read(length) if length > 0 else b""
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise _Body(400, "El cuerpo de la petición no es JSON válido.") from None

    def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(100)
            try:
                size = int(line.split(b";")[0].strip() or b"0", 16)
            except ValueError:
                raise _Body(400, "Cuerpo fragmentado ilegible.") from None
            if size == 0:
                while self.rfile.readline(1000).strip():  # trailers
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise _Body(413, "El cuerpo de la petición pasa de 1 MB.")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(10)

    def _reader(self) -> Reader:
        client = next((self.headers[h] for h in _CLIENT_HEADERS if self.headers.get(h)), "")
        return Reader(
            client=client,
            user_id=self.headers.get("X-Road-UserId", ""),
            issue=self.headers.get("X-Road-Issue", ""),
            x_road_id=self.headers.get("X-Road-Id", ""),
        )

    # --- routes ------------------------------------------------------------------------------

    def _route(
        self, segments: list[str], params: dict[str, list[str]], body: Any, path: str
    ) -> None:
        store = self.server.store
        method = self.command
        if not segments:
            self._json(200, self._index())
            return
        head = segments[0]
        if head == "databases" and len(segments) == 1:
            self._allow(method, "GET")
            self._json(200, store.catalogue())
            return
        if head == "database" and segments[1:] == ["modify"]:
            self._allow(method, "POST", "PUT")
            self._json(200, store.database_modify(_required(body)))
            return
        if head == "database" and len(segments) == 2:
            database_id = _int(segments[1])
            self._allow(method, "GET", "DELETE")
            if method == "GET":
                self._json(200, store.database(database_id))
            else:
                store.database_delete(database_id)
                self._json(200, "Success")
            return
        if head != "data" or len(segments) < 2:
            raise Refused(404, "Not found.")
        if segments[1].lower() == "mypersonaldatausage" and len(segments) <= 3:
            self._allow(method, "GET")
            user = _param(params, "userID", "userId", "userid", "UserID")
            database = _param(params, "DatabaseID", "databaseId", "databaseID", "databaseid")
            self._json(200, store.personal_data_usage(user, database))
            return
        if len(segments) < 3 or not store.knows(segments[1], segments[2]):
            raise Refused(404, "registry not found")
        name, version, rest = segments[1], segments[2], segments[3:]
        if not rest:
            self._allow(method, "GET")
            here = f"http://{self.headers.get('Host') or self.server.url[7:]}{path}"
            self._json(200, store.list_records(name, version, params, here))
            return
        operation = rest[0].lower().replace("-", "") if len(rest) == 1 else ""
        if operation == "read":
            self._allow(method, "POST")
            record = store.read(name, version, _query(body), self._reader())
            self._json(200, {"content": record})
        elif operation == "exists":
            self._allow(method, "POST")
            found = store.exists(name, version, _query(body))
            message = "Object found from database" if found else "Object not found from database"
            self._json(200, {"answer": {"status": found, "message": message}})
        elif operation == "create":
            self._allow(method, "POST")
            self._json(200, {"content": store.create(name, version, _required(body))})
        elif operation == "update":
            self._allow(method, "PUT", "POST", "PATCH")
            self._json(200, {"content": store.update(name, version, _required(body))})
        elif operation == "updateentries":
            self._allow(method, "PUT", "POST", "PATCH")
            self._json(200, store.update_entries(name, version, _required(body)))
        elif operation == "updateorcreate":
            self._allow(method, "POST", "PUT")
            self._json(200, {"content": store.update_or_create(name, version, _required(body))})
        elif len(rest) == 2 and rest[1] == "delete":
            self._allow(method, "DELETE")
            store.delete(name, version, rest[0])
            self._send(204, "", b"")
        elif len(rest) == 3 and rest[1].lower().replace("-", "") == "readvalue":
            self._allow(method, "GET")
            field, dot, ext = rest[2].rpartition(".")
            if not dot or ext.lower() != "json":
                raise Refused(400, "Solo se sirve el formato .json.")
            self._json(200, store.read_value(name, version, rest[0], field, self._reader()))
        else:
            raise Refused(404, "Not found.")

    def _index(self) -> dict[str, Any]:
        return {
            "registry": self.server.registry,
            "registries": [
                {"name": s.name, "version": s.version, "fields": list(s.fields)}
                for s in REGISTRIES[self.server.registry]
            ],
        }

    def _allow(self, method: str, *allowed: str) -> None:
        if method not in allowed:
            raise Refused(405, f"Método {method} no permitido aquí; use {', '.join(allowed)}.")

    def _control(self, segments: list[str], body: Any) -> None:
        behaviour = self.server.behaviour
        if segments == ["health"]:
            with self.server.lock:
                self._json(200, {"ok": True, "mode": behaviour.mode})
        elif segments == ["reseed"] and self.command == "POST":
            self.server.store.reseed()
            self._json(200, {"ok": True})
        elif segments == ["mode"] and self.command == "POST":
            body = body if isinstance(body, dict) else {}
            mode = body.get("mode", "ok")
            if mode not in MODES:
                self._json(400, {"detail": f"mode debe ser uno de: {', '.join(MODES)}"})
                return
            try:
                delay = float(body.get("delay", behaviour.delay))
            except (TypeError, ValueError):
                self._json(400, {"detail": "delay debe ser un número de segundos."})
                return
            with self.server.lock:
                behaviour.mode, behaviour.delay = mode, delay
            self._json(200, {"ok": True, "mode": mode})
        else:
            self._json(404, {"detail": "Not found."})

    # --- answers -----------------------------------------------------------------------------

    def _json(self, status: int, payload: Any, *, close: bool = False) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, JSON, body, close=close)

    def _send(self, status: int, content_type: str, body: bytes, *, close: bool = False) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        if self.headers.get("X-Road-Id"):
            self.send_header("X-Road-Id", self.headers["X-Road-Id"])
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if status != 204:
            self.wfile.write(body)


def _required(body: Any) -> Any:
    # Reference clients send the first copy of a write without a body: 400, never 500.
    if body is None:
        raise Refused(400, "La petición no trae cuerpo JSON.")
    if not isinstance(body, dict):
        raise Refused(400, "El cuerpo de la petición debe ser un objeto JSON.")
    return body


def _query(body: Any) -> Any:
    """{"query": {"content": …}}, or the content sent flat (as reference clients send exists)."""
    body = _required(body)
    return body.get("query", body)


def _param(params: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        if params.get(name):
            return params[name][-1]
    return None


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise Refused(400, "El id de la base de datos es un número.") from None


def serve(
    *,
    registry: str,
    host: str = DEFAULT_HOST,
    port: int | None = None,
    mode: str = "ok",
    delay: float = 5.0,
    quiet: bool = False,
) -> None:
    """Serve until SIGTERM or Ctrl+C. The first line on stdout ends with the URL."""
    server = RegistryServer(
        (host, DEFAULT_PORTS[registry] if port is None else port),
        registry=registry,
        behaviour=Behaviour(mode, delay),
        quiet=quiet,
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"Registro simulado {registry} escuchando en {server.url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def add_arguments(parser: Any) -> None:
    """The options of both ways to start a fake (here and `manage.py registry_fake`)."""
    parser.add_argument("--registry", required=True, choices=sorted(REGISTRIES))
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=None, help="0: un puerto libre")
    parser.add_argument("--fail-mode", default="ok", choices=MODES, help="cómo fallar")
    parser.add_argument("--delay", type=float, default=5.0, help="segundos en modo slow")
    parser.add_argument("--quiet", action="store_true", help="sin registro de peticiones")


def serve_from_options(options: dict[str, Any]) -> None:
    serve(
        registry=options["registry"],
        host=options["host"],
        port=options["port"],
        mode=options["fail_mode"],
        delay=options["delay"],
        quiet=options["quiet"],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Registro simulado (GovStack Digital Registries)")
    add_arguments(parser)
    serve_from_options(vars(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
