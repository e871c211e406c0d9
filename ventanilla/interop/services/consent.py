"""Consent, shaped on the GovStack Consent building block (DataAgreement, ConsentRecord,
Revision). The mediator asks `consent_valid` before forwarding a request for a citizen's data.

Every change of a consent record writes a `ConsentRevision`: the record as GovStack's
ConsentRecord in canonical JSON, its SHA-256 and the previous revision's hash, so the record's
history can be checked link by link; and an audit row in the same transaction."""

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.audit import services as audit
from ventanilla.interop.models import (
    ConsentRecord,
    ConsentRevision,
    DataAgreement,
    Service,
    Subsystem,
)

_DOCUMENT_PREFIX = {"dni": "DNI", "ce": "CE"}
# What a consent record's individual becomes when the person deletes their account.
FORGOTTEN_PREFIX = "eliminado:"


def individual_ref_for(user: Any) -> str:
    """How the mediator names a citizen (X-Ventanilla-Subject): "DNI:45678912",
    "CE:001234567"; "" for a user without an identity document."""
    number = getattr(user, "document_number", "") or ""
    prefix = _DOCUMENT_PREFIX.get(getattr(user, "document_type", "") or "")
    return f"{prefix}:{number}" if prefix and number else ""


def consent_valid(
    *, individual_ref: str, client: Subsystem, service: Service, now: datetime | None = None
) -> ConsentRecord | None:
    """The citizen's consent, given and not expired, to an active agreement letting `client`
    read `service`; None when there is none."""
    if not individual_ref:
        return None
    return consents_valid(
        individual_ref=individual_ref, client=client, service=service, now=now
    ).first()


def consents_valid(
    *, individual_ref: str, client: Any, service: Any, now: datetime | None = None
) -> QuerySet[ConsentRecord]:
    """The records consent_valid chooses from, best first. `client` and `service` are
    instances, pks or expressions (OuterRef), so the gateway can ask it inside its one
    directory query."""
    return ConsentRecord.objects.filter(
        individual_ref=individual_ref,
        agreement__client=client,
        agreement__service=service,
        agreement__active=True,
        state=ConsentRecord.State.GIVEN,
        expires_at__gt=now or timezone.now(),
    ).order_by("-expires_at")


# --- canonical forms and hashes -----------------------------------------------------------


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def agreement_document(agreement: DataAgreement) -> dict[str, Any]:
    """The agreement as GovStack's DataAgreement (the controller is the client's member)."""
    member = agreement.client.member
    return {
        "id": str(agreement.agreement_id),
        "version": agreement.version,
        "controller": {"id": agreement.client.identifier, "name": member.name, "url": ""},
        "purpose": agreement.purpose,
        "lawfulBasis": agreement.lawful_basis,
        "dataUse": agreement.data_use,
        "dpia": agreement.dpia,
        "dataAttributes": [
            {
                "name": str(a.get("name", "")),
                "sensitivity": str(a.get("sensitivity", "")),
                "category": str(a.get("category", "")),
            }
            for a in agreement.attributes or []
            if isinstance(a, dict)
        ],
    }


def agreement_revision_hash(agreement: DataAgreement) -> str:
    """SHA-256 (hex) of the agreement's canonical DataAgreement JSON: what was consented to."""
    return _sha256(canonical_json(agreement_document(agreement)))


def consent_record_document(record: ConsentRecord) -> dict[str, Any]:
    """The record as GovStack's ConsentRecord (expiresAt added: Ventanilla's consents end)."""
    ref = record.individual_ref
    kind, _sep, number = ref.partition(":")
    forgotten = ref.startswith(FORGOTTEN_PREFIX)
    return {
        "id": str(record.record_id),
        "dataAgreement": str(record.agreement.agreement_id),
        "dataAgreementRevisionHash": record.agreement_revision_hash,
        "individual": {
            "id": ref,
            "externalId": "" if forgotten else number,
            "externalIdType": "" if forgotten else kind,
        },
        "optIn": record.opt_in,
        "state": record.state,
        "expiresAt": record.expires_at.isoformat(),
    }


