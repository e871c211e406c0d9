"""The demo's mailbox (/demo/buzon/) shows what the fake relay and gateway received (real
processes, their real stores), newest first, a page at a time; an e-mail's HTML only sandboxed."""

import json
import time
import uuid

import pytest

from ventanilla.integrations.email.client import OutgoingEmail, SmtpClient
from ventanilla.integrations.sms.client import OutgoingSms, SmsClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def fakes_dir(tmp_path, settings, mail_relay, sms_gateway):
    """NOTIFICATIONS_FAKES_DIR whose mail/ and sms/ are the running fakes' stores."""
    (tmp_path / "mail").symlink_to(mail_relay.store)
    (tmp_path / "sms").symlink_to(sms_gateway.store)
    settings.NOTIFICATIONS_FAKES_DIR = tmp_path
    settings.NOTIFICATIONS_DEMO_MAILBOX = True
    return tmp_path


def _send_emails(relay, *emails):
    with SmtpClient(host=relay.host, port=relay.port, timeout=5) as client:
        for email in emails:
            client.send(email)
    relay.wait_for(len(emails), content=False)
    assert relay.settle()  # the store's buffer is written out too


def _email(to, subject, **extra):
    return OutgoingEmail(
        message_id=f"{uuid.uuid4()}@ventanilla.gob.pe",
        from_email="Municipalidad de Miraflores <no-responder@ventanilla.gob.pe>",
        to=[to],
        subject=subject,
        text="Texto del aviso.",
        **extra,
    )


@pytest.mark.parametrize(
    "path",
    ["/demo/buzon/", "/demo/buzon/sms/", "/demo/buzon/correo/1/", "/demo/buzon/correo/1/html"],
)
def test_mailbox_does_not_exist_when_the_setting_is_off(client, settings, path):
    settings.NOTIFICATIONS_DEMO_MAILBOX = False
    assert client.get(path).status_code == 404


def test_mailbox_lists_emails_newest_first_with_their_outcome(client, fakes_dir, mail_relay):
    _send_emails(
        mail_relay,
        _email("rosa@example.pe", "Primer aviso"),
        _email("rebote.juan@example.pe", "Segundo aviso"),
    )

    page = client.get("/demo/buzon/").content.decode()

    assert page.index("Segundo aviso") < page.index("Primer aviso")
    assert "rebote.juan@example.pe" in page
    assert "Rebotado" in page
    assert "Entregado" in page
    assert "2 correos." in page


def test_an_email_shows_its_text_and_attachments_and_its_html_only_sandboxed(
    client, fakes_dir, mail_relay
):
    _send_emails(
        mail_relay,
        _email(
            "rosa@example.pe",
            "Constancia",
            html="<p>Hola <b>Rosa</b></p><script>alert(1)</script>",
            attachments=[("constancia.pdf", b"%PDF-1.4", "application/pdf")],
        ),
    )
    [record] = mail_relay.received(content=False)

    detail = client.get(f"/demo/buzon/correo/{record['seq']}/")
    html = client.get(f"/demo/buzon/correo/{record['seq']}/html")

    page = detail.content.decode()
    assert detail.status_code == 200
    assert "Texto del aviso." in page
    assert "constancia.pdf" in page
    assert record["message_id"] in page
    assert "<script>alert(1)</script>" not in page
    assert f'<iframe sandbox src="/demo/buzon/correo/{record["seq"]}/html"' in page
    assert html.status_code == 200
    assert html.content.decode() == "<p>Hola <b>Rosa</b></p><script>alert(1)</script>"
    csp = html["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "sandbox" in csp
    assert "script-src" not in csp
    assert html["X-Frame-Options"] == "SAMEORIGIN"


def test_an_email_without_html_has_no_html_page_and_an_unknown_one_is_404(
    client, fakes_dir, mail_relay
):
    _send_emails(mail_relay, _email("rosa@example.pe", "Solo texto"))
    [record] = mail_relay.received(content=False)

    assert "<iframe" not in client.get(f"/demo/buzon/correo/{record['seq']}/").content.decode()
    assert client.get(f"/demo/buzon/correo/{record['seq']}/html").status_code == 404
    assert client.get("/demo/buzon/correo/999/").status_code == 404


def test_mailbox_lists_sms_newest_first_with_their_outcome(client, fakes_dir, sms_gateway):
    sms = SmsClient(base_url=sms_gateway.url, api_key=sms_gateway.api_key, timeout=5)
    for to, text in (("+51987654321", "Primer SMS"), ("+51987654000", "Segundo SMS")):
        sms.send_many(
            [OutgoingSms(message_id=str(uuid.uuid4()), to=to, text=text, sender="GOBPE")],
            notify_url="",
        )
    sms.close()
    assert sms_gateway.settle()

    page = client.get("/demo/buzon/sms/").content.decode()

    assert page.index("Segundo SMS") < page.index("Primer SMS")
    assert "+51987654000" in page
    assert "No entregado" in page
    assert "Entregado" in page


def test_ten_thousand_emails_are_shown_fifty_a_page_newest_first(client, settings, tmp_path):
    # The store as the relay writes it (index.jsonl), ten thousand lines.
    store = tmp_path / "mail"
    store.mkdir()
    now = time.time()
    with (store / "index.jsonl").open("w") as index:
        for seq in range(1, 10_001):
            record = {
                "seq": seq,
                "message_id": f"{uuid.uuid4()}@ventanilla.gob.pe",
                "from": "no-responder@ventanilla.gob.pe",
                "to": f"persona{seq}@example.pe",
                "cc": "",
                "recipients": [f"persona{seq}@example.pe"],
                "subject": f"Aviso número {seq}",
                "received_at": now + seq,
                "size": 100,
                "peer": "127.0.0.1:1",
                "outcome": {f"persona{seq}@example.pe": "delivered"},
                "file": f"messages/{seq:08d}.eml",
            }
            index.write(json.dumps(record, ensure_ascii=False) + "\n")
    settings.NOTIFICATIONS_FAKES_DIR = tmp_path
    settings.NOTIFICATIONS_DEMO_MAILBOX = True

    first = client.get("/demo/buzon/").content.decode()
    last = client.get("/demo/buzon/?page=200").content.decode()
    odd = client.get("/demo/buzon/?page=abc")

    assert first.count("<tr>") == 51  # the header row and fifty messages
    assert first.index("Aviso número 10000<") < first.index("Aviso número 9951<")
    assert "Aviso número 9950<" not in first
    assert "10000 correos." in first
    assert "Página 1 de 200" in first
    assert "Aviso número 1<" in last
    assert 'rel="next"' not in last
    assert odd.status_code == 200
