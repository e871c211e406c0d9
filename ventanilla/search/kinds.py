"""The kinds of things the portal publishes today, registered with the search index:
procedures and services, institutions, topics and life events."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ventanilla.catalogue.models import LifeEvent, LifeEventStep, Procedure, ProcedureKind, Topic
from ventanilla.institutions.models import Institution
from ventanilla.search.registry import IndexEntry, SearchKind, register

# A full procedure page (requirements, fees, channels) is what a citizen wants over a title-only
# catalogue page of the same name.
FULL_PAGE_QUALITY = 2.5
SUBTYPE_QUALITY = {
    ProcedureKind.PROCEDURE: 1.0,
    ProcedureKind.SERVICE: 1.0,
    ProcedureKind.GUIDANCE: 0.85,
    ProcedureKind.PAGE: 0.75,
}
# Keys of the published document whose text is searchable, in reading order.
_CONTENT_KEYS = (
    "summary",
    "audience",
    "requirements",
    "fee_detail",
    "time_limit",
    "validity",
    "notes",
    "channels",
    "sections",
)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value and not value.startswith(("http://", "https://", "/")):
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in {"url", "kind", "slug"}:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _procedure_queryset() -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(is_published=True)
        .select_related("institution")
        .defer(None)
        .only(
            "id",
            "number",
            "slug",
            "code",
            "title",
            "kind",
            "summary",
            "has_detail",
            "is_published",
            "popularity",
            "updated_at",
            "content",
            "institution__id",
            "institution__name",
            "institution__acronym",
            "institution__level",
            "institution__department_id",
        )
        .order_by("id")
    )


def _procedure_entries(procedures: Iterable[Procedure]) -> Iterator[IndexEntry]:
    for p in procedures:
        if not p.is_published:
            continue
        content = p.content or {}
        institution = p.institution
        topics = " ".join(t.get("name", "") for t in content.get("topics") or [])
        keywords = " ".join(
            part
            for part in (
                p.code or "",
                institution.acronym if institution else "",
                institution.name if institution else "",
                topics,
            )
            if part
        )
        body = "\n".join(s for key in _CONTENT_KEYS for s in _strings(content.get(key)))
        quality = SUBTYPE_QUALITY.get(ProcedureKind(p.kind), 1.0) if p.kind else 1.0
        if p.has_detail:
            quality *= FULL_PAGE_QUALITY
        yield IndexEntry(
            object_id=p.pk,
            title=p.title,
            url=reverse("catalogue:procedure", kwargs={"number": p.number, "slug": p.slug}),
            code=p.code or "",
            keywords=keywords,
            summary=p.summary,
            body=body,
            subtype=p.kind,
            institution_id=institution.pk if institution else None,
            level=institution.level if institution else "",
            department_id=institution.department_id if institution else None,
            date=p.updated_at,
            popularity=p.popularity,
            quality=quality,
        )


def _institution_queryset() -> QuerySet[Institution]:
    return (
        Institution.objects.select_related("province", "district")
        .annotate(published=Count("procedures", filter=Q(procedures__is_published=True)))
        .order_by("id")
    )


def _institution_entries(institutions: Iterable[Institution]) -> Iterator[IndexEntry]:
    for i in institutions:
        places = " ".join(place.name for place in (i.province, i.district) if place is not None)
        published = getattr(i, "published", 0) or 0
        try:
            url = reverse("institutions:detail", kwargs={"slug": i.slug})
        except NoReverseMatch:  # a slug the directory cannot serve has no page to find
            continue
        yield IndexEntry(
            object_id=i.pk,
            title=i.name,
            url=url,
            code=i.acronym,
            keywords=f"{i.acronym} {i.sector} {places}",
            summary=i.description,
            subtype=i.kind,
            institution_id=i.pk,
            level=i.level,
            department_id=i.department_id,
            date=i.updated_at,
            # An institution with many published pages is one people look for.
            popularity=published,
        )


def _topic_entries(topics: Iterable[Topic]) -> Iterator[IndexEntry]:
    for t in topics:
        yield IndexEntry(
            object_id=t.pk,
            title=t.name,
            url=t.get_absolute_url(),
            summary=t.description,
            date=t.updated_at,
        )


def _life_event_entries(events: Iterable[LifeEvent]) -> Iterator[IndexEntry]:
    for e in events:
        steps = "\n".join(f"{s.title}. {s.description}" for s in e.steps.all())
        yield IndexEntry(
            object_id=e.pk,
            title=e.title,
            url=e.get_absolute_url(),
            summary=e.summary,
            body=steps,
            date=e.updated_at,
        )


def _institution_procedure_ids(institution: Institution) -> list[int]:
    return list(institution.procedures.values_list("pk", flat=True))


PROCEDURES = register(
    SearchKind(
        name="procedure",
        label=_("Trámite o servicio"),
        label_plural=_("Trámites y servicios"),
        model=Procedure,
        queryset=_procedure_queryset,
        entries=_procedure_entries,
        weight=1.0,
        task_weight=1.4,
        # A renamed institution changes the name its procedures are found by.
        watch=((Institution, _institution_procedure_ids),),
    )
)
INSTITUTIONS = register(
    SearchKind(
        name="institution",
        label=_("Institución"),
        label_plural=_("Instituciones"),
        model=Institution,
        queryset=_institution_queryset,
        entries=_institution_entries,
        weight=1.0,
        task_weight=0.6,
    )
)
TOPICS = register(
    SearchKind(
        name="topic",
        label=_("Tema"),
        label_plural=_("Temas"),
        model=Topic,
        queryset=lambda: Topic.objects.order_by("id"),
        entries=_topic_entries,
        weight=0.8,
        task_weight=0.5,
    )
)
LIFE_EVENTS = register(
    SearchKind(
        name="life_event",
        label=_("Momento de vida"),
        label_plural=_("Momentos de vida"),
        model=LifeEvent,
        queryset=lambda: LifeEvent.objects.prefetch_related("steps").order_by("id"),
        entries=_life_event_entries,
        weight=0.9,
        task_weight=0.7,
        watch=((LifeEventStep, lambda step: [step.life_event_id]),),
    )
)