def _revision_write(
    record: ConsentRecord, *, now: datetime, by_individual: bool = True
) -> ConsentRevision:
    previous = record.revisions.order_by("-id").values_list("serialized_hash", flat=True).first()
    snapshot = canonical_json(consent_record_document(record))
    return ConsentRevision.objects.create(
        record=record,
        serialized_snapshot=snapshot,
        serialized_hash=_sha256(snapshot),
        predecessor_hash=previous or "",
        authorized_by_individual=by_individual,
        timestamp=now,
    )


def consent_revisions_check(record: ConsentRecord) -> bool:
    """True when every revision's hash matches its snapshot and names the one before it."""
    previous = ""
    for revision in record.revisions.order_by("id"):
        if _sha256(revision.serialized_snapshot) != revision.serialized_hash:
            return False
        if revision.predecessor_hash != previous:
            return False
        previous = revision.serialized_hash
    return True


def _institution_id(agreement: DataAgreement) -> int | None:
    return agreement.client.member.institution_id


# --- agreements ---------------------------------------------------------------------------


def agreement_ensure(
    *,
    client: Subsystem,
    service: Service,
    purpose_key: str,
    purpose: str,
    attributes: list[dict[str, Any]],
    duration_days: int = 90,
) -> DataAgreement:
    """The agreement letting `client` read `service` for `purpose_key`, made or brought up to
    date. A changed purpose or attribute list raises the version (so the revision hash changes
    and consents given to the old text are asked again)."""
    if not purpose.strip():
        raise ValidationError(_("Indica la finalidad para la que se leen los datos."))
    if duration_days < 1:
        raise ValidationError(_("La vigencia debe ser de al menos un día."))
    with transaction.atomic():
        agreement, created = DataAgreement.objects.select_for_update().get_or_create(
            client=client,
            service=service,
            purpose_key=purpose_key,
            defaults={
                "purpose": purpose,
                "attributes": attributes,
                "duration_days": duration_days,
            },
        )
        if created:
            audit.record(
                actor=None,
                action="interop.agreement_created",
                target=agreement,
                data={"agreement": str(agreement.agreement_id), "purpose_key": purpose_key},
                institution_id=_institution_id(agreement),
            )
            return agreement
        changed = agreement.purpose != purpose or agreement.attributes != attributes
        if not changed and agreement.duration_days == duration_days and agreement.active:
            return agreement
        if changed:
            agreement.version = _next_version(agreement.version)
        agreement.purpose = purpose
        agreement.attributes = attributes
        agreement.duration_days = duration_days
        agreement.active = True
        agreement.save()
        audit.record(
            actor=None,
            action="interop.agreement_updated",
            target=agreement,
            data={"agreement": str(agreement.agreement_id), "version": agreement.version},
            institution_id=_institution_id(agreement),
        )
        return agreement


def _next_version(version: str) -> str:
    major = version.split(".", 1)[0]
    return f"{int(major) + 1}.0" if major.isdigit() else "2.0"


# --- consent records ----------------------------------------------------------------------


