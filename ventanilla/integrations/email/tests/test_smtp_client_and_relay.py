"""The SMTP client against the fake relay, each a real process talking SMTP, and the relay's
Mailgun-style events posted to a real HTTP endpoint."""

import hashlib
import hmac
import time
import uuid
from typing import Any

import pytest

from ventanilla.integrations.email.client import (
    EmailPermanentError,
    EmailTemporaryError,
    OutgoingEmail,
    SmtpClient,
)
from ventanilla.integrations.email.store import (
    find_record,
    index_count,
    message_content,
    read_index,
    read_raw,
)
from ventanilla.integrations.email.testing import MailRelay
from ventanilla.integrations.fakes import CallbackCollector

KEY = "clave-de-prueba"


def _email(to: str = "rosa@example.pe", **extra: Any) -> OutgoingEmail:
    values: dict[str, Any] = {
        "message_id": f"{uuid.uuid4()}@ventanilla.gob.pe",
        "from_email": "Municipalidad de Miraflores <no-responder@ventanilla.gob.pe>",
        "to": [to],
        "subject": "Notificación de su trámite",
        "text": "Su solicitud fue recibida. Código: ABC-123",
    }
    return OutgoingEmail(**(values | extra))


def _client(relay: MailRelay) -> SmtpClient:
    return SmtpClient(host=relay.host, port=relay.port, timeout=5)


def _wait_events(collector: CallbackCollector, count: int) -> list[Any]:
    deadline = time.monotonic() + 15
    while len(collector.received()) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return collector.received()


def test_sent_email_arrives_with_our_message_id_text_html_copies_and_attachment(mail_relay):
    email = _email(
        html="<p>Su solicitud fue <strong>recibida</strong>.</p>",
        cc=["copia@example.pe"],
        bcc=["oculta@example.pe"],
        reply_to=["mesa@miraflores.gob.pe"],
        attachments=[("constancia.pdf", b"%PDF-1.4 prueba", "application/pdf")],
    )
    with _client(mail_relay) as client:
        reference = client.send(email)

    assert reference == email.message_id
    [received] = mail_relay.wait_for(1)
    assert received["message_id"] == email.message_id
    assert received["subject"] == "Notificación de su trámite"
    assert "Municipalidad de Miraflores" in received["from"]
    assert received["recipients"] == ["rosa@example.pe", "copia@example.pe", "oculta@example.pe"]
    assert "oculta@example.pe" not in received["to"] + received["cc"]
    assert received["text"].strip() == "Su solicitud fue recibida. Código: ABC-123"
    assert "<strong>recibida</strong>" in received["html"]
    assert received["attachments"] == [
        {"name": "constancia.pdf", "content_type": "application/pdf", "size": 15}
    ]


def test_many_emails_go_over_one_connection(mail_relay):
    emails = [_email(to=f"persona{n}@example.pe") for n in range(20)]
    with _client(mail_relay) as client:
        for email in emails:
            client.send(email)

    received = mail_relay.wait_for(20, content=False)
    assert [r["message_id"] for r in received] == [e.message_id for e in emails]
    assert len({r["peer"] for r in received}) == 1


def test_relay_posts_a_signed_delivered_event_per_recipient(mail_relay, collector):
    mail_relay.set_webhook(f"{collector.url}/eventos", key=KEY)
    email = _email(cc=["copia@example.pe"])
    with _client(mail_relay) as client:
        client.send(email)

    assert mail_relay.settle()
    events = _wait_events(collector, 2)
    assert {e["event-data"]["recipient"] for e in events} == {"rosa@example.pe", "copia@example.pe"}
    for event in events:
        signature = event["signature"]
        expected = hmac.new(
            KEY.encode(),
            (signature["timestamp"] + signature["token"]).encode(),
            hashlib.sha256,
        ).hexdigest()
        assert signature["signature"] == expected
        data = event["event-data"]
        assert data["event"] == "delivered"
        assert data["message"]["headers"]["message-id"] == email.message_id
        assert data["delivery-status"]["code"] == 250
    assert collector.paths == ["/eventos", "/eventos"]


def test_bounced_recipient_is_accepted_then_reported_failed_permanently(mail_relay, collector):
    mail_relay.set_webhook(collector.url, key=KEY)
    email = _email(to="rebote.juan@example.pe")
    with _client(mail_relay) as client:
        client.send(email)  # the relay takes it: a bounce comes later

    [event] = _wait_events(collector, 1)
    data = event["event-data"]
    assert data["event"] == "failed"
    assert data["severity"] == "permanent"
    assert data["delivery-status"]["code"] == 550
    assert data["message"]["headers"]["message-id"] == email.message_id
    assert mail_relay.received(content=False)[0]["outcome"] == {"rebote.juan@example.pe": "failed"}


