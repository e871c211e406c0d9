"""Reads of Peru's territorial codes for forms: the cascading department → province →
district choices, and names for codes (small indexed reads; no process-wide copy, so tests and
reloads always see the table as it is)."""

from collections.abc import Iterable

from ventanilla.ubigeo.models import Department, District, Province


def departments() -> list[tuple[str, str]]:
    """(code, name) of the departments, by name."""
    return list(Department.objects.order_by("name").values_list("code", "name"))


def provinces_of(department_code: str) -> list[tuple[str, str]]:
    return list(
        Province.objects.filter(department_id=department_code)
        .order_by("name")
        .values_list("code", "name")
    )


def districts_of(province_code: str) -> list[tuple[str, str]]:
    return list(
        District.objects.filter(province_id=province_code)
        .order_by("name")
        .values_list("code", "name")
    )


def district_names_many(codes: Iterable[str]) -> dict[str, tuple[str, str, str]]:
    """{code: (district, province, department)} for the known ones among 6-digit INEI codes."""
    wanted = {c for c in codes if isinstance(c, str) and len(c) == 6 and c.isdigit()}
    if not wanted:
        return {}
    rows = District.objects.filter(code__in=wanted).values_list(
        "code", "name", "province__name", "province__department__name"
    )
    return {code: (name, province, department) for code, name, province, department in rows}


def district_names(code: str) -> tuple[str, str, str] | None:
    """(district, province, department) names of a 6-digit INEI code, or None if unknown."""
    return district_names_many([code]).get(code)
