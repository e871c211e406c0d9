"""The mediator's requests: refused calls (each logged), forwarding, passing the provider's
answer through, timeouts and failures, and the /r1/ view's HTTP manners.

The provider is a small stdlib HTTP server in a thread of the test process: it echoes what
it received as JSON, and can be slow, fail, drop the connection or answer too much."""

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ventanilla.interop.models import (
    AccessRight,
    ConsentRecord,
    DataAgreement,
    Member,
    MessageLogEntry,
    Service,
    Subsystem,
)
from ventanilla.interop.services.gateway import MAX_REQUEST_BYTES, Exchange, exchange
from ventanilla.interop.services.keys import client_key_create
from ventanilla.interop.services.messagelog import message_log_verify

SUBJECT = "DNI:45678912"
SERVICE = "PE/GOB/20295613620/padron/personas"
OPEN_SERVICE = "PE/GOB/20295613620/padron/ubigeos"
CLIENT = "PE/GOB/20131379944/ventanilla"
OTHER = "PE/GOB/20100000001/ventanilla"


class _Provider(BaseHTTPRequestHandler):
    calls: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _sep, query = self.path.partition("?")
        seen = {
            "method": self.command,
            "path": path,
            "query": query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        type(self).calls.append(seen)
        if "/slow" in path:
            time.sleep(float(query.partition("=")[2] or 2))
        if "/drop" in path:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status = 200
        if "/status/" in path:
            status = int(path.rsplit("/", 1)[1])
        payload = json.dumps({"detail": "no record found"} if status == 404 else seen).encode()
        if "/huge" in path:
            payload = b"x" * (11 * 1024 * 1024)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Provider", "fake")
        self.send_header("Set-Cookie", "tracking=1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _answer


@pytest.fixture(scope="session")
def provider_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def calls() -> list[dict[str, Any]]:
    _Provider.calls.clear()
    return _Provider.calls


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Directory:
    def __init__(self, provider_url: str) -> None:
        reniec = Member.objects.create(
            instance="PE", member_class="GOB", member_code="20295613620", name="RENIEC"
        )
        padron = Subsystem.objects.create(member=reniec, code="padron")
        self.service = Service.objects.create(
            subsystem=padron, code="personas", title="Personas",
            url=f"{provider_url}/data/personas/1.0", timeout_seconds=1.0,
        )  # fmt: skip
        self.open_service = Service.objects.create(
            subsystem=padron, code="ubigeos", title="Ubigeos", personal_data=False,
            url=f"{provider_url}/data/ubigeos/1.0",
        )  # fmt: skip
        mtc = Member.objects.create(
            instance="PE", member_class="GOB", member_code="20131379944", name="MTC"
        )
        self.client = Subsystem.objects.create(member=mtc, code="ventanilla")
        other = Member.objects.create(
            instance="PE", member_class="GOB", member_code="20100000001", name="Otra entidad"
        )
        self.other = Subsystem.objects.create(member=other, code="ventanilla")
        self.access = AccessRight.objects.create(service=self.service, client=self.client)
        AccessRight.objects.create(
            service=self.open_service, client=self.client, consent_required=False
        )
        _key, self.key = client_key_create(subsystem=self.client, actor=None)
        _key, self.other_key = client_key_create(subsystem=self.other, actor=None)
        agreement = DataAgreement.objects.create(
            client=self.client, service=self.service, purpose_key="test", purpose="Licencias"
        )
        now = timezone.now()
        self.consent = ConsentRecord.objects.create(
            agreement=agreement, agreement_revision_hash="h", individual_ref=SUBJECT,
            given_at=now, expires_at=now + timedelta(days=90),
        )  # fmt: skip


@pytest.fixture
def directory(transactional_db, provider_url) -> Directory:
    return Directory(provider_url)


def _call(directory: Directory, **overrides: Any) -> Exchange:
    arguments: dict[str, Any] = {
        "client": CLIENT,
        "authenticated": directory.client,
        "service": SERVICE,
        "path": "/read",
        "body": b'{"query": {"content": {"ID": "45678912"}}}',
        "subject": SUBJECT,
        "user_id": "usuario:gestor.mtc",
        "issue": "MTC-2026-000123",
        "x_road_id": "req-1",
        **overrides,
    }
    return exchange(**arguments)


def _logged(result: Exchange) -> MessageLogEntry:
    entry = MessageLogEntry.objects.get(seq=result.log_seq)
    assert entry.x_road_id == result.x_road_id
    assert entry.request_hash == result.request_hash
    assert entry.status == result.status
    return entry


def _error(result: Exchange, status: int, error_type: str) -> dict[str, Any]:
    assert (result.status, result.error_type) == (status, error_type)
    assert not result.ok
    assert result.headers["X-Road-Error"] == error_type
    assert result.headers["X-Road-Id"] == result.x_road_id
    body = result.json()
    assert body["type"] == error_type
    assert body["detail"] == result.x_road_id
    entry = _logged(result)
    assert entry.outcome == error_type
    return body


# --- refusals, each logged ------------------------------------------------------------------


def test_a_granted_call_is_forwarded_and_its_answer_passed_through(directory, calls):
    result = _call(directory, query="fields=Prenombres")
    assert result.ok
    assert result.status == 200
    assert result.headers["X-Road-Id"] == "req-1"
    assert result.headers["X-Road-Request-Hash"] == result.request_hash
    assert result.headers["X-Provider"] == "fake"
    assert "Set-Cookie" not in result.headers
    (seen,) = calls
    assert result.json() == seen
    assert (seen["method"], seen["path"], seen["query"]) == (
        "POST", "/data/personas/1.0/read", "fields=Prenombres"
    )  # fmt: skip
    assert seen["body"] == '{"query": {"content": {"ID": "45678912"}}}'
    headers = seen["headers"]
    assert headers["x-road-client"] == CLIENT
    assert headers["x-road-id"] == "req-1"
    assert headers["x-road-userid"] == "usuario:gestor.mtc"
    assert headers["x-road-issue"] == "MTC-2026-000123"
    assert headers["x-ventanilla-subject"] == SUBJECT
    assert "authorization" not in headers
    entry = _logged(result)
    assert (entry.outcome, entry.client, entry.service, entry.subject) == (
        "ok", CLIENT, SERVICE, SUBJECT
    )  # fmt: skip
    assert entry.path == "/read?fields=Prenombres"
    assert entry.consent_record == str(directory.consent.record_id)
    assert message_log_verify().ok


def test_a_granted_call_reads_the_directory_once_and_the_log_head_once(directory, calls):
    _call(directory)  # the log's head exists from here on
    with CaptureQueriesContext(connection) as queries:
        result = _call(directory, x_road_id="req-2")
    assert result.ok
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # Service, member, access right and consent in one query; then the head, locked.
    assert len(reads) == 2, reads
    assert "interop_consentrecord" in reads[0]
    assert "interop_accessright" in reads[0]
    assert "interop_messageloghead" in reads[1]
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))
    ]
    assert len(writes) == 2, writes  # the entry, the head
    assert _logged(result).consent_record == str(directory.consent.record_id)


