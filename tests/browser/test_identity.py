"""The identity pages as a citizen goes through them (issue 4): create an account with the DNI
the civil registry knows (a wrong check digit first), turn on the second factor reading the key
off the page, log out and in again with the code, see the open sessions; and the single sign-on
consent screen, sending the browser back to the relying party with a code.

Each page on the way is checked where the citizen sees it: axe-core WCAG 2.x A/AA, the page
weight, and on a 320 px phone no sideways scrolling. The register and login forms also work
without JavaScript. Screenshots: docs/img/identity-*.png with VENTANILLA_DOC_SCREENSHOTS=1."""

import base64
import hashlib
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp
import pytest
from django.core.cache import cache
from playwright.sync_api import Page, Request, Response, Route, expect

from tests.browser.checks import (
    BUDGET_BYTES,
    PHONE_WIDTH,
    PageWeight,
    Resource,
    axe_report,
    axe_violations,
    horizontal_overflow,
    page_weight,
)
from ventanilla.accounts.models import UserSession
from ventanilla.integrations.civil_registry.fake_people import DEMO_CITIZEN_DNI
from ventanilla.oidc.services import DEMO_CLIENT_ID, DEMO_REDIRECT_URI, oidc_demo_client_ensure
from ventanilla.oidc.tests.factories import PASSWORD, citizen_make

pytestmark = pytest.mark.browser

IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
SCRATCH = Path(tempfile.gettempdir()) / "ventanilla-screenshots"

# Juan Carlos Mamani Condori, of the fake registry (not the demo citizen). On his card the
# number reads 41234567-9; 1 is a wrong check digit.
DNI = "41234567"
RIGHT_DIGIT = "9"
WRONG_DIGIT = "1"
PASSWORD_NEW = "Lago-Titicaca-3812"
assert DNI != DEMO_CITIZEN_DNI


# ---- looking at a page ---------------------------------------------------------------------


@dataclass
class Visitor:
    """A citizen's browser tab, and what is checked on every page it shows."""

    page: Page
    device: str  # "phone" (320 px) or "desktop" (1280 px)
    loaded: list[Response] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("response", lambda response: self.loaded.append(response))

    def look(self, name: str, *, status: int = 200) -> None:
        """The page now shown, as the citizen sees it: accessible, light, fitting the screen."""
        what = f"{name} ({self.device}, {self.page.url})"
        documents = [r for r in self.loaded if r.request.resource_type == "document"]
        assert documents, f"{what}: no page was loaded"
        assert documents[-1].status == status, f"{what}: HTTP {documents[-1].status}"
        violations = axe_violations(self.page)
        assert not violations, f"axe-core on {what}:\n{axe_report(violations)}"
        weight = _weight(documents[-1], self.loaded)
        print(f"{name} ({self.device}): {weight.total:,} B")
        assert weight.total < BUDGET_BYTES, f"{what} weighs {weight.total:,} B:\n{weight.report()}"
        if self.device == "phone":
            overflow = horizontal_overflow(self.page)
            assert overflow["clientWidth"] == PHONE_WIDTH, f"{what}: laid out {overflow}"
            assert overflow["scrollWidth"] <= PHONE_WIDTH, (
                f"{what} is {overflow['scrollWidth']} px wide: {', '.join(overflow['wide'])}"
            )
        self.loaded.clear()
        self.seen.append(name)
        _shot(self.page, f"{name}-{self.device}")


def _weight(document: Response, loaded: list[Response]) -> PageWeight:
    """The page as sent (a POST answer or a page behind the login cannot be fetched again, so
    the browser's own count of the encoded body), plus its styles and scripts as whitenoise
    would send them."""
    sent = document.request.sizes()["responseBodySize"]
    encoding = document.headers.get("content-encoding", "identity")
    weight = PageWeight([Resource(document.url, "document", sent, encoding)])
    assets = [(r.url, r.request.resource_type) for r in loaded if r is not document]
    weight.resources += page_weight([(u, k) for u, k in assets if k != "document"]).resources
    return weight


