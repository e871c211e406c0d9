"""Once-only in the citizen's journey (D. Leg. 1246): answers read from the registries instead
of typed.

When a service's form binds questions to registry fields (`"source"`, see
ventanilla/interop/sources.py), the citizen is asked first, once per draft: "Autorizar y
continuar" gives consent for each registry and reads them through the mediator; "Prefiero
escribir mis datos" leaves every question editable. What was read is kept in
`Application.prefill` by question id (value, registry, X-Road-Id, when) and shown read-only;
the decision itself under the reserved key `_consent` (no question id starts with "_").

Reads go through the mediator, so they happen outside any transaction (its log entry must
commit whatever happens next); what they gave is written afterwards in one transaction."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.audit import services as audit
from ventanilla.cases.models import Application
from ventanilla.formbuilder.answers import answer_valid
from ventanilla.formbuilder.conditions import answers_prune
from ventanilla.interop.sources import (
    Source,
    SourceFailed,
    bound_sources,
    lookup_value,
    own_dni,
    source_consent_give,
    source_get,
    source_purpose,
    source_read,
    source_value,
)

DECISION_KEY = "_consent"
GIVEN = "given"
DECLINED = "declined"


@dataclass
class PlannedSource:
    """One registry the form reads, as the consent step shows it."""

    source: Source
    questions: list[dict[str, Any]]
    purpose: str
    available: bool  # False when it cannot be looked up for this citizen (no DNI)

    @property
    def fields(self) -> list[str]:
        return list(
            dict.fromkeys(str((q.get("source") or {}).get("field")) for q in self.questions)
        )

    @property
    def key(self) -> str:
        return str((self.questions[0].get("source") or {}).get("key") or "")


@dataclass
class PrefillOutcome:
    """What "Autorizar y continuar" gave: the questions filled, and a Spanish message per
    registry that could not be read (`retry` when trying again later may work)."""

    filled: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    retry: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def prefill_plan(*, application: Application) -> list[PlannedSource]:
    """The registries the application's form reads, in form order."""
    version = application.service_version
    service = version.service
    has_dni = bool(own_dni(application.applicant))
    plan = []
    for code, questions in bound_sources(version.definition).items():
        source = source_get(code)
        if source is None:
            continue
        plan.append(
            PlannedSource(
                source=source,
                questions=questions,
                purpose=source_purpose(source=source, service_name=service.name),
                available=source.lookup == "key" or has_dni,
            )
        )
    return plan


def prefill_decision(application: Application) -> str:
    """ "given", "declined", or "" while the citizen has not been asked."""
    decision = (application.prefill or {}).get(DECISION_KEY)
    return str(decision.get("decision") or "") if isinstance(decision, dict) else ""


def prefill_pending(application: Application) -> bool:
    """True when the citizen must be asked before the first page."""
    if prefill_decision(application):
        return False
    return any(planned.available for planned in prefill_plan(application=application))


def prefill_entries(application: Application) -> dict[str, dict[str, Any]]:
    """{question id: {"value", "source", "label", "field", "x_road_id", "at"}} of the answers
    read from a registry (the read-only ones)."""
    return {
        str(k): v
        for k, v in (application.prefill or {}).items()
        if not str(k).startswith("_") and isinstance(v, dict) and "value" in v
    }


def _own(application: Application, by: Any) -> None:
    # The applications module holds the rule; imported here to keep one copy of it.
    from ventanilla.cases.services.applications import _own_draft

    _own_draft(application, by)


def _issue(application: Application) -> str:
    """X-Road-Issue: the procedure, and the draft the data is for."""
    return f"{application.service_version.service.name[:150]} (solicitud {application.public_id})"


def _entries_from(
    planned: PlannedSource, record: dict[str, Any], x_road_id: str, lookup: str
) -> dict[str, dict[str, Any]]:
    entries = {}
    at = timezone.localtime().isoformat(timespec="seconds")
    for question in planned.questions:
        spec = question.get("source") or {}
        value = source_value(
            question=question,
            source=planned.source,
            field_name=str(spec.get("field")),
            record=record,
        )
        if value is None or not answer_valid(question=question, value=value):
            continue  # the record's value does not fit the question: the citizen types it
        entries[str(question["id"])] = {
            "value": value,
            "source": planned.source.code,
            "label": planned.source.label,
            "field": str(spec.get("field")),
            "x_road_id": x_road_id,
            "at": at,
            "lookup": lookup if planned.source.lookup == "key" else "",
        }
    return entries


def _read(
    *, application: Application, planned: PlannedSource, outcome: PrefillOutcome
) -> dict[str, dict[str, Any]]:
    """Read one registry for the draft (outside any transaction); its entries, or {} with the
    problem noted in `outcome`."""
    lookup = lookup_value(
        source=planned.source,
        user=application.applicant,
        answers=application.answers or {},
        key=planned.key,
    )
    if not lookup:
        return {}
    try:
        read = source_read(
            source=planned.source,
            institution=application.service_version.service.institution,
            user=application.applicant,
            lookup=lookup,
            issue=_issue(application),
        )
    except SourceFailed as failed:
        outcome.problems.append(failed.message)
        outcome.retry = outcome.retry or failed.unavailable
        return {}
    return _entries_from(planned, read.record, read.x_road_id, lookup)