def test_a_revoked_grant_and_a_withdrawn_consent_count_on_the_next_call(directory, calls):
    assert _call(directory).ok
    ConsentRecord.objects.filter(pk=directory.consent.pk).update(
        state=ConsentRecord.State.WITHDRAWN
    )
    assert _call(directory, x_road_id="req-2").error_type == "Server.ConsentMissing"
    ConsentRecord.objects.filter(pk=directory.consent.pk).update(state=ConsentRecord.State.GIVEN)
    assert _call(directory, x_road_id="req-3").ok
    AccessRight.objects.filter(pk=directory.access.pk).delete()
    assert _call(directory, x_road_id="req-4").error_type == "Server.AccessDenied"


def test_odd_characters_in_headers_and_query_are_forwarded_not_a_crash(directory, calls):
    result = _call(directory, user_id="usuario:José – gestor", issue="Trámite ñ", query="q=año")
    assert result.ok
    headers = calls[0]["headers"]
    assert headers["x-road-issue"] == "Trámite ñ"  # Latin-1 passes as it is
    assert headers["x-road-userid"] == "usuario:José ? gestor"  # the dash is not Latin-1
    assert calls[0]["query"] in ("q=a%C3%B1o", "q=año")
    entry = _logged(result)
    assert entry.user_id == "usuario:José – gestor"
    assert entry.issue == "Trámite ñ"


