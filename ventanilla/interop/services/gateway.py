"""The mediator's core: one exchange between a client subsystem and a service.

`exchange()` checks, in this order, the client identifier, who the caller is (API key; the
open test instances need none), the service, the access right, the citizen named when the
service returns personal data, their consent when the access right needs it, and the size of
the request; then forwards the request to the provider and hands back its answer unchanged
(any status), with X-Road-Id and X-Road-Request-Hash added. Every call, refused ones too, is
one message log entry, written in its own transaction before the answer leaves.

Errors have X-Road's shape: a JSON body {"type", "message", "detail"} (detail is the X-Road-Id)
and the header X-Road-Error. Messages are in Spanish: an official or a citizen may read them."""

import base64
import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import urllib3
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from urllib3.exceptions import HTTPError, MaxRetryError, NewConnectionError, ProtocolError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from ventanilla.interop.identifiers import parse_client_id
from ventanilla.interop.models import Service, Subsystem
from ventanilla.interop.selectors import ExchangeTarget, exchange_target, subsystem_by_id
from ventanilla.interop.services.messagelog import message_log_append

MAX_REQUEST_BYTES = 1024 * 1024
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
JSON_UTF8 = "application/json; charset=utf-8"
# X-Ventanilla-Subject: "DNI:45678912", "CE:001234567".
SUBJECT = re.compile(r"^(DNI:[0-9]{8}|CE:[0-9A-Za-z]{6,12})$")
# A client's X-Road-Id is kept when it looks like an identifier, else a fresh one is made.
_X_ROAD_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
# Provider headers that describe the hop, not the answer: never passed on.
_HOP_HEADERS = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "content-encoding",  # the body is passed on decoded
    "set-cookie",  # a provider sets no cookies on the mediator's domain
    "server",
    "date",
    "x-road-id",
    "x-road-request-hash",
    "x-road-error",
}

# One pool of keep-alive connections per provider, shared by the process's threads. No
# retries of a request once sent; a connection that could not be opened is tried once more.
_POOL = urllib3.PoolManager(
    num_pools=50,
    maxsize=10,
    retries=urllib3.Retry(
        total=1, connect=1, read=0, status=0, other=0, redirect=0, raise_on_redirect=False
    ),
)


@dataclass
class Exchange:
    """What the client gets back, and the log entry's seq."""

    status: int
    headers: dict[str, str]
    body: bytes
    x_road_id: str
    request_hash: str
    error_type: str = ""
    error_message: str = ""
    log_seq: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_type and 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return json.loads(self.body)


def request_hash_compute(
    *,
    client: str,
    service: str,
    method: str,
    path: str,
    query: str,
    content_type: str,
    body: bytes,
    user_id: str,
    subject: str,
    issue: str,
    x_road_id: str,
) -> str:
    """X-Road-Request-Hash: base64 SHA-512 of the request as the mediator received it — the
    lines method, service+path[?query], client, X-Road-Id, user, subject, issue, content type,
    an empty line, then the body's bytes."""
    target = f"{service}{path}" + (f"?{query}" if query else "")
    lines = [method, target, client, x_road_id, user_id, subject, issue, content_type]
    head = ("\n".join(lines) + "\n\n").encode("utf-8", "replace")
    return base64.b64encode(hashlib.sha512(head + body).digest()).decode("ascii")


def _body_hash(body: bytes) -> str:
    return base64.b64encode(hashlib.sha512(body).digest()).decode("ascii")


