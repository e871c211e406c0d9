"""What GovStack's reference clients of the Messaging API do, replayed over real HTTP against
the live server with the `api_key` header (../shared/govstack/messaging/fixtures.json)."""

import base64
import json
from typing import Any

import pytest

from ventanilla.audit.models import AuditEvent
from ventanilla.notifications.models import ClientCallback, Message, SendRequest
from ventanilla.notifications.selectors.govstack import STATUSES

from .conftest import (
    BATCH_BODY,
    BATCH_KEY,
    CALLBACK_BODY,
    FIXTURES,
    KEY,
    SINGLE_BODY,
    UNKNOWN_KEY,
    RawClient,
)

ALL_STATUSES = ["scheduled", "processing", "deferred", "bounced", "not sent", "delivered"]
JSON = "application/json"


def _sent(api: RawClient, path: str = "send/email/single", body: Any = None) -> str:
    answer = api.call("POST", path, headers={"api_key": KEY}, body=body or SINGLE_BODY)
    assert answer.status == 200, answer.body
    return str(answer.json()["requestUID"])


def _status_query(names: list[str], parameter: str = "status[]") -> str:
    from urllib.parse import urlencode

    return "status/email?" + urlencode([(parameter, n) for n in names])


def test_single_email_with_the_reference_body_is_accepted_and_queued(api: RawClient) -> None:
    answer = api.call("POST", "send/email/single", headers={"api_key": KEY}, body=SINGLE_BODY)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith(JSON)
    data = answer.json()
    assert data["response"].startswith("Request successfully accepted")
    assert data["requestUID"]
    assert data["requestUid"] == data["requestUID"]
    request = SendRequest.objects.get(uid=data["requestUID"])
    assert request.callback_uri == SINGLE_BODY["callback"]["URI"]
    [message] = Message.objects.filter(request=request)
    assert message.channel == "email"
    assert message.recipient == "customer@example.com"
    assert message.copies == {
        "cc": ["customer-cc@example.com"],
        "bcc": ["customer-bcc@example.com"],
    }
    assert message.subject == "Example Title Of An Email"
    assert message.body.startswith("Example Customer")
    assert request.sender == message.sender
    assert message.reference == request.uid
    assert request.api_key is not None
    assert request.api_key.sender_id == request.sender_id


def test_both_send_paths_accept_both_recipient_forms(api: RawClient) -> None:
    forms = [
        (SINGLE_BODY, ["customer@example.com"]),
        (BATCH_BODY, ["customer@example.com", "dear-customer@example.com"]),
    ]
    for path in ("send/email/single", "send/email/batch"):
        for body, recipients in forms:
            uid = _sent(api, path, body)
            sent = Message.objects.filter(request__uid=uid).order_by("recipient")
            assert [m.recipient for m in sent] == recipients, path


def test_batch_recipients_decode_to_the_fixture_list(api: RawClient) -> None:
    encoded = FIXTURES["requestBodies"]["batchRecipientInfo"]["batchEmailAsBase64"]
    assert (
        json.loads(base64.b64decode(encoded))
        == FIXTURES["requestBodies"]["batchEmailAsBase64Decoded"]
    )
    answer = api.call("POST", "send/email/batch", headers={"api_key": BATCH_KEY}, body=BATCH_BODY)
    assert answer.status == 200
    first = Message.objects.get(request__uid=answer.json()["requestUID"], recipient__startswith="c")
    assert first.copies["cc"] == ["customer-cc@example.com"]


def test_the_spec_header_apikey_works_as_well(api: RawClient) -> None:
    answer = api.call("POST", "send/email/single", headers={"apiKey": KEY}, body=SINGLE_BODY)
    assert answer.status == 200
    assert SendRequest.objects.filter(uid=answer.json()["requestUID"]).exists()


def test_the_same_send_twice_is_accepted_twice(api: RawClient) -> None:
    first, second = _sent(api), _sent(api)
    assert first != second
    assert Message.objects.filter(request__uid__in=[first, second]).count() == 2


ALLOW_CASES = [
    ("GET", "send/email/single", KEY, "POST"),
    ("DELETE", "send/email/single", KEY, "POST"),
    ("PUT", "send/email/single", KEY, "POST"),
    ("GET", "send/email/batch", UNKNOWN_KEY, "POST"),
    ("DELETE", "send/email/batch", UNKNOWN_KEY, "POST"),
    ("PUT", "send/email/batch", UNKNOWN_KEY, "POST"),
    ("POST", "status/email", KEY, "GET"),
    ("PUT", "status/email", KEY, "GET"),
    ("GET", "callback/email", KEY, "POST"),
    ("PUT", "callback/email", KEY, "POST"),
]


def test_every_wrong_method_answers_405_with_allow_before_the_key_is_checked(
    api: RawClient,
) -> None:
    uid = _sent(api)
    for method, path, key, allow in ALLOW_CASES:
        answer = api.call(
            method, path, headers={"api_key": key, "requestUID": uid}, body=SINGLE_BODY
        )
        assert (method, path, answer.status) == (method, path, 405)
        assert answer.headers["allow"] == allow
        assert answer.headers["content-type"].startswith(JSON)
        assert answer.json()["localizedMessage"]
    assert Message.objects.count() == 1