def test_a_call_without_x_road_id_gets_one(directory, calls):
    first, second = _call(directory, x_road_id=""), _call(directory, x_road_id="")
    assert len(first.x_road_id) == 36
    assert first.x_road_id != second.x_road_id
    assert calls[0]["headers"]["x-road-id"] == first.x_road_id
    assert _logged(first).x_road_id == first.x_road_id


def test_the_request_hash_depends_on_the_request(directory, calls):
    one = _call(directory)
    same = _call(directory)
    other = _call(directory, body=b'{"query": {"content": {"ID": "45678913"}}}')
    assert one.request_hash == same.request_hash != other.request_hash
    assert len(one.request_hash) == 88  # base64 of 64 bytes


def test_the_providers_own_errors_pass_through(directory, calls):
    result = _call(directory, path="/status/404")
    assert (result.status, result.error_type) == (404, "")
    assert result.json() == {"detail": "no record found"}
    assert "X-Road-Error" not in result.headers
    assert _logged(result).outcome == "Provider.404"


@pytest.mark.parametrize("client", ["", "PE/GOB/20131379944", "PE/GOB/x/y/z", "PE//1/a"])
def test_a_missing_or_malformed_client_is_refused(directory, calls, client):
    body = _error(
        _call(directory, client=client, authenticated=None), 400, "Client.InvalidClientId"
    )
    assert "X-Road-Client" in body["message"]
    assert not calls


def test_a_call_without_a_key_is_refused(directory, calls):
    body = _error(_call(directory, authenticated=None), 401, "Client.AuthenticationFailed")
    assert "clave de acceso" in body["message"]
    assert not calls


def test_a_spoofed_client_header_is_refused(directory, calls):
    """The key of subsystem B with X-Road-Client naming A."""
    result = _call(directory, authenticated=directory.other)
    body = _error(result, 401, "Client.AuthenticationFailed")
    assert OTHER in body["message"]
    assert CLIENT in body["message"]
    assert _logged(result).client == CLIENT
    assert not calls


@pytest.mark.parametrize(
    "service", ["PE/GOB/20295613620/padron/nada", "PE/GOB/1/x/personas", "no/es/un/servicio/x/y"]
)
def test_an_unknown_service_is_refused(directory, calls, service):
    _error(_call(directory, service=service), 404, "Server.UnknownService")
    assert not calls


def test_a_disabled_service_is_unknown(directory, calls):
    Service.objects.filter(pk=directory.service.pk).update(enabled=False)
    _error(_call(directory), 404, "Server.UnknownService")
    assert not calls


@pytest.mark.parametrize("path", ["/../ubigeos/1.0/read", "/read/../../x", "read"])
def test_a_path_that_climbs_out_of_the_service_is_refused(directory, calls, path):
    _error(_call(directory, path=path), 404, "Server.UnknownService")
    assert not calls


def test_a_call_without_a_grant_is_refused(directory, calls):
    result = _call(directory, client=OTHER, authenticated=directory.other)
    body = _error(result, 403, "Server.AccessDenied")
    assert "no tiene permiso" in body["message"]
    assert not calls


@pytest.mark.parametrize("subject", ["", "45678912", "DNI:123", "RUC:20131379944"])
def test_a_personal_data_call_must_name_the_citizen(directory, calls, subject):
    body = _error(_call(directory, subject=subject), 400, "Client.MissingSubject")
    assert "X-Ventanilla-Subject" in body["message"]
    assert not calls


