"""The citizen's application in progress: starting (or resuming) a draft, saving a page,
attaching and removing files, and the one satisfaction answer after submitting.

Only the applicant may touch their draft, and only while it is not yet submitted."""

import hashlib
import os
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ventanilla.audit import services as audit
from ventanilla.cases.models import Application, Case, CaseFile, Satisfaction
from ventanilla.formbuilder.answers import (
    PageOutcome,
    field_name,
    file_check,
    page_read,
    question_data,
)
from ventanilla.formbuilder.conditions import answers_prune, pages_visible
from ventanilla.formbuilder.definition import NO_ANSWER_TYPES, page_index, question_index
from ventanilla.formbuilder.models import DigitalService

HEAD_BYTES = 2048  # enough for every file signature formbuilder.answers checks
DEFAULT_MAX_FILES = 1


def _own_draft(application: Application, by: Any) -> None:
    if not getattr(by, "is_authenticated", False) or application.applicant_id != by.pk:
        raise PermissionDenied
    if application.submitted_at is not None:
        raise ValidationError(_("Esta solicitud ya fue enviada: no se puede cambiar."))


def application_start(*, service: DigitalService, applicant: Any) -> Application:
    """The citizen's open draft for `service` (the newest, on the version it was started on),
    or a new one on the service's current published version."""
    if not getattr(applicant, "is_authenticated", False):
        raise PermissionDenied
    open_drafts = Application.objects.filter(
        applicant=applicant, service_version__service=service, submitted_at__isnull=True
    ).select_related("service_version")
    found = open_drafts.order_by("-updated_at").first()
    if found is not None:
        return found
    version = service.current_version
    if version is None or service.archived_at is not None:
        raise ValidationError(_("Este servicio no recibe solicitudes en línea por ahora."))
    try:
        with transaction.atomic():
            application = Application.objects.create(service_version=version, applicant=applicant)
            audit.record(
                actor=applicant,
                action="application.started",
                target=application,
                data={"service": service.pk, "version": version.number},
                institution_id=service.institution_id,
            )
    except IntegrityError:
        # A second tab started the same draft at the same moment: use theirs.
        return open_drafts.get(service_version=version)
    return application


def _question_of(field: str) -> str:
    """The question id an error key belongs to ("q-fecha-day" -> "fecha")."""
    return field.removeprefix("q-").split("-", 1)[0]


def application_page_save(
    *,
    application: Application,
    page_id: str,
    data: Mapping[str, Any],
    by: Any,
    files: Mapping[str, Any] | None = None,
) -> PageOutcome:
    """Read one page into the draft. New uploads (`files`, request.FILES) are stored first;
    then every answer on the page without an error is kept, so a refused upload or one wrong
    field loses none of the others. The page counts as done only when it has no errors."""
    _own_draft(application, by)
    definition = application.service_version.definition
    page = page_index(definition).get(page_id)
    if (
        page is None
        or page.get("exit")
        or page not in pages_visible(definition, application.answers)
    ):
        raise ValidationError(_("Esta página no forma parte de tu solicitud."))
    upload_errors = application_uploads_store(
        application=application, page_id=page_id, files=files, by=by
    )
    posted = _Posted(data)
    for question in page.get("questions") or []:
        if question.get("type") == "file":
            # What page_read sees for a file question: the files actually attached, not what
            # the browser claims.
            posted.lists[field_name(str(question["id"]))] = [
                str(i)
                for i in application.files.filter(question=question["id"], case__isnull=True)
                .order_by("created_at", "pk")
                .values_list("public_id", flat=True)
            ]
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        _prefilled_keep(application, page, posted)
        outcome = page_read(
            definition=definition, page_id=page_id, data=posted, answers=application.answers
        )
        # A refused upload says more than "attach the file".
        outcome.errors.update(upload_errors)
        wrong = {_question_of(key) for key in outcome.errors}
        answers = dict(application.answers)
        for question in page.get("questions") or []:
            qid = str(question.get("id"))
            if question.get("type") in NO_ANSWER_TYPES or qid in wrong:
                continue
            if qid in outcome.answers:
                answers[qid] = outcome.answers[qid]
            else:
                answers.pop(qid, None)
        application.answers = answers_prune(definition, answers)
        visible_ids = {str(p.get("id")) for p in pages_visible(definition, application.answers)}
        completed = [p for p in application.completed_pages if p in visible_ids]
        if outcome.ok and page_id not in completed:
            completed.append(page_id)
        elif not outcome.ok and page_id in completed:
            completed.remove(page_id)
        application.completed_pages = completed
        application.save(update_fields=["answers", "completed_pages", "updated_at"])
    return outcome


def _prefilled_keep(application: Application, page: dict[str, Any], posted: "_Posted") -> None:
    """Answers read from a registry are read-only: whatever was posted for them is replaced
    by the value read (a tampered form changes nothing)."""
    prefill = application.prefill or {}
    for question in page.get("questions") or []:
        entry = prefill.get(str(question.get("id")))
        if not isinstance(entry, dict) or "value" not in entry:
            continue
        prefix = field_name(str(question["id"]))
        for key in [k for k in posted.lists if k == prefix or k.startswith(prefix + "-")]:
            del posted.lists[key]
        for key, value in question_data(question=question, value=entry["value"]).items():
            posted.lists[key] = list(value) if isinstance(value, list) else [value]


def application_uploads_store(
    *, application: Application, page_id: str, files: Mapping[str, Any] | None, by: Any
) -> dict[str, str]:
    """Store the uploads sent with a page (request.FILES) for its file questions; returns a
    Spanish message per file field whose upload was refused ({} when all were stored)."""
    _own_draft(application, by)
    page = page_index(application.service_version.definition).get(page_id) or {}
    errors: dict[str, str] = {}
    for question in page.get("questions") or []:
        if question.get("type") != "file":
            continue
        name = field_name(str(question["id"]))
        for upload in _uploads(files, name):
            try:
                application_file_add(
                    application=application, question_id=str(question["id"]), upload=upload, by=by
                )
            except ValidationError as error:
                errors.setdefault(name, " ".join(error.messages))
    return errors