SEND_REFUSALS = [
    ("send/email/single", {}, SINGLE_BODY),  # no api_key
    ("send/email/single", {"api_key": KEY}, None),  # no body
    ("send/email/single", {}, None),  # neither
    ("send/email/single", {"api_key": "not-a-key"}, SINGLE_BODY),
    ("send/email/batch", {"api_key": BATCH_KEY}, {}),
    ("send/email/batch", {"api_key": BATCH_KEY}, {"emailContent": {"title": "x"}}),
    ("send/email/batch", {"api_key": BATCH_KEY}, "[1, 2]"),
    ("send/email/batch", {"api_key": BATCH_KEY}, "{not json"),
]


def test_a_send_without_key_or_body_answers_405_and_saves_nothing(api: RawClient) -> None:
    for path, headers, body in SEND_REFUSALS:
        if isinstance(body, str):
            answer = api.call("POST", path, headers=headers, raw=body.encode())
        else:
            answer = api.call("POST", path, headers=headers, body=body)
        assert (path, headers, body, answer.status) == (path, headers, body, 405)
        assert answer.headers["allow"] == "POST"
        assert answer.headers["content-type"].startswith(JSON)
    assert not SendRequest.objects.filter(seeded_counts__isnull=True).exists()
    assert not Message.objects.exists()


def test_a_batch_with_one_bad_address_answers_405_and_sends_none(api: RawClient) -> None:
    entries = [
        {"recipientInfo": {"email": "bien@example.com"}},
        {"recipientInfo": {"email": "no es un correo"}},
    ]
    body = {
        **SINGLE_BODY,
        "recipientInfo": {
            "batchEmailAsBase64": base64.b64encode(json.dumps(entries).encode()).decode()
        },
    }
    answer = api.call("POST", "send/email/batch", headers={"api_key": BATCH_KEY}, body=body)
    assert answer.status == 405
    assert "Destinatario 2" in answer.json()["localizedMessage"]
    assert not Message.objects.exists()
    assert not SendRequest.objects.filter(seeded_counts__isnull=True).exists()


def test_status_echoes_each_name_as_spelled_with_integer_counts(api: RawClient) -> None:
    uid = _sent(api, "send/email/batch", BATCH_BODY)
    for not_sent in ("not sent", "not_sent", "notSent"):
        names = ["scheduled", "processing", "deferred", "bounced", not_sent, "delivered"]
        answer = api.call("GET", _status_query(names), headers={"api_key": KEY, "requestUID": uid})
        assert answer.status == 200
        assert answer.headers["content-type"].startswith(JSON)
        assert "no-store" in answer.headers["cache-control"]
        data = answer.json()
        assert list(data) == names
        assert all(isinstance(v, int) for v in data.values())
        assert sum(data.values()) == 2


def test_status_answers_exactly_the_statuses_asked(api: RawClient) -> None:
    uid = _sent(api)
    for names in (["scheduled"], ["processing", "deferred", "bounced"], ["not sent", "delivered"]):
        answer = api.call("GET", _status_query(names), headers={"api_key": KEY, "requestUID": uid})
        assert answer.status == 200
        assert sorted(answer.json()) == sorted(names)


def test_status_accepts_the_parameter_without_brackets(api: RawClient) -> None:
    uid = _sent(api)
    answer = api.call(
        "GET",
        _status_query(["scheduled", "not_sent"], "status"),
        headers={"api_key": KEY, "requestUID": uid},
    )
    assert answer.status == 200
    assert set(answer.json()) == {"scheduled", "not_sent"}


def test_status_maps_every_message_status(api: RawClient) -> None:
    """created → scheduled (deferred after a failed attempt), sending → processing, delivered,
    permanent-failure → bounced, temporary/technical-failure → notSent."""
    body = {
        **SINGLE_BODY,
        "recipientInfo": {
            "batchEmailAsBase64": base64.b64encode(
                json.dumps(
                    [{"recipientInfo": {"email": f"r{n}@example.com"}} for n in range(7)]
                ).encode()
            ).decode()
        },
    }
    uid = _sent(api, "send/email/batch", body)
    fates = [
        ("created", 0),
        ("created", 2),
        ("sending", 1),
        ("delivered", 1),
        ("permanent-failure", 1),
        ("temporary-failure", 1),
        ("technical-failure", 3),
    ]
    for message, (status, attempts) in zip(
        Message.objects.filter(request__uid=uid).order_by("recipient"), fates, strict=True
    ):
        Message.objects.filter(pk=message.pk).update(status=status, attempts=attempts)
    answer = api.call(
        "GET", _status_query(list(STATUSES)), headers={"api_key": KEY, "requestUID": uid}
    )
    assert answer.json() == {
        "scheduled": 1,
        "processing": 1,
        "deferred": 1,
        "bounced": 1,
        "notSent": 2,
        "delivered": 1,
    }


