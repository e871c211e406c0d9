"""Changes to the catalogue. Each function checks permission, writes in one transaction,
rebuilds the published documents it changes (catalogue/content.py), leaves an audit row and
drops the cached public pages that showed the old data."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Role
from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.accounts.selectors import membership_institution_ids
from ventanilla.audit.services import record
from ventanilla.catalogue.content import (
    procedure_content_institution_renamed,
    procedure_content_refresh,
    procedure_content_set,
)
from ventanilla.catalogue.models import (
    LOCAL_NUMBER_BASE,
    LifeEvent,
    Procedure,
    ProcedureKind,
    Topic,
)
from ventanilla.catalogue.permissions import (
    life_event_can_edit,
    procedure_can_create,
    procedure_can_delete,
    procedure_can_edit,
    procedure_can_edit_field,
    procedure_can_publish,
    topic_can_edit,
)
from ventanilla.core.changes import changes_apply
from ventanilla.core.pagecache import invalidate
from ventanilla.core.text import fold_words, spanish_slug
from ventanilla.institutions.models import Institution

# Pages that list procedures: every change may move a title, a count or an order on them.
LIST_PATHS = ("/", "/tramites/", "/instituciones/", "/buscar/")
# Past this many pages one change drops the whole section rather than page by page.


def procedure_search_text(*, title: str, code: str | None) -> str:
    """The accent-folded words the simple search matches (title and source code)."""
    return fold_words(f"{title} {code or ''}")


def _index(procedure: Procedure) -> None:
    procedure.search_text = procedure_search_text(title=procedure.title, code=procedure.code)


def _url(name: str, **kwargs: Any) -> list[str]:
    try:
        return [reverse(name, kwargs=kwargs)]
    except NoReverseMatch:  # a value the URL pattern cannot carry has no public page
        return []


def _procedure_urls(rows: Iterable[tuple[int, str]]) -> list[str]:
    paths: list[str] = []
    for number, slug in rows:
        paths += _url("catalogue:procedure", number=number, slug=slug)
        paths += _url("catalogue:procedure_number", number=number)
    return paths


def procedure_institution_renamed(institution: Institution) -> list[str]:
    """Rebuild the documents of the institution's procedures after its name, acronym or slug
    changed, and return every public page that prints it beside a procedure: those procedures'
    pages and the topics and life events that list them. Registered with the institution
    services' `institution_on_rename` at ready(), so it runs inside their transaction."""
    procedure_content_institution_renamed(institution)
    rows = Procedure.objects.filter(institution=institution).values_list("number", "slug")
    paths = _procedure_urls(rows)
    topics = Topic.objects.filter(procedures__institution=institution).distinct()
    for slug in topics.values_list("slug", flat=True):
        paths += _url("catalogue:topic", slug=slug)
    events = LifeEvent.objects.filter(steps__procedure__institution=institution).distinct()
    for slug in events.values_list("slug", flat=True):
        paths += _url("catalogue:life_event", slug=slug)
    return paths


def procedure_paths(*, procedure: Procedure, institution_ids: Iterable[int] = ()) -> list[str]:
    """The public pages that show this procedure: its own, its institution's (and those of
    `institution_ids`), the lists, and its topics' and life events' pages."""
    paths = [*_procedure_urls([(procedure.number, procedure.slug)]), *LIST_PATHS]
    ids = {i for i in [procedure.institution_id, *institution_ids] if i is not None}
    for slug in Institution.objects.filter(pk__in=ids).values_list("slug", flat=True):
        paths += _url("institutions:detail", slug=slug)
    if procedure.pk is not None:
        for slug in procedure.topics.values_list("slug", flat=True):
            paths += _url("catalogue:topic", slug=slug)
        events = LifeEvent.objects.filter(steps__procedure=procedure).distinct()
        for slug in events.values_list("slug", flat=True):
            paths += _url("catalogue:life_event", slug=slug)
    return paths


def _deny_edit(procedure: Procedure) -> PermissionDenied:
    return PermissionDenied(
        _("No tiene permiso para editar el trámite «%(title)s».") % {"title": procedure.title}
    )


def _check_fields(by: Any, procedure: Procedure, names: Iterable[str]) -> None:
    refused = sorted(n for n in names if not procedure_can_edit_field(by, procedure, n))
    if refused:
        raise PermissionDenied(
            _("Su rol no le permite cambiar estos campos del trámite: %(fields)s.")
            % {"fields": ", ".join(refused)}
        )


def _next_local_number() -> int:
    top = Procedure.objects.filter(number__gt=LOCAL_NUMBER_BASE).aggregate(top=Max("number"))
    return (top["top"] or LOCAL_NUMBER_BASE) + 1


