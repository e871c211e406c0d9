"""Background work that belongs to no business domain."""

import logging
import urllib.error
import urllib.request
from urllib.parse import quote

from django.conf import settings
from django.tasks import task

logger = logging.getLogger(__name__)


def purge_urls(base: str, lang: str, path: str) -> list[str]:
    """The PURGE requests that drop `path` in `lang` from the nginx at `base` (deploy/nginx).

    '/tramites/*' (a section) is one prefix purge. A page is an exact purge of the page plus a
    prefix purge of its query-string variants ('?' sent as %3F so nginx sees it in the path):
    a plain '<path>*' would drop every page below a list page ('/' or '/tramites/')."""
    root = f"{base.rstrip('/')}/_purge/{lang}"
    if path.endswith("*"):
        return [f"{root}{quote(path[:-1])}*"]
    return [f"{root}{quote(path)}", f"{root}{quote(path)}%3F*"]


def _purge(url: str) -> bool:
    """True when the cache answered: purged (200) or had nothing under that key (404)."""
    request = urllib.request.Request(url, method="PURGE")  # noqa: S310 (our own nginx)
    try:
        with urllib.request.urlopen(request, timeout=2):  # noqa: S310
            return True
    except urllib.error.HTTPError as error:
        return error.code == 404
    except OSError:
        return False


@task()
def purge_front_caches(*, paths: list[str]) -> int:
    """Ask every nginx in front (VENTANILLA_PURGE_URLS) to drop the given paths in each
    language. Returns how many (cache, language, path) purges were fully answered; a cache
    that is down is logged, not retried: its entries expire by themselves."""
    answered = 0
    for base in settings.PAGE_CACHE_PURGE_URLS:
        for lang, _name in settings.LANGUAGES:
            for path in paths:
                results = [_purge(url) for url in purge_urls(base, lang, path)]
                if all(results):
                    answered += 1
                else:
                    logger.warning("front cache %s did not answer a purge of %s", base, path)
    return answered
