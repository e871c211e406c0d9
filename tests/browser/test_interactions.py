"""What a citizen does on a page without JavaScript: tell us if it helped, change the language."""

import pytest
from playwright.sync_api import Page

from tests.browser.portal import PortalSample
from ventanilla.feedback.models import PageFeedback

pytestmark = pytest.mark.browser


def test_feedback_form_submits_and_masks_personal_data_without_javascript(
    portal: PortalSample, no_js_page: Page, live_server: object
) -> None:
    path = portal.procedure.get_absolute_url()
    response = no_js_page.goto(f"{live_server}{path}")
    assert response is not None
    assert response.status == 200
    form = no_js_page.locator('form[action*="/opinion/"]').first
    assert form.count() == 1, "no feedback form (action …/opinion/) on the procedure page"

    radios = form.locator("input[type=radio]")
    if radios.count():
        radios.first.check()
    comment = form.locator("textarea")
    if comment.count():
        comment.first.fill("Mi DNI es 45678912, escríbanme a ana.quispe@example.com o al 987654321")
    submit = form.locator("button[type=submit], button:not([type]), input[type=submit]").first
    with no_js_page.expect_navigation() as navigation:
        submit.click()
    answer = navigation.value
    assert answer is not None
    assert answer.status < 400, f"sending the feedback form answered HTTP {answer.status}"

    stored = list(PageFeedback.objects.filter(path=path))
    assert len(stored) == 1, f"expected one PageFeedback for {path}, found {len(stored)}"
    for secret in ("45678912", "ana.quispe@example.com", "987654321"):
        assert secret not in stored[0].comment


def test_language_link_switches_the_page_to_english(
    portal: PortalSample, page: Page, live_server: object
) -> None:
    page.goto(f"{live_server}/")
    assert (page.locator("html").get_attribute("lang") or "").startswith("es")
    spanish_text = page.locator("body").inner_text()

    link = page.locator('a[href*="/idioma/en"]').first
    assert link.count() == 1, "no link to /idioma/en/ on the home page"
    with page.expect_navigation():
        link.click()

    assert (page.locator("html").get_attribute("lang") or "").startswith("en")
    assert page.locator("body").inner_text() != spanish_text, "the page text did not change"
