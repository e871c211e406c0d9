"""The demo's server (demo_serve → runserver with ventanilla.core.devserver) lets `api_key`
reach the API; Django's stock runserver would drop it."""

import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.servers import basehttp
from django.core.servers.basehttp import get_internal_wsgi_application

from ventanilla.core.devserver import Server, runserver_command
from ventanilla.notifications.models import SendRequest

from .conftest import KEY, SINGLE_BODY, RawClient


def _serve(server_cls: type[basehttp.WSGIServer]) -> Iterator[RawClient]:
    # What django.core.servers.basehttp.run() builds for `runserver` with threading on.
    httpd_cls: Any = type("WSGIServer", (socketserver.ThreadingMixIn, server_cls), {})
    httpd = httpd_cls(("127.0.0.1", 0), basehttp.WSGIRequestHandler, ipv6=False)
    httpd.daemon_threads = True
    httpd.set_app(get_internal_wsgi_application())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield RawClient(f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def demo_runserver(reference: Any, settings: Any) -> Iterator[RawClient]:
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    yield from _serve(runserver_command().server_cls)


@pytest.fixture
def stock_runserver(reference: Any, settings: Any) -> Iterator[RawClient]:
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    yield from _serve(basehttp.WSGIServer)


def test_demo_runserver_passes_the_api_key_header(demo_runserver: RawClient) -> None:
    assert runserver_command().server_cls is Server
    answer = demo_runserver.call(
        "POST", "send/email/single", headers={"api_key": KEY}, body=SINGLE_BODY
    )
    assert answer.status == 200, answer.body
    assert SendRequest.objects.filter(uid=answer.json()["requestUID"]).exists()


def test_demo_runserver_still_drops_other_underscore_headers(demo_runserver: RawClient) -> None:
    # X_Forwarded_Proto must not pass for X-Forwarded-Proto; only api_key is let through.
    answer = demo_runserver.call(
        "GET", "status/email?status[]=scheduled", headers={"api_key": KEY, "request_uid": "x"}
    )
    assert answer.status == 405
    assert "requestUID" in answer.json()["localizedMessage"]


def test_stock_runserver_would_drop_the_api_key_header(stock_runserver: RawClient) -> None:
    answer = stock_runserver.call(
        "POST", "send/email/single", headers={"api_key": KEY}, body=SINGLE_BODY
    )
    assert answer.status == 405
    assert "api_key" in answer.json()["localizedMessage"]
