"""POST /v2/notifications/email and /sms: Notify's answer, the message saved for the key's
sender, a test key's message delivered without leaving, files as attachments, and every
refusal in Notify's error shape with nothing saved."""

import base64
import json
from typing import Any

import pytest

from ventanilla.api.notify.tests.support import NotifyClient, Setup, errors, template_make
from ventanilla.audit.models import AuditEvent
from ventanilla.notifications.models import Channel, Message, MessageAttachment

EMAIL = "/v2/notifications/email"
SMS = "/v2/notifications/sms"
PDF = b"%PDF-1.4\n" + b"0" * 1000 + b"\n%%EOF\n"


def _email(notify: Setup, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email_address": "Vecina.Rosa@Correo.pe",
        "template_id": str(notify.email_template.id),
        "personalisation": {"nombre": "Rosa", "numero": "LIC-2026-001"},
        "reference": "expediente-77",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def _sms(notify: Setup, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "phone_number": "987 654 321",
        "template_id": str(notify.sms_template.id),
        "personalisation": {"nombre": "Rosa", "fecha": "12 de marzo"},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def _upload(content: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "file": base64.b64encode(content).decode("ascii"),
        "filename": None,
        "confirm_email_before_download": None,
        "retention_period": None,
        **extra,
    }


def test_send_email_answers_201_in_notify_shape_and_saves_the_message(
    notify: Setup, live_api: NotifyClient
) -> None:
    response = live_api.post(EMAIL, _email(notify))
    assert response.status_code == 201
    sent = response.json()
    message = Message.objects.get()
    assert sent == {
        "id": str(message.id),
        "reference": "expediente-77",
        "content": {
            "body": "Hola Rosa:\n\nSu licencia LIC-2026-001 está lista.",
            "subject": "Su licencia LIC-2026-001 fue aprobada",
            "from_email": sent["content"]["from_email"],
            "one_click_unsubscribe_url": None,
        },
        "uri": f"http://testserver/v2/notifications/{message.id}",
        "template": {
            "id": str(notify.email_template.id),
            "version": 1,
            "uri": f"http://testserver/v2/template/{notify.email_template.id}",
        },
        "scheduled_for": None,
    }
    assert "@" in sent["content"]["from_email"]
    assert "<" not in sent["content"]["from_email"]
    assert message.channel == Channel.EMAIL
    assert message.recipient == "vecina.rosa@correo.pe"
    assert message.sender == notify.sender
    assert message.institution == notify.institution
    assert message.api_key == notify.live.row
    assert message.template == notify.email_template
    assert message.reference == "expediente-77"
    assert message.reply_to == "mesa@miraflores.gob.pe"
    assert message.status in (Message.Status.QUEUED, Message.Status.SENDING)
    assert AuditEvent.objects.filter(action="notifications.message_created").count() == 1


def test_send_sms_answers_201_with_the_text_as_sent(notify: Setup, live_api: NotifyClient) -> None:
    response = live_api.post(SMS, _sms(notify, reference="cita-9"))
    assert response.status_code == 201
    sent = response.json()
    message = Message.objects.get()
    assert set(sent) == {"id", "reference", "content", "uri", "template", "scheduled_for"}
    assert set(sent["content"]) == {"body", "from_number"}
    assert sent["content"]["body"] == "Hola Rosa, su cita es el 12 de marzo."
    assert sent["content"]["from_number"] == "GOBPE"
    assert sent["reference"] == "cita-9"
    assert message.recipient == "+51987654321"
    assert message.channel == Channel.SMS


def test_send_without_reference_answers_null_reference(
    notify: Setup, live_api: NotifyClient
) -> None:
    response = live_api.post(SMS, _sms(notify))
    assert response.status_code == 201
    assert response.json()["reference"] is None


def test_test_key_message_is_delivered_at_once_without_leaving(
    notify: Setup, test_api: NotifyClient
) -> None:
    response = test_api.post(EMAIL, _email(notify))
    assert response.status_code == 201
    message = Message.objects.get()
    assert message.status == Message.Status.DELIVERED
    assert message.key_kind == "test"
    assert message.provider == "test"
    got = test_api.get(f"/v2/notifications/{message.id}").json()
    assert got["status"] == "delivered"
    assert got["completed_at"] is not None


def test_file_in_personalisation_is_attached_to_the_email(
    notify: Setup, live_api: NotifyClient
) -> None:
    template = template_make(
        institution=notify.institution,
        channel=Channel.EMAIL,
        subject="Su resolución",
        body="Adjuntamos ((documento)).",
    )
    response = live_api.post(
        EMAIL,
        _email(
            notify,
            template_id=str(template.id),
            personalisation={
                "documento": _upload(
                    PDF, filename="resolucion-123.pdf", retention_period="26 weeks"
                )
            },
        ),
    )
    assert response.status_code == 201, response.json()
    attachment = MessageAttachment.objects.get()
    assert attachment.name == "resolucion-123.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    assert (
        "«resolucion-123.pdf» (archivo adjunto a este correo)" in response.json()["content"]["body"]
    )


def test_file_without_name_is_named_after_its_placeholder_and_content(
    notify: Setup, live_api: NotifyClient
) -> None:
    template = template_make(
        institution=notify.institution,
        channel=Channel.EMAIL,
        subject="Documento",
        body="((link_to_file))",
    )
    response = live_api.post(
        EMAIL,
        _email(
            notify, template_id=str(template.id), personalisation={"link_to_file": _upload(PDF)}
        ),
    )
    assert response.status_code == 201
    assert MessageAttachment.objects.get().name == "link_to_file.pdf"


def test_file_of_exactly_2_mb_is_accepted_and_one_byte_more_refused(
    notify: Setup, live_api: NotifyClient
) -> None:
    template = template_make(
        institution=notify.institution,
        channel=Channel.EMAIL,
        subject="Documento",
        body="((doc))",
    )
    limit = 2 * 1024 * 1024
    exact = b"%PDF-" + b"1" * (limit - 5)
    ok = live_api.post(
        EMAIL,
        _email(notify, template_id=str(template.id), personalisation={"doc": _upload(exact)}),
    )
    assert ok.status_code == 201
    too_big = live_api.post(
        EMAIL,
        _email(
            notify, template_id=str(template.id), personalisation={"doc": _upload(exact + b"1")}
        ),
    )
    assert too_big.status_code == 400
    assert errors(too_big) == [{"error": "BadRequestError", "message": "El archivo supera 2 MB."}]
    assert Message.objects.count() == 1
    assert MessageAttachment.objects.count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            {"file": "esto no es base64!!"},
            "El archivo de «doc» no está codificado en base64.",
        ),
        (
            {"file": base64.b64encode(b"MZ\x90\x00\xff\xfe").decode(), "filename": "virus.exe"},
            "Tipo de archivo no admitido «virus.exe». Se admiten: .csv, .doc, .docx, .jpeg, "
            ".jpg, .json, .odt, .pdf, .png, .rtf, .txt, .xlsx.",
        ),
        (
            {"file": base64.b64encode(PDF).decode(), "retention_period": "2 years"},
            "Periodo de conservación no admitido «2 years». Se admiten de 1 a 78 semanas "
            "(«26 weeks»).",
        ),
    ],
)
def test_bad_file_is_refused_400_and_nothing_saved(
    notify: Setup, live_api: NotifyClient, upload: dict[str, Any], message: str
) -> None:
    template = template_make(
        institution=notify.institution, channel=Channel.EMAIL, subject="Doc", body="((doc))"
    )
    response = live_api.post(
        EMAIL, _email(notify, template_id=str(template.id), personalisation={"doc": upload})
    )
    assert response.status_code == 400
    assert errors(response) == [{"error": "BadRequestError", "message": message}]
    assert Message.objects.count() == 0


