"""The search a citizen uses: suggestions as they type (keyboard and screen reader), a forgiving
results page with facets, and a zero-results page that helps; accessible, and working without
JavaScript. Screenshots of each state (docs/img/search-*.png with VENTANILLA_DOC_SCREENSHOTS=1)."""

import os
import tempfile
from pathlib import Path

import pytest
from django.db import transaction
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.checks import PHONE_WIDTH, axe_report, axe_violations, horizontal_overflow
from tests.browser.portal import PortalSample
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.institutions.models import Level
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.search.indexing import search_index_rebuild
from ventanilla.search.models import SearchClick

pytestmark = pytest.mark.browser

IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
SCRATCH = Path(tempfile.gettempdir()) / "ventanilla-screenshots"


@pytest.fixture
def indexed(portal: PortalSample) -> PortalSample:
    """The sample portal plus a few more DNI and certificate pages from other institutions, so
    the facets have something to choose from; indexed."""
    with transaction.atomic():
        judiciary = InstitutionFactory(
            slug="poder-judicial", name="Poder Judicial del Perú", acronym="PJ"
        )
        region = InstitutionFactory(
            slug="gore-cusco", name="Gobierno Regional del Cusco", level=Level.REGIONAL
        )
        ProcedureFactory(
            title="Renovar DNI por caducidad",
            code="P002",
            institution=portal.institution,
            summary="Renueva tu DNI antes de que caduque; también si cumpliste 18 años.",
            popularity=80,
        )
        ProcedureFactory(
            title="Obtener DNI electrónico por primera vez",
            code="P003",
            institution=portal.institution,
            summary="El DNI electrónico te permite firmar digitalmente y hacer trámites.",
            popularity=60,
        )
        ProcedureFactory(
            title="Certificado de antecedentes penales",
            code="P015",
            institution=judiciary,
            summary="Obtén en línea tu certificado de antecedentes penales con tu DNI.",
            popularity=90,
        )
        ProcedureFactory(
            title="Constancia de no adeudo de DNI en el Gobierno Regional",
            institution=region,
            summary="Constancia para trámites regionales que piden el DNI del solicitante.",
        )
    search_index_rebuild()
    return portal


def _shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """A screenshot (on a phone, the first screen is what matters). It replaces the one in
    docs/img only when VENTANILLA_DOC_SCREENSHOTS=1, so a test run leaves the tree clean."""
    folder = IMG if os.environ.get("VENTANILLA_DOC_SCREENSHOTS") == "1" else SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"search-{name}.png"), full_page=full_page)


def _no_violations(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {what}:\n{axe_report(violations)}"


def _fits_a_phone(page: Page, what: str) -> None:
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= PHONE_WIDTH, f"{what} too wide: {overflow['wide']}"


def test_typing_a_typo_suggests_pages_navigable_by_keyboard_then_results_correct_it(
    indexed: PortalSample, page: Page, live_server: object
) -> None:
    page.goto(f"{live_server}/")
    box = page.locator("#q-home")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("antesedentes", delay=40)

    listbox = page.locator("#" + (box.get_attribute("aria-controls") or "missing"))
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_have_text("Certificado de antecedentes penales")
    status = page.locator("#q-home ~ [role=status]")
    expect(status).to_contain_text("sugerencia")
    _no_violations(page, "the home page with suggestions open")
    _shot(page, "suggestions-desktop")

    box.press("ArrowDown")
    first_id = options.first.get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id or "")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("ArrowUp")  # wraps to the last option
    expect(options.last).to_have_attribute("aria-selected", "true")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", first_id or "")

    box.fill("antesedentes penales")
    expect(listbox).to_be_visible()
    box.press("Escape")
    with page.expect_navigation():
        box.press("Enter")  # no option chosen: the form submits the query
    assert "/buscar/?q=antesedentes+penales" in page.url
    main = page.locator("main")
    expect(main).to_contain_text("Mostramos resultados para «antecedentes penales»")
    expect(main).to_contain_text("1 resultado para «antecedentes penales»")
    first = main.locator("ol.hits > li").first
    expect(first.get_by_role("link")).to_have_text("Certificado de antecedentes penales")
    expect(first).to_contain_text("P015")


def test_enter_on_a_suggestion_opens_its_page(
    indexed: PortalSample, page: Page, live_server: object
) -> None:
    page.goto(f"{live_server}/tramites/")
    box = page.locator("#q-top")
    box.press_sequentially("duplicado", delay=30)
    option = page.get_by_role("option", name="Solicitar duplicado de DNI")
    expect(option).to_be_visible()
    box.press("ArrowDown")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith(indexed.procedure.get_absolute_url())


