"""Whole-page cache for anonymous citizens, invalidated by path when a record changes.

A page is stored under the *generation* of its path and of its section (the first path
segment) read when the request started. `invalidate()` bumps generations, so every process
sharing the cache (Redis in production) stops serving the old page on its next request;
`invalidate()` also asks the nginx caches in front (deploy/) to purge the same paths.
A view opts in with `@citizen_page`; pages for logged-in users are never stored.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

SESSION_COOKIES = ("sessionid", "messages")
_STORED_HEADERS = ("Content-Type", "Last-Modified", "Content-Language", "Link")


def citizen_page[**P](view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """Mark a view's successful answers as cacheable whole pages for anonymous visitors."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        response = view(*args, **kwargs)
        response.page_cacheable = True  # type: ignore[attr-defined]
        return response

    return wrapper


def _section(path: str) -> str:
    return path.strip("/").split("/", 1)[0]


def _generation_keys(path: str) -> tuple[str, str]:
    return f"pgen:{path}", f"sgen:{_section(path)}"


def _fresh_generation() -> int:
    # A generation key can vanish (a full LocMemCache culls, Redis may evict): starting again
    # from a value never used before keeps pages stored under the lost value from coming back.
    return secrets.randbits(52)


def _generations(path: str) -> tuple[int, int]:
    """The current generation of `path` and of its section, creating missing ones."""
    keys = _generation_keys(path)
    found: dict[str, Any] = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        for key in missing:
            # add() is atomic: when two processes race, the first value wins for both.
            cache.add(key, _fresh_generation(), timeout=None)
        found.update(cache.get_many(missing))
    return found.get(keys[0], 0), found.get(keys[1], 0)


def _page_key(request: HttpRequest, generations: tuple[int, int]) -> str:
    digest = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    return f"page:{get_language()}:{generations[0]}:{generations[1]}:{digest}"


def is_anonymous_request(request: HttpRequest) -> bool:
    return not any(name in request.COOKIES for name in SESSION_COOKIES)


def invalidate(paths: Iterable[str]) -> None:
    """Forget cached pages: '/tramites/123-x/' drops that page (any query string);
    '/tramites/*' drops the whole section. Runs after the surrounding commit."""
    paths = sorted(set(paths))
    if not paths:
        return

    def bump() -> None:
        for path in paths:
            key = f"sgen:{_section(path)}" if path.endswith("*") else f"pgen:{path}"
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, _fresh_generation(), timeout=None)
        if settings.PAGE_CACHE_PURGE_URLS:
            from ventanilla.core.tasks import purge_front_caches

            purge_front_caches.enqueue(paths=paths)

    transaction.on_commit(bump)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        anonymous = is_anonymous_request(request)
        key = None
        if anonymous:
            key = _page_key(request, _generations(request.path))
            stored = cache.get(key)
            if stored is not None:
                return self._rebuild(stored)
        response = self.get_response(request)
        if getattr(response, "page_cacheable", False):
            self._mark_cacheable(response, anonymous)
            # A response that sets a cookie is personal (a session, a CSRF token): never shared.
            if key and response.status_code == 200 and not response.cookies:
                cache.set(key, self._freeze(response), timeout=settings.PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _mark_cacheable(response: HttpResponse, anonymous: bool) -> None:
        # Browsers revalidate every time (ETag/Last-Modified make that a 304); nginx keeps
        # the page until the application purges it.
        response["Cache-Control"] = "no-cache" if anonymous else "private, no-cache"
        response["X-Accel-Expires"] = str(settings.PAGE_CACHE_SECONDS if anonymous else 0)

    @staticmethod
    def _freeze(response: HttpResponse) -> dict[str, Any]:
        headers = {
            h: response[h]
            for h in (*_STORED_HEADERS, "Cache-Control", "X-Accel-Expires")
            if h in response
        }
        return {"content": response.content, "headers": headers}

    @staticmethod
    def _rebuild(stored: dict[str, Any]) -> HttpResponse:
        response = HttpResponse(stored["content"])
        for name, value in stored["headers"].items():
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response
