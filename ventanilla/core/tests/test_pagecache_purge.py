"""Front-cache purge: purge_front_caches sends one exact PURGE per page and language to every
nginx in front. The nginx here is a real HTTP server in a thread that records what it is asked,
as nginx would receive it (deploy/scripts/check_nginx_cache.py runs the same task against a
real nginx)."""

import logging
import time

import pytest

from ventanilla.core.tasks import purge_front_caches
from ventanilla.core.tests.http_recorder import recording_servers


@pytest.fixture
def front_cache():
    with recording_servers() as start:
        yield start


def test_purge_sends_one_exact_purge_per_page_and_language_to_every_cache(front_cache, settings):
    first, second = front_cache(200), front_cache(404)  # 404: nothing was cached: done too
    settings.PAGE_CACHE_PURGE_URLS = [first.url, second.url + "/"]
    answered = purge_front_caches.call(paths=["/tramites/9-z/", "/", "/tramites/9-z/"])
    assert answered == 2 * 2 * 2  # caches × languages × distinct pages
    for server in (first, second):
        assert sorted(server.paths()) == sorted(
            f"/_purge/{lang}{path}" for lang in ("es", "en") for path in ("/tramites/9-z/", "/")
        )
        # Exact keys only: nothing a Debian 12 nginx would have to expand as a wildcard.
        assert not [p for p in server.paths() if "*" in p or "?" in p]


def test_section_wildcards_are_left_to_the_application_cache(front_cache, settings, caplog):
    nginx = front_cache(200)
    settings.PAGE_CACHE_PURGE_URLS = [nginx.url]
    with caplog.at_level(logging.INFO, logger="ventanilla.core.tasks"):
        answered = purge_front_caches.call(paths=["/tramites/*", "/tramites/1-a/"])
    assert answered == 2
    assert sorted(nginx.paths()) == ["/_purge/en/tramites/1-a/", "/_purge/es/tramites/1-a/"]
    assert "/tramites/*" in caplog.text


def test_only_wildcards_opens_no_connection(front_cache, settings):
    nginx = front_cache(200)
    settings.PAGE_CACHE_PURGE_URLS = [nginx.url]
    assert purge_front_caches.call(paths=["/tramites/*", "/instituciones/*"]) == 0
    assert nginx.connections == []


def test_a_thousand_pages_are_purged_over_one_connection_per_cache(front_cache, settings):
    first, second = front_cache(200), front_cache(404)
    settings.PAGE_CACHE_PURGE_URLS = [first.url, second.url]
    paths = [f"/tramites/{n}-tramite/" for n in range(1000)]
    started = time.perf_counter()
    answered = purge_front_caches.call(paths=paths)
    took = time.perf_counter() - started
    assert answered == 2 * 2 * 1000
    for server in (first, second):
        assert len(server.paths()) == 2000
        assert len(server.connections) == 1
    # A new connection per purge took minutes for a big publish; one connection takes seconds.
    assert took < 20, took


def test_non_ascii_paths_are_percent_encoded_as_a_browser_sends_them(front_cache, settings):
    nginx = front_cache(200)
    settings.PAGE_CACHE_PURGE_URLS = [nginx.url]
    purge_front_caches.call(paths=["/institucion/municipalidad-de-ancón/"])
    assert "/_purge/es/institucion/municipalidad-de-anc%C3%B3n/" in [p for _m, p in nginx.requests]


def test_a_cache_that_is_down_is_skipped_not_fatal(front_cache, settings):
    alive = front_cache(200)
    down = front_cache(200)
    down_url = down.url
    down.shutdown()
    down.server_close()
    settings.PAGE_CACHE_PURGE_URLS = [down_url, alive.url]
    assert purge_front_caches.call(paths=["/instituciones/", "/"]) == 4
    assert len(alive.paths()) == 4


def test_a_cache_that_refuses_the_purge_is_not_counted(front_cache, settings, caplog):
    refusing = front_cache(403)
    settings.PAGE_CACHE_PURGE_URLS = [refusing.url]
    assert purge_front_caches.call(paths=["/instituciones/"]) == 0
    assert "403" in caplog.text
