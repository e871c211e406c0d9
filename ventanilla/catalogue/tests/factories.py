"""Factories for the catalogue: full procedure pages, catalogue-only pages, topics, life events."""

from datetime import date
from decimal import Decimal
from typing import Any

import factory

from ventanilla.catalogue.models import (
    Channel,
    ChannelStep,
    LifeEvent,
    LifeEventStep,
    Procedure,
    ProcedureKind,
    ProcedureSection,
    Requirement,
    Topic,
)
from ventanilla.core.text import fold_words, spanish_slug
from ventanilla.institutions.tests.factories import InstitutionFactory


def _search_text(o: object) -> str:
    return fold_words(f"{o.title} {o.code or ''}")  # type: ignore[attr-defined]


class ProcedureFactory(factory.django.DjangoModelFactory):
    """A curated procedure with a full page. Use `CatalogueEntryFactory` for title-only rows."""

    class Meta:
        model = Procedure
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: 1000 + n)
    title = factory.Sequence(lambda n: f"Solicitar certificado número {n}")
    slug = factory.LazyAttribute(lambda o: spanish_slug(o.title))
    code: Any = factory.Sequence(lambda n: f"T{n:04d}")
    kind = ProcedureKind.PROCEDURE
    institution: Any = factory.SubFactory(InstitutionFactory)
    summary = "Te permite obtener un certificado."
    audience = "Cualquier persona mayor de edad."
    fee_amount: Any = Decimal("30.00")
    time_limit = "10 días hábiles"
    source_url = "https://www.gob.pe/"
    source_checked_on: Any = date(2026, 9, 8)
    has_detail = True
    search_text = factory.LazyAttribute(_search_text)


class CatalogueEntryFactory(ProcedureFactory):
    """A gob.pe catalogue page of which only the id and title are known."""

    number = factory.Sequence(lambda n: 50_000 + n)
    code = None
    institution = None
    summary = ""
    audience = ""
    fee_amount = None
    time_limit = ""
    source_url = ""
    source_checked_on = None
    has_detail = False
    gobpe_id = factory.LazyAttribute(lambda o: o.number)


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    procedure = factory.SubFactory(ProcedureFactory)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Requisito {n}")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    procedure = factory.SubFactory(ProcedureFactory)
    kind = Channel.Kind.IN_PERSON
    description = "En cualquier oficina de atención."


class ChannelStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelStep

    channel = factory.SubFactory(ChannelFactory)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Paso {n}")


class ProcedureSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureSection

    procedure = factory.SubFactory(ProcedureFactory)
    heading = "Antes de iniciar, debes saber"
    items = factory.LazyFunction(lambda: ["Un párrafo.", "Otro párrafo."])


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tema {n}")
    slug = factory.LazyAttribute(lambda o: spanish_slug(o.name))


class LifeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeEvent
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Momento {n}")
    slug = factory.LazyAttribute(lambda o: spanish_slug(o.title))
    summary = "Lo que necesitas hacer, paso a paso."


class LifeEventStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeEventStep

    life_event = factory.SubFactory(LifeEventFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Paso {n}")
    procedure = factory.SubFactory(ProcedureFactory)
