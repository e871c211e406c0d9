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
    digest = hashlib.blake2b(path.encode(), digest_size=16).hexdigest()
    return f"pgen:{digest}", f"sgen:{_section(path)[:80]}"


def _fresh_generation() -> int:
    # A generation key can vanish (a full LocMemCache culls, Redis may evict): starting again
    # from a value never used before keeps pages stored under the lost value from coming back.
    return secrets.randbits(52)


def _generation_timeout() -> int:
    # Longer than any page lives, so a page never outlives the generation it was stored under;
    # keys of paths nobody visits any more expire instead of piling up.
    return settings.PAGE_CACHE_SECONDS * 2


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
            page_key, section_key = _generation_keys(path.rstrip("*"))
            key = section_key if path.endswith("*") else page_key
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, _fresh_generation(), timeout=_generation_timeout())
        if settings.PAGE_CACHE_PURGE_URLS:
            from ventanilla.core.tasks import purge_front_caches

            purge_front_caches.enqueue(paths=paths)

    transaction.on_commit(bump)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not settings.PAGE_CACHE_ENABLED
            or request.method not in ("GET", "HEAD")
            or request.path.startswith(settings.PAGE_CACHE_SKIP_PREFIXES)
        ):
            return self.get_response(request)
        anonymous = is_anonymous_request(request)
        gen_keys = _generation_keys(request.path)
        # Generations are read before the view runs, so a change committed while the page
        # renders leaves this (possibly old) rendering under generations nobody asks for.
        found: dict[str, Any] = cache.get_many(gen_keys) if anonymous else {}
        if anonymous and len(found) == len(gen_keys):
            stored = cache.get(_page_key(request, (found[gen_keys[0]], found[gen_keys[1]])))
            if stored is not None:
                return self._rebuild(stored)
        response = self.get_response(request)
        if getattr(response, "page_cacheable", False):
            self._mark_cacheable(response, anonymous)
            # A response that sets a cookie is personal (a session, a CSRF token): never shared.
            if anonymous and response.status_code == 200 and not response.cookies:
                generations = self._generations_to_store(gen_keys, found)
                if generations:
                    key = _page_key(request, generations)
                    cache.set(key, self._freeze(response), timeout=settings.PAGE_CACHE_SECONDS)
                    response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _generations_to_store(
        gen_keys: tuple[str, str], found: dict[str, Any]
    ) -> tuple[int, int] | None:
        """The generations to store a fresh page under, or None when a generation appeared
        while the page rendered (an invalidation raced it: don't store what may be old)."""
        values = dict(found)
        for key in gen_keys:
            if key not in values:
                fresh = _fresh_generation()
                # add() is atomic: it fails when another process or an invalidation got there.
                if not cache.add(key, fresh, timeout=_generation_timeout()):
                    return None
                values[key] = fresh
        return values[gen_keys[0]], values[gen_keys[1]]

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
