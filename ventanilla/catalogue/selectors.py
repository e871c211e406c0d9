"""Reads of the catalogue, with the visibility rules that pages and the API share."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from ventanilla.catalogue.content import (
    content_unpack,
    procedure_content_build,
    procedure_content_is_current,
)
from ventanilla.catalogue.models import (
    Channel,
    LifeEvent,
    LifeEventStep,
    Procedure,
    ProcedureKind,
    Topic,
)
from ventanilla.core.filters import FilterProblems, first
from ventanilla.core.text import fold
from ventanilla.institutions.models import Institution, Level

# What a list item shows (pages and the API's list): the rest of the row is never read, so a
# list page builds small objects and converts no dates.
LIST_FIELDS = (
    "number",
    "slug",
    "code",
    "title",
    "kind",
    "has_detail",
    "online_url",
    "fee_amount",
    "time_limit",
    "institution__slug",
    "institution__name",
    "institution__acronym",
)


@dataclass
class ProcedureFilters:
    q: str = ""
    kind: str = ""
    institution: str = ""  # institution slug
    level: str = ""
    topic: str = ""  # topic slug
    online: bool = False  # only those that can be started online
    problems: FilterProblems = field(default_factory=FilterProblems)

    @property
    def impossible(self) -> bool:
        return bool(self.problems)

    def as_query(self) -> dict[str, str]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("problems", "online") and v}
        if self.online:
            out["en_linea"] = "1"
        return out


def procedure_filters_parse(params: Any) -> ProcedureFilters:
    f = ProcedureFilters(
        q=first(params, "q", 200),
        kind=first(params, "tipo") or first(params, "kind"),
        institution=first(params, "institucion") or first(params, "institution"),
        level=first(params, "nivel") or first(params, "level"),
        topic=first(params, "tema") or first(params, "topic"),
        online=(first(params, "en_linea") or first(params, "online")) in {"1", "true", "si", "sí"},
    )
    if f.kind and f.kind not in ProcedureKind.values:
        f.problems.add(_("El tipo «%(v)s» no existe.") % {"v": f.kind})
    if f.level and f.level not in Level.values:
        f.problems.add(_("El nivel de gobierno «%(v)s» no existe.") % {"v": f.level})
    if f.institution and not Institution.objects.filter(slug=f.institution).exists():
        f.problems.add(_("La institución «%(v)s» no existe.") % {"v": f.institution})
    if f.topic and not Topic.objects.filter(slug=f.topic).exists():
        f.problems.add(_("El tema «%(v)s» no existe.") % {"v": f.topic})
    return f


def procedure_list(*, filters: ProcedureFilters) -> QuerySet[Procedure]:
    """Published procedures matching the filters: full pages first, then by popularity."""
    qs = (
        Procedure.objects.filter(is_published=True).select_related("institution").only(*LIST_FIELDS)
    )
    if filters.impossible:
        return qs.none()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.institution:
        qs = qs.filter(institution__slug=filters.institution)
    if filters.level:
        qs = qs.filter(institution__level=filters.level)
    if filters.topic:
        qs = qs.filter(topics__slug=filters.topic)
    if filters.online:
        qs = qs.exclude(online_url="")
    if filters.q:
        for word in fold(filters.q).split()[:8]:
            qs = qs.filter(search_text__contains=word)
    return qs.order_by("-has_detail", "-popularity", "title", "id")


def procedure_get(*, number: int | None = None, code: str | None = None) -> Procedure:
    """One published procedure, by its number or by its source code (P001…), with everything
    its page shows; raises Procedure.DoesNotExist."""
    lookup: dict[str, object] = {"number": number} if code is None else {"code": code}
    return (
        Procedure.objects.filter(is_published=True)
        .select_related("institution", "institution__department")
        .prefetch_related(
            "requirements",
            Prefetch("channels", queryset=Channel.objects.prefetch_related("steps")),
            "sections",
            "topics",
        )
        .get(**lookup)
    )


@dataclass(frozen=True)
class ProcedurePage:
    """What the procedure page renders: the published document and when the row last changed."""

    content: dict[str, Any]
    updated_at: datetime


def procedure_page_get(*, number: int) -> ProcedurePage:
    """The published procedure `number` as its page shows it: one query, no child rows and no
    model instances (the stored document, built by the writes). Raises Procedure.DoesNotExist."""
    rows = list(
        Procedure.objects.filter(number=number, is_published=True)
        .order_by()
        .values_list("pk", "content", "updated_at")[:1]
    )
    if not rows:
        raise Procedure.DoesNotExist
    pk, content, updated_at = rows[0]
    if procedure_content_is_current(content):
        content = content_unpack(content)
    else:  # written before documents existed, or straight through the ORM: build it now
        content = procedure_content_build(Procedure.objects.get(pk=pk))
    return ProcedurePage(content=content, updated_at=updated_at)


def procedure_popular(*, limit: int = 8) -> list[Procedure]:
    """The most used procedures with a full page, for the home page."""
    return list(
        Procedure.objects.filter(is_published=True, has_detail=True)
        .select_related("institution")
        .only(*LIST_FIELDS)
        .order_by("-popularity", "title")[:limit]
    )


def procedure_list_for_institution(*, institution: Institution, limit: int = 50) -> list[Procedure]:
    return list(
        Procedure.objects.filter(is_published=True, institution=institution).order_by(
            "-has_detail", "-popularity", "title"
        )[:limit]
    )


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


def topic_get(*, slug: str) -> Topic:
    return Topic.objects.get(slug=slug)


def life_event_list() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.all()


def life_event_get(*, slug: str) -> LifeEvent:
    """A life event with its steps and each step's procedure and institution."""
    steps = LifeEventStep.objects.select_related("procedure", "procedure__institution")
    return LifeEvent.objects.prefetch_related(Prefetch("steps", queryset=steps)).get(slug=slug)


def procedure_filter_choices(*, filters: ProcedureFilters) -> dict[str, list[tuple[str, str]]]:
    """Options for the catalogue's selects: every topic, and the institutions that have at least
    one full procedure page (plus the one being filtered by): a select of all 3,500 would
    weigh more than the page itself."""
    topics = list(Topic.objects.order_by("position", "name").values_list("slug", "name"))
    institutions = list(
        Institution.objects.filter(procedures__has_detail=True, procedures__is_published=True)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )
    if filters.institution and filters.institution not in {slug for slug, _n in institutions}:
        institutions += list(
            Institution.objects.filter(slug=filters.institution).values_list("slug", "name")
        )
    return {"topics": topics, "institutions": institutions}


def topic_list_with_counts() -> QuerySet[Topic]:
    """Topics with the number of published procedures in each."""
    return Topic.objects.annotate(
        procedure_count=Count("procedures", filter=Q(procedures__is_published=True))
    ).order_by("position", "name")
