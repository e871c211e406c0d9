"""The provider's guarantees one request at a time (Django's test client): discovery, the
consent screen, and every bad input of the issue — a wrong redirect URI, an unknown client,
no PKCE, a reused code, CSRF on the consent form, a logout to an unregistered address."""

import base64
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from ventanilla.accounts.assurance import SESSION_AUTH_TIME, SESSION_LEVEL
from ventanilla.accounts.services.second_factor import totp_demo_enable
from ventanilla.audit.models import AuditEvent
from ventanilla.oidc.models import Consent
from ventanilla.oidc.tests.factories import (
    PASSWORD,
    REDIRECT_URI,
    SECRET,
    application_make,
    citizen_make,
)
from ventanilla.oidc.tests.rp import form_fields

pytestmark = pytest.mark.django_db
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")


@pytest.fixture
def application():
    return application_make()


@pytest.fixture
def citizen():
    return citizen_make()


def _logged_in(client: Client, user, level: str = "one_factor", auth_time: float | None = None):
    """Log in through the real login form (and the code form for two_factor)."""
    if level == "two_factor":
        totp_demo_enable(user=user, secret=TOTP_SECRET)
    client.post(
        reverse("accounts:login"), {"documento": user.document_number, "password": PASSWORD}
    )
    if level == "two_factor":
        client.post(reverse("accounts:login_code"), {"codigo": pyotp.TOTP(TOTP_SECRET).now()})
    assert client.session[SESSION_LEVEL] == level
    if auth_time is not None:
        session = client.session
        session[SESSION_AUTH_TIME] = int(auth_time)
        session.save()
    return client


def _authorize_params(application, **extra):
    params = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": "estado-123",
        "nonce": "nonce-456",
        "code_challenge": CHALLENGE.decode(),
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def _authorize(client, application, **extra):
    return client.get("/oidc/authorize/", _authorize_params(application, **extra))


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _consent_post(client, application, **extra):
    page = _authorize(client, application, **extra)
    data = form_fields(page.content.decode())
    data["allow"] = "on"
    return client.post("/oidc/authorize/", data)


def _exchange(client, code: str, verifier: str = VERIFIER):
    return client.post(
        "/oidc/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION="Basic "
        + base64.b64encode(f"{client_id_of(client)}:{SECRET}".encode()).decode(),
    )


def client_id_of(client) -> str:
    return client.application_client_id


def test_discovery_sits_at_the_site_root_and_names_our_endpoints(client):
    data = client.get("/.well-known/openid-configuration").json()
    assert data["issuer"] == "http://testserver"
    assert data["authorization_endpoint"] == "http://testserver/oidc/authorize/"
    assert data["token_endpoint"] == "http://testserver/oidc/token/"
    assert data["userinfo_endpoint"] == "http://testserver/oidc/userinfo/"
    assert data["jwks_uri"] == "http://testserver/.well-known/jwks.json"
    assert data["end_session_endpoint"] == "http://testserver/oidc/logout/"
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["response_types_supported"] == ["code"]
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == "http://testserver"
    assert data["acr_values_supported"] == ["one_factor", "two_factor"]
    assert data["authorization_response_iss_parameter_supported"] is True
    assert set(data["scopes_supported"]) == {"openid", "profile", "email", "phone"}
    assert {"doc", "acr", "amr", "auth_time", "email"} <= set(data["claims_supported"])
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]


def test_nobody_logged_in_is_sent_to_the_login_page_and_back(client, application):
    response = _authorize(client, application)
    assert response.status_code == 302
    login = urlsplit(response["Location"])
    assert login.path == "/cuenta/ingresar/"
    assert _query(response["Location"])["next"].startswith("/oidc/authorize/?")


def test_the_consent_screen_says_in_spanish_which_app_and_which_data(client, application, citizen):
    _logged_in(client, citizen)
    page = _authorize(client, application, scope="openid profile email")
    body = page.content.decode()
    assert page.status_code == 200
    assert "¿Compartir tus datos con Municipalidad de Prueba — Licencias?" in body
    assert "Tus nombres, apellidos y número de documento" in body
    assert "Tu correo electrónico" in body
    assert "Tu número de celular" not in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert "no-store" in page["Cache-Control"]


