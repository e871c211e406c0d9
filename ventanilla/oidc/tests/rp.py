"""A relying party we did not write: Authlib's OAuth2Session drives the code flow, and joserfc
(Authlib's JOSE library) with Authlib's own ID-token rules (authlib.oidc.core.CodeIDToken)
verify what Ventanilla signs. The browser is a requests session that keeps cookies and reads
forms, as a citizen's browser would."""

import re
import secrets
import warnings
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

with warnings.catch_warnings():
    # authlib.jose's deprecation notice; CodeIDToken still holds Authlib's ID-token rules.
    warnings.simplefilter("ignore")
    from authlib.oidc.core import CodeIDToken

_INPUT = re.compile(r"<input\b[^>]*>", re.I)
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def form_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (the CSRF token, the consent form's request fields)."""
    fields = {}
    for tag in _INPUT.findall(html):
        attrs = {k.lower(): unescape(v) for k, v in _ATTR.findall(tag)}
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


@dataclass
class Browser:
    base: str
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, url: str) -> requests.Response:
        return self.session.get(urljoin(self.base, url), allow_redirects=False, timeout=10)

    def post(self, url: str, data: dict[str, str]) -> requests.Response:
        return self.session.post(
            urljoin(self.base, url), data=data, allow_redirects=False, timeout=10
        )

    def follow(self, response: requests.Response, stop_at: str) -> requests.Response:
        """Follow redirects on our site; stop (without requesting it) at `stop_at`."""
        while response.status_code in (301, 302, 303):
            location = response.headers["Location"]
            if location.startswith(stop_at):
                return response
            response = self.get(location)
        return response


@dataclass
class RelyingParty:
    base: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str = "openid profile email phone"
    config: dict[str, Any] = field(default_factory=dict)
    nonce: str = ""
    verifier: str = ""

    def discover(self) -> dict[str, Any]:
        url = urljoin(self.base, "/.well-known/openid-configuration")
        self.config = requests.get(url, timeout=10).json()
        return self.config

    def session(self) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=self.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
        )

    def authorize_url(self, client: OAuth2Session, **extra: str) -> tuple[str, str]:
        self.nonce = secrets.token_urlsafe(16)
        self.verifier = secrets.token_urlsafe(48)
        url, state = client.create_authorization_url(
            self.config["authorization_endpoint"],
            nonce=self.nonce,
            code_verifier=self.verifier,
            **extra,
        )
        return url, state

    def exchange(self, client: OAuth2Session, callback: str) -> dict[str, Any]:
        return dict(
            client.fetch_token(
                self.config["token_endpoint"],
                authorization_response=callback,
                code_verifier=self.verifier,
            )
        )

    def verify_id_token(self, id_token: str, access_token: str | None = None) -> dict[str, Any]:
        """Signature against the published JWKS, then OpenID Connect's rules for a code-flow
        ID token: iss, aud, exp, iat, nonce and at_hash. Raises on any failure."""
        jwks = requests.get(self.config["jwks_uri"], timeout=10).json()
        token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
        claims = CodeIDToken(
            dict(token.claims),
            dict(token.header),
            options={"iss": {"essential": True, "values": [self.config["issuer"]]}},
            params={"nonce": self.nonce, "client_id": self.client_id, "access_token": access_token},
        )
        claims.validate()
        return dict(token.claims)

    def userinfo(self, access_token: str) -> dict[str, Any]:
        response = requests.get(
            self.config["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=10,
        )
        response.raise_for_status()
        return dict(response.json())


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
