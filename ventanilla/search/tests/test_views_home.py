"""The home page: search first, then what citizens use most."""

from typing import Any

import pytest
from django.test import Client

from ventanilla.catalogue.tests.factories import (
    LifeEventFactory,
    ProcedureFactory,
    TopicFactory,
)


@pytest.mark.django_db
def test_home_puts_search_first_then_popular_topics_life_events_and_entry_points(
    client: Client,
) -> None:
    ProcedureFactory(title="Solicitar duplicado de DNI", popularity=100)
    TopicFactory(name="Identidad y documentos")
    LifeEventFactory(title="Tener un bebé")
    html = client.get("/").content.decode()
    main = html[html.index('id="contenido"') :]
    assert main.index('name="q"') < main.index("Solicitar duplicado de DNI")
    for text in [
        "Identidad y documentos",
        "Tener un bebé",
        "Ciudadanos",
        "Empresas",
        "Instituciones",
        "Plataforma digital única del Estado Peruano",
        "¿Te fue útil esta página?",
    ]:
        assert text in html, text


@pytest.mark.django_db
def test_home_query_count_is_pinned(client: Client, django_assert_num_queries: Any) -> None:
    ProcedureFactory.create_batch(10)
    TopicFactory.create_batch(3)
    # popular, topics, life events, both counts in one query.
    with django_assert_num_queries(4):
        client.get("/")