def test_accepting_issues_a_code_and_remembers_the_consent(client, application, citizen):
    _logged_in(client, citizen)
    response = _consent_post(client, application)
    assert response.status_code == 302
    query = _query(response["Location"])
    assert response["Location"].startswith(REDIRECT_URI)
    assert query["state"] == "estado-123"
    assert query["code"]
    consent = Consent.objects.get(user=citizen, application=application)
    assert consent.scopes == "openid profile"
    assert AuditEvent.objects.filter(action="oidc.consent_given", actor=citizen).exists()
    # Next time, no screen; asking for more data asks again.
    assert _authorize(client, application).status_code == 302
    assert _authorize(client, application, scope="openid email").status_code == 200
    assert _authorize(client, application, prompt="consent").status_code == 200


def test_declining_sends_access_denied_back_and_remembers_nothing(client, application, citizen):
    _logged_in(client, citizen)
    page = _authorize(client, application)
    data = form_fields(page.content.decode())
    response = client.post("/oidc/authorize/", data)
    assert _query(response["Location"]) == {"error": "access_denied", "state": "estado-123"}
    assert not Consent.objects.exists()


def test_the_consent_form_needs_its_csrf_token(application, citizen):
    browser = _logged_in(Client(), citizen)
    browser.handler.enforce_csrf_checks = True
    page = _authorize(browser, application)
    data = form_fields(page.content.decode())
    del data["csrfmiddlewaretoken"]
    data["allow"] = "on"
    response = browser.post("/oidc/authorize/", data)
    assert response.status_code == 403
    assert not Consent.objects.exists()


def test_a_wrong_redirect_uri_is_an_error_page_never_a_redirect(client, application, citizen):
    _logged_in(client, citizen)
    response = _authorize(client, application, redirect_uri="https://evil.example/callback")
    assert response.status_code == 400
    assert "Location" not in response
    body = response.content.decode()
    assert "pidió que te enviemos a una dirección que no registró" in body
    assert 'href="https://evil.example' not in body


def test_an_unknown_client_is_an_error_page(client, application, citizen):
    _logged_in(client, citizen)
    response = _authorize(client, application, client_id="no-existe")
    assert response.status_code == 400
    assert "no está registrada en Ventanilla" in response.content.decode()


def test_a_request_without_pkce_is_refused_back_to_the_client(client, application, citizen):
    _logged_in(client, citizen)
    response = _authorize(client, application, code_challenge=None, code_challenge_method=None)
    assert response.status_code == 302
    assert _query(response["Location"])["error"] == "invalid_request"
    assert "code" not in _query(response["Location"])


def test_plain_pkce_is_refused(client, application, citizen):
    _logged_in(client, citizen)
    response = _consent_post(
        client, application, code_challenge=VERIFIER, code_challenge_method="plain"
    )
    assert _query(response["Location"])["error"] == "invalid_request"


def test_scopes_beyond_what_the_client_may_ask_are_refused(client, citizen):
    narrow = application_make(scopes=("openid",), name="Solo identificador")
    _logged_in(client, citizen)
    response = _authorize(client, narrow, scope="openid email")
    assert _query(response["Location"])["error"] == "invalid_scope"


def test_a_reused_code_fails_and_revokes_the_tokens_of_its_first_exchange(
    client, application, citizen
):
    _logged_in(client, citizen)
    code = _query(_consent_post(client, application)["Location"])["code"]
    rp = Client()
    rp.application_client_id = application.client_id
    first = _exchange(rp, code)
    assert first.status_code == 200, first.content
    access_token = first.json()["access_token"]
    assert rp.get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}").status_code == 200

    second = _exchange(rp, code)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert not get_access_token_model().objects.exists()
    assert not get_refresh_token_model().objects.filter(revoked__isnull=True).exists()
    assert rp.get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}").status_code == 401


def test_a_wrong_code_verifier_gets_no_token(client, application, citizen):
    _logged_in(client, citizen)
    code = _query(_consent_post(client, application)["Location"])["code"]
    rp = Client()
    rp.application_client_id = application.client_id
    response = _exchange(rp, code, verifier="w" * 64)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_acr_values_two_factor_steps_a_one_factor_session_up(client, application, citizen):
    _logged_in(client, citizen, level="one_factor")
    response = _authorize(client, application, acr_values="two_factor")
    assert response.status_code == 302
    query = _query(response["Location"])
    assert urlsplit(response["Location"]).path == "/cuenta/ingresar/"
    assert query["nivel"] == "two_factor"
    assert "acr_values=two_factor" in query["next"]


def test_acr_values_two_factor_asks_the_anonymous_citizen_for_both_factors(client, application):
    response = _authorize(client, application, acr_values="two_factor")
    assert _query(response["Location"])["nivel"] == "two_factor"


