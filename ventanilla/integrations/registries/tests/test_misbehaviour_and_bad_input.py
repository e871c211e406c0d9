"""The fakes misbehave on demand (the mediator's timeout and failure paths are tested against
them) and answer bad input with a JSON 4xx, never a 500 or a hang."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from ventanilla.integrations.registries.data import DEMO_CITIZEN_DNI, DEMO_CITIZEN_RUC

from .client import call

READ = {"query": {"content": {"ID": DEMO_CITIZEN_DNI}}}
ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture
def reniec(registry_processes: Any) -> str:
    registry_processes.reset()
    return registry_processes.url("reniec")


def test_slow_mode_answers_after_the_delay_then_behaves(registry_processes, reniec) -> None:
    with registry_processes.misbehaving("reniec", "slow", delay=0.6):
        started = time.monotonic()
        answer = call(reniec, "POST", "data/personas/1.0/read", READ)
        assert time.monotonic() - started >= 0.6
        assert answer.status == 200
    started = time.monotonic()
    assert call(reniec, "POST", "data/personas/1.0/read", READ).status == 200
    assert time.monotonic() - started < 0.5


def test_slow_mode_outlasts_a_short_client_timeout(registry_processes, reniec) -> None:
    with registry_processes.misbehaving("reniec", "slow", delay=2), pytest.raises(TimeoutError):
        call(reniec, "POST", "data/personas/1.0/read", READ, timeout=0.3)


def test_error_mode_answers_500(registry_processes, reniec) -> None:
    with registry_processes.misbehaving("reniec", "error"):
        answer = call(reniec, "POST", "data/personas/1.0/read", READ)
    assert answer.status == 500
    assert call(reniec, "POST", "data/personas/1.0/read", READ).status == 200


def test_garbage_mode_answers_html(registry_processes, reniec) -> None:
    with registry_processes.misbehaving("reniec", "garbage"):
        answer = call(reniec, "POST", "data/personas/1.0/read", READ)
    assert answer.status == 200
    assert answer.content_type.startswith("text/html")


def test_drop_mode_hangs_up(registry_processes, reniec) -> None:
    with (
        registry_processes.misbehaving("reniec", "drop"),
        pytest.raises((http.client.RemoteDisconnected, ConnectionError)),
    ):
        call(reniec, "POST", "data/personas/1.0/read", READ)
    assert call(reniec, "POST", "data/personas/1.0/read", READ).status == 200


def test_an_unknown_mode_is_refused(reniec) -> None:
    answer = call(reniec, "POST", "_fake/mode", {"mode": "explode"})
    assert answer.status == 400
    assert call(reniec, "GET", "_fake/health").json() == {"ok": True, "mode": "ok"}


def test_malformed_json_is_400(reniec) -> None:
    answer = call(reniec, "POST", "data/personas/1.0/read", raw=b'{"query": {"content": ')
    assert answer.status == 400
    assert answer.content_type.startswith("application/json")
    assert answer.json() == {"detail": "El cuerpo de la petición no es JSON válido."}


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        "texto",
        {"query": {"content": {}}},
        {"query": {"content": {"ID": {"anidado": True}}}},
        {"query": "ID"},
    ],
)
def test_bodies_of_the_wrong_shape_are_400(reniec, body) -> None:
    answer = call(reniec, "POST", "data/personas/1.0/read", body)
    assert answer.status == 400
    assert "detail" in answer.json()


def test_a_huge_body_is_413_without_reading_it(reniec) -> None:
    parts = urlsplit(reniec)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.putrequest("POST", "/data/personas/1.0/read")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(50 * 1024 * 1024))
        connection.endheaders()
        connection.send(b"{" + b" " * 1000)
        response = connection.getresponse()
        assert response.status == 413
        assert response.headers["Content-Type"].startswith("application/json")
        assert "detail" in response.read().decode()
    finally:
        connection.close()
    assert call(reniec, "POST", "data/personas/1.0/read", READ).status == 200


def test_a_chunked_body_is_read(reniec) -> None:
    parts = urlsplit(reniec)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        body = iter([b'{"query": {"content": ', f'{{"ID": "{DEMO_CITIZEN_DNI}"}}}}}}'.encode()])
        connection.request(
            "POST",
            "/data/personas/1.0/read",
            body=body,
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        assert response.status == 200
        assert DEMO_CITIZEN_DNI in response.read().decode()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "data/inexistente/1.0", 404),
        ("POST", "data/inexistente/1.0/read", 404),
        ("GET", "data/personas/9.9", 404),
        ("GET", "databases", 404),  # only the reference registry has database schemas
        ("GET", "otra/cosa", 404),
        ("GET", "data/personas/1.0/read", 405),
        ("DELETE", "data/personas/1.0", 405),
        ("GET", f"data/personas/1.0/{DEMO_CITIZEN_DNI}/read-value/Prenombres.xml", 400),
        ("GET", f"data/personas/1.0/{DEMO_CITIZEN_DNI}/read-value/Color.json", 404),
        ("GET", "data/personas/1.0?page=x", 400),
        ("GET", "data/personas/1.0?pageSize=1000000", 400),
    ],
)
def test_unknown_registries_paths_and_methods_answer_json(reniec, method, path, status) -> None:
    answer = call(reniec, method, path)
    assert answer.status == status
    assert answer.content_type.startswith("application/json")
    assert "detail" in answer.json()


def test_reseed_undoes_writes(registry_processes) -> None:
    url = registry_processes.url("sunat")
    body = {
        "query": {"content": {"ID": DEMO_CITIZEN_RUC}},
        "write": {"content": {"Condicion": "NO HABIDO"}},
    }
    assert call(url, "PUT", "data/contribuyentes/1.0/update", body).status == 200
    read = {"query": {"content": {"ID": DEMO_CITIZEN_RUC}}}
    assert (
        call(url, "POST", "data/contribuyentes/1.0/read", read).json()["content"]["Condicion"]
        == "NO HABIDO"
    )
    assert call(url, "DELETE", f"data/contribuyentes/1.0/{DEMO_CITIZEN_RUC}/delete").status == 204
    assert call(url, "POST", "data/contribuyentes/1.0/read", read).status == 404
    registry_processes.reset()
    assert (
        call(url, "POST", "data/contribuyentes/1.0/read", read).json()["content"]["Condicion"]
        == "HABIDO"
    )


def test_every_registry_process_starts_and_names_its_url(registry_processes) -> None:
    for name in ("reniec", "migraciones", "sunat", "sunarp", "mtc", "govstack"):
        url = registry_processes.url(name)
        assert url.startswith("http://127.0.0.1:")
        assert call(url, "GET", "").json()["registry"] == name
    with pytest.raises(KeyError):
        registry_processes.url("sunedu")


def test_the_management_command_serves_a_registry() -> None:
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "registry_fake",
            "--registry",
            "mtc",
            "--port",
            "0",
            "--quiet",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode().strip()
        if not first:  # died before serving: say why
            process.wait(timeout=10)
            pytest.fail(process.stderr.read().decode() if process.stderr else "no output")
        assert first.startswith("Registro simulado mtc escuchando en http://"), first
        url = first.rsplit(" ", 1)[-1]
        assert call(url, "GET", "_fake/health").json() == {"ok": True, "mode": "ok"}
    finally:
        process.terminate()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_the_process_starts_in_under_a_second() -> None:
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ventanilla.integrations.registries.fake",
            "--registry",
            "reniec",
            "--port",
            "0",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        url = first.strip().rsplit(" ", 1)[-1]
        # Startup is done when the seed is served: the first read answers.
        assert call(url, "POST", "data/personas/1.0/read", READ).status == 200
        # Generous for a loaded CI machine; locally it is about 0.3 s.
        assert time.monotonic() - started < 2.0
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