def test_a_call_without_consent_is_refused(directory, calls):
    body = _error(_call(directory, subject="DNI:11111111"), 403, "Server.ConsentMissing")
    assert "no ha autorizado" in body["message"]
    assert not calls


@pytest.mark.parametrize("how", ["withdrawn", "expired"])
def test_a_withdrawn_or_expired_consent_does_not_count(directory, calls, how):
    record = ConsentRecord.objects.filter(pk=directory.consent.pk)
    if how == "withdrawn":
        record.update(state=ConsentRecord.State.WITHDRAWN, withdrawn_at=timezone.now())
    else:
        record.update(expires_at=timezone.now() - timedelta(seconds=1))
    _error(_call(directory), 403, "Server.ConsentMissing")
    assert not calls


def test_an_access_right_on_a_legal_basis_needs_no_consent(directory, calls):
    AccessRight.objects.filter(pk=directory.access.pk).update(
        consent_required=False, legal_basis="D. Leg. 1246"
    )
    result = _call(directory, subject="DNI:11111111")
    assert result.ok
    assert _logged(result).consent_record == ""


def test_a_service_without_personal_data_needs_no_subject(directory, calls):
    result = _call(directory, service=OPEN_SERVICE, subject="", path="/read")
    assert result.ok
    assert calls[0]["path"] == "/data/ubigeos/1.0/read"


def test_open_instances_need_no_key(directory, calls, settings):
    member = Member.objects.create(
        instance="eGovStack", member_class="GOV", member_code="90000001", name="Consumer"
    )
    consumer = Subsystem.objects.create(member=member, code="consumer")
    AccessRight.objects.create(
        service=directory.open_service, client=consumer, consent_required=False
    )
    settings.INTEROP_OPEN_INSTANCES = ["eGovStack"]
    call = {"client": "eGovStack/GOV/90000001/consumer", "authenticated": None}
    assert _call(directory, service=OPEN_SERVICE, **call).ok
    settings.INTEROP_OPEN_INSTANCES = []
    _error(_call(directory, service=OPEN_SERVICE, **call), 401, "Client.AuthenticationFailed")


def test_a_request_over_1_mb_is_refused(directory, calls):
    body = b"x" * (MAX_REQUEST_BYTES + 1)
    _error(_call(directory, body=body), 413, "Client.RequestTooLarge")
    assert not calls


# --- providers that fail --------------------------------------------------------------------


def test_a_provider_timing_out_gives_504_with_a_clear_message(directory, calls):
    Service.objects.filter(pk=directory.service.pk).update(timeout_seconds=0.3)
    started = time.monotonic()
    result = _call(directory, path="/slow", query="s=2")
    assert time.monotonic() - started < 1.5
    body = _error(result, 504, "Server.ServiceTimeout")
    assert body["message"].startswith("RENIEC no respondió a tiempo (0.3 s)")


def test_a_provider_that_is_down_gives_502(directory, calls):
    port = _closed_port()
    Service.objects.filter(pk=directory.service.pk).update(url=f"http://127.0.0.1:{port}/data")
    body = _error(_call(directory), 502, "Server.ServiceFailed")
    assert "RENIEC" in body["message"]


def test_a_provider_dropping_the_connection_gives_502(directory, calls):
    _error(_call(directory, path="/drop"), 502, "Server.ServiceFailed")
    assert len(calls) == 1


def test_a_provider_answering_over_10_mb_gives_502(directory, calls):
    _error(_call(directory, path="/huge"), 502, "Server.ServiceFailed")


def test_exchange_refuses_to_run_inside_a_transaction(directory):
    with transaction.atomic(), pytest.raises(RuntimeError):
        _call(directory)
    assert not MessageLogEntry.objects.exists()


