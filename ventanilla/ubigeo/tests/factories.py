"""Factories for UBIGEO rows: a department, a province inside it, a district inside that."""

import factory

from ventanilla.core.text import spanish_slug
from ventanilla.ubigeo.models import Department, District, Province


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 90) + 10:02d}")
    name = factory.Sequence(lambda n: f"Departamento {n}")
    slug = factory.LazyAttribute(lambda o: spanish_slug(f"{o.name}-{o.code}"))


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Provincia {n}")

    @classmethod
    def _adjust_kwargs(cls, **kwargs: object) -> dict[str, object]:
        # A province code is its department's code plus two digits.
        department = kwargs["department"]
        code = str(kwargs["code"])
        if len(code) == 2:
            kwargs["code"] = f"{department.code}{code}"  # type: ignore[attr-defined]
        return kwargs


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    province = factory.SubFactory(ProvinceFactory)
    code = factory.Sequence(lambda n: f"{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Distrito {n}")

    @classmethod
    def _adjust_kwargs(cls, **kwargs: object) -> dict[str, object]:
        province = kwargs["province"]
        code = str(kwargs["code"])
        if len(code) == 2:
            kwargs["code"] = f"{province.code}{code}"  # type: ignore[attr-defined]
        return kwargs
