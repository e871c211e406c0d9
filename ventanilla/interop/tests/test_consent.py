"""Consent shaped on GovStack Consent: agreements, give (idempotent), withdraw (owner only),
expiry and giving again, the revisions' hash chain, what consent_valid answers, and account
deletion withdrawing and unlinking a person's consents."""

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ventanilla.accounts.tests.factories import PASSWORD, CitizenFactory, UserFactory
from ventanilla.audit.models import AuditEvent
from ventanilla.interop.models import (
    ConsentRecord,
    ConsentRevision,
    DataAgreement,
    Member,
    Service,
    Subsystem,
)
from ventanilla.interop.services.consent import (
    agreement_ensure,
    agreement_revision_hash,
    consent_forget_individual,
    consent_give,
    consent_revisions_check,
    consent_valid,
    consent_withdraw,
    individual_ref_for,
)

pytestmark = pytest.mark.django_db

ATTRIBUTES = [
    {"name": "Prenombres", "sensitivity": "personal", "category": "identidad"},
    {"name": "UbigeoDomicilio", "sensitivity": "personal", "category": "domicilio"},
]


def subsystem(code: str, name: str, subsystem_code: str = "ventanilla") -> Subsystem:
    member, _created = Member.objects.get_or_create(
        instance="PE", member_class="GOB", member_code=code, defaults={"name": name}
    )
    return Subsystem.objects.get_or_create(member=member, code=subsystem_code)[0]


def service(provider: Subsystem, code: str, title: str, description: str) -> Service:
    return Service.objects.get_or_create(
        subsystem=provider,
        code=code,
        defaults={
            "title": title,
            "data_description": description,
            "url": f"http://127.0.0.1:1/data/{code}/1.0",
        },
    )[0]


def directory() -> dict[str, Any]:
    """RENIEC's and SUNAT's registries, and two institutions that read them."""
    reniec = subsystem("20295613620", "RENIEC", "padron")
    sunat = subsystem("20131312955", "SUNAT", "padron")
    return {
        "mtc": subsystem("20131379944", "Ministerio de Transportes y Comunicaciones"),
        "muni": subsystem("20162086716", "Municipalidad Provincial de Huancayo"),
        "personas": service(
            reniec, "personas", "Personas", "tus nombres, fecha de nacimiento y domicilio"
        ),
        "contribuyentes": service(
            sunat, "contribuyentes", "Contribuyentes", "tu RUC, su estado y tu domicilio fiscal"
        ),
    }


def agreement_for(
    client: Subsystem, svc: Service, key: str = "formbuilder:permiso"
) -> DataAgreement:
    return agreement_ensure(
        client=client,
        service=svc,
        purpose_key=key,
        purpose="Llenar tu solicitud de permiso de operación con tus datos",
        attributes=ATTRIBUTES,
    )


@pytest.fixture
def d() -> dict[str, Any]:
    return directory()


# --- agreements ---------------------------------------------------------------------------


def test_agreement_ensure_is_idempotent_and_a_changed_purpose_raises_the_version(d):
    first = agreement_for(d["mtc"], d["personas"])
    again = agreement_for(d["mtc"], d["personas"])
    assert again.pk == first.pk
    assert again.version == "1.0"
    assert AuditEvent.objects.filter(action="interop.agreement_created").count() == 1
    old_hash = agreement_revision_hash(first)
    changed = agreement_ensure(
        client=d["mtc"],
        service=d["personas"],
        purpose_key="formbuilder:permiso",
        purpose="Otra finalidad",
        attributes=ATTRIBUTES,
    )
    assert changed.pk == first.pk
    assert changed.version == "2.0"
    assert agreement_revision_hash(changed) != old_hash