def _store(
    *,
    application: Application,
    entries: dict[str, dict[str, Any]],
    drop: set[str],
    decision: str | None,
    by: Any,
    action: str,
) -> Application:
    """Write what was read (and the decision) into the draft, in one transaction."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        prefill = {k: v for k, v in (locked.prefill or {}).items() if k not in drop}
        answers = {k: v for k, v in (locked.answers or {}).items() if k not in drop}
        for qid, entry in entries.items():
            prefill[qid] = entry
            answers[qid] = entry["value"]
        if decision:
            prefill[DECISION_KEY] = {
                "decision": decision,
                "at": timezone.localtime().isoformat(timespec="seconds"),
            }
        locked.prefill = prefill
        locked.answers = answers_prune(locked.service_version.definition, answers)
        locked.save(update_fields=["prefill", "answers", "updated_at"])
        audit.record(
            actor=by,
            action=action,
            target=locked,
            data={
                "questions": sorted(entries),
                "sources": sorted({e["source"] for e in entries.values()}),
                "x_road_ids": sorted({e["x_road_id"] for e in entries.values() if e["x_road_id"]}),
                "decision": decision or "",
            },
            institution_id=locked.service_version.service.institution_id,
        )
    application.refresh_from_db()
    return application


def application_prefill_authorize(*, application: Application, by: Any) -> PrefillOutcome:
    """ "Autorizar y continuar": consent to each registry the form reads, then read those looked
    up by the citizen's own document, and fill their questions. A registry that fails leaves
    its questions editable and says why; the draft is never lost. Must not run inside
    transaction.atomic (the mediator refuses)."""
    _own(application, by)
    outcome = PrefillOutcome()
    service = application.service_version.service
    consented: list[PlannedSource] = []
    for planned in prefill_plan(application=application):
        if not planned.available:
            continue
        try:
            source_consent_give(
                source=planned.source,
                institution=service.institution,
                service_slug=service.slug,
                service_name=service.name,
                fields=planned.fields,
                user=by,
            )
        except SourceFailed as failed:
            outcome.problems.append(failed.message)
            continue
        except ValidationError as error:
            outcome.problems.append(" ".join(error.messages))
            continue
        consented.append(planned)
    entries: dict[str, dict[str, Any]] = {}
    for planned in consented:
        if planned.source.lookup != "key":
            entries.update(_read(application=application, planned=planned, outcome=outcome))
    outcome.filled = sorted(entries)
    _store(
        application=application,
        entries=entries,
        drop=set(),
        decision=GIVEN if outcome.ok else None,
        by=by,
        action="application.prefilled",
    )
    return outcome


def application_prefill_decline(*, application: Application, by: Any) -> Application:
    """ "Prefiero escribir mis datos" (or, after a registry failed, "continue and type the
    rest"): the questions not already filled stay editable and the citizen is not asked
    again for this draft."""
    _own(application, by)
    decision = GIVEN if prefill_entries(application) else DECLINED
    return _store(
        application=application,
        entries={},
        drop=set(),
        decision=decision,
        by=by,
        action="application.prefill_declined" if decision == DECLINED else "application.prefilled",
    )


def application_prefill_keyed(*, application: Application, by: Any) -> PrefillOutcome:
    """After a page is saved: read the registries looked up by an answer (the plate for
    SUNARP) whose answer is new or changed, and fill their questions; a removed or failed
    lookup makes them editable again. Nothing happens unless the citizen authorised. Must not
    run inside transaction.atomic."""
    _own(application, by)
    outcome = PrefillOutcome()
    if prefill_decision(application) != GIVEN:
        return outcome
    current = prefill_entries(application)
    entries: dict[str, dict[str, Any]] = {}
    drop: set[str] = set()
    for planned in prefill_plan(application=application):
        if planned.source.lookup != "key":
            continue
        ids = {str(q["id"]) for q in planned.questions}
        lookup = lookup_value(
            source=planned.source,
            user=application.applicant,
            answers=application.answers or {},
            key=planned.key,
        )
        before = {current[qid].get("lookup") for qid in ids if qid in current}
        if lookup and before == {lookup}:
            continue  # already read for this answer
        drop |= {qid for qid in ids if qid in current}
        if lookup:
            entries.update(_read(application=application, planned=planned, outcome=outcome))
    if not entries and not drop:
        return outcome
    outcome.filled = sorted(entries)
    _store(
        application=application,
        entries=entries,
        drop=drop,
        decision=None,
        by=by,
        action="application.prefilled",
    )
    return outcome


def answer_sources_for(*, application: Application, answers: dict[str, Any]) -> dict[str, Any]:
    """What Case.answer_sources keeps: the registry entries of the answers the case holds."""
    return {
        qid: {k: v for k, v in entry.items() if k != "lookup" or v}
        for qid, entry in prefill_entries(application).items()
        if qid in answers
    }


def prefill_notice(problems: list[str], *, retry: bool) -> str:
    """The one message the consent step shows after a failed read."""
    tail = (
        _("Tus respuestas están guardadas: puedes intentarlo de nuevo o escribir tus datos.")
        if retry
        else _("Tus respuestas están guardadas: puedes escribir esos datos tú mismo.")
    )
    return " ".join([*problems, tail])