class _Refusal(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


def _clean_header(value: str, width: int) -> str:
    return "".join(c for c in (value or "") if c >= " " and c != "\x7f")[:width].strip()


def _authenticate(client: str, authenticated: Subsystem | None) -> Subsystem:
    """The client subsystem once the caller proved it is that client, else _Refusal."""
    try:
        client_id = parse_client_id(client)
    except ValueError:
        raise _Refusal(
            400,
            "Client.InvalidClientId",
            _(
                "Falta la cabecera X-Road-Client o no tiene la forma "
                "INSTANCIA/CLASE/MIEMBRO/SUBSISTEMA (por ejemplo PE/GOB/20131379944/ventanilla)."
            ),
        ) from None
    if authenticated is not None and authenticated.identifier != str(client_id):
        raise _Refusal(
            401,
            "Client.AuthenticationFailed",
            _(
                "La clave de acceso es del subsistema %(owner)s, pero la solicitud dice venir "
                "de %(client)s."
            )
            % {"owner": authenticated.identifier, "client": client_id},
        )
    if authenticated is None and client_id.instance not in settings.INTEROP_OPEN_INSTANCES:
        raise _Refusal(
            401,
            "Client.AuthenticationFailed",
            _(
                "Falta la clave de acceso del subsistema o no es válida (puede haber sido "
                "revocada). Envíela en la cabecera Authorization: Bearer vk_…"
            ),
        )
    subsystem = authenticated or subsystem_by_id(str(client_id))
    if subsystem is None:
        raise _Refusal(
            403,
            "Server.AccessDenied",
            _("El cliente %(client)s no está registrado en el directorio del mediador.")
            % {"client": client_id},
        )
    return subsystem


def _service(service: str, path: str, client: Subsystem, subject: str) -> ExchangeTarget:
    """The service with `client`'s access right and the subject's consent (one query)."""
    found = exchange_target(identifier=service, client=client, subject=subject)
    if found is None or not found.service.enabled:
        raise _Refusal(
            404,
            "Server.UnknownService",
            _("No existe el servicio %(service)s en el directorio, o no está activo.")
            % {"service": service[:300]},
        )
    if path and (not path.startswith("/") or any(p in (".", "..") for p in path.split("/"))):
        raise _Refusal(
            404,
            "Server.UnknownService",
            _("La ruta %(path)s no es válida para el servicio %(service)s.")
            % {"path": path[:200], "service": found.service.identifier},
        )
    return found


def _permit(target: ExchangeTarget, client: Subsystem, subject: str) -> str:
    """The consent record the call rests on ("" when the access right needs none)."""
    service = target.service
    if not target.access:
        raise _Refusal(
            403,
            "Server.AccessDenied",
            _("El cliente %(client)s no tiene permiso para usar el servicio %(service)s.")
            % {"client": client.identifier, "service": service.identifier},
        )
    if service.personal_data and not subject:
        raise _Refusal(
            400,
            "Client.MissingSubject",
            _(
                "Este servicio entrega datos personales: indique de quién son en la cabecera "
                "X-Ventanilla-Subject (por ejemplo DNI:45678912 o CE:001234567)."
            ),
        )
    if not target.consent_required:
        return ""
    if target.consent_record is None:
        raise _Refusal(
            403,
            "Server.ConsentMissing",
            _(
                "La persona %(subject)s no ha autorizado a %(client)s a consultar %(service)s, "
                "o su autorización venció o fue revocada."
            )
            % {"subject": subject, "client": client.identifier, "service": service.identifier},
        )
    return str(target.consent_record)


def _forward(
    service: Service,
    *,
    method: str,
    path: str,
    query: str,
    body: bytes,
    headers: dict[str, str],
) -> tuple[int, dict[str, str], bytes]:
    """The provider's answer (status, headers to pass on, body), else _Refusal."""
    url = service.url.rstrip("/") + quote(path, safe="/:@!$&'()*+,;=-._~")
    if query:
        url += "?" + query
    timeout = max(0.1, float(service.timeout_seconds))
    deadline = time.monotonic() + timeout
    late = _Refusal(
        504,
        "Server.ServiceTimeout",
        _("%(provider)s no respondió a tiempo (%(seconds)s s). Intente de nuevo en unos minutos.")
        % {"provider": service.subsystem.member.name, "seconds": f"{timeout:g}"},
    )
    failed = _Refusal(
        502,
        "Server.ServiceFailed",
        _("No se pudo obtener una respuesta válida de %(provider)s. Intente de nuevo más tarde.")
        % {"provider": service.subsystem.member.name},
    )
    try:
        response = _POOL.request(
            method,
            url,
            body=body if body or method not in ("GET", "HEAD") else None,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            preload_content=False,
            redirect=False,
        )
    except NewConnectionError:  # refused or unresolvable (urllib3 files it under timeouts)
        raise failed from None
    except Urllib3Timeout:
        raise late from None
    except MaxRetryError as error:
        timed_out = isinstance(error.reason, Urllib3Timeout) and not isinstance(
            error.reason, NewConnectionError
        )
        raise (late if timed_out else failed) from None
    except (HTTPError, OSError):
        raise failed from None
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.stream(65536):
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise failed
            if time.monotonic() > deadline:
                raise late
            chunks.append(chunk)
    except _Refusal:
        response.close()
        raise
    except Urllib3Timeout:
        response.close()
        raise late from None
    except (HTTPError, ProtocolError, OSError):
        response.close()
        raise failed from None
    response.release_conn()
    passed: dict[str, str] = {}
    for name in response.headers:
        if name.lower() not in _HOP_HEADERS:
            passed[name] = ", ".join(response.headers.getlist(name))
    return response.status, passed, b"".join(chunks)


def exchange(
    *,
    client: str,
    authenticated: Subsystem | None,
    service: str,
    method: str = "POST",
    path: str = "",
    query: str = "",
    body: bytes = b"",
    content_type: str = "application/json",
    user_id: str = "",
    subject: str = "",
    issue: str = "",
    x_road_id: str = "",
) -> Exchange:
    """Mediate one request of `client` (its identifier, as the caller claims it) to `service`
    (`PE/GOB/20295613620/padron/personas`) at `path` (`/read`). `authenticated`: the
    subsystem whose API key the caller presented (None for none or a bad one). Protocol errors
    come back as an Exchange with error_type set; nothing is raised for them. Logged always.
    Raises RuntimeError inside transaction.atomic: the log entry must outlive the caller's
    rollback, and the caller must not hold its locks while a provider answers."""
    if connection.in_atomic_block:
        raise RuntimeError("exchange() must not run inside transaction.atomic")
    started = time.monotonic()
    client = _clean_header(client, 300)
    method = (_clean_header(method, 10) or "POST").upper()
    path = path or ""
    user_id = _clean_header(user_id, 200)
    issue = _clean_header(issue, 200)
    subject = _clean_header(subject, 40).upper()
    subject = subject if SUBJECT.match(subject) else ""
    content_type = _clean_header(content_type, 200)
    x_road_id = _clean_header(x_road_id, 64)
    if not _X_ROAD_ID.match(x_road_id):
        x_road_id = str(uuid.uuid4())
    request_hash = request_hash_compute(
        client=client,
        service=service,
        method=method,
        path=path,
        query=query,
        content_type=content_type,
        body=body,
        user_id=user_id,
        subject=subject,
        issue=issue,
        x_road_id=x_road_id,
    )
    consent_record = ""
    with translation.override(settings.LANGUAGE_CODE):
        try:
            if len(body) > MAX_REQUEST_BYTES:
                raise _Refusal(
                    413,
                    "Client.RequestTooLarge",
                    _("La solicitud pesa más de 1 MB, el máximo que acepta el mediador."),
                )
            caller = _authenticate(client, authenticated)
            found = _service(service, path, caller, subject)
            consent_record = _permit(found, caller, subject)
            target = found.service
            forward_headers = {
                "Content-Type": content_type or "application/octet-stream",
                "X-Road-Client": caller.identifier,
                "X-Road-Service": target.identifier,
                "X-Road-Id": x_road_id,
                "X-Road-Request-Hash": request_hash,
            }
            for name, value in (
                ("X-Road-UserId", user_id),
                ("X-Road-Issue", issue),
                ("X-Ventanilla-Subject", subject),
            ):
                if value:
                    forward_headers[name] = value
            # HTTP header values are Latin-1: anything beyond is replaced, never a crash.
            forward_headers = {
                k: v.encode("latin-1", "replace").decode("latin-1")
                for k, v in forward_headers.items()
            }
            status, headers, answer = _forward(
                target, method=method, path=path, query=query, body=body, headers=forward_headers
            )
            result = Exchange(status, headers, answer, x_road_id, request_hash)
            outcome = "ok" if status < 400 else f"Provider.{status}"
        except _Refusal as refusal:
            payload = {"type": refusal.error_type, "message": refusal.message, "detail": x_road_id}
            result = Exchange(
                refusal.status,
                {"Content-Type": JSON_UTF8, "X-Road-Error": refusal.error_type},
                json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                x_road_id,
                request_hash,
                error_type=refusal.error_type,
                error_message=refusal.message,
            )
            outcome = refusal.error_type
    result.headers["X-Road-Id"] = x_road_id
    result.headers["X-Road-Request-Hash"] = request_hash
    entry = message_log_append(
        x_road_id=x_road_id,
        client=client,
        service=service,
        method=method,
        path=path + (f"?{query}" if query else ""),
        user_id=user_id,
        subject=subject,
        issue=issue,
        status=result.status,
        outcome=outcome,
        request_hash=request_hash,
        response_hash=_body_hash(result.body),
        duration_ms=round((time.monotonic() - started) * 1000),
        consent_record=consent_record,
    )
    result.log_seq = entry.seq
    return result