@transaction.atomic
def procedure_create(
    *, institution: Institution | None, data: Mapping[str, Any], by: Any
) -> Procedure:
    """A new procedure page of `institution`. Its number is the next local one unless a
    platform administrator gives gob.pe's; it starts unpublished unless `by` may publish."""
    institution_id = institution.pk if institution is not None else None
    if not procedure_can_create(by, institution_id):
        raise PermissionDenied(
            _("No tiene permiso para crear trámites de «%(name)s».")
            % {"name": institution or _("ninguna institución")}
        )
    procedure = Procedure(institution=institution, kind=ProcedureKind.PROCEDURE)
    can_publish = procedure_can_publish(by, procedure)
    values = {"is_published": can_publish, **data}
    values.pop("institution", None)
    _check_fields(by, procedure, [n for n in values if n != "is_published"])
    if values["is_published"] and not can_publish:
        _check_fields(by, procedure, ["is_published"])
    if not values.get("slug"):
        values["slug"] = spanish_slug(str(values.get("title", "")))
    for _attempt in range(3):  # two editors may take the same free number at once
        if "number" not in data:
            values["number"] = _next_local_number()
        changes_apply(procedure, values)
        _index(procedure)
        procedure_content_set(procedure)
        try:
            with transaction.atomic():
                procedure.save()
            break
        except IntegrityError:
            if "number" in data:
                raise
            procedure.pk = None
    record(
        actor=by,
        action="procedure.created",
        target=procedure,
        institution_id=institution_id,
        data={"number": procedure.number, "title": procedure.title},
    )
    invalidate(procedure_paths(procedure=procedure))
    return procedure


@transaction.atomic
def procedure_update(*, procedure: Procedure, data: Mapping[str, Any], by: Any) -> Procedure:
    """Change the fields given in `data`; returns the saved procedure. Moving it to another
    institution needs an editing role in both; `is_published` needs a publishing role."""
    if not procedure_can_edit(by, procedure):
        raise _deny_edit(procedure)
    # Lock the row so two editors' changes are compared and recorded one after the other.
    stored = Procedure.objects.select_for_update().get(pk=procedure.pk)
    old_paths = procedure_paths(procedure=stored)
    changed = changes_apply(procedure, data)
    if not changed:
        return procedure
    _check_fields(by, stored, changed)
    if "institution" in changed and not procedure_can_create(by, procedure.institution_id):
        raise PermissionDenied(_("No puede asignar trámites a esa institución."))
    _index(procedure)
    procedure_content_set(procedure)
    procedure.save()
    record(
        actor=by,
        action="procedure.updated",
        target=procedure,
        institution_id=procedure.institution_id,
        data={"changed": changed},
    )
    invalidate([*old_paths, *procedure_paths(procedure=procedure)])
    return procedure


def _set_published(*, procedure: Procedure, by: Any, published: bool) -> Procedure:
    if not procedure_can_publish(by, procedure):
        raise PermissionDenied(
            _("Su rol no le permite publicar ni retirar el trámite «%(title)s».")
            % {"title": procedure.title}
        )
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    if procedure.is_published == published:
        return procedure
    procedure.is_published = published
    procedure_content_set(procedure)
    procedure.save(update_fields=["is_published", "content", "updated_at"])
    record(
        actor=by,
        action="procedure.published" if published else "procedure.unpublished",
        target=procedure,
        institution_id=procedure.institution_id,
        data={"changed": {"is_published": [not published, published]}},
    )
    invalidate(procedure_paths(procedure=procedure))
    return procedure


@transaction.atomic
def procedure_publish(*, procedure: Procedure, by: Any) -> Procedure:
    """Put the page on line (institution admins and publishers)."""
    return _set_published(procedure=procedure, by=by, published=True)


@transaction.atomic
def procedure_unpublish(*, procedure: Procedure, by: Any) -> Procedure:
    """Take the page off line; its URL answers 404 until it is published again."""
    return _set_published(procedure=procedure, by=by, published=False)


@transaction.atomic
def procedure_content_changed(
    *, procedure: Procedure, by: Any, summary: Mapping[str, Any]
) -> Procedure:
    """Record that requirements, channels, steps or sections were added, changed or removed
    (the back office saves those rows), and drop the pages that show them."""
    if not procedure_can_edit(by, procedure):
        raise _deny_edit(procedure)
    _index(procedure)
    procedure_content_set(procedure)
    procedure.save(update_fields=["search_text", "content", "updated_at"])  # Last-Modified too
    record(
        actor=by,
        action="procedure.content_changed",
        target=procedure,
        institution_id=procedure.institution_id,
        data=dict(summary),
    )
    invalidate(procedure_paths(procedure=procedure))
    return procedure


@transaction.atomic
def procedure_delete(*, procedure: Procedure, by: Any) -> None:
    """Delete a page for good (platform administrators; officials unpublish instead)."""
    if not procedure_can_delete(by, procedure):
        raise PermissionDenied(_("Solo los administradores de la plataforma eliminan trámites."))
    paths = procedure_paths(procedure=procedure)
    record(
        actor=by,
        action="procedure.deleted",
        target=procedure,
        institution_id=procedure.institution_id,
        data={"number": procedure.number, "title": procedure.title},
    )
    procedure.delete()
    invalidate(paths)


