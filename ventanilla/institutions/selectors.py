"""Reads of the directory, with the rules that list pages and the API share."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from ventanilla.core.filters import FilterProblems, first
from ventanilla.core.text import fold
from ventanilla.institutions.models import Institution, Kind, Level
from ventanilla.ubigeo.models import Department, District, Province


@dataclass
class InstitutionFilters:
    q: str = ""
    level: str = ""
    kind: str = ""
    department: str = ""  # INEI code, 2 digits
    province: str = ""  # 4 digits
    district: str = ""  # 6 digits
    letter: str = ""  # A–Z
    problems: FilterProblems = field(default_factory=FilterProblems)

    @property
    def impossible(self) -> bool:
        """A filter named a value that does not exist: the answer is an empty list."""
        return bool(self.problems)

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if k != "problems" and v}


def institution_filters_parse(params: Any) -> InstitutionFilters:
    """Read filters from a QueryDict (or dict); each unknown value becomes a message."""
    f = InstitutionFilters(
        q=first(params, "q", 200),
        level=first(params, "nivel") or first(params, "level"),
        kind=first(params, "tipo") or first(params, "kind"),
        department=first(params, "departamento") or first(params, "department"),
        province=first(params, "provincia") or first(params, "province"),
        district=first(params, "distrito") or first(params, "district"),
        letter=(first(params, "letra") or first(params, "letter")).upper(),
    )
    if f.level and f.level not in Level.values:
        f.problems.add(_("El nivel de gobierno «%(v)s» no existe.") % {"v": f.level})
    if f.kind and f.kind not in Kind.values:
        f.problems.add(_("El tipo de institución «%(v)s» no existe.") % {"v": f.kind})
    if f.department and not Department.objects.filter(code=f.department).exists():
        f.problems.add(_("El departamento «%(v)s» no existe.") % {"v": f.department})
    if f.province and not Province.objects.filter(code=f.province).exists():
        f.problems.add(_("La provincia «%(v)s» no existe.") % {"v": f.province})
    if f.district and not District.objects.filter(code=f.district).exists():
        f.problems.add(_("El distrito «%(v)s» no existe.") % {"v": f.district})
    if f.letter and not (len(f.letter) == 1 and "A" <= f.letter <= "Z"):
        f.problems.add(_("«%(v)s» no es una letra de la A a la Z.") % {"v": f.letter})
    return f


def institution_list(*, filters: InstitutionFilters) -> QuerySet[Institution]:
    """Institutions matching the filters, A–Z, with their location joined in."""
    qs = Institution.objects.select_related("department", "province", "district").order_by(
        "name", "id"
    )
    if filters.impossible:
        return qs.none()
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.province:
        qs = qs.filter(province_id=filters.province)
    if filters.district:
        qs = qs.filter(district_id=filters.district)
    if filters.letter:
        qs = qs.filter(initial=filters.letter.lower())
    if filters.q:
        for word in fold(filters.q).split()[:8]:
            qs = qs.filter(search_text__contains=word)
    return qs


def institution_get(*, slug: str) -> Institution:
    """One institution with its location and contacts; raises Institution.DoesNotExist."""
    return (
        Institution.objects.select_related("department", "province", "district")
        .prefetch_related("contacts")
        .get(slug=slug)
    )


def institution_search_q(words: list[str]) -> Q:
    q = Q()
    for word in words:
        q &= Q(search_text__contains=word)
    return q


@dataclass(frozen=True)
class PlaceChoices:
    """Options for the place selects of the directory: provinces only once a department is
    chosen, districts only once a province is chosen."""

    departments: list[tuple[str, str]]
    provinces: list[tuple[str, str]]
    districts: list[tuple[str, str]]


def institution_place_choices(*, filters: InstitutionFilters) -> PlaceChoices:
    """The department, province and district options narrowed server-side (1 to 3 queries)."""
    departments = list(Department.objects.order_by("name").values_list("code", "name"))
    provinces: list[tuple[str, str]] = []
    districts: list[tuple[str, str]] = []
    if filters.department:
        provinces = list(
            Province.objects.filter(department_id=filters.department)
            .order_by("name")
            .values_list("code", "name")
        )
    if filters.province:
        districts = list(
            District.objects.filter(province_id=filters.province)
            .order_by("name")
            .values_list("code", "name")
        )
    return PlaceChoices(departments, provinces, districts)


def institution_procedures(*, institution: Institution, limit: int = 20) -> tuple[list[Any], int]:
    """The institution's published procedures, full pages first, and how many there are.

    Reads through the reverse relation so the directory does not import the catalogue
    (the catalogue sits above it in the layers)."""
    # exclude() and the sort on an expression keep SQLite on the institution index even
    # without ANALYZE statistics: on the catalogue's (is_published, …) index it would walk
    # all 33,000 rows to find this institution's first twenty.
    qs = institution.procedures.exclude(is_published=False)
    total = qs.count()
    ranked = qs.annotate(rank=F("popularity") + 0).order_by("-has_detail", "-rank", "title")
    items = list(ranked[:limit]) if total else []
    return items, total