# The states worth a picture in docs/img; every other page goes to the scratch folder only.
DOC_SHOTS = {
    *(f"{n}-phone" for n in ("register-error", "totp-setup", "recovery-codes", "login-code")),
    *(f"{n}-phone" for n in ("home", "sessions", "consent")),
    "register-error-desktop",
    "consent-desktop",
}


def _shot(page: Page, name: str) -> None:
    """docs/img/identity-<name>.png only when VENTANILLA_DOC_SCREENSHOTS=1 (a plain run leaves
    the tree clean), and only for DOC_SHOTS."""
    wanted = os.environ.get("VENTANILLA_DOC_SCREENSHOTS") == "1" and name in DOC_SHOTS
    folder = IMG if wanted else SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"identity-{name}.png"), full_page=True)


@pytest.fixture(params=["phone", "desktop"])
def visitor(request: pytest.FixtureRequest) -> Visitor:
    page = request.getfixturevalue("phone_page" if request.param == "phone" else "page")
    return Visitor(page, request.param)


@pytest.fixture
def site(live_server: object, civil_registry: str) -> str:
    """The live server's address, the civil registry fake behind it, no page cached."""
    cache.clear()
    return str(live_server)


def _submit(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def _fill_registration(page: Page, digit: str) -> None:
    page.get_by_label("DNI", exact=True).check()
    page.get_by_label("Número de documento").fill(DNI)
    page.get_by_label("Dígito de verificación del DNI (opcional)").fill(digit)
    page.get_by_label("Correo electrónico").fill("juan.mamani@example.pe")
    page.get_by_label("Celular (opcional)").fill("951 234 567")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD_NEW)
    page.get_by_label("Repite la contraseña").fill(PASSWORD_NEW)


class Authenticator:
    """The citizen's authenticator app: the code of the next 30-second step not used yet (the
    server refuses a code twice, and accepts one step either side of now)."""

    def __init__(self, key_shown: str) -> None:
        self.totp = pyotp.TOTP("".join(key_shown.split()))
        self.last_step = -1

    def code(self) -> str:
        now_step = int(time.time()) // 30
        step = max(now_step, self.last_step + 1)
        if step > now_step + 1:  # two codes in one step: wait for the next one
            time.sleep(30 - time.time() % 30 + 0.5)
            step = int(time.time()) // 30
        self.last_step = step
        return self.totp.at(step * 30)

    def wrong_code(self) -> str:
        """A code the app does not show now, nor a step either side."""
        candidates = ("123456", "654321", "111111")
        return next(c for c in candidates if not self.totp.verify(c, valid_window=1))


def _log_in(page: Page, document: str, password: str) -> None:
    page.get_by_label("Número de documento").fill(document)
    page.get_by_label("Contraseña", exact=True).fill(password)
    _submit(page, "Ingresar")


# ---- the flows -----------------------------------------------------------------------------