def consent_give(
    *, user: Any, agreement: DataAgreement, expires_at: datetime | None = None
) -> ConsentRecord:
    """The citizen's consent to `agreement`, given until `expires_at` (default: now plus the
    agreement's duration). Idempotent: a consent already given, not expired, to the same
    agreement text is returned as it is; a withdrawn, expired or outdated one is given again.
    ValidationError when the user has no identity document or the agreement is closed."""
    ref = individual_ref_for(user)
    if not ref:
        message = _("Para autorizar consultas de tus datos, tu cuenta necesita un documento.")
        raise ValidationError(message)
    if not agreement.active:
        raise ValidationError(_("Esta autorización ya no se puede dar."))
    now = timezone.now()
    until = expires_at or now + timedelta(days=agreement.duration_days)
    if until <= now:
        raise ValidationError(_("La fecha de vencimiento debe ser futura."))
    current_hash = agreement_revision_hash(agreement)
    with transaction.atomic():
        record = _record_locked(agreement=agreement, ref=ref)
        if record is None:
            try:
                with transaction.atomic():
                    record = ConsentRecord.objects.create(
                        agreement=agreement,
                        agreement_revision_hash=current_hash,
                        individual=user,
                        individual_ref=ref,
                        given_at=now,
                        expires_at=until,
                    )
            except IntegrityError:  # a simultaneous first give won the race
                record = _record_locked(agreement=agreement, ref=ref)
                if record is None:
                    raise
            else:
                _revision_write(record, now=now)
                _audit_give(record, user=user, again=False)
                return record
        if (
            record.state == ConsentRecord.State.GIVEN
            and record.expires_at > now
            and record.agreement_revision_hash == current_hash
            and record.individual_id == user.pk
        ):
            return record
        record.agreement_revision_hash = current_hash
        record.individual = user
        record.opt_in = True
        record.state = ConsentRecord.State.GIVEN
        record.given_at = now
        record.expires_at = until
        record.withdrawn_at = None
        record.save()
        _revision_write(record, now=now)
        _audit_give(record, user=user, again=True)
        return record


def _record_locked(*, agreement: DataAgreement, ref: str) -> ConsentRecord | None:
    record = (
        ConsentRecord.objects.select_for_update()
        .filter(agreement=agreement, individual_ref=ref)
        .first()
    )
    if record is not None:
        record.agreement = agreement
    return record


def _audit_give(record: ConsentRecord, *, user: Any, again: bool) -> None:
    audit.record(
        actor=user,
        action="interop.consent_given",
        target=record,
        data={
            "record": str(record.record_id),
            "agreement": str(record.agreement.agreement_id),
            "expires_at": record.expires_at.isoformat(),
            "again": again,
        },
        institution_id=_institution_id(record.agreement),
    )


def consent_withdraw(*, user: Any, record: ConsentRecord) -> ConsentRecord:
    """Withdraw the citizen's consent: from now on the institution can no longer read the data
    through it. Only the owner may; PermissionDenied otherwise. Withdrawing a consent already
    withdrawn changes nothing (a double click)."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            ConsentRecord.objects.select_for_update()
            .select_related("agreement__client__member")
            .get(pk=record.pk)
        )
        if locked.individual_id is None or locked.individual_id != getattr(user, "pk", None):
            raise PermissionDenied(_("Esta autorización no es tuya."))
        if locked.state == ConsentRecord.State.WITHDRAWN:
            return locked
        locked.state = ConsentRecord.State.WITHDRAWN
        locked.opt_in = False
        locked.withdrawn_at = now
        locked.save()
        _revision_write(locked, now=now)
        audit.record(
            actor=user,
            action="interop.consent_withdrawn",
            target=locked,
            data={
                "record": str(locked.record_id),
                "agreement": str(locked.agreement.agreement_id),
            },
            institution_id=_institution_id(locked.agreement),
        )
        return locked


def consent_forget_individual(*, user: Any) -> int:
    """For account deletion: every consent record of `user` is withdrawn (if still given) and
    loses its link to the person (the account and the document number are replaced by an
    opaque reference). The revisions and audit rows stay. Returns how many records changed.
    Call inside the deletion's transaction."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        records = (
            ConsentRecord.objects.select_for_update()
            .select_related("agreement__client__member")
            .filter(individual=user)
            .order_by("pk")
        )
        for record in records:
            was_given = record.state == ConsentRecord.State.GIVEN
            if was_given:
                record.state = ConsentRecord.State.WITHDRAWN
                record.opt_in = False
                record.withdrawn_at = now
            record.individual = None
            record.individual_ref = f"{FORGOTTEN_PREFIX}{record.record_id.hex[:24]}"
            record.save()
            _revision_write(record, now=now)
            audit.record(
                actor=user,
                action="interop.consent_forgotten",
                target=record,
                data={
                    "record": str(record.record_id),
                    "agreement": str(record.agreement.agreement_id),
                    "withdrawn": was_given,
                },
                institution_id=_institution_id(record.agreement),
            )
            count += 1
    return count
