"""Front-cache purge: purge_front_caches sends PURGE to every nginx in front. The nginx here
is a real HTTP server in a thread that records what it is asked, as nginx would receive it."""

import pytest

from ventanilla.core.tasks import purge_front_caches
from ventanilla.core.tests.http_recorder import recording_servers


@pytest.fixture
def front_cache():
    with recording_servers() as start:
        yield start


def test_purge_sends_exact_and_query_purges_per_language_to_every_cache(front_cache, settings):
    first, second = front_cache(200), front_cache(404)  # 404: nothing was cached: done too
    settings.PAGE_CACHE_PURGE_URLS = [first.url, second.url + "/"]
    answered = purge_front_caches.call(paths=["/tramites/9-z/", "/tramites/*", "/"])
    assert answered == 2 * 2 * 3  # caches × languages × paths
    for server in (first, second):
        assert sorted(server.paths()) == sorted(
            [
                f"/_purge/{lang}{path}"
                for lang in ("es", "en")
                for path in ("/tramites/9-z/", "/tramites/9-z/?*", "/tramites/*", "/", "/?*")
            ]
        )
    # A list page never becomes a prefix that would drop every page below it.
    assert "/_purge/es/*" not in first.paths()
    assert "/_purge/es/tramites/9-z/*" not in first.paths()


def test_a_cache_that_is_down_is_skipped_not_fatal(front_cache, settings):
    alive = front_cache(200)
    down = front_cache(200)
    down_url = down.url
    down.shutdown()
    down.server_close()
    settings.PAGE_CACHE_PURGE_URLS = [down_url, alive.url]
    assert purge_front_caches.call(paths=["/instituciones/"]) == 2
    assert len(alive.paths()) == 4


def test_a_cache_that_refuses_the_purge_is_not_counted(front_cache, settings):
    refusing = front_cache(403)
    settings.PAGE_CACHE_PURGE_URLS = [refusing.url]
    assert purge_front_caches.call(paths=["/instituciones/"]) == 0