def test_citizen_registers_turns_on_the_second_factor_and_logs_in_again_with_the_code(
    site: str, visitor: Visitor
) -> None:
    page = visitor.page

    # 1. Create an account: a wrong check digit, told where and why; then the right one.
    page.goto(f"{site}/cuenta/registro/")
    expect(page.locator("h1")).to_have_text("Crear una cuenta")
    visitor.look("register")
    _fill_registration(page, WRONG_DIGIT)
    _submit(page, "Crear mi cuenta")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Hay un problema")
    expect(summary).to_contain_text("El dígito de verificación no corresponde a ese DNI")
    assert page.title().startswith("Error: ")
    digit = page.locator("#digito")
    expect(digit).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#digito-error")).to_contain_text("no corresponde")
    # What the citizen typed stays, except the passwords.
    expect(page.get_by_label("Número de documento")).to_have_value(DNI)
    expect(page.get_by_label("Correo electrónico")).to_have_value("juan.mamani@example.pe")
    expect(page.get_by_label("Contraseña", exact=True)).to_have_value("")
    visitor.look("register-error", status=400)
    summary.get_by_role("link").first.click()
    expect(digit).to_be_focused()
    digit.fill(RIGHT_DIGIT)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD_NEW)
    page.get_by_label("Repite la contraseña").fill(PASSWORD_NEW)
    _submit(page, "Crear mi cuenta")
    assert urlsplit(page.url).path == "/cuenta/"
    main = page.locator("main")
    expect(page.locator("main").get_by_role("status")).to_contain_text("Tu cuenta está lista")
    expect(page.locator("h1")).to_have_text("Hola, Juan Carlos")
    expect(main).to_contain_text("Juan Carlos Mamani Condori")
    expect(main).to_contain_text("según el registro oficial")
    expect(main).to_contain_text(DNI)
    visitor.look("home-new")

    # 2. The second factor: the key read as text off the page, the code from the app.
    page.locator("main").get_by_role("link", name="Activar la verificación en dos pasos").click()
    page.wait_for_url("**/cuenta/seguridad/verificacion/")
    visitor.look("totp-off")
    _submit(page, "Activar la verificación en dos pasos")
    expect(page.get_by_role("img", name=re.compile("Código QR"))).to_be_visible()
    app = Authenticator(page.locator("#clave").inner_text())
    visitor.look("totp-setup")
    page.get_by_label("Código de 6 dígitos").fill(app.wrong_code())
    _submit(page, "Activar")
    expect(page.get_by_role("alert")).to_contain_text("Hay un problema")
    expect(page.get_by_label("Código de 6 dígitos")).to_have_attribute("aria-invalid", "true")
    visitor.look("totp-wrong-code", status=400)
    page.get_by_label("Código de 6 dígitos").fill(app.code())
    _submit(page, "Activar")
    expect(main.get_by_role("status")).to_contain_text("Activaste la verificación en dos pasos")
    codes = page.locator("#codigos li").all_inner_texts()
    assert len(codes) >= 8, codes
    assert all(re.fullmatch(r"[0-9A-Za-z-]{12,16}", c.strip()) for c in codes), codes
    visitor.look("recovery-codes")
    page.get_by_role("link", name="Ya los guardé").click()
    page.wait_for_url("**/cuenta/seguridad/")
    visitor.look("security")

    # 3. Log out; in again with the document, the password and the code.
    page.goto(f"{site}/cuenta/")
    _submit(page, "Cerrar sesión")
    assert urlsplit(page.url).path == "/cuenta/sesion-cerrada/"
    visitor.look("logged-out")
    page.get_by_role("link", name="Ingresar otra vez").click()
    page.wait_for_url("**/cuenta/ingresar/")
    visitor.look("login")
    _log_in(page, DNI, PASSWORD_NEW)
    assert urlsplit(page.url).path == "/cuenta/ingresar/codigo/"
    expect(page.locator("h1")).to_have_text("Escribe tu código de verificación")
    visitor.look("login-code")
    page.get_by_label("Código", exact=True).fill(app.code())
    _submit(page, "Continuar")
    assert urlsplit(page.url).path == "/cuenta/"
    expect(page.locator("main")).to_contain_text("Contraseña y código de verificación")
    expect(page.locator("main")).to_contain_text("Activada")
    visitor.look("home")

    page.goto(f"{site}/cuenta/seguridad/sesiones/")
    expect(page.locator("h1")).to_have_text("Sesiones abiertas")
    this_one = page.locator("ul.results > li").filter(has_text="Este dispositivo")
    expect(this_one).to_have_count(1)
    expect(this_one).to_contain_text("Contraseña y código de verificación")
    assert UserSession.objects.filter(user__document_number=DNI).count() == 1
    visitor.look("sessions")


