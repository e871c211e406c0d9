"""Search analytics for editors: the three tables' numbers on a known log, one query each,
the page at /gestion/, and its CSV downloads."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.backoffice import official
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.search.analytics import (
    analytics_since,
    search_no_click_queries,
    search_top_queries,
    search_zero_result_queries,
)
from ventanilla.search.models import SearchClick, SearchLog

pytestmark = pytest.mark.django_db

ANALYTICS = reverse("admin:search_searchlog_changelist")


def _log(query: str, results: int, *, days_ago: float = 1, clicks: int = 0) -> SearchLog:
    log = SearchLog.objects.create(query=query, results=results, source="web")
    SearchLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    for position in range(clicks):
        SearchClick.objects.create(log=log, kind="procedure", object_id=position, position=position)
    log.refresh_from_db()
    return log


@pytest.fixture
def logs():
    """Within 30 days: «dni» 4 times (2 followed, one of them twice), «licencia» 3 times with
    results and no click, «brevete» twice with nothing. «pasaporte» 40 days ago and «antiguo»
    100 days ago."""
    _log("dni", 3, days_ago=1, clicks=2)
    _log("dni", 3, days_ago=2, clicks=1)
    _log("dni", 3, days_ago=3)
    _log("dni", 1, days_ago=20)
    for days in (1, 2, 5):
        _log("licencia", 5, days_ago=days)
    _log("brevete", 0, days_ago=10)
    latest_brevete = _log("brevete", 0, days_ago=4)
    _log("pasaporte", 2, days_ago=40)
    _log("antiguo", 0, days_ago=100)
    return {"latest_brevete": latest_brevete.created_at}


def _editor_client() -> Client:
    institution = InstitutionFactory(slug="mintra", name="Ministerio de Trabajo")
    client = Client()
    client.force_login(official("editora", institution=institution, role=Role.EDITOR))
    return client


# --- Selectors ----------------------------------------------------------------------------


def test_top_queries_count_searches_average_results_and_click_through(
    logs, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = search_top_queries(since=analytics_since(30))

    assert [(r.query, r.searches, r.average_results, r.clicked) for r in rows] == [
        ("dni", 4, 2.5, 2),
        ("licencia", 3, 5.0, 0),
        ("brevete", 2, 0.0, 0),
    ]
    assert rows[0].click_through == 0.5


def test_a_longer_period_takes_older_searches_in(logs):
    week = [r.query for r in search_top_queries(since=analytics_since(7))]
    quarter = [r.query for r in search_top_queries(since=analytics_since(90))]

    assert week == ["dni", "licencia", "brevete"]  # 3, 3 (alphabetical on a tie), 1
    assert quarter == ["dni", "licencia", "brevete", "pasaporte"]


def test_zero_result_queries_count_and_say_when_last_seen(logs, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = search_zero_result_queries(since=analytics_since(90))

    assert [(r.query, r.searches) for r in rows] == [("brevete", 2)]
    assert rows[0].last_seen == logs["latest_brevete"]


def test_no_click_queries_count_searches_with_results_that_nobody_followed(
    logs, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = search_no_click_queries(since=analytics_since(30))

    assert [(r.query, r.searches, r.average_results) for r in rows] == [
        ("licencia", 3, 5.0),
        ("dni", 2, 2.0),
    ]


def test_an_empty_log_gives_empty_tables(db):
    since = analytics_since(30)

    assert search_top_queries(since=since) == []
    assert search_zero_result_queries(since=since) == []
    assert search_no_click_queries(since=since) == []


# --- The page -----------------------------------------------------------------------------


def test_the_analytics_page_shows_the_three_tables_for_the_period(logs):
    response = _editor_client().get(ANALYTICS, {"periodo": "90"})

    assert response.status_code == 200
    assert response.context["period"] == 90
    assert [r.query for r in response.context["top"]] == ["dni", "licencia", "brevete", "pasaporte"]
    assert [r.query for r in response.context["zero"]] == ["brevete"]
    assert [r.query for r in response.context["no_click"]] == ["licencia", "dni", "pasaporte"]
    html = response.content.decode()
    assert "Analítica de búsqueda" in html
    assert "50 %" in html  # dni: 2 of 4 searches followed
    assert f"{reverse('admin:search_synonym_add')}?term=brevete" in html


@pytest.mark.parametrize("period", ["abc", "0", "31", "-7", "7.5", "%00"])
def test_an_unknown_period_falls_back_to_30_days_with_a_message(logs, period):
    response = _editor_client().get(ANALYTICS, {"periodo": period})

    assert response.status_code == 200
    assert response.context["period"] == 30
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.endswith("no existe; se muestran los últimos 30 días.") for m in shown)


def test_the_analytics_page_query_count_is_pinned(logs, django_assert_num_queries):
    client = _editor_client()
    client.get(ANALYTICS)

    # Session, user, the editor's memberships (read once per request), Django's own user and
    # group permissions for the sidebar, and one query per table.
    with django_assert_num_queries(8):
        assert client.get(ANALYTICS).status_code == 200


# --- CSV ----------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_each_table_downloads_as_csv(logs):
    client = _editor_client()

    top = client.get(ANALYTICS, {"periodo": "30", "descargar": "principales"})
    zero = client.get(ANALYTICS, {"periodo": "90", "descargar": "sin-resultados"})
    no_click = client.get(ANALYTICS, {"descargar": "sin-clic"})

    assert top["Content-Type"] == "text/csv; charset=utf-8"
    assert top["Content-Disposition"] == (
        'attachment; filename="busquedas-principales-30-dias.csv"'
    )
    assert _csv(top) == [
        ["búsqueda", "veces", "resultados en promedio", "veces con clic", "tasa de clic (%)"],
        ["dni", "4", "2.5", "2", "50.0"],
        ["licencia", "3", "5.0", "0", "0.0"],
        ["brevete", "2", "0.0", "0", "0.0"],
    ]
    zero_rows = _csv(zero)
    assert zero_rows[0] == ["búsqueda", "veces", "última vez"]
    assert [row[:2] for row in zero_rows[1:]] == [["brevete", "2"]]
    assert zero_rows[1][2] == timezone.localtime(logs["latest_brevete"]).strftime("%Y-%m-%d %H:%M")
    assert [row[:3] for row in _csv(no_click)] == [
        ["búsqueda", "veces", "resultados en promedio"],
        ["licencia", "3", "5.0"],
        ["dni", "2", "2.0"],
    ]


def test_a_csv_cell_that_a_spreadsheet_would_run_is_neutralised(db):
    _log("=cmd|' /C calc'!A0", 0)

    rows = _csv(_editor_client().get(ANALYTICS, {"descargar": "sin-resultados"}))

    assert rows[1][0] == "'=cmd|' /C calc'!A0"


def test_an_unknown_table_to_download_shows_the_page_with_a_message(logs):
    response = _editor_client().get(ANALYTICS, {"descargar": "todo"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "No existe la tabla «todo» para descargar." in [
        str(m) for m in response.context["messages"]
    ]


def test_an_official_without_an_editing_role_cannot_download(logs):
    institution = InstitutionFactory(slug="otra", name="Otra entidad")
    client = Client()
    client.force_login(official("gestor", institution=institution, role=Role.CASE_OFFICER))

    response = client.get(ANALYTICS, {"descargar": "principales"})

    assert response.status_code == 403
    assert b"dni" not in response.content


def test_later_pages_of_a_search_are_not_counted_as_searches():
    from ventanilla.search.models import SearchLog as Log

    Log.objects.create(query="dni", results=40, page=1)
    Log.objects.create(query="dni", results=40, page=2)
    Log.objects.create(query="dni", results=40, page=3)
    [row] = search_top_queries(since=analytics_since(7))
    assert row.searches == 1
