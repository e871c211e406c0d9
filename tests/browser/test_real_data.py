"""The citizen pages on the whole real data set (`load_reference_data`), where names, titles and
list lengths are what citizens meet: axe-core, weight and 320 px on each."""

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models.functions import Length
from playwright.sync_api import BrowserContext

from tests.browser.checks import citizen_page_problems
from ventanilla.catalogue.models import LifeEvent, Procedure, Topic
from ventanilla.institutions.models import Institution, Kind

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _real_pages() -> dict[str, str]:
    longest_title = (
        Procedure.objects.filter(is_published=True, has_detail=False)
        .order_by(Length("title").desc())
        .first()
    )
    longest_municipality = (
        Institution.objects.filter(kind=Kind.DISTRICT_MUNICIPALITY)
        .order_by(Length("name").desc())
        .first()
    )
    topic, life_event = Topic.objects.first(), LifeEvent.objects.first()
    for row in (longest_title, longest_municipality, topic, life_event):
        assert row is not None, "the real data load left a kind of page empty"
    return {
        "home": "/",
        "directory": "/instituciones/",
        "directory, local level in Lima": "/instituciones/?nivel=local&departamento=15",
        "institution RENIEC": "/institucion/reniec/",
        "institution with the longest name": longest_municipality.get_absolute_url(),
        "catalogue": "/tramites/",
        "catalogue, last page": "/tramites/?page=9999",
        "procedure 224 (full gob.pe page)": Procedure.objects.get(code="P001").get_absolute_url(),
        "procedure with the longest title": longest_title.get_absolute_url(),
        "topics": "/temas/",
        "topic": topic.get_absolute_url(),
        "life event": life_event.get_absolute_url(),
        "search": "/buscar/?q=licencia+de+conducir",
    }


def test_citizen_pages_on_the_real_data_pass_axe_weight_and_320px(
    tmp_path: Path,
    browser: object,
    live_server: object,
    desktop_context: BrowserContext,
    phone_context: BrowserContext,
) -> None:
    call_command(
        "load_reference_data",
        report_file=str(tmp_path / "report.txt"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    cache.clear()
    failures = {}
    for name, path in _real_pages().items():
        problems = citizen_page_problems(desktop_context, phone_context, f"{live_server}{path}")
        if problems:
            failures[f"{name} ({path})"] = problems
    report = "\n".join(f"{page}:\n  " + "\n  ".join(p) for page, p in failures.items())
    assert not failures, f"{len(failures)} real pages failed:\n{report}"
