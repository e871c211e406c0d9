"""What an ID token and /userinfo say about a citizen, by scope. The names follow OpenID
Connect's standard claims; the document follows ID Gob.pe (RENIEC's IDaaS), whose `profile`
scope returns `doc`, so a relying party written for ID Gob.pe reads ours the same way."""

from typing import Any

from ventanilla.accounts.assurance import Level

# Claim → the scope that releases it (django-oauth-toolkit filters by this map).
CLAIM_SCOPE = {
    "sub": "openid",
    "name": "profile",
    "given_name": "profile",
    "family_name": "profile",
    "doc": "profile",
    "doc_type": "profile",
    "email": "email",
    "phone_number": "phone",
}

# RFC 8176 authentication method references for each level of assurance.
AMR = {
    Level.ONE_FACTOR: ["pwd"],
    Level.TWO_FACTOR: ["pwd", "otp", "mfa"],
    Level.CERTIFICATE_DNIE: ["sc", "pin"],
    Level.CERTIFICATE_TOKEN: ["hwk", "pin"],
}


def user_claims(user: Any) -> dict[str, Any]:
    """Every claim about `user` (the validator drops those the token's scopes do not cover).
    Empty values are left out rather than sent as ""."""
    claims: dict[str, Any] = {
        "name": " ".join(p for p in (user.first_name, user.last_name) if p),
        "given_name": user.first_name,
        "family_name": user.last_name,
        "doc": user.document_number,
        "doc_type": user.document_type,
        "email": user.email,
        "phone_number": user.phone,
    }
    return {k: v for k, v in claims.items() if v}