def test_file_in_an_sms_is_refused(notify: Setup, live_api: NotifyClient) -> None:
    response = live_api.post(
        SMS, _sms(notify, personalisation={"nombre": _upload(PDF), "fecha": "hoy"})
    )
    assert response.status_code == 400
    assert errors(response)[0]["message"] == (
        "Solo se pueden enviar archivos por correo electrónico."
    )


def test_every_schema_problem_is_listed_at_once_as_validation_errors(
    notify: Setup, live_api: NotifyClient
) -> None:
    response = live_api.post(
        EMAIL,
        {
            "email_address": "no-es-correo",
            "template_id": "123",
            "personalisation": ["lista"],
            "reference": 7,
        },
    )
    assert response.status_code == 400
    assert errors(response) == [
        {
            "error": "ValidationError",
            "message": "email_address «no-es-correo» no es un correo electrónico válido.",
        },
        {"error": "ValidationError", "message": "template_id no es un UUID válido."},
        {"error": "ValidationError", "message": "personalisation debe ser un objeto JSON."},
        {"error": "ValidationError", "message": "reference debe ser texto."},
    ]
    assert Message.objects.count() == 0


def test_missing_required_fields_are_named(notify: Setup, live_api: NotifyClient) -> None:
    response = live_api.post(SMS, {})
    assert response.status_code == 400
    assert errors(response) == [
        {"error": "ValidationError", "message": "phone_number es obligatorio."},
        {"error": "ValidationError", "message": "template_id es obligatorio."},
    ]


