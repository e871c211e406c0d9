"""Fixtures for the browser checks: Debian's Chromium driven by Playwright against live_server."""

import os
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import transaction
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.checks import AXE_JS, PHONE_WIDTH
from tests.browser.portal import PortalSample, portal_sample

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": PHONE_WIDTH, "height": 640}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    missing = [str(p) for p in (CHROMIUM, AXE_JS) if not os.path.exists(p)]
    if missing:
        pytest.fail(f"Missing {', '.join(missing)}: run `make browser-deps` first.")
    # Playwright's sync API keeps an asyncio loop running on this thread, and Django then refuses
    # ORM calls; the tests' own ORM calls are plain synchronous code, so allow them while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def portal(browser: Browser, live_server: object) -> PortalSample:
    """The sample portal, committed (live_server runs tests in transactional_db) and with no
    page left in the page cache from an earlier test."""
    cache.clear()
    with transaction.atomic():  # one commit instead of one per row
        return portal_sample()


def _context(browser: Browser, **options: object) -> BrowserContext:
    return browser.new_context(locale="es-PE", bypass_csp=True, **options)  # type: ignore[arg-type]


@pytest.fixture
def desktop_context(browser: Browser) -> Iterator[BrowserContext]:
    context = _context(browser, viewport=DESKTOP)
    yield context
    context.close()


@pytest.fixture
def phone_context(browser: Browser) -> Iterator[BrowserContext]:
    context = _context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.fixture
def page(desktop_context: BrowserContext) -> Page:
    return desktop_context.new_page()


@pytest.fixture
def phone_page(phone_context: BrowserContext) -> Page:
    return phone_context.new_page()


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = _context(browser, viewport=DESKTOP, java_script_enabled=False)
    yield context.new_page()
    context.close()
