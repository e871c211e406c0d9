"""citizen_notify: the casilla always, then the e-mail and SMS the citizen chose, each linked to
the casilla notification; the institution's wording when it has one, the platform's otherwise."""

import logging

import pytest
from django.conf import settings

from ventanilla.accounts.tests.factories import CitizenFactory, OfficialFactory
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.attachments import Attachment
from ventanilla.notifications.models import InboxItem, Message, Preference, Template
from ventanilla.notifications.services.citizen import citizen_notify
from ventanilla.notifications.services.preferences import preference_update

pytestmark = pytest.mark.django_db

VALUES = {"referencia": "MTC-2026-000007", "servicio": "Permiso especial de tránsito"}


def _notify(user, institution, event="case.submitted", **kwargs):
    return citizen_notify(
        user=user,
        institution=institution,
        event=event,
        values={**VALUES, **kwargs.pop("values", {})},
        reference="MTC-2026-000007",
        link="/mis-tramites/MTC-2026-000007/",
        **kwargs,
    )


def _sms_on(citizen, phone="+51987654321"):
    Preference.objects.create(
        user=citizen, email_enabled=True, sms_enabled=True, phone=phone,
        phone_verified_at=citizen.date_joined,
    )  # fmt: skip


def test_the_casilla_gets_the_notice_and_the_email_points_to_it_by_default():
    citizen = CitizenFactory(first_name="Rosa", last_name="Quispe", email="rosa@correo.pe")
    mtc = InstitutionFactory(name="Ministerio de Transportes y Comunicaciones")
    item = _notify(citizen, mtc)
    assert item is not None
    assert item.recipient == citizen
    assert item.kind == "case.submitted"
    assert item.subject == "Recibimos tu solicitud MTC-2026-000007"
    assert "Hola, Rosa Quispe:" in item.body
    assert "Ministerio de Transportes y Comunicaciones recibió" in item.body
    assert f"{settings.PUBLIC_BASE_URL}/mis-tramites/MTC-2026-000007/" in item.body
    email = Message.objects.get()
    assert (email.channel, email.recipient, email.inbox_item) == ("email", "rosa@correo.pe", item)
    assert email.subject == "Recibimos tu solicitud MTC-2026-000007"
    assert f"{settings.PUBLIC_BASE_URL}/casilla/{item.pk}/" in email.body
    assert email.reference == "MTC-2026-000007"


def test_sms_goes_only_to_a_confirmed_number_the_citizen_chose():
    institution = InstitutionFactory()
    unconfirmed = CitizenFactory()
    Preference.objects.create(user=unconfirmed, sms_enabled=True, phone="+51987654321")
    _notify(unconfirmed, institution)
    assert not Message.objects.filter(channel="sms").exists()
    citizen = CitizenFactory()
    _sms_on(citizen)
    values = {"mensaje": "Corrija la placa.", "plazo": "5 de marzo de 2026"}
    item = _notify(citizen, institution, event="case.correction_requested", values=values)
    sms = Message.objects.get(channel="sms")
    assert sms.recipient == "+51987654321"
    assert sms.inbox_item == item
    assert "5 de marzo de 2026" in sms.body
    assert f"/casilla/{item.pk}/" in sms.body


def test_with_email_off_only_the_casilla_is_written():
    citizen = CitizenFactory(email="rosa@correo.pe")
    preference_update(user=citizen, email_enabled=False, sms_enabled=False)
    assert _notify(citizen, InstitutionFactory()) is not None
    assert InboxItem.objects.count() == 1
    assert not Message.objects.exists()


def test_an_address_that_is_not_valid_keeps_the_casilla_notice():
    citizen = CitizenFactory(email="no-es-un-correo")
    item = _notify(citizen, InstitutionFactory())
    assert InboxItem.objects.get() == item
    assert not Message.objects.exists()


def test_someone_who_is_not_a_citizen_gets_nothing():
    assert _notify(OfficialFactory(), InstitutionFactory()) is None
    assert _notify(CitizenFactory(is_active=False), InstitutionFactory()) is None
    assert not InboxItem.objects.exists()
    assert not Message.objects.exists()


def test_the_attachment_is_deposited_with_the_notice_not_emailed():
    citizen = CitizenFactory()
    pdf = Attachment(name="resolucion.pdf", content=b"%PDF-1.4 resolucion")
    item = _notify(citizen, InstitutionFactory(), event="case.decided",
                   values={"estado": "Aprobado", "mensaje": ""}, attachments=[pdf])  # fmt: skip
    assert item is not None
    assert [a.name for a in item.attachments.all()] == ["resolucion.pdf"]
    assert not Message.objects.get().attachments.exists()


def test_the_institution_wording_is_used_with_its_version():
    citizen = CitizenFactory()
    institution = InstitutionFactory(name="MTC")
    template = Template.objects.create(
        institution=institution, channel="inbox", name="Recibida", event="case.submitted",
        subject="((institucion)) recibió ((referencia))", body="Estimada ((nombre)): ya está.",
        version=3,
    )  # fmt: skip
    item = _notify(citizen, institution)
    assert item is not None
    assert item.subject == "MTC recibió MTC-2026-000007"
    assert (item.template, item.template_version) == (template, 3)


def test_an_institution_template_that_does_not_render_falls_back_to_the_platform_wording(
    caplog,
):
    citizen = CitizenFactory()
    institution = InstitutionFactory()
    for channel in ("inbox", "email"):
        Template.objects.create(
            institution=institution, channel=channel, name="Mala", event="case.submitted",
            subject="Asunto ((inexistente))", body="Texto ((inexistente))",
        )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="ventanilla.notifications.services.citizen"):
        item = _notify(citizen, institution)
    assert item is not None
    assert item.subject == "Recibimos tu solicitud MTC-2026-000007"
    assert item.template is None
    assert Message.objects.get().subject == "Recibimos tu solicitud MTC-2026-000007"
    assert "inexistente" in caplog.text


def test_values_that_look_like_placeholders_are_kept_as_written():
    citizen = CitizenFactory()
    item = _notify(citizen, InstitutionFactory(), event="case.message",
                   values={"mensaje": "Escriba ((su placa)) tal cual."})  # fmt: skip
    assert item is not None
    assert "Escriba ((su placa)) tal cual." in item.body
    assert "((su placa))" in Message.objects.get().body
