"""The whole-page cache: what is stored, for whom, and how invalidate() drops it."""

import itertools

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import path

from ventanilla.core import pagecache

_renders = itertools.count(1)


@pagecache.citizen_page
def counted(request, **kwargs):
    """A citizen page whose body says how many times pages were rendered."""
    response = HttpResponse(f"render {next(_renders)}", content_type="text/html; charset=utf-8")
    response["Last-Modified"] = "Wed, 09 Sep 2026 10:00:00 GMT"
    return response


@pagecache.citizen_page
def with_cookie(request):
    response = HttpResponse(f"render {next(_renders)}")
    response.set_cookie("seguimiento", "1")
    return response


@pagecache.citizen_page
def missing(request):
    return HttpResponse(f"render {next(_renders)}", status=404)


def uncached(request):
    return HttpResponse(f"render {next(_renders)}")


urlpatterns = [
    path("tramites/<str:slug>/", counted),
    path("tramites/", counted),
    path("instituciones/", counted),
    path("con-cookie/", with_cookie),
    path("no-existe/", missing),
    path("sin-marca/", uncached),
]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture
def invalidate_committed(django_capture_on_commit_callbacks):
    """invalidate() as a committed service call runs it."""

    def run(paths):
        with django_capture_on_commit_callbacks(execute=True):
            pagecache.invalidate(paths)

    return run


def test_anonymous_page_is_served_from_the_cache_the_second_time(client):
    first = client.get("/tramites/1-a/")
    second = client.get("/tramites/1-a/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["Last-Modified"] == "Wed, 09 Sep 2026 10:00:00 GMT"
    assert second["Cache-Control"] == "no-cache"


def test_pages_are_never_cached_for_logged_in_users(client, django_user_model):
    anonymous = client.get("/tramites/1-a/")
    user = django_user_model.objects.create_user(username="ana", password="x")
    client.force_login(user)
    first = client.get("/tramites/1-a/")
    second = client.get("/tramites/1-a/")
    # Neither served from the anonymous copy nor stored for the next visit.
    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in second
    assert len({anonymous.content, first.content, second.content}) == 3
    assert first["Cache-Control"] == "private, no-cache"
    assert first["X-Accel-Expires"] == "0"


def test_a_response_that_sets_a_cookie_is_never_stored(client):
    first = client.get("/con-cookie/")
    second = client.get("/con-cookie/")
    assert "seguimiento" in first.cookies
    assert "X-Page-Cache" not in second
    assert first.content != second.content


def test_errors_posts_and_unmarked_views_are_not_cached(client):
    assert client.get("/no-existe/").content != client.get("/no-existe/").content
    assert client.get("/sin-marca/").content != client.get("/sin-marca/").content
    client.get("/tramites/")
    assert client.post("/tramites/").get("X-Page-Cache") != "hit"


def test_each_language_has_its_own_copy(client):
    spanish = client.get("/tramites/")
    client.cookies["lang"] = "en"
    english = client.get("/tramites/")
    assert english.get("X-Page-Cache") != "hit"
    assert english.content != spanish.content
    assert client.get("/tramites/")["X-Page-Cache"] == "hit"


def test_invalidate_drops_a_page_with_every_query_string_and_nothing_else(
    client, invalidate_committed
):
    for url in ("/tramites/1-a/", "/tramites/1-a/?utm=x", "/tramites/2-b/", "/tramites/"):
        client.get(url)
    invalidate_committed(["/tramites/1-a/"])
    assert client.get("/tramites/1-a/")["X-Page-Cache"] == "miss"
    assert client.get("/tramites/1-a/?utm=x")["X-Page-Cache"] == "miss"
    assert client.get("/tramites/2-b/")["X-Page-Cache"] == "hit"
    assert client.get("/tramites/")["X-Page-Cache"] == "hit"


def test_a_section_wildcard_drops_the_whole_section_only(client, invalidate_committed):
    for url in ("/tramites/1-a/", "/tramites/?page=2", "/instituciones/"):
        client.get(url)
    invalidate_committed(["/tramites/*"])
    assert client.get("/tramites/1-a/")["X-Page-Cache"] == "miss"
    assert client.get("/tramites/?page=2")["X-Page-Cache"] == "miss"
    assert client.get("/instituciones/")["X-Page-Cache"] == "hit"


def test_invalidate_waits_for_the_commit(client, django_capture_on_commit_callbacks):
    client.get("/tramites/1-a/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        pagecache.invalidate(["/tramites/1-a/"])
        # Until the writer commits, readers keep getting the page they were getting.
        assert client.get("/tramites/1-a/")["X-Page-Cache"] == "hit"
    assert len(callbacks) == 1
    callbacks[0]()
    assert client.get("/tramites/1-a/")["X-Page-Cache"] == "miss"


def test_a_lost_generation_never_brings_an_old_page_back(client, invalidate_committed):
    old = client.get("/tramites/1-a/").content
    invalidate_committed(["/tramites/1-a/"])
    # What a full LocMemCache or a Redis eviction does:
    cache.delete(pagecache._generation_keys("/tramites/1-a/")[0])
    again = client.get("/tramites/1-a/")
    assert again["X-Page-Cache"] == "miss"
    assert again.content != old


def test_an_invalidated_page_that_was_never_cached_renders_normally(client, invalidate_committed):
    invalidate_committed(["/tramites/9-z/", "/tramites/*"])
    assert client.get("/tramites/9-z/")["X-Page-Cache"] == "miss"
    assert client.get("/tramites/9-z/")["X-Page-Cache"] == "hit"


@pytest.mark.django_db
@pytest.mark.urls("config.urls")
def test_unknown_paths_leave_no_generation_keys_behind(client):
    # A bot walking random URLs must not grow the shared cache without bound.
    for n in range(5):
        assert client.get(f"/no-existe-{n}/").status_code == 404
        assert cache.get_many(pagecache._generation_keys(f"/no-existe-{n}/")) == {}


@pytest.mark.django_db
@pytest.mark.urls("config.urls")
def test_very_long_paths_make_short_cache_keys(client):
    path = "/tramites/" + "x" * 600 + "/"
    page_key, section_key = pagecache._generation_keys(path)
    assert len(page_key) < 64
    assert len(section_key) < 100
    assert client.get(path).status_code == 404