def _pkce_authorize_path() -> tuple[str, str]:
    """/oidc/authorize/ as a relying party sends the citizen there: code flow with PKCE (S256),
    state and nonce. Returns the path and the state."""
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    state = secrets.token_urlsafe(16)
    query = {
        "response_type": "code",
        "client_id": DEMO_CLIENT_ID,
        "redirect_uri": DEMO_REDIRECT_URI,
        "scope": "openid profile email phone",
        "state": state,
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"/oidc/authorize/?{urlencode(query)}", state


@pytest.fixture
def relying_party(site: str, visitor: Visitor) -> Iterator[list[str]]:
    """The demo relying party registered, and its callback answered in the browser (nothing
    listens on 127.0.0.1:9000): the addresses the browser was sent to."""
    oidc_demo_client_ensure()
    sent_back: list[str] = []

    def callback(route: Route, request: Request) -> None:
        sent_back.append(request.url)
        route.fulfill(status=200, content_type="text/plain", body="callback")

    visitor.page.route(f"{DEMO_REDIRECT_URI}*", callback)
    yield sent_back
    visitor.page.unroute(f"{DEMO_REDIRECT_URI}*")


def test_single_sign_on_asks_consent_then_sends_the_browser_back_with_a_code(
    site: str, visitor: Visitor, relying_party: list[str]
) -> None:
    page = visitor.page
    citizen_make(
        dni="70123456",
        first_name="Lucía Fernanda",
        last_name="Torres Villanueva",
        email="lucia.torres@example.pe",
    )
    authorize, state = _pkce_authorize_path()
    page.goto(site + authorize)
    assert urlsplit(page.url).path == "/cuenta/ingresar/"
    visitor.look("sso-login")
    _log_in(page, "70123456", PASSWORD)

    assert urlsplit(page.url).path.startswith("/oidc/authorize")
    expect(page.locator("h1")).to_contain_text("¿Compartir tus datos con")
    expect(page.locator("main")).to_contain_text("No recibirá tu contraseña")
    expect(page.locator("main")).to_contain_text("¿No eres Lucía Fernanda?")
    visitor.look("consent")

    # Saying no sends the citizen back with access_denied, and no code.
    page.get_by_role("button", name="No acepto").click()
    page.wait_for_url(f"{DEMO_REDIRECT_URI}?**")
    assert relying_party == [page.url]
    denied = parse_qs(urlsplit(relying_party[-1]).query)
    assert denied["error"] == ["access_denied"], relying_party[-1]
    assert "code" not in denied

    authorize, state = _pkce_authorize_path()
    page.goto(site + authorize)
    expect(page.locator("h1")).to_contain_text("¿Compartir tus datos con")
    page.get_by_role("button", name="Aceptar y continuar").click()
    page.wait_for_url(f"{DEMO_REDIRECT_URI}?**")
    back = urlsplit(relying_party[-1])
    assert f"{back.scheme}://{back.netloc}{back.path}" == DEMO_REDIRECT_URI
    answer = parse_qs(back.query)
    assert answer["state"] == [state]
    assert len(answer["code"][0]) >= 20, answer


# ---- without JavaScript --------------------------------------------------------------------


def test_register_and_login_forms_work_without_javascript(site: str, no_js_page: Page) -> None:
    page = no_js_page
    page.goto(f"{site}/cuenta/registro/")
    _fill_registration(page, WRONG_DIGIT)
    _submit(page, "Crear mi cuenta")
    expect(page.get_by_role("alert")).to_contain_text("El dígito de verificación no corresponde")
    page.get_by_label("Dígito de verificación del DNI (opcional)").fill(RIGHT_DIGIT)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD_NEW)
    page.get_by_label("Repite la contraseña").fill(PASSWORD_NEW)
    _submit(page, "Crear mi cuenta")
    expect(page.locator("h1")).to_have_text("Hola, Juan Carlos")

    _submit(page, "Cerrar sesión")
    page.goto(f"{site}/cuenta/ingresar/")
    _log_in(page, DNI, "no-es-mi-clave")
    expect(page.get_by_role("alert")).to_contain_text("Hay un problema")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD_NEW)
    _submit(page, "Ingresar")
    assert urlsplit(page.url).path == "/cuenta/"
    expect(page.locator("h1")).to_have_text("Hola, Juan Carlos")
