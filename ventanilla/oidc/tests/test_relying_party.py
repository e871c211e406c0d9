"""THE test of the single sign-on: a relying party we did not write (Authlib) against the
running server. It discovers the provider, sends the citizen through the real login form and
the consent screen, exchanges the code with PKCE, verifies the ID token against the JWKS and
reads /userinfo; asking acr_values=two_factor, it gets acr=two_factor after the TOTP step."""

import base64
import json

import pyotp
import pytest
from joserfc.errors import BadSignatureError

from ventanilla.accounts.services.second_factor import totp_demo_enable
from ventanilla.oidc.services import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
    oidc_demo_client_ensure,
)
from ventanilla.oidc.tests.factories import PASSWORD, citizen_make
from ventanilla.oidc.tests.rp import Browser, RelyingParty, form_fields, query_of

pytestmark = pytest.mark.django_db(transaction=True)
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def citizen():
    return citizen_make()


@pytest.fixture
def rp(live_server):
    """The demo's relying party, registered exactly as `make demo` does and the README lists."""
    application = oidc_demo_client_ensure()
    party = RelyingParty(
        base=live_server.url,
        client_id=application.client_id,
        client_secret=DEMO_CLIENT_SECRET,
        redirect_uri=DEMO_REDIRECT_URI,
    )
    party.discover()
    return party


def _log_in(browser: Browser, page, *, code: str = ""):
    """Fill the real login form (and the code form when asked); returns the redirect after."""
    assert page.status_code == 200, page.text[:500]
    fields = form_fields(page.text)
    answer = browser.post(page.url, {**fields, "documento": "45678912", "password": PASSWORD})
    if "/codigo/" in answer.headers.get("Location", ""):
        code_page = browser.get(answer.headers["Location"])
        answer = browser.post(code_page.url, {**form_fields(code_page.text), "codigo": code})
    return answer


def _consent(browser: Browser, page):
    assert page.status_code == 200, page.text[:500]
    assert "¿Compartir tus datos con" in page.text
    return browser.post(page.url.split("?")[0], {**form_fields(page.text), "allow": "on"})


def test_authlib_completes_the_code_flow_with_pkce_and_verifies_the_id_token(rp, citizen):
    assert rp.config["issuer"] == rp.base
    assert "S256" in rp.config["code_challenge_methods_supported"]
    client = rp.session()
    url, state = rp.authorize_url(client)
    browser = Browser(rp.base)

    login_page = browser.follow(browser.get(url), stop_at=DEMO_REDIRECT_URI)
    assert "/cuenta/ingresar/" in login_page.url
    consent_page = browser.follow(_log_in(browser, login_page), stop_at=DEMO_REDIRECT_URI)
    callback = _consent(browser, consent_page)
    assert callback.status_code == 302
    location = callback.headers["Location"]
    assert location.startswith(DEMO_REDIRECT_URI)
    assert query_of(location)["state"] == state
    assert query_of(location)["iss"] == rp.config["issuer"]  # RFC 9207, against mix-up

    token = rp.exchange(client, location)
    claims = rp.verify_id_token(token["id_token"], token["access_token"])
    assert claims["sub"] == str(citizen.pk)
    assert claims["aud"] == DEMO_CLIENT_ID
    assert claims["nonce"] == rp.nonce
    assert claims["acr"] == "one_factor"
    assert claims["amr"] == ["pwd"]
    assert abs(claims["auth_time"] - claims["iat"]) < 120
    assert claims["doc"] == "45678912"
    assert claims["doc_type"] == "dni"

    info = rp.userinfo(token["access_token"])
    assert info["sub"] == str(citizen.pk)
    assert info["given_name"] == "Rosa María"
    assert info["family_name"] == "Quispe Huamán"
    assert info["email"] == "rosa@example.pe"
    assert info["phone_number"] == "987654321"

    # The consent is remembered: a second login goes straight back with a code.
    client2 = rp.session()
    url2, state2 = rp.authorize_url(client2)
    again = browser.get(url2)
    assert again.status_code == 302
    assert query_of(again.headers["Location"])["state"] == state2
    assert "code" in query_of(again.headers["Location"])


def test_asking_for_two_factor_steps_the_citizen_up_and_the_id_token_says_so(rp, citizen):
    browser = Browser(rp.base)
    # Logged in with a password only; then the citizen turns on their authenticator app.
    client = rp.session()
    url, _state = rp.authorize_url(client)
    consent_page = browser.follow(
        _log_in(browser, browser.follow(browser.get(url), stop_at=DEMO_REDIRECT_URI)),
        stop_at=DEMO_REDIRECT_URI,
    )
    assert (
        rp.verify_id_token(
            rp.exchange(client, _consent(browser, consent_page).headers["Location"])["id_token"]
        )["acr"]
        == "one_factor"
    )
    totp_demo_enable(user=citizen, secret=TOTP_SECRET)

    client = rp.session()
    url, state = rp.authorize_url(client, acr_values="two_factor")
    step_up = browser.get(url)
    assert step_up.status_code == 302
    assert "nivel=two_factor" in step_up.headers["Location"]
    code_page = browser.follow(step_up, stop_at=DEMO_REDIRECT_URI)
    assert "/codigo/" in code_page.url
    answer = browser.post(
        code_page.url,
        {**form_fields(code_page.text), "codigo": pyotp.TOTP(TOTP_SECRET).now()},
    )
    callback = browser.follow(answer, stop_at=DEMO_REDIRECT_URI)
    if callback.status_code == 200:  # consent asked again only if scopes grew; not here
        callback = _consent(browser, callback)
    location = callback.headers["Location"]
    assert query_of(location)["state"] == state

    token = rp.exchange(client, location)
    claims = rp.verify_id_token(token["id_token"], token["access_token"])
    assert claims["acr"] == "two_factor"
    assert claims["amr"] == ["pwd", "otp", "mfa"]


def test_a_tampered_id_token_fails_the_relying_partys_verification(rp, citizen):
    browser = Browser(rp.base)
    client = rp.session()
    url, _state = rp.authorize_url(client)
    consent_page = browser.follow(
        _log_in(browser, browser.follow(browser.get(url), stop_at=DEMO_REDIRECT_URI)),
        stop_at=DEMO_REDIRECT_URI,
    )
    token = rp.exchange(client, _consent(browser, consent_page).headers["Location"])
    header, payload, signature = token["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["acr"] = "two_factor"  # what an attacker would like the RP to believe
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    assert rp.verify_id_token(token["id_token"], token["access_token"])  # the real one passes
    with pytest.raises(BadSignatureError):
        rp.verify_id_token(f"{header}.{forged}.{signature}")
