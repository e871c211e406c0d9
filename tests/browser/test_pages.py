"""Every citizen page: no WCAG 2.x A/AA violation found by axe-core, under 30 KB on the wire,
and usable on a 320 px phone without scrolling sideways."""

import pytest
from playwright.sync_api import Page

from tests.browser.checks import (
    BUDGET_BYTES,
    PHONE_WIDTH,
    axe_report,
    axe_violations,
    horizontal_overflow,
    page_weight,
)
from tests.browser.portal import PortalSample

pytestmark = pytest.mark.browser

PAGES = [
    "home",
    "directory",
    "institution",
    "procedure",
    "catalogue",
    "topic",
    "life_event",
    "search",
    "not_found",
]


def _open(page: Page, base_url: str, portal: PortalSample, name: str) -> None:
    response = page.goto(base_url + portal.pages()[name], wait_until="load")
    assert response is not None
    expected = 404 if name == "not_found" else 200
    assert response.status == expected, f"{name}: HTTP {response.status}, expected {expected}"


@pytest.mark.parametrize("name", PAGES)
def test_citizen_page_has_no_wcag_a_or_aa_violation(
    name: str, portal: PortalSample, page: Page, live_server: object
) -> None:
    _open(page, str(live_server), portal, name)
    violations = axe_violations(page)
    if violations:
        pytest.fail(f"axe-core found on {name}:\n{axe_report(violations)}", pytrace=False)


@pytest.mark.parametrize("name", PAGES)
def test_citizen_page_weighs_under_30_kb_compressed(
    name: str, portal: PortalSample, page: Page, live_server: object
) -> None:
    loaded: list[tuple[str, str]] = []
    page.on("response", lambda r: loaded.append((r.url, r.request.resource_type)))
    _open(page, str(live_server), portal, name)
    weight = page_weight(loaded)
    print(f"\n{name}: {weight.total:,} bytes\n{weight.report()}")
    assert weight.total < BUDGET_BYTES, f"{name} weighs {weight.total:,} B:\n{weight.report()}"


@pytest.mark.parametrize("name", PAGES)
def test_citizen_page_fits_a_320px_phone_without_sideways_scrolling(
    name: str, portal: PortalSample, phone_page: Page, live_server: object
) -> None:
    _open(phone_page, str(live_server), portal, name)
    overflow = horizontal_overflow(phone_page)
    # A page without <meta name="viewport" content="width=device-width"> is laid out 980 px wide.
    assert overflow["clientWidth"] == PHONE_WIDTH, f"{name}: laid out {overflow['clientWidth']} px"
    assert overflow["scrollWidth"] <= overflow["clientWidth"], (
        f"{name} is {overflow['scrollWidth']} px wide on a {PHONE_WIDTH} px screen; "
        f"too wide: {', '.join(overflow['wide'])}"
    )
