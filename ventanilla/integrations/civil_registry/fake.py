"""A fake of the civil registries behind PIDE, as a real HTTP server in its own process, for the
demo and the tests. It answers RENIEC's "Consulta DNI" and Migraciones' carné de extranjería
service with PIDE's REST shapes and result codes (see
docs/decisions/0006-civil-registry-integration.md), from the made-up people of fake_people.py,
and checks the caller's credentials.

    python -m ventanilla.integrations.civil_registry.fake --port 8901
    python manage.py civil_registry_fake            # the same, credentials from the settings

It can be told to misbehave, at start (`--fail-mode slow`) or while running:

    POST /_fake/mode  {"mode": "slow", "delay": 5}   modes: ok, slow, error, garbage,
                                                      malformed, quota, drop
    GET  /_fake/health                               {"ok": true, "mode": "ok"}

Standard library only; it needs no Django settings.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .client import MIGRACIONES_PATH, RENIEC_PATH, PideCredentials
from .fake_people import Record, record_for

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8901
# What the fake accepts unless told otherwise; config/settings/base.py defaults to the same.
DEFAULT_CREDENTIALS = PideCredentials(
    user_dni="09876543",
    user_ruc="20600000005",
    password="ventanilla-fake",  # noqa: S106 - the fake's own, printed in the docs
    institution="VENTANILLA",
    mac="02:00:00:00:00:01",
    ip="127.0.0.1",
)
MODES = ("ok", "slow", "error", "garbage", "malformed", "quota", "drop")

RENIEC_MESSAGES = {
    "0000": "La consulta se realizó satisfactoriamente",
    "0001": "El DNI consultado corresponde a un menor de edad",
    "0999": "No se ha encontrado información para el DNI consultado",
    "1000": "Uno o más datos de la petición no son válidos",
    "1001": "El DNI, RUC y contraseña no corresponden a un usuario válido",
    "1003": "Se ha alcanzado el límite de consultas permitidas por día",
}


@dataclass
class Behaviour:
    mode: str = "ok"
    delay: float = 5.0


class FakeRegistryServer(ThreadingHTTPServer):
    daemon_threads = True  # a slow answer in flight does not hold up the shutdown

    def __init__(
        self,
        address: tuple[str, int],
        *,
        credentials: PideCredentials = DEFAULT_CREDENTIALS,
        behaviour: Behaviour | None = None,
        quiet: bool = False,
        today: date | None = None,
    ) -> None:
        self.credentials = credentials
        self.behaviour = behaviour or Behaviour()
        self.quiet = quiet
        self.today = today
        self.lock = threading.Lock()
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeRegistryServer
    protocol_version = "HTTP/1.1"
    server_version = "FakePIDE/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            # Never the query string: it holds the password, as PIDE's does.
            sys.stderr.write(
                f"fake registry: {self.command} {urlsplit(self.path).path} "
                f"{args[1] if len(args) > 1 else ''}\n"
            )

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self._route(parts.path, params)

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(400, "text/plain", b"bad JSON")
            return
        if parts.path == "/_fake/mode":
            self._set_mode(body)
            return
        # PIDE also takes the parameters as {"PIDE": {...}} in a POST body.
        params = {k: str(v) for k, v in (body.get("PIDE") or {}).items()}
        params.update({k: v[0] for k, v in parse_qs(parts.query).items()})
        self._route(parts.path, params)

    def _route(self, path: str, params: dict[str, str]) -> None:
        lowered = path.rstrip("/").lower()
        if lowered == "/_fake/health":
            with self.server.lock:
                mode = self.server.behaviour.mode
            self._json({"ok": True, "mode": mode})
            return
        if lowered == RENIEC_PATH.lower():
            service = "reniec"
        elif lowered == MIGRACIONES_PATH.lower():
            service = "migraciones"
        else:
            self._send(404, "text/html", b"<html><body><h1>404 Not Found</h1></body></html>")
            return
        if params.get("out", "").lower() != "json":
            self._send(400, "text/plain", b"this fake answers out=json only")
            return
        with self.server.lock:
            mode, delay = self.server.behaviour.mode, self.server.behaviour.delay
        if mode == "slow":
            time.sleep(delay)
        elif mode == "error":
            self._send(
                500, "text/html", b"<html><body><h1>500 Internal Server Error</h1></body></html>"
            )
            return
        elif mode == "garbage":
            self._send(
                200,
                "text/html; charset=utf-8",
                b"<html><body>Servicio en mantenimiento</body></html>",
            )
            return
        elif mode == "drop":
            self.close_connection = True  # hang up without a word
            return
        if service == "reniec":
            self._json(self._reniec(params, mode))
        else:
            self._json(self._migraciones(params, mode))

    def _reniec(self, params: dict[str, str], mode: str) -> dict[str, Any]:
        c = self.server.credentials
        dni = params.get("nuDniConsulta", "")

        def answer(code: str, person: dict[str, str] | None = None) -> dict[str, Any]:
            result: dict[str, Any] = {"coResultado": code, "deResultado": RENIEC_MESSAGES[code]}
            if person is not None:
                result["datosPersona"] = person
            return {"consultarResponse": {"return": result}}

        if mode == "malformed":
            return {"consultarResponse": {"return": {"coResultado": "0000"}}}
        if (
            params.get("nuDniUsuario") != c.user_dni
            or params.get("nuRucUsuario") != c.user_ruc
            or params.get("password") != c.password
        ):
            return answer("1001")
        if mode == "quota":
            return answer("1003")
        if len(dni) != 8 or not dni.isdigit():
            return answer("1000")
        record = record_for("dni", dni)
        if record is None:
            return answer("0999")
        if record.is_minor(self.server.today):
            return answer("0001")
        return answer("0000", _datos_persona(record))

    def _migraciones(self, params: dict[str, str], mode: str) -> dict[str, Any]:
        c = self.server.credentials

        def answer(code: str, record: Record | None = None) -> dict[str, Any]:
            bean = {
                "strCalidadMigratoria": record.migratory_status if record else "",
                "strNombres": record.given_names if record else "",
                "strNumRespuesta": code,
                "strPrimerApellido": record.first_surname if record else "",
                "strSegundoApellido": record.second_surname if record else "",
            }
            return {"consultarDocumentoResponse": {"return": bean}}

        if mode == "malformed":
            return {"consultarDocumentoResponse": {"return": {"strNumRespuesta": "0000"}}}
        if mode == "quota":
            return answer("0002")
        keys = ("strCodInstitucion", "strMac", "strNroIp", "strNumDocumento", "strTipoDocumento")
        if any(not params.get(k) for k in keys):
            return answer("0004")
        if (params["strCodInstitucion"], params["strMac"], params["strNroIp"]) != (
            c.institution,
            c.mac,
            c.ip,
        ):
            return answer("0005")
        if params["strTipoDocumento"] != "CE":
            return answer("0006")
        record = record_for("ce", params["strNumDocumento"])
        if record is None:
            return answer("0001")
        if record.is_minor(self.server.today):
            return answer("0007")
        return answer("0000", record)

    def _set_mode(self, body: dict[str, Any]) -> None:
        mode = body.get("mode", "ok")
        if mode not in MODES:
            self._send(400, "text/plain", f"mode must be one of {', '.join(MODES)}".encode())
            return
        with self.server.lock:
            self.server.behaviour.mode = mode
            if "delay" in body:
                self.server.behaviour.delay = float(body["delay"])
        self._json({"ok": True, "mode": mode})

    def _json(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(200, "application/json; charset=utf-8", body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _datos_persona(record: Record) -> dict[str, str]:
    return {
        "apPrimer": record.first_surname,
        "apSegundo": record.second_surname,
        "prenombres": record.given_names,
        "direccion": record.address,
        "estadoCivil": record.marital_status,
        "ubigeo": record.residence,
        "restriccion": record.restriction,
        "foto": "",  # RENIEC sends a base64 JPEG; the fake has no faces
    }


def serve(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    credentials: PideCredentials = DEFAULT_CREDENTIALS,
    mode: str = "ok",
    delay: float = 5.0,
    quiet: bool = False,
) -> None:
    """Serve until SIGTERM or Ctrl+C. The first line on stdout says where ("port 0" picks a
    free port: that line is how a test learns it)."""
    server = FakeRegistryServer(
        (host, port), credentials=credentials, behaviour=Behaviour(mode, delay), quiet=quiet
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"Registro civil simulado (PIDE) en {server.url}/", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def add_arguments(parser: Any, defaults: PideCredentials = DEFAULT_CREDENTIALS) -> None:
    """The options of both ways to start the fake (here and `manage.py civil_registry_fake`)."""
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0: un puerto libre")
    parser.add_argument("--fail-mode", default="ok", choices=MODES, help="cómo fallar")
    parser.add_argument("--delay", type=float, default=5.0, help="segundos en modo slow")
    parser.add_argument("--quiet", action="store_true", help="sin registro de peticiones")
    parser.add_argument("--user-dni", default=defaults.user_dni)
    parser.add_argument("--user-ruc", default=defaults.user_ruc)
    parser.add_argument("--password", default=defaults.password)
    parser.add_argument("--institution", default=defaults.institution)
    parser.add_argument("--mac", default=defaults.mac)
    parser.add_argument("--ip", default=defaults.ip)


def serve_from_options(options: dict[str, Any]) -> None:
    serve(
        host=options["host"],
        port=options["port"],
        credentials=PideCredentials(
            user_dni=options["user_dni"],
            user_ruc=options["user_ruc"],
            password=options["password"],
            institution=options["institution"],
            mac=options["mac"],
            ip=options["ip"],
        ),
        mode=options["fail_mode"],
        delay=options["delay"],
        quiet=options["quiet"],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Registro civil simulado (RENIEC y Migraciones vía PIDE)"
    )
    add_arguments(parser)
    serve_from_options(vars(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
