"""Delivery through the real fake mail relay and SMS gateway (their own processes), and the
providers' reports coming back to our callback endpoints (a live server)."""

import hashlib
import hmac
import json
import time

import pytest
from django.urls import reverse

from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.models import Message
from ventanilla.notifications.services import delivery
from ventanilla.notifications.services.messages import message_create, messages_create_many

EVENTS_PATH = "/notificaciones/proveedores/correo/eventos"


@pytest.fixture
def relay(mail_relay, settings, live_server):
    settings.NOTIFICATIONS_SMTP_HOST = mail_relay.host
    settings.NOTIFICATIONS_SMTP_PORT = mail_relay.port
    mail_relay.set_webhook(
        f"{live_server.url}{EVENTS_PATH}", key=settings.NOTIFICATIONS_EMAIL_WEBHOOK_KEY
    )
    return mail_relay


@pytest.fixture
def gateway(sms_gateway, settings, live_server):
    settings.NOTIFICATIONS_SMS_URL = sms_gateway.url
    settings.NOTIFICATIONS_SMS_API_KEY = sms_gateway.api_key
    settings.NOTIFICATIONS_CALLBACK_BASE_URL = live_server.url
    return sms_gateway


def statuses(*messages: Message) -> list[str]:
    return [Message.objects.get(pk=m.pk).status for m in messages]


@pytest.mark.django_db(transaction=True)
def test_emails_reach_the_relay_with_our_message_id_and_its_events_end_their_status(
    relay, settings
):
    institution = InstitutionFactory(name="Municipalidad de Miraflores")
    delivered = message_create(
        channel="email",
        recipient="vecina@correo.pe",
        institution=institution,
        subject="Tu trámite",
        body="Hola, tu trámite avanzó.",
    )
    bounced = message_create(
        channel="email",
        recipient="rebote@correo.pe",
        institution=institution,
        subject="Tu trámite",
        body="Hola.",
    )
    refused = message_create(
        channel="email",
        recipient="rechazo@correo.pe",
        institution=institution,
        subject="Tu trámite",
        body="Hola.",
    )
    received = relay.wait_for(2)
    assert relay.settle()
    by_id = {r["message_id"]: r for r in received}
    domain = settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN
    assert set(by_id) == {f"{delivered.pk}@{domain}", f"{bounced.pk}@{domain}"}
    assert by_id[f"{delivered.pk}@{domain}"]["subject"] == "Tu trámite"
    assert "Municipalidad de Miraflores" in by_id[f"{delivered.pk}@{domain}"]["html"]
    assert statuses(delivered, bounced, refused) == [
        "delivered",
        "permanent-failure",
        "permanent-failure",
    ]
    row = Message.objects.get(pk=delivered.pk)
    assert row.provider == "smtp"
    assert row.provider_ref == f"{delivered.pk}@{domain}"
    assert row.sent_at is not None
    assert row.lease_until is None
    assert sorted(row.events.values_list("status", flat=True)) == ["delivered", "sending"]
    assert "rechazado" in Message.objects.get(pk=refused.pk).status_reason


@pytest.mark.django_db(transaction=True)
def test_sms_reach_the_gateway_with_our_message_id_and_its_reports_end_their_status(gateway):
    institution = InstitutionFactory()
    messages = messages_create_many(
        items=[
            {"channel": "sms", "recipient": number, "institution": institution, "body": "Hola"}
            for number in ("987654321", "987654000", "987654999")
        ]
    )
    delivered, absent, rejected = messages
    received = gateway.wait_for(3)
    assert gateway.settle()
    assert {r["messageId"] for r in received} == {str(m.pk) for m in messages}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "sending" in statuses(*messages):
        time.sleep(0.1)  # the live server may still be applying the last report
    assert statuses(delivered, absent, rejected) == [
        "delivered",
        "permanent-failure",
        "permanent-failure",
    ]
    row = Message.objects.get(pk=delivered.pk)
    assert row.provider == "infobip"
    assert row.provider_ref == str(delivered.pk)


