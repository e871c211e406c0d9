"""Factories for the directory. `search_text` and `initial` are filled as the loader does."""

import factory

from ventanilla.core.text import fold_words, spanish_slug
from ventanilla.institutions.models import ContactChannel, Institution, Kind, Level


def _search_text(o: object) -> str:
    return fold_words(f"{o.name} {o.acronym}")  # type: ignore[attr-defined]


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Entidad pública número {n}")
    slug = factory.LazyAttribute(lambda o: spanish_slug(o.name)[:120])
    acronym = ""
    level = Level.NATIONAL
    kind = Kind.PUBLIC_AGENCY
    search_text = factory.LazyAttribute(_search_text)
    initial = factory.LazyAttribute(lambda o: fold_words(o.name)[:1])


class ContactChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactChannel

    institution = factory.SubFactory(InstitutionFactory)
    kind = ContactChannel.Kind.PHONE
    value = factory.Sequence(lambda n: f"(01) 315-{n % 10000:04d}")