def test_agreement_hash_is_sha256_of_the_canonical_govstack_data_agreement(d):
    agreement = agreement_for(d["mtc"], d["personas"])
    document = {
        "id": str(agreement.agreement_id),
        "version": "1.0",
        "controller": {
            "id": "PE/GOB/20131379944/ventanilla",
            "name": "Ministerio de Transportes y Comunicaciones",
            "url": "",
        },
        "purpose": agreement.purpose,
        "lawfulBasis": "consent",
        "dataUse": "data_using_service",
        "dpia": "",
        "dataAttributes": ATTRIBUTES,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert agreement_revision_hash(agreement) == hashlib.sha256(text.encode()).hexdigest()


def test_agreement_without_purpose_is_refused(d):
    with pytest.raises(ValidationError):
        agreement_ensure(
            client=d["mtc"], service=d["personas"], purpose_key="x", purpose=" ", attributes=[]
        )
    assert not DataAgreement.objects.exists()


# --- give, withdraw, expire ---------------------------------------------------------------


def test_consent_give_records_the_individual_revision_and_audit(d):
    citizen = CitizenFactory()
    agreement = agreement_for(d["mtc"], d["personas"])
    before = timezone.now()
    record = consent_give(user=citizen, agreement=agreement)
    assert record.individual == citizen
    assert record.individual_ref == f"DNI:{citizen.document_number}"
    assert record.state == ConsentRecord.State.GIVEN
    assert record.opt_in
    assert record.agreement_revision_hash == agreement_revision_hash(agreement)
    expected = before + timedelta(days=90)
    assert abs((record.expires_at - expected).total_seconds()) < 60
    revision = record.revisions.get()
    snapshot = json.loads(revision.serialized_snapshot)
    assert snapshot["id"] == str(record.record_id)
    assert snapshot["dataAgreement"] == str(agreement.agreement_id)
    assert snapshot["dataAgreementRevisionHash"] == record.agreement_revision_hash
    assert snapshot["individual"] == {
        "id": record.individual_ref,
        "externalId": citizen.document_number,
        "externalIdType": "DNI",
    }
    assert snapshot["optIn"] is True
    assert snapshot["state"] == "given"
    assert revision.predecessor_hash == ""
    assert (
        revision.serialized_hash
        == hashlib.sha256(revision.serialized_snapshot.encode()).hexdigest()
    )
    event = AuditEvent.objects.get(action="interop.consent_given")
    assert event.actor == citizen
    assert event.target_id == str(record.pk)
    assert citizen.document_number not in json.dumps(event.data)


def test_a_second_give_of_a_valid_consent_returns_it_unchanged(d):
    citizen = CitizenFactory()
    agreement = agreement_for(d["mtc"], d["personas"])
    first = consent_give(user=citizen, agreement=agreement)
    second = consent_give(user=citizen, agreement=agreement)
    assert second.pk == first.pk
    assert second.expires_at == first.expires_at
    assert ConsentRevision.objects.filter(record=first).count() == 1
    assert AuditEvent.objects.filter(action="interop.consent_given").count() == 1


def test_withdraw_then_give_again_chains_three_revisions(d):
    citizen = CitizenFactory()
    agreement = agreement_for(d["mtc"], d["personas"])
    record = consent_give(user=citizen, agreement=agreement)
    withdrawn = consent_withdraw(user=citizen, record=record)
    assert withdrawn.state == ConsentRecord.State.WITHDRAWN
    assert not withdrawn.opt_in
    assert withdrawn.withdrawn_at is not None
    # A double click withdraws nothing more.
    consent_withdraw(user=citizen, record=record)
    again = consent_give(user=citizen, agreement=agreement)
    assert again.pk == record.pk
    assert again.state == ConsentRecord.State.GIVEN
    assert again.withdrawn_at is None
    revisions = list(record.revisions.order_by("id"))
    assert [json.loads(r.serialized_snapshot)["state"] for r in revisions] == [
        "given",
        "withdrawn",
        "given",
    ]
    assert revisions[1].predecessor_hash == revisions[0].serialized_hash
    assert revisions[2].predecessor_hash == revisions[1].serialized_hash
    assert consent_revisions_check(record)
    assert AuditEvent.objects.filter(action="interop.consent_withdrawn").count() == 1


def test_an_altered_revision_breaks_the_chain_check(d):
    citizen = CitizenFactory()
    record = consent_give(user=citizen, agreement=agreement_for(d["mtc"], d["personas"]))
    consent_withdraw(user=citizen, record=record)
    first = record.revisions.order_by("id").first()
    first.serialized_snapshot = first.serialized_snapshot.replace('"optIn":true', '"optIn":false')
    first.save()
    assert not consent_revisions_check(record)


def test_an_expired_consent_is_not_valid_and_is_given_again(d):
    citizen = CitizenFactory()
    agreement = agreement_for(d["mtc"], d["personas"])
    soon = timezone.now() + timedelta(hours=1)
    record = consent_give(user=citizen, agreement=agreement, expires_at=soon)
    ref = individual_ref_for(citizen)
    later = timezone.now() + timedelta(hours=2)
    assert consent_valid(individual_ref=ref, client=d["mtc"], service=d["personas"]) == record
    assert (
        consent_valid(individual_ref=ref, client=d["mtc"], service=d["personas"], now=later) is None
    )
    ConsentRecord.objects.filter(pk=record.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert consent_valid(individual_ref=ref, client=d["mtc"], service=d["personas"]) is None
    again = consent_give(user=citizen, agreement=agreement)
    assert again.pk == record.pk
    assert again.expires_at > timezone.now() + timedelta(days=89)
    assert consent_valid(individual_ref=ref, client=d["mtc"], service=d["personas"]) == again
    assert record.revisions.count() == 2


def test_consent_to_an_outdated_agreement_text_is_given_again(d):
    citizen = CitizenFactory()
    record = consent_give(user=citizen, agreement=agreement_for(d["mtc"], d["personas"]))
    changed = agreement_ensure(
        client=d["mtc"],
        service=d["personas"],
        purpose_key="formbuilder:permiso",
        purpose="Una finalidad nueva",
        attributes=ATTRIBUTES,
    )
    again = consent_give(user=citizen, agreement=changed)
    assert again.pk == record.pk
    assert again.agreement_revision_hash == agreement_revision_hash(changed)
    assert again.agreement_revision_hash != record.agreement_revision_hash
    assert record.revisions.count() == 2


def test_consent_valid_respects_withdrawal_client_service_and_closed_agreements(d):
    citizen = CitizenFactory()
    agreement = agreement_for(d["mtc"], d["personas"])
    record = consent_give(user=citizen, agreement=agreement)
    ref = individual_ref_for(citizen)
    assert consent_valid(individual_ref=ref, client=d["mtc"], service=d["personas"]) == record
    # Another client, another service, another citizen: no.
    assert consent_valid(individual_ref=ref, client=d["muni"], service=d["personas"]) is None
    assert consent_valid(individual_ref=ref, client=d["mtc"], service=d["contribuyentes"]) is None
    other = individual_ref_for(CitizenFactory())
    assert consent_valid(individual_ref=other, client=d["mtc"], service=d["personas"]) is None
    assert consent_valid(individual_ref="", client=d["mtc"], service=d["personas"]) is None
    DataAgreement.objects.filter(pk=agreement.pk).update(active=False)
    assert consent_valid(individual_ref=ref, client=d["mtc"], service=d["personas"]) is None
    DataAgreement.objects.filter(pk=agreement.pk).update(active=True)
    consent_withdraw(user=citizen, record=record)
    assert consent_valid(individual_ref=ref, client=d["mtc"], service=d["personas"]) is None


def test_another_citizen_cannot_withdraw_a_consent(d):
    owner, other = CitizenFactory(), CitizenFactory()
    record = consent_give(user=owner, agreement=agreement_for(d["mtc"], d["personas"]))
    with pytest.raises(PermissionDenied):
        consent_withdraw(user=other, record=record)
    record.refresh_from_db()
    assert record.state == ConsentRecord.State.GIVEN
    assert record.revisions.count() == 1


def test_a_user_without_a_document_cannot_consent(d):
    user = UserFactory()
    with pytest.raises(ValidationError):
        consent_give(user=user, agreement=agreement_for(d["mtc"], d["personas"]))
    assert not ConsentRecord.objects.exists()


def test_give_refuses_a_past_end_date_and_a_closed_agreement(d):
    citizen = CitizenFactory()
    agreement = agreement_for(d["mtc"], d["personas"])
    with pytest.raises(ValidationError):
        consent_give(
            user=citizen, agreement=agreement, expires_at=timezone.now() - timedelta(days=1)
        )
    agreement.active = False
    agreement.save()
    with pytest.raises(ValidationError):
        consent_give(user=citizen, agreement=agreement)
    assert not ConsentRecord.objects.exists()


# --- account deletion ---------------------------------------------------------------------


def test_forgetting_a_person_withdraws_and_unlinks_their_consents_and_keeps_the_history(d):
    citizen, other = CitizenFactory(), CitizenFactory()
    given = consent_give(user=citizen, agreement=agreement_for(d["mtc"], d["personas"]))
    withdrawn = consent_give(user=citizen, agreement=agreement_for(d["muni"], d["personas"]))
    consent_withdraw(user=citizen, record=withdrawn)
    kept = consent_give(user=other, agreement=agreement_for(d["mtc"], d["personas"]))
    ref = individual_ref_for(citizen)

    assert consent_forget_individual(user=citizen) == 2

    for record in (given, withdrawn):
        record.refresh_from_db()
        assert record.individual is None
        assert record.state == ConsentRecord.State.WITHDRAWN
        assert citizen.document_number not in record.individual_ref
        last = json.loads(record.revisions.order_by("-id").first().serialized_snapshot)
        assert last["individual"]["externalId"] == ""
        assert consent_revisions_check(record)
    assert given.revisions.count() == 2
    assert withdrawn.revisions.count() == 3
    assert consent_valid(individual_ref=ref, client=d["mtc"], service=d["personas"]) is None
    kept.refresh_from_db()
    assert kept.individual == other
    assert kept.state == ConsentRecord.State.GIVEN
    assert AuditEvent.objects.filter(action="interop.consent_forgotten").count() == 2


def test_account_delete_withdraws_the_persons_consents(d):
    from ventanilla.accounts.services.account import account_delete

    citizen = CitizenFactory()
    number = citizen.document_number
    agreement = agreement_for(d["mtc"], d["personas"])
    record = consent_give(user=citizen, agreement=agreement)
    account_delete(user=citizen, password=PASSWORD)
    record.refresh_from_db()
    assert record.individual is None
    assert record.state == ConsentRecord.State.WITHDRAWN
    deleted = AuditEvent.objects.get(action="accounts.deleted")
    assert deleted.data["data_consents_withdrawn"] == 1
    # The person registers again with the same document and consents afresh: a new record.
    back = CitizenFactory(document_number=number)
    fresh = consent_give(user=back, agreement=agreement)
    assert fresh.pk != record.pk
    assert fresh.individual_ref == f"DNI:{number}"