class _Posted(dict[str, Any]):
    """The posted fields as page_read reads them (get -> last value, getlist -> all), with the
    file questions' values replaced by the ids of the files attached."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__()
        getlist = getattr(data, "getlist", None)
        self.lists: dict[str, list[str]] = {}
        for key in data:
            values = getlist(key) if getlist else data[key]
            self.lists[key] = list(values) if isinstance(values, list | tuple) else [values]

    def __iter__(self) -> Any:
        return iter(self.lists)

    def __contains__(self, key: object) -> bool:
        return key in self.lists

    def get(self, key: str, default: Any = None) -> Any:
        values = self.lists.get(key)
        return values[-1] if values else default

    def getlist(self, key: str) -> list[str]:
        return list(self.lists.get(key, []))


def _uploads(files: Mapping[str, Any] | None, name: str) -> list[UploadedFile]:
    if not files:
        return []
    getlist = getattr(files, "getlist", None)
    found = getlist(name) if getlist else files.get(name)
    if found is None:
        return []
    return [f for f in (found if isinstance(found, list | tuple) else [found]) if f]


def application_file_add(
    *, application: Application, question_id: str, upload: UploadedFile, by: Any
) -> CaseFile:
    """Store one upload for a file question of the draft. ValidationError (Spanish) when the
    question takes no more files, or the file is empty, too big or not of an accepted type
    (judged by its first bytes)."""
    _own_draft(application, by)
    question = question_index(application.service_version.definition).get(question_id)
    if question is None or question.get("type") != "file":
        raise ValidationError(_("Esta pregunta no admite archivos."))
    name = os.path.basename(str(upload.name or "archivo"))[:200] or "archivo"
    limit = int(question.get("max_files") or DEFAULT_MAX_FILES)
    attached = application.files.filter(question=question_id, case__isnull=True).count()
    if attached >= limit:
        raise ValidationError(
            _("No se adjuntó «%(f)s»: ya tienes %(n)s archivo(s), el máximo. Quita uno primero.")
            % {"f": name, "n": limit}
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    size = int(upload.size or 0)
    problem = file_check(
        question=question,
        name=name,
        size=size,
        content_type=str(upload.content_type or ""),
        head=head,
    )
    if problem:
        raise ValidationError(problem)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    public_id = uuid.uuid4()
    extension = os.path.splitext(name)[1].lower()[:10]
    case_file = CaseFile(
        public_id=public_id,
        application=application,
        question=question_id,
        name=name,
        content_type=str(upload.content_type or "application/octet-stream")[:120],
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    # Stored under a random name: the citizen's file name stays in the row, not on disk.
    case_file.file.save(f"{public_id}{extension}", upload, save=False)
    try:
        with transaction.atomic():
            case_file.save()
            audit.record(
                actor=by,
                action="application.file_added",
                target=application,
                data={"question": question_id, "file": str(public_id), "size": size},
                institution_id=application.service_version.service.institution_id,
            )
    except Exception:
        case_file.file.delete(save=False)
        raise
    return case_file


def application_file_remove(*, application: Application, file_id: str, by: Any) -> None:
    """Take a file off the draft (and its answer); the stored copy is deleted after commit."""
    _own_draft(application, by)
    try:
        public_id = uuid.UUID(str(file_id))
    except ValueError:
        raise ValidationError(_("Ese archivo no está en tu solicitud.")) from None
    with transaction.atomic():
        case_file = (
            CaseFile.objects.select_for_update()
            .filter(application=application, public_id=public_id, case__isnull=True)
            .first()
        )
        if case_file is None:
            raise ValidationError(_("Ese archivo no está en tu solicitud."))
        application = Application.objects.select_for_update().get(pk=application.pk)
        answers = dict(application.answers)
        value = answers.get(case_file.question)
        if isinstance(value, list) and str(public_id) in value:
            remaining = [v for v in value if v != str(public_id)]
            if remaining:
                answers[case_file.question] = remaining
            else:
                answers.pop(case_file.question)
            application.answers = answers
            application.save(update_fields=["answers", "updated_at"])
        stored = case_file.file.name
        storage = case_file.file.storage
        case_file.delete()
        audit.record(
            actor=by,
            action="application.file_removed",
            target=application,
            data={"question": case_file.question, "file": str(public_id)},
            institution_id=application.service_version.service.institution_id,
        )
        transaction.on_commit(lambda: storage.delete(stored) if stored else None)


def satisfaction_record(*, case: Case, score: int, comment: str, by: Any) -> Satisfaction:
    """The applicant's one answer to "how satisfied are you" (1–5, optional comment). A second
    answer for the same case returns the first unchanged."""
    if not getattr(by, "is_authenticated", False) or case.applicant_id != by.pk:
        raise PermissionDenied
    if case.service_id is None:
        raise ValidationError(_("Este expediente no admite la encuesta."))
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError({"puntaje": _("Elige una opción del 1 al 5.")})
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationError({"comentario": _("Escribe como máximo 1000 caracteres.")})
    existing = Satisfaction.objects.filter(case=case).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            satisfaction = Satisfaction.objects.create(
                case=case, service_id=case.service_id, score=score, comment=comment
            )
            audit.record(
                actor=by,
                action="case.satisfaction_recorded",
                target=case,
                data={"score": score},
                institution_id=case.institution_id,
            )
    except IntegrityError:
        return Satisfaction.objects.get(case=case)
    return satisfaction
