"""Registered applications for the OIDC tests, made through the service as an administrator
would, so each carries its policy and its audit row."""

from typing import Any

from ventanilla.oidc.services import client_register

REDIRECT_URI = "http://127.0.0.1:9000/callback"
SECRET = "secreto-de-prueba-de-la-aplicacion"


def application_make(
    *,
    scopes: tuple[str, ...] = ("openid", "profile", "email", "phone"),
    confidential: bool = True,
    redirect_uris: tuple[str, ...] = (REDIRECT_URI,),
    name: str = "Municipalidad de Prueba — Licencias",
    **kwargs: Any,
) -> Any:
    application, _secret = client_register(
        by=None,
        name=name,
        redirect_uris=list(redirect_uris),
        post_logout_redirect_uris=["http://127.0.0.1:9000/"],
        allowed_scopes=list(scopes),
        confidential=confidential,
        client_secret=SECRET if confidential else None,
        **kwargs,
    )
    return application
