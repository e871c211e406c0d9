"""Background work that belongs to no business domain."""

import http.client
import logging
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.tasks import task

logger = logging.getLogger(__name__)

PURGE_TIMEOUT = 2.0  # seconds per request; a cache host that is this slow is treated as down
# 200: purged; 404: that page was not in the cache (never visited, or already purged).
DONE = frozenset({200, 404})


class FrontCache:
    """One keep-alive HTTP connection to one nginx in front (deploy/nginx/ventanilla.conf).

    Thousands of purges go over the same connection: one TCP handshake, not one per page. A
    connection nginx closed (`keepalive_requests`, an idle timeout) is reopened once."""

    def __init__(self, base: str) -> None:
        url = urlsplit(base)
        factory = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        self.prefix = url.path.rstrip("/")
        self.connection = factory(url.hostname or "", url.port, timeout=PURGE_TIMEOUT)

    def purge(self, lang: str, path: str) -> int:
        """PURGE one exact page in one language; returns nginx's status code."""
        target = f"{self.prefix}/_purge/{lang}{quote(path)}"
        try:
            return self._request(target)
        except (http.client.HTTPException, ConnectionError):
            # nginx may close a kept-alive connection between two requests: once more, anew.
            self.connection.close()
            return self._request(target)

    def _request(self, target: str) -> int:
        self.connection.request("PURGE", target)
        response = self.connection.getresponse()
        response.read()  # consumed, so the connection can carry the next request
        return response.status

    def close(self) -> None:
        self.connection.close()


def nginx_paths(paths: Iterable[str]) -> list[str]:
    """The paths nginx can hold, in order, once each. nginx caches only requests without a
    query string, under `<lang>:<uri>`, and purges exact keys only: a section wildcard
    ('/tramites/*', for the application's cache) or a path with a query has nothing to purge."""
    kept: list[str] = []
    skipped: list[str] = []
    for path in dict.fromkeys(paths):
        (skipped if path.endswith("*") or "?" in path else kept).append(path)
    if skipped:
        logger.info("front caches purge exact pages only; skipped %s", ", ".join(skipped))
    return kept


@task()
def purge_front_caches(*, paths: list[str]) -> int:
    """Ask every nginx in front (VENTANILLA_PURGE_URLS) to drop each path in each language,
    one exact PURGE per (cache, language, path). Returns how many were answered (200, or 404
    for a page that was not cached). A cache that is down or refuses is logged, not retried:
    its pages expire by themselves (X-Accel-Expires)."""
    pages = nginx_paths(paths)
    if not pages:
        return 0
    languages = [code for code, _name in settings.LANGUAGES]
    return sum(_purge_one_cache(base, languages, pages) for base in settings.PAGE_CACHE_PURGE_URLS)


def _purge_one_cache(base: str, languages: list[str], pages: list[str]) -> int:
    cache = FrontCache(base)
    answered = 0
    refused: dict[int, int] = {}  # status → how many
    try:
        for path in pages:
            for lang in languages:
                status = cache.purge(lang, path)
                if status in DONE:
                    answered += 1
                else:
                    refused[status] = refused.get(status, 0) + 1
    except (OSError, http.client.HTTPException) as error:  # the rest would fail the same way
        logger.warning("front cache %s is unreachable, purges stopped: %s", base, error)
    finally:
        cache.close()
    if refused:
        logger.warning("front cache %s did not purge: %s", base, refused)
    return answered
