"""Registered applications for the OIDC tests, made through the service as an administrator
would, so each carries its policy and its audit row."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from ventanilla.oidc.services import client_register

REDIRECT_URI = "http://127.0.0.1:9000/callback"
SECRET = "secreto-de-prueba-de-la-aplicacion"
PASSWORD = "una-clave-larga-2026"


def citizen_make(
    *,
    dni: str = "45678912",
    first_name: str = "Rosa María",
    last_name: str = "Quispe Huamán",
    email: str = "rosa@example.pe",
    phone: str = "987654321",
) -> Any:
    """A citizen whose DNI the registry confirmed, who logs in with PASSWORD."""
    user = get_user_model()(
        username=f"dni-{dni}",
        document_type="dni",
        document_number=dni,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        registry_verified_at=timezone.now(),
    )
    user.set_password(PASSWORD)
    user.save()
    return user


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
