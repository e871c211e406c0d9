"""The webhook client against the fake receiver in its own process (no Django, no database)."""

import socket
import threading

from ventanilla.integrations.institution_webhook import testing as receiver_testing
from ventanilla.integrations.institution_webhook.client import signature, webhook_post
from ventanilla.integrations.institution_webhook.testing import FakeReceiverProcess

# The fake receiver, in its own process (fixtures shared through this module).
webhook_receiver_process = receiver_testing.webhook_receiver_process
webhook_receiver = receiver_testing.webhook_receiver


def post(receiver: FakeReceiverProcess, *, secret: str | None = None, url: str | None = None):
    return webhook_post(
        url=url or f"{receiver.url}/recibir",
        secret=secret or receiver.secret,
        event="case.submitted",
        delivery_id="6f1c0a52-0000-4000-8000-000000000001",
        body='{"event":"case.submitted","reference":"MTC-2026-000001","nombre":"Peña"}'.encode(),
    )


def test_a_signed_post_is_delivered_and_verified_by_the_receiver(webhook_receiver):
    result = post(webhook_receiver)
    assert result.delivered
    assert result.status == 200
    [got] = webhook_receiver.deliveries()
    assert got["signature_ok"] is True
    assert got["delivery"] == "6f1c0a52-0000-4000-8000-000000000001"
    assert got["body"]["nombre"] == "Peña"


def test_a_wrong_secret_is_refused(webhook_receiver):
    result = post(webhook_receiver, secret="no-es-el-secreto")
    assert not result.delivered
    assert result.status == 401


def test_a_failing_receiver_is_reported_not_raised(webhook_receiver):
    webhook_receiver.fail_next(1)
    failed = post(webhook_receiver)
    assert (failed.delivered, failed.status, failed.error) == (False, 500, "HTTP 500")
    assert post(webhook_receiver).delivered


def test_an_unreachable_or_silent_receiver_is_reported_within_the_timeout():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    refused = webhook_post(
        url=f"http://127.0.0.1:{port}/", secret="k", event="e", delivery_id="d", body=b"{}"
    )
    assert refused.status is None
    assert refused.error

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    stop = threading.Event()
    try:
        result = webhook_post(
            url=f"http://127.0.0.1:{silent.getsockname()[1]}/",
            secret="k",
            event="e",
            delivery_id="d",
            body=b"{}",
            timeout=0.5,
        )
    finally:
        stop.set()
        silent.close()
    assert result.status is None
    assert "0.5" in result.error


def test_only_http_addresses_are_posted_to():
    result = webhook_post(
        url="file:///etc/passwd", secret="k", event="e", delivery_id="d", body=b""
    )
    assert result.status is None
    assert not result.delivered


def test_the_signature_is_an_hmac_of_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert (
        signature(secret="k", body=b"{}", timestamp=1_700_000_000) == f"t=1700000000,v1={expected}"
    )
