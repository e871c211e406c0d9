"""The SMS client against the fake gateway (Infobip SMS API v2), a real process, and the
gateway's delivery reports posted to a real HTTP endpoint."""

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from ventanilla.integrations.fakes import CallbackCollector
from ventanilla.integrations.sms.client import OutgoingSms, SmsClient, SmsTemporaryError
from ventanilla.integrations.sms.store import messages_count, read_messages, sms_parts
from ventanilla.integrations.sms.testing import SmsGateway


def _sms(to: str = "+51987654321", text: str = "Su trámite fue recibido.") -> OutgoingSms:
    return OutgoingSms(message_id=str(uuid.uuid4()), to=to, text=text, sender="GOBPE")


def _client(gateway: SmsGateway, key: str | None = None) -> SmsClient:
    return SmsClient(base_url=gateway.url, api_key=key or gateway.api_key, timeout=5)


def _reports(collector: CallbackCollector, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        results = [r for body in collector.received() for r in body["results"]]
        if len(results) >= count:
            return results
        time.sleep(0.05)
    return [r for body in collector.received() for r in body["results"]]


def test_sent_sms_are_taken_and_reported_delivered_in_batches(sms_gateway, collector):
    messages = [_sms(to=f"+519876{n:05d}") for n in range(1, 151)]
    client = _client(sms_gateway)
    results = client.send_many(messages, notify_url=f"{collector.url}/reportes")
    client.close()

    assert [r.message_id for r in results] == [m.message_id for m in messages]
    assert all(r.accepted for r in results)
    received = sms_gateway.wait_for(150)
    assert received[0]["to"] == "51987600001"
    assert received[0]["text"] == "Su trámite fue recibido."
    assert received[0]["from"] == "GOBPE"
    reports = _reports(collector, 150)
    assert sorted(r["messageId"] for r in reports) == sorted(m.message_id for m in messages)
    assert {r["status"]["groupName"] for r in reports} == {"DELIVERED"}
    assert {r["error"]["permanent"] for r in reports} == {False}
    assert len(collector.received()) >= 2
    assert all(len(body["results"]) <= 100 for body in collector.received())
    assert set(collector.paths) == {"/reportes"}


def test_a_repeated_message_id_is_not_delivered_twice(sms_gateway, collector):
    message = _sms()
    client = _client(sms_gateway)
    first = client.send_many([message], notify_url=collector.url)
    again = client.send_many([message, _sms(to="+51911111111")], notify_url=collector.url)
    client.close()

    assert first[0].accepted
    assert again[0].accepted
    assert sms_gateway.settle()
    received = sms_gateway.received()
    assert [r["messageId"] for r in received].count(message.message_id) == 1
    assert len(received) == 2
    reports = _reports(collector, 2)
    assert [r["messageId"] for r in reports].count(message.message_id) == 1


def test_a_wrong_key_is_refused_as_a_temporary_error(sms_gateway):
    client = _client(sms_gateway, key="otra-clave")
    with pytest.raises(SmsTemporaryError) as refused:
        client.send_many([_sms()], notify_url="")
    assert refused.value.status == 401
    assert sms_gateway.received() == []


def test_more_than_the_rate_in_a_second_is_answered_429_and_nothing_is_taken(sms_gateway):
    sms_gateway.configure(rate=5)
    client = _client(sms_gateway)
    with pytest.raises(SmsTemporaryError) as too_many:
        client.send_many([_sms() for _ in range(6)], notify_url="")
    assert too_many.value.status == 429
    assert sms_gateway.received() == []


def test_an_absent_subscriber_is_taken_then_reported_undeliverable(sms_gateway, collector):
    message = _sms(to="+51987654000")
    [result] = _client(sms_gateway).send_many([message], notify_url=collector.url)
    assert result.accepted

    [report] = _reports(collector, 1)
    assert report["messageId"] == message.message_id
    assert report["status"]["groupName"] == "UNDELIVERABLE"
    assert report["error"]["permanent"] is True


def test_a_refused_number_is_a_permanent_refusal_with_a_reason(sms_gateway, collector):
    refused, fine = _sms(to="+51987654999"), _sms()
    results = _client(sms_gateway).send_many([refused, fine], notify_url=collector.url)

    assert [r.accepted for r in results] == [False, True]
    assert "rechazó" in results[0].reason
    assert sms_gateway.settle()
    assert [r["messageId"] for r in _reports(collector, 1)] == [fine.message_id]


def test_gateway_down_is_a_temporary_error_and_it_remembers_message_ids_after(sms_gateway):
    client = _client(sms_gateway)
    sent = _sms()
    client.send_many([sent], notify_url="")
    with sms_gateway.outage(), pytest.raises(SmsTemporaryError):
        client.send_many([_sms()], notify_url="")
    client.send_many([sent, _sms(to="+51922222222")], notify_url="")
    client.close()

    received = sms_gateway.wait_for(2)
    assert len(received) == 2
    assert received[0]["messageId"] == sent.message_id


def test_nothing_listening_is_a_temporary_error():
    client = SmsClient(base_url="http://127.0.0.1:1", api_key="x", timeout=2)
    with pytest.raises(SmsTemporaryError):
        client.send_many([_sms()], notify_url="")


def test_a_body_that_is_not_the_api_is_answered_400(sms_gateway):
    request = urllib.request.Request(  # noqa: S310 - the fake's http URL
        f"{sms_gateway.url}/sms/2/text/advanced",
        data=json.dumps({"mensajes": []}).encode(),
        headers={"Authorization": f"App {sms_gateway.api_key}"},
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - the fake
    assert error.value.code == 400
    assert "requestError" in json.loads(error.value.read())


def test_the_store_reads_newest_first(sms_gateway):
    messages = [_sms(to=f"+5198765432{n}") for n in range(3)]
    _client(sms_gateway).send_many(messages, notify_url="")
    assert sms_gateway.settle()  # flushes the store too

    assert messages_count(sms_gateway.store) == 3
    newest = read_messages(sms_gateway.store, offset=0, limit=2)
    assert [m["messageId"] for m in newest] == [messages[2].message_id, messages[1].message_id]
    assert [m["messageId"] for m in read_messages(sms_gateway.store, offset=2, limit=2)] == [
        messages[0].message_id
    ]


def test_sms_parts_count_gsm_and_unicode_texts():
    assert sms_parts("a" * 160) == 1
    assert sms_parts("a" * 161) == 2
    assert sms_parts("ñ" * 160) == 1  # ñ is in GSM-7
    assert sms_parts("á" * 70) == 1  # á is not: UCS-2
    assert sms_parts("á" * 71) == 2