def test_seeded_requests_answer_their_example_counts(api: RawClient) -> None:
    names = ["scheduled", "processing", "deferred", "bounced", "not_sent", "delivered"]
    for seeded in FIXTURES["seededRequests"]["email"]:
        headers = {"api_key": KEY, "requestUID": seeded["RequestID"]}
        answer = api.call("GET", _status_query(names), headers=headers)
        assert answer.status == 200
        assert answer.json() == seeded["status"]
        spelled = api.call("GET", _status_query(["not sent", "notSent"]), headers=headers)
        expected = seeded["status"]["not_sent"]
        assert spelled.json() == {"not sent": expected, "notSent": expected}


STATUS_REFUSALS: list[tuple[dict[str, str], list[str]]] = [
    ({"requestUID": "UID"}, ALL_STATUSES),  # no api_key
    ({"api_key": KEY}, ALL_STATUSES),  # no requestUID
    ({"api_key": KEY, "requestUID": "UID"}, []),  # no status
    ({"api_key": KEY, "requestUID": "UID"}, [""]),  # an empty status
    ({}, []),  # nothing
    ({"api_key": KEY, "requestUID": "nope-nope"}, ALL_STATUSES),  # unknown request
    ({"api_key": KEY, "requestUID": "UID"}, ["lost"]),  # no such status
]


def test_status_refusals_answer_405(api: RawClient) -> None:
    uid = _sent(api)
    for headers, query in STATUS_REFUSALS:
        sent = {k: uid if v == "UID" else v for k, v in headers.items()}
        answer = api.call("GET", _status_query(query), headers=sent)
        assert (headers, query, answer.status) == (headers, query, 405)
        assert answer.headers["allow"] == "GET"
        assert answer.headers["content-type"].startswith(JSON)


@pytest.mark.parametrize("path", ["send/email/single", "send/email/batch"])
def test_callback_for_an_issued_request_is_stored(api: RawClient, path: str) -> None:
    uid = _sent(api, path)
    answer = api.call(
        "POST", "callback/email", headers={"api_key": KEY, "requestUID": uid}, body=CALLBACK_BODY
    )
    assert answer.status == 200
    assert answer.headers["content-type"].startswith(JSON)
    assert answer.json()["requestUID"] == uid
    stored = ClientCallback.objects.get(request__uid=uid)
    assert (stored.meta, stored.content) == (CALLBACK_BODY["meta"], CALLBACK_BODY["content"])
    assert AuditEvent.objects.filter(action="notifications.govstack_callback_received").count() == 1


CALLBACK_REFUSALS: list[tuple[dict[str, str], Any]] = [
    ({"requestUID": "UID"}, CALLBACK_BODY),  # no api_key
    ({"api_key": KEY}, CALLBACK_BODY),  # no requestUID
    ({"api_key": KEY, "requestUID": "UID"}, None),  # no body
    ({"api_key": KEY, "requestUID": "UID"}, {}),  # empty body
    ({"api_key": KEY, "requestUID": "not-issued"}, CALLBACK_BODY),
]


def test_callback_refusals_answer_405_json_and_store_nothing(api: RawClient) -> None:
    uid = _sent(api)
    for headers, body in CALLBACK_REFUSALS:
        sent = {k: uid if v == "UID" else v for k, v in headers.items()}
        answer = api.call("POST", "callback/email", headers=sent, body=body)
        assert (headers, answer.status) == (headers, 405)
        assert answer.headers["allow"] == "POST"
        assert answer.headers["content-type"].startswith(JSON)
    assert not ClientCallback.objects.exists()


def test_paths_answer_with_a_trailing_slash_too(api: RawClient) -> None:
    answer = api.call("POST", "send/email/single/", headers={"api_key": KEY}, body=SINGLE_BODY)
    assert answer.status == 200


def test_sent_emails_reach_the_relay_and_status_follows_its_reports(
    api: RawClient, live_server: Any, mail_relay: Any, settings: Any
) -> None:
    settings.NOTIFICATIONS_SMTP_HOST = mail_relay.host
    settings.NOTIFICATIONS_SMTP_PORT = mail_relay.port
    mail_relay.set_webhook(
        f"{live_server.url}/notificaciones/proveedores/correo/eventos",
        key=settings.NOTIFICATIONS_EMAIL_WEBHOOK_KEY,
    )
    uid = _sent(api, "send/email/batch", BATCH_BODY)
    received = mail_relay.wait_for(2)
    assert sorted(r["recipients"][0] for r in received) == [
        "customer@example.com",
        "dear-customer@example.com",
    ]
    first = next(r for r in received if r["recipients"][0] == "customer@example.com")
    assert set(first["recipients"]) == {
        "customer@example.com",
        "customer-cc@example.com",
        "customer-bcc@example.com",
    }
    assert first["subject"] == "Example Title Of An Email"
    assert mail_relay.settle()
    answer = api.call(
        "GET", _status_query(["delivered", "not sent"]), headers={"api_key": KEY, "requestUID": uid}
    )
    assert answer.json() == {"delivered": 2, "not sent": 0}