def _pages_of(procedure_ids: set[int]) -> list[str]:
    # Explicit pages, never a section wildcard: the nginx caches in front purge exact keys only.
    return _procedure_urls(
        Procedure.objects.filter(pk__in=procedure_ids).values_list("number", "slug")
    )


def _require_platform(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(
            _("Solo los administradores de la plataforma editan temas y momentos de vida.")
        )


@transaction.atomic
def topic_save(*, topic: Topic, data: Mapping[str, Any], by: Any) -> Topic:
    """Create (unsaved `topic`) or change a topic; `data["procedures"]`, when given, is the
    whole new list of its procedures."""
    _require_platform(topic_can_edit(by))
    values = dict(data)
    procedures = values.pop("procedures", None)
    created = topic.pk is None
    old_url = [] if created else [Topic.objects.get(pk=topic.pk).get_absolute_url()]
    changed: dict[str, Any] = changes_apply(topic, values)
    topic.save()
    before = set() if created else set(topic.procedures.values_list("pk", flat=True))
    after = before
    if procedures is not None:
        after = {getattr(p, "pk", p) for p in procedures}
        topic.procedures.set(after)
        added, removed = sorted(after - before), sorted(before - after)
        if added or removed:
            changed["procedures"] = {"added": added, "removed": removed}
    # Procedure pages show the topic's name and link, in the topics' order.
    shown = {"name", "slug", "position"} & changed.keys()
    touched = after | before if shown else after ^ before
    procedure_content_refresh(ids=touched)
    if changed or created:
        record(
            actor=by,
            action="topic.created" if created else "topic.updated",
            target=topic,
            data={"changed": changed},
        )
        invalidate([*old_url, topic.get_absolute_url(), "/temas/", "/", *_pages_of(touched)])
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic, by: Any) -> None:
    _require_platform(topic_can_edit(by))
    paths = [topic.get_absolute_url(), "/temas/", "/"]
    members = set(topic.procedures.values_list("pk", flat=True))
    paths += _pages_of(members)
    record(actor=by, action="topic.deleted", target=topic, data={"name": topic.name})
    topic.delete()
    procedure_content_refresh(ids=members)
    invalidate(paths)


def _life_event_paths(life_event: LifeEvent) -> list[str]:
    return [life_event.get_absolute_url(), "/momentos-de-vida/", "/"]


@transaction.atomic
def life_event_save(*, life_event: LifeEvent, data: Mapping[str, Any], by: Any) -> LifeEvent:
    """Create (unsaved `life_event`) or change a life event's own fields."""
    _require_platform(life_event_can_edit(by))
    created = life_event.pk is None
    old = [] if created else _life_event_paths(LifeEvent.objects.get(pk=life_event.pk))
    changed = changes_apply(life_event, data)
    if changed or created:
        life_event.save()
        record(
            actor=by,
            action="life_event.created" if created else "life_event.updated",
            target=life_event,
            data={"changed": changed},
        )
        invalidate([*old, *_life_event_paths(life_event)])
    return life_event


@transaction.atomic
def life_event_steps_changed(*, life_event: LifeEvent, by: Any, summary: Mapping[str, Any]) -> None:
    """Record that the journey's steps changed (the back office saves those rows)."""
    _require_platform(life_event_can_edit(by))
    life_event.save(update_fields=["updated_at"])
    record(actor=by, action="life_event.steps_changed", target=life_event, data=dict(summary))
    invalidate(_life_event_paths(life_event))


@transaction.atomic
def life_event_delete(*, life_event: LifeEvent, by: Any) -> None:
    _require_platform(life_event_can_edit(by))
    paths = _life_event_paths(life_event)
    record(
        actor=by, action="life_event.deleted", target=life_event, data={"title": life_event.title}
    )
    life_event.delete()
    invalidate(paths)


@transaction.atomic
def procedure_online_service_link(
    *, procedure: Procedure, url: str, min_assurance: str, by: Any
) -> Procedure:
    """Point the procedure's "Iniciar trámite en línea" at a Ventanilla digital service (the
    form builder calls this when a service of the same institution is published). Allowed to
    the institution's service designers and administrators."""
    allowed = is_platform_admin(by) or procedure.institution_id in membership_institution_ids(
        user=by, roles=[Role.SERVICE_DESIGNER, Role.INSTITUTION_ADMIN]
    )
    if not allowed:
        raise _deny_edit(procedure)
    stored = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if stored.online_url == url and stored.min_assurance == min_assurance:
        return stored
    changed = {
        "online_url": [stored.online_url, url],
        "min_assurance": [stored.min_assurance, min_assurance],
    }
    stored.online_url = url
    stored.min_assurance = min_assurance
    procedure_content_set(stored)
    stored.save(update_fields=["online_url", "min_assurance", "content", "updated_at"])
    record(
        actor=by,
        action="procedure.online_service_linked",
        target=stored,
        institution_id=stored.institution_id,
        data={"changed": changed},
    )
    invalidate(procedure_paths(procedure=stored))
    return stored