def test_a_two_factor_session_passes_and_a_certificate_only_request_is_unmet(
    client, application, citizen
):
    _logged_in(client, citizen, level="two_factor")
    assert _authorize(client, application, acr_values="two_factor").status_code == 200
    unmet = _authorize(client, application, acr_values="certificate_dnie")
    assert _query(unmet["Location"])["error"] == "unmet_authentication_requirements"


def test_prompt_none_never_shows_a_page(client, application, citizen):
    anonymous = _authorize(client, application, prompt="none")
    assert _query(anonymous["Location"])["error"] == "login_required"
    _logged_in(client, citizen)
    no_consent = _authorize(client, application, prompt="none")
    assert _query(no_consent["Location"])["error"] == "consent_required"


def test_max_age_makes_an_old_session_log_in_again(client, application, citizen):
    _logged_in(client, citizen, auth_time=time.time() - 3600)
    assert _authorize(client, application, max_age="7200").status_code == 200
    response = _authorize(client, application, max_age="600")
    assert urlsplit(response["Location"]).path == "/cuenta/ingresar/"
    assert "max_age" not in _query(response["Location"])["next"]
    assert "_auth_user_id" not in client.session  # logged out: the password is asked again


def test_max_age_zero_after_a_fresh_login_does_not_loop(client, application, citizen):
    response = _authorize(client, application, max_age="0")
    next_path = _query(response["Location"])["next"]
    assert "max_age" not in next_path
    _logged_in(client, citizen, auth_time=time.time() - 5)
    assert client.get(next_path).status_code == 200


def test_prompt_login_asks_for_the_password_again(client, application, citizen):
    _logged_in(client, citizen)
    response = _authorize(client, application, prompt="login")
    assert urlsplit(response["Location"]).path == "/cuenta/ingresar/"
    next_path = _query(response["Location"])["next"]
    assert "prompt" not in next_path
    assert "_auth_user_id" not in client.session
    _logged_in(client, citizen)
    assert client.get(next_path).status_code == 200  # the consent screen, no loop


def test_logout_goes_only_to_a_registered_address(client, application, citizen):
    _logged_in(client, citizen)
    bad = client.get(
        "/oidc/logout/",
        {"client_id": application.client_id, "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert bad.status_code == 400
    assert "Location" not in bad
    unknown = client.get("/oidc/logout/", {"client_id": "no-existe"})
    assert unknown.status_code == 400

    page = client.get(
        "/oidc/logout/",
        {"client_id": application.client_id, "post_logout_redirect_uri": "http://127.0.0.1:9000/"},
    )
    assert page.status_code == 200  # no id_token_hint: the citizen is asked
    data = form_fields(page.content.decode())
    done = client.post("/oidc/logout/", {**data, "allow": "on"})
    assert done["Location"] == "http://127.0.0.1:9000/"
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.logout", actor=citizen).exists()


def test_oidc_pages_are_never_whole_page_cached(client, application):
    first = client.get("/.well-known/openid-configuration", HTTP_HOST="127.0.0.1")
    assert first.json()["issuer"] == "http://127.0.0.1"
    second = client.get("/.well-known/openid-configuration", HTTP_HOST="localhost")
    assert second.json()["issuer"] == "http://localhost"


def test_a_public_client_exchanges_with_pkce_alone(client, citizen):
    phone_app = application_make(confidential=False, name="App del celular")
    _logged_in(client, citizen)
    code = _query(_consent_post(client, phone_app)["Location"])["code"]
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    no_verifier = Client().post("/oidc/token/", {**fields, "client_id": phone_app.client_id})
    assert no_verifier.status_code == 400
    code = _query(_authorize(client, phone_app)["Location"])["code"]  # consent remembered
    fields["code"] = code
    ok = Client().post(
        "/oidc/token/", {**fields, "client_id": phone_app.client_id, "code_verifier": VERIFIER}
    )
    assert ok.status_code == 200, ok.content
    assert "id_token" in ok.json()


def test_userinfo_gives_only_what_the_scopes_cover(client, application, citizen):
    _logged_in(client, citizen)
    code = _query(_consent_post(client, application, scope="openid email")["Location"])["code"]
    rp = Client()
    rp.application_client_id = application.client_id
    token = _exchange(rp, code).json()["access_token"]
    info = rp.get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert info == {"sub": str(citizen.pk), "email": "rosa@example.pe"}
    in_query = rp.get("/oidc/userinfo/", {"access_token": token})
    assert in_query.status_code == 401  # never a token in the address
