"""Background work that belongs to no business domain."""

import logging
import urllib.request

from django.conf import settings
from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def purge_front_caches(*, paths: list[str]) -> int:
    """Ask every nginx in front (VENTANILLA_PURGE_URLS) to drop the given paths in each
    language. Returns how many purge requests were answered; a cache that is down is logged,
    not retried: its entries expire by themselves."""
    answered = 0
    for base in settings.PAGE_CACHE_PURGE_URLS:
        for lang, _name in settings.LANGUAGES:
            for path in paths:
                url = f"{base.rstrip('/')}/_purge/{lang}{path if path.endswith('*') else path + '*'}"
                request = urllib.request.Request(url, method="PURGE")
                try:
                    with urllib.request.urlopen(request, timeout=2):  # noqa: S310
                        answered += 1
                except urllib.error.HTTPError as error:
                    # 404 means nothing was cached under that key: the purge is done.
                    answered += error.code == 404
                except OSError:
                    logger.warning("front cache %s did not answer a purge of %s", base, path)
    return answered