def test_every_call_refused_or_not_is_one_entry_of_a_whole_chain(directory, calls):
    results = [
        _call(directory),
        _call(directory, authenticated=None),
        _call(directory, subject="DNI:11111111"),
        _call(directory, service="PE/GOB/20295613620/padron/nada"),
        _call(directory, client=""),
    ]
    assert [r.log_seq for r in results] == [1, 2, 3, 4, 5]
    assert MessageLogEntry.objects.count() == 5
    assert message_log_verify().ok


# --- the /r1/ view ----------------------------------------------------------------------------


def _url(path: str = "/read", service: str = SERVICE) -> str:
    return f"/r1/{service}{path}"


def test_the_view_mediates_with_a_bearer_key_and_is_never_cached(directory, calls, client):
    response = client.post(
        _url(),
        data=b'{"query": {"content": {"ID": "45678912"}}}',
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {directory.key}",
            "X-Road-Client": CLIENT,
            "X-Ventanilla-Subject": SUBJECT,
            "X-Road-Id": "from-client",
        },
    )
    assert response.status_code == 200
    assert response["X-Road-Id"] == "from-client"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/json"
    assert "X-Road-Request-Hash" in response
    assert not response.cookies
    assert json.loads(response.content)["headers"]["x-road-client"] == CLIENT


@pytest.mark.parametrize("header", ["X-GovStack-Client", "Information-Mediator-Client"])
def test_the_view_reads_the_other_client_headers_and_x_road_apikey(
    directory, calls, client, header
):
    response = client.get(
        _url("/list", OPEN_SERVICE),
        headers={"Authorization": f"X-Road-ApiKey token={directory.key}", header: CLIENT},
    )
    assert response.status_code == 200
    assert calls[0]["method"] == "GET"
    assert calls[0]["path"] == "/data/ubigeos/1.0/list"


def test_the_view_refuses_a_key_of_another_subsystem(directory, calls, client):
    response = client.post(
        _url(),
        data=b"{}",
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {directory.other_key}",
            "X-Road-Client": CLIENT,
            "X-Ventanilla-Subject": SUBJECT,
        },
    )
    assert response.status_code == 401
    assert response["X-Road-Error"] == "Client.AuthenticationFailed"
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content)["type"] == "Client.AuthenticationFailed"
    assert not calls


def test_the_view_refuses_a_body_over_1_mb_unread(directory, calls, client):
    response = client.post(
        _url(),
        data=b"x" * (MAX_REQUEST_BYTES + 10),
        content_type="application/json",
        headers={"Authorization": f"Bearer {directory.key}", "X-Road-Client": CLIENT},
    )
    assert response.status_code == 413
    assert MessageLogEntry.objects.get().outcome == "Client.RequestTooLarge"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "head", "options"])
def test_the_view_forwards_any_method(directory, calls, client, method):
    response = getattr(client, method)(
        _url("/x", OPEN_SERVICE),
        headers={"Authorization": f"Bearer {directory.key}", "X-Road-Client": CLIENT},
    )
    if method == "options":  # the fake provider has no OPTIONS handler: it answers 501
        assert response.status_code == 501
    else:
        assert response.status_code == 200
        assert calls[0]["method"] == method.upper()
    assert response["Cache-Control"] == "no-store"


def test_the_same_get_twice_reaches_the_provider_twice(directory, calls, client, settings):
    settings.PAGE_CACHE_ENABLED = True
    headers = {"Authorization": f"Bearer {directory.key}", "X-Road-Client": CLIENT}
    first = client.get(_url("/list", OPEN_SERVICE), headers=headers)
    second = client.get(_url("/list", OPEN_SERVICE), headers=headers)
    assert first.status_code == second.status_code == 200
    assert len(calls) == 2
    assert "ETag" not in second
    assert first["X-Road-Id"] != second["X-Road-Id"]


def test_the_view_gives_a_spanish_x_road_error_whatever_the_language_cookie(
    directory, calls, client
):
    client.cookies["lang"] = "en"
    response = client.post(_url(), data=b"{}", content_type="application/json")
    assert response.status_code == 400
    assert "Falta la cabecera X-Road-Client" in json.loads(response.content)["message"]
