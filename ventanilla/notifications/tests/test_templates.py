"""Template services: checked when saved (placeholders, the event's data, the channel's
limits), versions kept, one live template per case notice, permission inside, audit rows,
repeated saves harmless, and the preview."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import OfficialFactory, PlatformAdminFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.models import Channel, Template, TemplateVersion
from ventanilla.notifications.rendering import MissingPlaceholders
from ventanilla.notifications.services.templates import (
    template_archive,
    template_create,
    template_for_event,
    template_preview,
    template_sample_values,
    template_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def institution():
    return InstitutionFactory(name="Ministerio de Transportes")


@pytest.fixture
def admin_of(institution):
    return OfficialFactory(institution=institution, role=Role.INSTITUTION_ADMIN)


def _email(institution, by, **changes):
    values = {
        "institution": institution,
        "channel": Channel.EMAIL,
        "name": "Solicitud recibida",
        "event": "case.submitted",
        "subject": "Recibimos tu solicitud ((referencia))",
        "body": "Hola, ((nombre)): tu expediente es ((referencia)).",
        "by": by,
    }
    return template_create(**(values | changes))


def test_template_create_saves_version_one_and_an_audit_row(institution, admin_of):
    template = _email(institution, admin_of)
    assert template.version == 1
    version = TemplateVersion.objects.get(template=template)
    assert (version.version, version.subject, version.body) == (1, template.subject, template.body)
    event = AuditEvent.objects.get(action="notifications.template_created")
    assert event.target_id == str(template.pk)
    assert event.institution_id == institution.pk
    assert event.actor_id == admin_of.pk


def test_an_event_template_refuses_data_the_event_does_not_give_and_saves_nothing(
    institution, admin_of
):
    with pytest.raises(ValidationError) as refused:
        _email(institution, admin_of, body="Hola ((nombre)), tu monto es ((monto)).")
    message = refused.value.message_dict["body"][0]
    assert "Este aviso no tiene el dato ((monto))" in message
    assert "((nombre))" in message  # says what may be used
    assert not Template.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_api_template_takes_any_placeholder_name(institution, admin_of):
    template = _email(institution, admin_of, event="", body="Tu monto es ((monto a pagar)).")
    assert template.event == ""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hola ((nombre)", "sin pareja"),
        ("Hola (()) gracias", "dato vacío"),
        ("Hola ((nombre!))", "no es un nombre de dato válido"),
        ("   ", "Escribe el texto del mensaje"),
    ],
)
def test_malformed_placeholders_are_refused_at_save_in_spanish(
    institution, admin_of, body, expected
):
    with pytest.raises(ValidationError) as refused:
        _email(institution, admin_of, event="", body=body)
    assert expected in refused.value.message_dict["body"][0]


def test_placeholders_in_the_subject_are_checked_too(institution, admin_of):
    with pytest.raises(ValidationError) as refused:
        _email(institution, admin_of, subject="Tu ((monto))")
    assert "((monto))" in refused.value.message_dict["subject"][0]


def test_an_sms_over_918_characters_or_with_a_subject_is_refused(institution, admin_of):
    with pytest.raises(ValidationError) as refused:
        _email(institution, admin_of, channel=Channel.SMS, subject="", body="a" * 919)
    assert "919 caracteres; el máximo es 918" in refused.value.message_dict["body"][0]
    with pytest.raises(ValidationError) as refused:
        _email(institution, admin_of, channel=Channel.SMS, subject="Asunto", body="Hola")
    assert "no tiene asunto" in refused.value.message_dict["subject"][0]
    sms = _email(institution, admin_of, channel=Channel.SMS, subject="", body="a" * 918)
    assert sms.channel == Channel.SMS


def test_an_email_needs_a_one_line_subject_and_a_name(institution, admin_of):
    with pytest.raises(ValidationError) as refused:
        _email(institution, admin_of, subject="")
    assert refused.value.message_dict["subject"] == ["Escribe el asunto."]
    with pytest.raises(ValidationError) as refused:
        _email(institution, admin_of, name="  ")
    assert "nombre" in refused.value.message_dict["name"][0]


def test_an_unknown_channel_or_event_is_refused(institution, admin_of):
    with pytest.raises(ValidationError) as refused:
        _email(institution, admin_of, channel="fax", event="case.lost")
    assert set(refused.value.message_dict) >= {"channel", "event"}


def test_template_update_adds_a_version_and_keeps_the_earlier_wording(institution, admin_of):
    template = _email(institution, admin_of)
    saved = template_update(
        template=template,
        by=admin_of,
        name="Solicitud recibida",
        subject="Tu solicitud ((referencia)) llegó",
        body="Hola, ((nombre)).",
        expected_version=1,
    )
    assert saved.version == 2
    assert list(
        TemplateVersion.objects.filter(template=template)
        .order_by("version")
        .values_list("version", "subject")
    ) == [(1, "Recibimos tu solicitud ((referencia))"), (2, "Tu solicitud ((referencia)) llegó")]
    event = AuditEvent.objects.get(action="notifications.template_updated")
    assert event.data["version"] == 2
    assert event.data["previous"]["version"] == 1


def test_saving_the_same_wording_again_makes_no_new_version(institution, admin_of):
    template = _email(institution, admin_of)
    for _ in range(2):
        saved = template_update(
            template=template,
            by=admin_of,
            name=template.name,
            subject=template.subject,
            body=template.body + "\r\n",
            expected_version=1,
        )
    assert saved.version == 1
    assert TemplateVersion.objects.filter(template=template).count() == 1
    assert not AuditEvent.objects.filter(action="notifications.template_updated").exists()
    renamed = template_update(
        template=template, by=admin_of, name="Otro nombre", subject=saved.subject, body=saved.body
    )
    assert (renamed.name, renamed.version) == ("Otro nombre", 1)


def test_an_update_from_an_older_version_does_not_overwrite_a_newer_one(institution, admin_of):
    template = _email(institution, admin_of)
    template_update(template=template, by=admin_of, name="A", subject="S ((referencia))", body="B1")
    with pytest.raises(ValidationError) as refused:
        template_update(
            template=template,
            by=admin_of,
            name="A",
            subject="S",
            body="B-other",
            expected_version=1,
        )
    assert "versión 2" in refused.value.messages[0]
    assert Template.objects.get(pk=template.pk).body == "B1"


def test_one_live_template_per_event_and_channel_and_archiving_gives_back_the_platform_wording(
    institution, admin_of
):
    template = _email(institution, admin_of)
    found, subject, _body = template_for_event(
        institution=institution, event="case.submitted", channel=Channel.EMAIL
    )
    assert found == template
    with pytest.raises(ValidationError) as refused:
        _email(institution, admin_of, name="Otra")
    assert "Ya hay una plantilla activa" in refused.value.message_dict["event"][0]
    template_archive(template=template, by=admin_of)
    template_archive(template=template, by=admin_of)  # twice: nothing more
    assert AuditEvent.objects.filter(action="notifications.template_archived").count() == 1
    found, subject, _body = template_for_event(
        institution=institution, event="case.submitted", channel=Channel.EMAIL
    )
    assert found is None
    assert subject == "Recibimos tu solicitud ((referencia))"
    with pytest.raises(ValidationError):
        template_update(template=template, by=admin_of, name="x", subject="s", body="b")
    assert _email(institution, admin_of, name="Nueva").version == 1


def test_the_same_form_id_twice_makes_one_template(institution, admin_of):
    form_id = uuid.uuid4()
    first = _email(institution, admin_of, event="", id=form_id)
    second = _email(institution, admin_of, event="", id=form_id)
    assert first.pk == second.pk == form_id
    assert Template.objects.count() == 1
    assert AuditEvent.objects.filter(action="notifications.template_created").count() == 1


def test_only_managers_of_the_institution_write_its_templates(institution, admin_of):
    other = InstitutionFactory(name="Municipalidad de Lima")
    designer = OfficialFactory(institution=institution, role=Role.SERVICE_DESIGNER)
    assert _email(institution, designer).institution == institution
    stranger = OfficialFactory(institution=other, role=Role.INSTITUTION_ADMIN)
    officer = OfficialFactory(institution=institution, role=Role.CASE_OFFICER)
    for user in (stranger, officer):
        with pytest.raises(PermissionDenied):
            _email(institution, user, event="")
    template = Template.objects.get()
    with pytest.raises(PermissionDenied):
        template_update(template=template, by=stranger, name="x", subject="s", body="b")
    with pytest.raises(PermissionDenied):
        template_archive(template=template, by=officer)
    with pytest.raises(PermissionDenied):
        _email(None, admin_of, event="")  # platform templates: platform admins only
    platform = _email(None, PlatformAdminFactory(), event="")
    assert platform.institution is None


def test_template_preview_renders_the_email_and_counts_the_sms(institution):
    email = template_preview(
        channel=Channel.EMAIL,
        subject="Hola ((nombre))",
        body="# Aviso\n\nTu expediente ((referencia)) <ok>.",
        values={"nombre": "María", "referencia": "MTC-2026-000001"},
        institution=institution,
    )
    assert email.subject == "Hola María"
    assert "MTC-2026-000001" in email.body
    assert "Ministerio de Transportes" in email.html
    assert "&lt;ok&gt;" in email.html
    sms = template_preview(
        channel=Channel.SMS,
        subject="",
        body="Resolución ((referencia))",
        values={"referencia": "X" * 200},
    )
    assert sms.body.startswith("Resolucion ")  # ó downgraded to GSM-7
    assert sms.sms is not None
    assert (sms.sms.characters, sms.sms.parts, sms.sms.encoding) == (211, 2, "GSM-7")
    emoji = template_preview(channel=Channel.SMS, subject="", body="Hola 🙂", values={})
    assert emoji.sms is not None
    assert emoji.sms.encoding == "UCS-2"
    with pytest.raises(MissingPlaceholders) as missing:
        template_preview(channel=Channel.SMS, subject="", body="((nombre)) ((plazo))", values={})
    assert missing.value.names == ["nombre", "plazo"]


def test_sample_values_cover_every_placeholder(institution):
    samples = template_sample_values(names=["Nombre", "plazo", "monto"], institution=institution)
    assert samples["Nombre"] == "María Quispe Mamani"
    assert samples["plazo"].count("/") == 2
    assert samples["monto"] == "ejemplo de monto"
