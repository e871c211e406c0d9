"""The casilla's services: a deposit keeps its content, hash, code and attachments (or nothing
at all), the database refuses any change of it, the first opening is recorded once and only
by the recipient, and a correction is a new item."""

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import (
    CitizenFactory,
    OfficialFactory,
    PlatformAdminFactory,
    UserFactory,
)
from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.attachments import Attachment
from ventanilla.notifications.models import InboxAttachment, InboxItem, Template
from ventanilla.notifications.selectors.inbox import inbox_item_intact
from ventanilla.notifications.services.inbox import (
    CODE_ALPHABET,
    CODE_LENGTH,
    inbox_code_display,
    inbox_code_normalise,
    inbox_correct,
    inbox_open,
)
from ventanilla.notifications.tests.inbox_factories import PDF_BYTES, item_deposited, resolution

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_deposit_keeps_content_hash_code_attachments_and_an_audit_row(media_root):
    citizen = CitizenFactory(first_name="Rosa", last_name="Quispe")
    item = item_deposited(recipient=citizen, attachments=[resolution()])
    item.refresh_from_db()
    assert item.recipient_document == f"DNI {citizen.document_number}"
    assert item.recipient_name == "Rosa Quispe"
    assert len(item.code) == CODE_LENGTH
    assert set(item.code) <= set(CODE_ALPHABET)
    assert len(item.content_sha256) == 64
    assert item.first_opened_at is None
    attachment = item.attachments.get()
    assert (attachment.name, attachment.size) == ("resolucion.pdf", len(PDF_BYTES))
    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attachment.file.read() == PDF_BYTES
    assert "resolucion" not in attachment.file.name  # the name never reaches a path
    assert inbox_item_intact(item=item)
    event = AuditEvent.objects.get(action="inbox.deposited", target_id=str(item.pk))
    assert event.data["content_sha256"] == item.content_sha256
    assert event.institution_id == item.institution_id


def test_the_content_hash_changes_with_any_word_of_the_content():
    item = item_deposited()
    assert inbox_item_intact(item=item)
    item.body += "."
    assert not inbox_item_intact(item=item)


def test_codes_read_back_in_any_spelling():
    assert inbox_code_display("7KQ3M9XD2F8HTR4B") == "7KQ3-M9XD-2F8H-TR4B"
    assert inbox_code_normalise(" 7kq3-m9xd 2f8h-tr4b ") == "7KQ3M9XD2F8HTR4B"
    assert inbox_code_normalise("O1IL") == "0111"


def test_an_attachment_of_10_mb_plus_one_byte_is_refused_and_nothing_is_saved(media_root):
    citizen = CitizenFactory()
    too_big = Attachment(name="expediente.pdf", content=b"x" * (TEN_MB + 1))
    with pytest.raises(ValidationError) as error:
        item_deposited(recipient=citizen, attachments=[resolution(), too_big])
    assert error.value.code == "attachment_too_large"
    assert "10" in error.value.messages[0]
    assert "expediente.pdf" in error.value.messages[0]
    assert not InboxItem.objects.exists()
    assert not InboxAttachment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="inbox.").exists()
    assert _stored_files(media_root) == []


def test_an_attachment_of_exactly_10_mb_is_accepted():
    item = item_deposited(attachments=[Attachment(name="grande.pdf", content=b"x" * TEN_MB)])
    assert item.attachments.get().size == TEN_MB


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"subject": "   "}, "empty"),
        ({"body": ""}, "empty"),
        ({"subject": "a" * 301}, "too_long"),
        ({"attachments": [Attachment(name="vacío.pdf", content=b"")]}, "empty"),
    ],
)
def test_bad_input_is_refused_in_spanish_with_nothing_saved(changes, code):
    with pytest.raises(ValidationError) as error:
        item_deposited(**changes)
    assert error.value.code == code
    assert not InboxItem.objects.exists()


def test_only_a_citizen_has_a_casilla():
    official = UserFactory()
    with pytest.raises(ValidationError) as error:
        item_deposited(recipient=official)
    assert error.value.code == "not_citizen"
    assert "ciudadano" in error.value.messages[0]


def test_an_official_of_another_institution_cannot_deposit_in_its_name():
    institution = InstitutionFactory()
    outsider = OfficialFactory(institution=InstitutionFactory(), role=Role.CASE_OFFICER)
    with pytest.raises(PermissionDenied):
        item_deposited(institution=institution, by=outsider)
    insider = OfficialFactory(institution=institution, role=Role.CASE_OFFICER)
    assert item_deposited(institution=institution, by=insider).deposited_by == insider


def test_a_deposit_inside_a_transaction_that_rolls_back_leaves_nothing():
    class Boom(Exception):
        pass

    def deposit_then_fail() -> None:
        with transaction.atomic():
            item_deposited()
            raise Boom

    with pytest.raises(Boom):
        deposit_then_fail()
    assert not InboxItem.objects.exists()
    assert not AuditEvent.objects.filter(action="inbox.deposited").exists()


