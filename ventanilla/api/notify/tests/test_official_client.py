"""GOV.UK Notify's own Python client (notifications-python-client, from PyPI) pointed at
Ventanilla over HTTP, unchanged: everything an institution's existing integration does works,
and the errors it raises carry Notify's status codes and Ventanilla's Spanish messages."""

import io
import time
import uuid
from typing import Any

import pytest
from notifications_python_client import authentication, prepare_upload
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from ventanilla.api.notify.tests.support import Setup, setup_make, template_make
from ventanilla.notifications.models import Channel, Message, MessageAttachment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup() -> Setup:
    return setup_make()


def _client(live_server: Any, raw_key: str) -> NotificationsAPIClient:
    return NotificationsAPIClient(raw_key, base_url=live_server.url, timeout=10)


def _raised(call: Any) -> HTTPError:
    with pytest.raises(HTTPError) as caught:
        call()
    return caught.value


def test_official_client_sends_reads_lists_and_previews(live_server: Any, setup: Setup) -> None:
    client = _client(live_server, setup.test.raw)

    email = client.send_email_notification(
        email_address="rosa@correo.pe",
        template_id=str(setup.email_template.id),
        personalisation={"nombre": "Rosa", "numero": "LIC-1"},
        reference="exp-1",
    )
    assert email["content"]["subject"] == "Su licencia LIC-1 fue aprobada"
    assert email["uri"] == f"{live_server.url}/v2/notifications/{email['id']}"

    sms = client.send_sms_notification(
        phone_number="+51 987 654 321",
        template_id=str(setup.sms_template.id),
        personalisation={"nombre": "Rosa", "fecha": "lunes"},
        reference="exp-2",
    )
    assert sms["content"]["body"] == "Hola Rosa, su cita es el lunes."

    got = client.get_notification_by_id(email["id"])
    assert (got["status"], got["email_address"], got["type"]) == (
        "delivered",
        "rosa@correo.pe",
        "email",
    )

    assert [n["id"] for n in client.get_all_notifications()["notifications"]] == [
        sms["id"],
        email["id"],
    ]
    assert [
        n["id"] for n in client.get_all_notifications(template_type="sms")["notifications"]
    ] == [sms["id"]]
    assert [n["id"] for n in client.get_all_notifications(reference="exp-1")["notifications"]] == [
        email["id"]
    ]
    assert client.get_all_notifications(status="failed")["notifications"] == []

    template = client.get_template(str(setup.email_template.id))
    assert (template["type"], template["version"], template["name"]) == (
        "email",
        1,
        "Licencia aprobada",
    )
    assert client.get_template_version(str(setup.sms_template.id), 1)["body"] == (
        "Hola ((nombre)), su cita es el ((fecha))."
    )
    assert {t["type"] for t in client.get_all_templates()["templates"]} == {"email", "sms"}
    assert [t["name"] for t in client.get_all_templates(template_type="sms")["templates"]] == [
        "Recordatorio"
    ]
    preview = client.post_template_preview(
        str(setup.email_template.id), personalisation={"nombre": "Ana", "numero": "5"}
    )
    assert preview["subject"] == "Su licencia 5 fue aprobada"
    assert preview["body"] == "Hola Ana:\n\nSu licencia 5 está lista."


def test_official_client_iterates_every_page(live_server: Any, setup: Setup) -> None:
    from ventanilla.notifications.services.messages import messages_create_many

    messages_create_many(
        items=[
            {
                "channel": Channel.SMS,
                "recipient": "987654321",
                "institution": setup.institution,
                "api_key": setup.test.row,
                "template": setup.sms_template,
                "personalisation": {"nombre": str(i), "fecha": "hoy"},
            }
            for i in range(255)
        ]
    )
    client = _client(live_server, setup.test.raw)
    seen = [n["id"] for n in client.get_all_notifications_iterator(template_type="sms")]
    assert len(seen) == len(set(seen)) == 255
    assert set(seen) == {str(pk) for pk in Message.objects.values_list("pk", flat=True)}


def test_official_client_sends_a_file_made_by_prepare_upload(
    live_server: Any, setup: Setup
) -> None:
    template = template_make(
        institution=setup.institution,
        channel=Channel.EMAIL,
        subject="Su resolución",
        body="Descargue ((link_to_file)).",
    )
    pdf = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\n"
    sent = _client(live_server, setup.live.raw).send_email_notification(
        email_address="rosa@correo.pe",
        template_id=str(template.id),
        personalisation={
            "link_to_file": prepare_upload(
                io.BytesIO(pdf), filename="resolucion.pdf", retention_period="4 weeks"
            )
        },
    )
    attachment = MessageAttachment.objects.get(message_id=sent["id"])
    assert (attachment.name, attachment.size) == ("resolucion.pdf", len(pdf))
    # A live key's message is queued for the worker, not delivered at once.
    assert Message.objects.get(pk=sent["id"]).key_kind == "normal"


def test_official_client_raises_notifys_errors_with_spanish_messages(
    live_server: Any, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(live_server, setup.live.raw)

    wrong_key = setup.live.raw[:-36] + str(uuid.uuid4())
    error = _raised(lambda: _client(live_server, wrong_key).get_all_notifications())
    assert error.status_code == 403
    assert error.message == [
        {"error": "AuthError", "message": "Token no válido: clave de API no encontrada."}
    ]

    error = _raised(
        lambda: client.send_email_notification(
            email_address="rosa@correo.pe", template_id=str(uuid.uuid4())
        )
    )
    assert error.status_code == 400
    assert error.message == [
        {"error": "BadRequestError", "message": "No se encontró la plantilla."}
    ]

    error = _raised(
        lambda: client.send_email_notification(
            email_address="rosa@correo.pe",
            template_id=str(setup.email_template.id),
            personalisation={"nombre": "Rosa"},
        )
    )
    assert error.status_code == 400
    assert error.message == [
        {"error": "BadRequestError", "message": "Falta personalización: numero"}
    ]

    error = _raised(
        lambda: client.send_sms_notification(
            phone_number="12345",
            template_id=str(setup.sms_template.id),
            personalisation={"nombre": "Rosa", "fecha": "hoy"},
        )
    )
    assert error.status_code == 400
    assert error.message == [
        {
            "error": "ValidationError",
            "message": "phone_number «12345» no es un celular peruano válido: son 9 dígitos "
            "que empiezan con 9 (por ejemplo, 987 654 321).",
        }
    ]

    error = _raised(lambda: client.get_notification_by_id(str(uuid.uuid4())))
    assert error.status_code == 404

    # A client whose clock runs a minute behind.
    monkeypatch.setattr(authentication, "epoch_seconds", lambda: int(time.time()) - 60)
    error = _raised(lambda: client.get_all_templates())
    assert error.status_code == 403
    assert error.message == [
        {
            "error": "AuthError",
            "message": "Error: el reloj de su sistema debe tener una exactitud de 30 segundos.",
        }
    ]
    assert Message.objects.count() == 0