def test_no_webhook_url_means_no_events(mail_relay, collector):
    with _client(mail_relay) as client:
        client.send(_email())
    mail_relay.wait_for(1)
    assert mail_relay.settle()
    assert collector.received() == []


def test_events_are_posted_again_while_the_receiver_answers_5xx(mail_relay, collector):
    collector.status = 503
    mail_relay.set_webhook(collector.url, key=KEY)
    with _client(mail_relay) as client:
        client.send(_email())
    mail_relay.wait_for(1)
    time.sleep(0.3)
    collector.status = 200

    [event] = _wait_events(collector, 1)
    assert event["event-data"]["event"] == "delivered"


def test_smtp_5xx_for_the_recipient_is_a_permanent_error_and_the_connection_goes_on(mail_relay):
    with _client(mail_relay) as client:
        with pytest.raises(EmailPermanentError) as refused:
            client.send(_email(to="rechazo@example.pe"))
        assert "550" in refused.value.reason
        client.send(_email(to="rosa@example.pe"))

    [received] = mail_relay.wait_for(1)
    assert received["recipients"] == ["rosa@example.pe"]


def test_smtp_4xx_is_a_temporary_error(mail_relay):
    with _client(mail_relay) as client, pytest.raises(EmailTemporaryError) as later:
        client.send(_email(to="temporal@example.pe"))
    assert "451" in later.value.reason
    assert mail_relay.received() == []


def test_one_refused_recipient_of_two_does_not_stop_the_other(mail_relay):
    with _client(mail_relay) as client:
        client.send(_email(to="rosa@example.pe", cc=["rechazo@example.pe"]))
    [received] = mail_relay.wait_for(1)
    assert received["recipients"] == ["rosa@example.pe"]


def test_relay_down_is_a_temporary_error_and_the_client_recovers_when_it_returns(mail_relay):
    client = _client(mail_relay)
    try:
        client.send(_email())
        with mail_relay.outage():
            with pytest.raises(EmailTemporaryError) as down:
                client.send(_email(to="durante@example.pe"))
            assert "conectar" in down.value.reason
        client.send(_email(to="despues@example.pe"))
    finally:
        client.close()

    received = mail_relay.wait_for(2)
    assert [r["recipients"] for r in received] == [["rosa@example.pe"], ["despues@example.pe"]]


def test_a_connection_the_relay_dropped_while_idle_is_opened_again_once(mail_relay):
    with _client(mail_relay) as client:
        client.send(_email(to="antes@example.pe"))
        mail_relay.stop()
        mail_relay.start()  # the client's open connection is dead now
        client.send(_email(to="despues@example.pe"))

    received = mail_relay.wait_for(2)
    assert [r["recipients"] for r in received] == [["antes@example.pe"], ["despues@example.pe"]]
    assert received[0]["peer"] != received[1]["peer"]


def test_relay_hanging_up_during_data_is_a_temporary_error(mail_relay):
    mail_relay.set_mode("drop")
    with _client(mail_relay) as client:
        with pytest.raises(EmailTemporaryError):
            client.send(_email())
        mail_relay.set_mode("ok")
        client.send(_email(to="luego@example.pe"))
    [received] = mail_relay.wait_for(1)
    assert received["recipients"] == ["luego@example.pe"]


def test_connection_refused_when_nothing_listens_is_a_temporary_error():
    client = SmtpClient(host="127.0.0.1", port=1, timeout=2)
    with pytest.raises(EmailTemporaryError):
        client.send(_email())


def test_relay_keeps_its_store_across_a_restart_and_reads_it_newest_first(mail_relay):
    first, second = _email(to="uno@example.pe"), _email(to="dos@example.pe", html="<p>dos</p>")
    with _client(mail_relay) as client:
        client.send(first)
        mail_relay.stop()
        mail_relay.start()
        client.send(second)
    mail_relay.wait_for(2)
    assert mail_relay.settle()  # the store's buffer is flushed too

    assert [r["message_id"] for r in mail_relay.received()] == [
        first.message_id,
        second.message_id,
    ]
    assert index_count(mail_relay.store) == 2
    newest = read_index(mail_relay.store, offset=0, limit=1)
    assert [r["message_id"] for r in newest] == [second.message_id]
    assert [r["message_id"] for r in read_index(mail_relay.store, offset=1, limit=5)] == [
        first.message_id
    ]
    record = find_record(mail_relay.store, newest[0]["seq"])
    assert record is not None
    raw = read_raw(mail_relay.store, record)
    assert raw is not None
    assert message_content(raw)["html"].strip() == "<p>dos</p>"
    assert read_raw(mail_relay.store, {"file": "../index.jsonl"}) is None