# --- Immutability at the database ------------------------------------------------------------


def test_a_raw_update_of_the_subject_is_refused_by_the_database():
    item = item_deposited()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_inboxitem SET subject = %s WHERE code = %s",
            ["Asunto cambiado", item.code],
        )
    item.refresh_from_db()
    assert item.subject == "Resolución de tu solicitud"


@pytest.mark.parametrize(
    "change",
    [
        {"body": "Otro texto"},
        {"reference": "EXP-OTRO"},
        {"content_sha256": "0" * 64},
        {"recipient_name": "Otra persona"},
    ],
)
def test_no_content_column_can_be_changed_through_the_orm_either(change):
    item = item_deposited()
    with pytest.raises(IntegrityError), transaction.atomic():
        InboxItem.objects.filter(pk=item.pk).update(**change)
    assert inbox_item_intact(item=InboxItem.objects.get(pk=item.pk))


def test_a_first_opening_is_set_once_and_never_moved_or_erased():
    item = item_deposited()
    item = inbox_open(item=item, by=item.recipient)
    opened = item.first_opened_at
    assert opened is not None
    for value in (None, item.deposited_at):
        with pytest.raises(IntegrityError), transaction.atomic():
            InboxItem.objects.filter(pk=item.pk).update(first_opened_at=value)
    item.refresh_from_db()
    assert item.first_opened_at == opened


def test_a_deposited_attachment_row_cannot_be_changed():
    item = item_deposited(attachments=[resolution()])
    with pytest.raises(IntegrityError), transaction.atomic():
        InboxAttachment.objects.filter(item=item).update(sha256="0" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        InboxAttachment.objects.filter(item=item).update(name="otro.pdf")


def test_deleting_the_template_or_the_depositing_official_leaves_the_item_intact():
    institution = InstitutionFactory()
    official = OfficialFactory(institution=institution, role=Role.CASE_OFFICER)
    template = Template.objects.create(
        institution=institution, channel="inbox", name="Resolución", body="Texto"
    )
    item = item_deposited(institution=institution, template=template, by=official)
    template.delete()
    official.delete()
    item.refresh_from_db()
    assert (item.template_id, item.deposited_by_id) == (None, None)
    assert inbox_item_intact(item=item)


# --- Opening ---------------------------------------------------------------------------------


def test_the_first_opening_is_recorded_once_and_only_by_the_recipient():
    institution = InstitutionFactory()
    item = item_deposited(institution=institution)
    others = [
        CitizenFactory(),
        OfficialFactory(institution=institution, role=Role.INSTITUTION_ADMIN),
        PlatformAdminFactory(),
    ]
    for other in others:
        with pytest.raises(PermissionDenied):
            inbox_open(item=item, by=other)
    item.refresh_from_db()
    assert item.first_opened_at is None

    first = inbox_open(item=item, by=item.recipient).first_opened_at
    again = inbox_open(item=InboxItem.objects.get(pk=item.pk), by=item.recipient)
    assert first is not None
    assert again.first_opened_at == first
    # A stale copy (another tab) records nothing new and learns the first time.
    stale = InboxItem.objects.get(pk=item.pk)
    stale.first_opened_at = None
    assert inbox_open(item=stale, by=item.recipient).first_opened_at == first
    assert AuditEvent.objects.filter(action="inbox.opened", target_id=str(item.pk)).count() == 1


# --- Corrections -----------------------------------------------------------------------------


def test_a_correction_is_a_new_item_that_points_at_the_untouched_original():
    institution = InstitutionFactory()
    official = OfficialFactory(institution=institution, role=Role.CASE_OFFICER)
    original = item_deposited(institution=institution, attachments=[resolution()])
    fixed = inbox_correct(
        item=original,
        subject="Resolución corregida",
        body="Se corrigió la fecha de vigencia.",
        by=official,
        attachments=[resolution("resolucion-corregida.pdf")],
    )
    assert fixed.pk != original.pk
    assert fixed.corrects_id == original.pk
    assert (fixed.recipient_id, fixed.reference) == (original.recipient_id, original.reference)
    assert list(original.corrections.all()) == [fixed]
    assert InboxItem.objects.get(pk=original.pk).subject == "Resolución de tu solicitud"
    assert AuditEvent.objects.filter(action="inbox.corrected", target_id=str(fixed.pk)).exists()


def test_only_officials_of_the_institution_correct_its_items():
    original = item_deposited()
    outsider = OfficialFactory(institution=InstitutionFactory(), role=Role.INSTITUTION_ADMIN)
    for who in (outsider, original.recipient):
        with pytest.raises(PermissionDenied):
            inbox_correct(item=original, subject="Otra", body="Otra", by=who)
    assert InboxItem.objects.count() == 1


def test_a_correction_must_be_for_the_same_person_and_institution():
    original = item_deposited()
    with pytest.raises(ValidationError) as error:
        item_deposited(institution=original.institution, corrects=original)
    assert error.value.code == "corrects_mismatch"
