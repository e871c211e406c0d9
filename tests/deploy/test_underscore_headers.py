"""GovStack Messaging clients send their key as `api_key` (an underscore): through the deployed
stack — nginx (deploy/nginx/ventanilla.conf, rendered standalone) in front of gunicorn
(deploy/gunicorn.conf.py) — it reaches the WSGI application as HTTP_API_KEY, straight to gunicorn
from the trusted proxy address as well, while other underscore headers (`X_Forwarded_Proto`,
`SCRIPT_NAME`) still never pose as the proxy's own.

The application here is a stand-in that answers its WSGI environ (tests/deploy/header_echo.py);
ventanilla/api/govstack_messaging/tests show what Django does with HTTP_API_KEY. Like the cache
check, it needs nginx and Debian's cache-purge module: skipped without root, failing with root."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, json.loads(body) if response.status == 200 else {}
    finally:
        connection.close()


def _wait(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    for _ in range(100):
        try:
            _get(port, "/api/echo", {})
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"{what} did not start")
            time.sleep(0.1)
    pytest.fail(f"{what} did not answer")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[int, int]]:
    """(nginx port, gunicorn port), both running the deploy configuration."""
    nginx = shutil.which("nginx", path=SEARCH_PATH)
    if not (nginx and PURGE_MODULE.exists()):
        if os.geteuid() != 0:
            pytest.skip("nginx or libnginx-mod-http-cache-purge missing: run as root")
        pytest.fail("nginx or its purge module is missing: run deploy/scripts/ensure-nginx.sh")
    work = Path(tempfile.mkdtemp(prefix="ventanilla-underscore-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    app_port, nginx_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",  # post_fork closes Django's connections
        "GUNICORN_BIND": f"{HOST}:{app_port}",
        "GUNICORN_WORKERS": "1",
    }
    app = subprocess.Popen(
        [
            str(GUNICORN),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "tests.deploy.header_echo:application",
        ],
        cwd=ROOT,
        env=env,
    )
    proxy = None
    try:
        _wait(app_port, app, "gunicorn")
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "deploy" / "render_nginx.py"),
                "--standalone",
                str(work),
                "--listen",
                f"{HOST}:{nginx_port}",
                "--upstream",
                f"{HOST}:{app_port}",
                "--cache-dir",
                str(work / "cache"),
                "--static-root",
                str(work / "static"),
                "--workers",
                "1",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        proxy = subprocess.Popen([nginx, "-c", str(work / "nginx.conf"), "-p", str(work)])
        _wait(nginx_port, proxy, "nginx")
        yield nginx_port, app_port
    finally:
        if proxy is not None:
            _stop(proxy)
        _stop(app)
        shutil.rmtree(work, ignore_errors=True)


def test_api_key_with_an_underscore_reaches_the_application_through_nginx_and_gunicorn(
    stack: tuple[int, int],
) -> None:
    nginx_port, _app_port = stack
    status, environ = _get(nginx_port, "/api/echo", {"api_key": "abcdef12345"})
    assert status == 200
    assert environ["HTTP_API_KEY"] == "abcdef12345"


def test_api_key_reaches_the_application_straight_from_gunicorn_on_the_proxy_address(
    stack: tuple[int, int],
) -> None:
    _nginx_port, app_port = stack
    status, environ = _get(app_port, "/api/echo", {"api_key": "abcdef12345"})
    assert status == 200
    assert environ["HTTP_API_KEY"] == "abcdef12345"


def test_other_underscore_headers_never_pose_as_the_proxys_own(stack: tuple[int, int]) -> None:
    nginx_port, _app_port = stack
    status, environ = _get(
        nginx_port,
        "/api/echo",
        {"X_Forwarded_Proto": "https", "SCRIPT_NAME": "/elsewhere", "X_Forwarded_For": "10.9.9.9"},
    )
    assert status == 200
    assert environ["wsgi.url_scheme"] == "http"
    assert environ.get("SCRIPT_NAME", "") == ""
    assert "10.9.9.9" not in environ.get("HTTP_X_FORWARDED_FOR", "")
    assert environ["HTTP_X_FORWARDED_PROTO"] == "http"  # nginx's own, not the client's