def test_results_facets_filter_and_click_ping_then_zero_results_help(
    indexed: PortalSample, page: Page, live_server: object
) -> None:
    page.goto(f"{live_server}/buscar/?q=dni")
    main = page.locator("main")
    expect(main.locator(".count")).to_contain_text("resultados para «dni»")
    tabs = main.get_by_role("navigation", name="Tipo de resultado")
    expect(tabs.get_by_role("link", name="Todo")).to_have_attribute("aria-current", "page")
    _no_violations(page, "the results page")
    _shot(page, "results-desktop")

    main.locator("details.more summary").click()
    main.get_by_role("link", name="Registro Nacional de Identificación y Estado Civil").click()
    page.wait_for_url("**institucion=reniec**")
    chips = main.get_by_role("list", name="Filtros aplicados")
    expect(chips).to_contain_text("Registro Nacional de Identificación y Estado Civil")
    hits = main.locator("ol.hits > li")
    for text in hits.all_inner_texts():
        assert "RENIEC" in text, text
    expect(main.locator("details.more")).to_have_attribute("open", "")
    _no_violations(page, "the results page with a filter")
    _shot(page, "filtered-desktop")

    tabs.get_by_role("link", name="Trámites y servicios").click()
    page.wait_for_url("**tipo=procedure**")
    assert "institucion=reniec" in page.url  # filters combine
    chips.get_by_role("link", name="Quitar todos los filtros").click()
    page.wait_for_url("**/buscar/?q=dni")

    # The result link is the page itself; the browser pings the counter beside it.
    with page.expect_request("**/buscar/clic/**") as ping:
        main.locator("ol.hits > li a").first.click()
    assert ping.value.method == "POST"
    page.wait_for_load_state()
    for _ in range(20):
        if SearchClick.objects.exists():
            break
        page.wait_for_timeout(100)
    assert SearchClick.objects.filter(position=1).count() == 1

    page.goto(f"{live_server}/buscar/?q=xylofono+cuantico")
    expect(main).to_contain_text("No encontramos nada para «xylofono cuantico»")
    expect(main).to_contain_text("Trámites más usados")
    expect(main.get_by_label("Cuéntanos qué necesitas")).to_be_visible()
    _no_violations(page, "the zero-results page")
    _shot(page, "zero-desktop")


def test_search_on_a_320px_phone_fits_and_is_accessible(
    indexed: PortalSample, phone_page: Page, live_server: object
) -> None:
    phone_page.goto(f"{live_server}/buscar/?q=dni")
    _fits_a_phone(phone_page, "the results page")
    _no_violations(phone_page, "the results page at 320 px")
    _shot(phone_page, "results-320", full_page=False)
    box = phone_page.locator("#q-page")
    box.fill("")
    box.press_sequentially("renovar", delay=30)
    expect(phone_page.get_by_role("listbox")).to_be_visible()
    _fits_a_phone(phone_page, "the results page with suggestions open")
    _shot(phone_page, "suggestions-320", full_page=False)
    phone_page.goto(f"{live_server}/buscar/?q=dni&institucion=reniec&tipo=procedure&page=9")
    expect(phone_page.locator("main")).to_contain_text("Esa página no existe")
    _fits_a_phone(phone_page, "a page past the end")
    phone_page.goto(f"{live_server}/buscar/?q=xylofono")
    _fits_a_phone(phone_page, "the zero-results page")
    _no_violations(phone_page, "the zero-results page at 320 px")
    _shot(phone_page, "zero-320", full_page=False)


def test_search_works_without_javascript_and_the_ask_form_reaches_editors(
    indexed: PortalSample, no_js_page: Page, live_server: object
) -> None:
    from ventanilla.feedback.models import PageFeedback

    no_js_page.goto(f"{live_server}/")
    box = no_js_page.locator("#q-home")
    assert box.get_attribute("role") is None  # nothing was enhanced
    box.fill("dupicado dni")
    with no_js_page.expect_navigation():
        box.press("Enter")
    main = no_js_page.locator("main")
    expect(main.locator("ol.hits > li").first).to_contain_text("Solicitar duplicado de DNI")

    no_js_page.goto(f"{live_server}/buscar/?q=carnet+de+sanidad+xylofono")
    main.get_by_label("Cuéntanos qué necesitas").fill("Necesito el carnet de sanidad de Lima")
    with no_js_page.expect_navigation():
        main.get_by_role("button", name="Enviar").click()
    expect(no_js_page.locator("main")).to_contain_text("Gracias por tu opinión")
    stored = PageFeedback.objects.get()
    assert stored.path == "/buscar/?q=carnet+de+sanidad+xylofono"
    assert stored.useful is False


def test_suggestions_stay_out_of_the_way_of_the_page_weight(
    indexed: PortalSample, desktop_context: BrowserContext, live_server: object
) -> None:
    page = desktop_context.new_page()
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(f"{live_server}/buscar/?q=dni")
    assert [u.rsplit("/", 1)[-1] for u in scripts] == ["search.js"]