def test_invalid_phone_is_a_validation_error_in_spanish(
    notify: Setup, live_api: NotifyClient
) -> None:
    response = live_api.post(SMS, _sms(notify, phone_number="+44 7900 900123"))
    assert response.status_code == 400
    assert errors(response) == [
        {
            "error": "ValidationError",
            "message": "phone_number «+44 7900 900123» no es un celular peruano válido: son 9 "
            "dígitos que empiezan con 9 (por ejemplo, 987 654 321).",
        }
    ]
    assert Message.objects.count() == 0


def test_unknown_template_is_a_bad_request(notify: Setup, live_api: NotifyClient) -> None:
    response = live_api.post(
        EMAIL, _email(notify, template_id="6b6c2f0c-3f6b-4a51-9f53-5a8a3b9b0c11")
    )
    assert response.status_code == 400
    assert errors(response) == [
        {"error": "BadRequestError", "message": "No se encontró la plantilla."}
    ]


def test_template_of_the_other_channel_is_refused(notify: Setup, live_api: NotifyClient) -> None:
    response = live_api.post(EMAIL, _email(notify, template_id=str(notify.sms_template.id)))
    assert response.status_code == 400
    assert errors(response) == [
        {
            "error": "BadRequestError",
            "message": "Una plantilla de sms no sirve para una notificación de email.",
        }
    ]


def test_archived_template_is_refused(notify: Setup, live_api: NotifyClient) -> None:
    from django.utils import timezone

    notify.email_template.archived_at = timezone.now()
    notify.email_template.save()
    response = live_api.post(EMAIL, _email(notify))
    assert response.status_code == 400
    assert errors(response)[0]["message"] == (
        f"La plantilla {notify.email_template.id} fue eliminada."
    )


def test_missing_personalisation_is_named_and_nothing_saved(
    notify: Setup, live_api: NotifyClient
) -> None:
    response = live_api.post(EMAIL, _email(notify, personalisation={"Nombre": "Rosa"}))
    assert response.status_code == 400
    assert errors(response) == [
        {"error": "BadRequestError", "message": "Falta personalización: numero"}
    ]
    assert Message.objects.count() == 0


def test_sms_too_long_is_refused_with_its_length(notify: Setup, live_api: NotifyClient) -> None:
    response = live_api.post(
        SMS, _sms(notify, personalisation={"nombre": "a" * 1000, "fecha": "x"})
    )
    assert response.status_code == 400
    body = errors(response)
    assert body[0]["error"] == "BadRequestError"
    assert "918" in body[0]["message"]
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        ("{no es json", 400, "Los datos enviados por POST no son JSON válido."),
        ("", 400, "Los datos enviados por POST no son JSON válido."),
        ("[1, 2]", 400, "El cuerpo de la solicitud debe ser un objeto JSON."),
        (b"\xff\xfe", 400, "Los datos enviados por POST no son JSON válido."),
    ],
)
def test_body_that_is_not_a_json_object_is_refused(
    notify: Setup, live_api: NotifyClient, raw: str | bytes, status: int, message: str
) -> None:
    response = live_api.post(EMAIL, raw)
    assert response.status_code == status
    assert errors(response)[0]["message"] == message


def test_scheduled_for_and_bad_sender_ids_are_refused(
    notify: Setup, live_api: NotifyClient
) -> None:
    response = live_api.post(
        EMAIL,
        _email(notify, scheduled_for="2030-01-01 10:00", email_reply_to_id="no-uuid"),
    )
    assert response.status_code == 400
    assert [e["message"] for e in errors(response)] == [
        "email_reply_to_id no es un UUID válido.",
        "scheduled_for no se admite: los avisos se envían en el momento.",
    ]


def test_the_answer_is_utf8_json_never_cached(notify: Setup, live_api: NotifyClient) -> None:
    response = live_api.post(EMAIL, _email(notify))
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert "está" in response.content.decode("utf-8")
    assert json.loads(response.content)["content"]["body"].endswith("está lista.")