@pytest.mark.django_db(transaction=True)
def test_a_relay_that_is_down_delays_emails_until_it_returns_and_sends_each_once(
    mail_relay, settings
):
    settings.NOTIFICATIONS_SMTP_HOST = mail_relay.host
    settings.NOTIFICATIONS_SMTP_PORT = mail_relay.port
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0.05
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 0.2
    settings.NOTIFICATIONS_BATCH_SIZE = 10
    institution = InstitutionFactory()
    items = [
        {
            "channel": "email",
            "recipient": f"vecino{n}@correo.pe",
            "institution": institution,
            "subject": "Aviso",
            "body": f"Mensaje {n}",
        }
        for n in range(25)
    ]
    mail_relay.stop()
    messages = messages_create_many(items=items)  # delivery runs at once and finds it down
    rows = Message.objects.filter(pk__in=[m.pk for m in messages])
    assert set(rows.values_list("status", flat=True)) == {"created"}
    assert all(r.attempts >= 1 and "correo" in r.status_reason for r in rows)
    delivery.deliver(channel="email")  # still down: nothing lost, nothing sent
    mail_relay.start()
    deadline = time.monotonic() + 30
    while rows.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # the retries' next attempts come due
        delivery.deliver(channel="email")
    sent = [r["message_id"] for r in mail_relay.received(content=False)]
    domain = settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN
    assert sorted(sent) == sorted(f"{m.pk}@{domain}" for m in messages)
    assert not rows.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_email_events_with_a_bad_signature_are_refused(client, settings):
    body = {
        "signature": {"timestamp": "1", "token": "t", "signature": "00"},
        "event-data": {"event": "delivered", "message": {"headers": {"message-id": "x@y"}}},
    }
    answer = client.post(EVENTS_PATH, json.dumps(body), content_type="application/json")
    assert answer.status_code == 403
    assert answer.json()["error"] == "La firma del evento no es válida."


def signed(settings, data):
    timestamp, token = str(int(time.time())), "abc123"
    key = settings.NOTIFICATIONS_EMAIL_WEBHOOK_KEY.encode()
    signature = hmac.new(key, (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": data,
    }


@pytest.mark.django_db
def test_a_malformed_email_event_is_a_400_in_spanish(client, settings):
    answer = client.post(EVENTS_PATH, "{no es json", content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"] == "El evento no es un JSON válido."
    answer = client.post(
        EVENTS_PATH, json.dumps(signed(settings, {"event": "delivered"})), "application/json"
    )
    assert answer.status_code == 400
    assert "Message-ID" in answer.json()["error"]


@pytest.mark.django_db
def test_a_signed_failure_event_ends_the_email_and_a_late_delivered_does_not_undo_it(
    client, settings
):
    message = message_create(
        channel="email",
        recipient="vecina@correo.pe",
        institution=None,
        subject="Aviso",
        body="Hola",
    )
    header = f"<{message.pk}@{settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN}>"
    failed = {
        "event": "failed",
        "severity": "permanent",
        "timestamp": time.time(),
        "recipient": "vecina@correo.pe",
        "message": {"headers": {"message-id": header}},
        "delivery-status": {"code": 550, "message": "5.1.1", "description": "No existe el buzón"},
    }
    answer = client.post(EVENTS_PATH, json.dumps(signed(settings, failed)), "application/json")
    assert answer.status_code == 200
    late = {**failed, "event": "delivered"}
    client.post(EVENTS_PATH, json.dumps(signed(settings, late)), "application/json")
    message.refresh_from_db()
    assert message.status == "permanent-failure"
    assert message.status_reason == "550 No existe el buzón"


@pytest.mark.django_db
def test_sms_reports_need_the_secret_path_and_a_results_list(client, settings):
    wrong = reverse("notifications_providers:sms_reports", args=["otro"])
    assert client.post(wrong, "{}", "application/json").status_code == 404
    right = reverse(
        "notifications_providers:sms_reports", args=[settings.NOTIFICATIONS_SMS_CALLBACK_TOKEN]
    )
    answer = client.post(right, json.dumps({"resultados": []}), "application/json")
    assert answer.status_code == 400
    assert "results" in answer.json()["error"]
    assert client.get(right).status_code == 405
