"""message_create: every bad input is refused with a Spanish message and nothing is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.attachments import Attachment
from ventanilla.notifications.models import ApiKey, Message, MessageAttachment, Sender, Template
from ventanilla.notifications.services.messages import (
    message_create,
    message_status_update,
    messages_create_many,
    staff_email,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def institution():
    return InstitutionFactory(name="Municipalidad de Miraflores")


@pytest.fixture
def email_template(institution):
    return Template.objects.create(
        institution=institution,
        channel="email",
        name="Cita confirmada",
        subject="Tu cita del ((fecha))",
        body="Hola ((nombre)), tu cita es el ((fecha)).",
    )


def refused(code: str, **kwargs) -> str:
    before = (
        Message.objects.count(),
        MessageAttachment.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(ValidationError) as caught:
        message_create(**kwargs)
    assert caught.value.code == code
    after = (Message.objects.count(), MessageAttachment.objects.count(), AuditEvent.objects.count())
    assert after == before
    return caught.value.messages[0]


def test_an_invalid_email_address_is_refused_in_spanish(institution):
    text = refused(
        "invalid_email",
        channel="email",
        recipient="vecino@@correo",
        institution=institution,
        subject="Hola",
        body="Texto",
    )
    assert "no es un correo electrónico válido" in text


def test_a_number_that_is_not_a_peruvian_mobile_is_refused(institution):
    text = refused(
        "invalid_phone", channel="sms", recipient="01 4567890", institution=institution, body="Hola"
    )
    assert "no es un celular peruano válido" in text


def test_a_template_of_another_institution_is_unknown(email_template):
    other = InstitutionFactory(name="Gobierno Regional de Cusco")
    text = refused(
        "template_unknown",
        channel="email",
        recipient="vecina@correo.pe",
        institution=other,
        template=email_template,
        personalisation={"nombre": "Ana", "fecha": "lunes"},
    )
    assert "no existe" in text


def test_an_archived_template_is_refused(institution, email_template):
    email_template.archived_at = timezone.now()
    email_template.save()
    text = refused(
        "template_archived",
        channel="email",
        recipient="vecina@correo.pe",
        institution=institution,
        template=email_template,
        personalisation={"nombre": "Ana", "fecha": "lunes"},
    )
    assert "archivada" in text


def test_a_template_of_the_other_channel_is_refused(institution, email_template):
    text = refused(
        "template_channel",
        channel="sms",
        recipient="987654321",
        institution=institution,
        template=email_template,
        personalisation={"nombre": "Ana", "fecha": "lunes"},
    )
    assert "no para SMS" in text


def test_a_missing_placeholder_value_is_named(institution, email_template):
    text = refused(
        "missing_placeholders",
        channel="email",
        recipient="vecina@correo.pe",
        institution=institution,
        template=email_template,
        personalisation={"nombre": "Ana"},
    )
    assert "Falta el valor de ((fecha))" in text


def test_an_sms_longer_than_918_characters_is_refused(institution):
    text = refused(
        "too_long", channel="sms", recipient="987654321", institution=institution, body="a" * 919
    )
    assert "el máximo es 918" in text


def test_a_10_mb_attachment_is_refused(institution):
    big = Attachment(name="resolucion.pdf", content=b"%PDF" + b"0" * (10 * 1024 * 1024))
    text = refused(
        "attachment_too_large",
        channel="email",
        recipient="vecina@correo.pe",
        institution=institution,
        subject="Resolución",
        body="Adjuntamos la resolución.",
        attachments=[big],
    )
    assert "resolucion.pdf" in text
    assert "el máximo es 2 MB" in text


def test_an_empty_message_is_refused(institution):
    refused("empty", channel="sms", recipient="987654321", institution=institution, body="  ")


def test_a_finished_text_without_template_keeps_double_parentheses_as_written(institution):
    message = message_create(
        channel="email",
        recipient="ana@example.com",
        institution=institution,
        subject="Aviso ((interno))",
        body="Escribe ((nombre)) tal cual.",
    )
    assert message.subject == "Aviso ((interno))"
    assert "Escribe ((nombre)) tal cual." in message.body


def test_a_bad_item_in_a_batch_saves_none_of_it(institution):
    good = {"channel": "sms", "recipient": "987654321", "institution": institution, "body": "Hola"}
    bad = {**good, "recipient": "12345"}
    with pytest.raises(ValidationError) as caught:
        messages_create_many(items=[good, good, bad])
    assert caught.value.index == 2
    assert Message.objects.count() == 0


def test_an_email_is_rendered_and_saved_queued_with_the_senders_name(institution, email_template):
    sender = Sender.objects.create(
        institution=institution, name="Miraflores Te Escucha", email_reply_to="atencion@mira.pe"
    )
    message = message_create(
        channel="email",
        recipient=" Vecina@Correo.PE ",
        institution=institution,
        template=email_template,
        personalisation={"Nombre": "Ana <b>", "fecha": "lunes 3"},
        sender=sender,
        reference="EXP-1",
    )
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.recipient == "vecina@correo.pe"
    assert message.subject == "Tu cita del lunes 3"
    assert message.body == "Hola Ana <b>, tu cita es el lunes 3."
    assert "Ana &lt;b&gt;" in message.html
    assert "Miraflores Te Escucha" in message.html
    assert message.from_email == "Miraflores Te Escucha <no-responder@ventanilla.gob.pe>"
    assert message.reply_to == "atencion@mira.pe"
    assert message.template_version == 1
    assert AuditEvent.objects.filter(action="notifications.message_created").count() == 1


def test_an_sms_drops_accents_outside_gsm7(institution):
    message = message_create(
        channel="sms",
        recipient="+51 987 654 321",
        institution=institution,
        body="Tu trámite está listo, señora.",
    )
    assert message.recipient == "+51987654321"
    assert message.body == "Tu tramite esta listo, señora."
    assert message.from_email == "GOBPE"


def test_a_test_key_message_is_delivered_without_leaving(institution):
    sender = Sender.objects.create(institution=institution, name="Pruebas")
    key = ApiKey.objects.create(sender=sender, name="prueba", protocol="notify", kind="test")
    message = message_create(
        channel="sms", recipient="987654321", institution=None, api_key=key, body="Hola"
    )
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.institution_id == institution.pk
    assert message.sent_at is not None


def test_staff_email_skips_invalid_addresses(institution):
    sent = staff_email(
        to=["jefa@mira.pe", "no es correo", "jefa@mira.pe"],
        subject="Nuevo expediente",
        body="Llegó el expediente ((EXP-1)).",
        institution=institution,
    )
    assert [m.recipient for m in sent] == ["jefa@mira.pe"]


def test_a_final_status_is_never_overwritten(institution):
    message = message_create(
        channel="sms", recipient="987654321", institution=institution, body="Hola"
    )
    updated = message_status_update(channel="sms", provider_ref=str(message.pk), status="delivered")
    assert updated is not None
    assert updated.status == "delivered"
    again = message_status_update(
        channel="sms", provider_ref=str(message.pk), status="permanent-failure", reason="x"
    )
    assert again is not None
    assert again.status == "delivered"
    assert list(message.events.values_list("status", flat=True)) == ["delivered"]
    assert (
        message_status_update(channel="sms", provider_ref="desconocido", status="delivered") is None
    )
