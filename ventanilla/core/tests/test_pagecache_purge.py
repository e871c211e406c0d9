"""Front-cache purge: purge_front_caches sends PURGE to every nginx in front. The nginx here
is a real HTTP server in a thread that records what it is asked, as nginx would receive it."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest

from ventanilla.accounts.models import Role
from ventanilla.catalogue import services
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.core.tasks import purge_front_caches
from ventanilla.core.tests.backoffice import official


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, status: int) -> None:
        self.status = status
        self.requests: list[tuple[str, str]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self, method: str = "PURGE") -> list[str]:
        return [unquote(p) for m, p in self.requests if m == method]


class _Handler(BaseHTTPRequestHandler):
    def do_PURGE(self) -> None:
        self.server.requests.append(("PURGE", self.path))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def front_cache():
    """Start recording nginx stand-ins; every one is shut down after the test."""
    started: list[_Recorder] = []

    def start(status: int = 200) -> _Recorder:
        server = _Recorder(status)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


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


@pytest.mark.django_db
def test_a_committed_edit_purges_the_front_caches(
    front_cache, settings, django_capture_on_commit_callbacks
):
    nginx = front_cache(200)
    settings.PAGE_CACHE_PURGE_URLS = [nginx.url]
    procedure = ProcedureFactory(number=77, slug="licencia")
    editor = official("editora", institution=procedure.institution, role=Role.EDITOR)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.procedure_update(procedure=procedure, data={"title": "Sacar licencia"}, by=editor)
    assert nginx.paths() == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    purged = nginx.paths()
    assert "/_purge/es/tramites/77-licencia/" in purged
    assert "/_purge/en/tramites/77-licencia/?*" in purged
    assert f"/_purge/es{procedure.institution.get_absolute_url()}" in purged
