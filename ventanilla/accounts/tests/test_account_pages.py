"""The security pages: login required, never cached, CSRF on every form."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ventanilla.accounts.assurance import Level
from ventanilla.accounts.services import second_factor
from ventanilla.accounts.tests.test_second_factor import (
    CHROME_ANDROID,
    PASSWORD,
    SECRET,
    citizen,
    code_at,
    signed_in,
)

pytestmark = pytest.mark.django_db

PRIVATE = [
    "/cuenta/seguridad/",
    "/cuenta/seguridad/verificacion/",
    "/cuenta/seguridad/sesiones/",
    "/cuenta/seguridad/contrasena/",
    "/cuenta/eliminar/",
]
POSTS = [
    ("/cuenta/seguridad/verificacion/", {"accion": "iniciar"}),
    ("/cuenta/seguridad/sesiones/", {"cerrar_otras": "1"}),
    (
        "/cuenta/seguridad/contrasena/",
        {"password": PASSWORD, "nueva": "x" * 20, "nueva2": "x" * 20},
    ),
    ("/cuenta/eliminar/", {"password": PASSWORD}),
    ("/cuenta/recuperar/", {"documento": "12345678"}),
]


@pytest.mark.parametrize("path", PRIVATE)
def test_security_pages_require_login(client: Any, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer["Location"].startswith("/cuenta/ingresar/?next=")
    assert "no-store" in answer["Cache-Control"]


@pytest.mark.parametrize("path", [*PRIVATE, "/cuenta/recuperar/", "/cuenta/recuperar/enviado/"])
def test_security_pages_are_never_cached(client: Any, path: str) -> None:
    signed_in(client, citizen())
    answer = client.get(path)
    assert answer.status_code == 200
    assert "private" in answer["Cache-Control"]
    assert "no-store" in answer["Cache-Control"]


@pytest.mark.parametrize(("path", "data"), POSTS)
def test_security_forms_enforce_csrf(path: str, data: dict[str, str]) -> None:
    user = citizen()
    client = Client(enforce_csrf_checks=True)
    signed_in(client, user)
    assert client.post(path, data).status_code == 403
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(PASSWORD)
    assert not second_factor.totp_pending(user)


def test_security_forms_work_with_the_token_from_the_page() -> None:
    client = Client(enforce_csrf_checks=True)
    user = citizen()
    signed_in(client, user)
    client.get("/cuenta/seguridad/verificacion/")
    token = client.cookies["csrftoken"].value
    answer = client.post(
        "/cuenta/seguridad/verificacion/", {"accion": "iniciar", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 303
    assert second_factor.totp_pending(user)


def test_security_page_shows_the_level_and_second_factor_state(client: Any) -> None:
    user = citizen()
    signed_in(client, user)
    html = client.get("/cuenta/seguridad/").content.decode()
    assert "Contraseña" in html
    assert "Desactivada" in html
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    other = Client()
    signed_in(other, user, level=Level.TWO_FACTOR)
    html = other.get("/cuenta/seguridad/").content.decode()
    assert "Contraseña y código de verificación" in html
    assert "Activada" in html


def test_security_page_links_every_task(client: Any) -> None:
    signed_in(client, citizen())
    html = client.get("/cuenta/seguridad/").content.decode()
    for path in PRIVATE[1:]:
        assert f'href="{path}"' in html


def test_after_the_real_login_with_a_code_the_sessions_page_lists_this_browser() -> None:
    user = citizen()
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    browser = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    browser.post("/cuenta/ingresar/", {"documento": user.document_number, "password": PASSWORD})
    browser.post("/cuenta/ingresar/codigo/", {"codigo": code_at(SECRET)})
    page = browser.get("/cuenta/seguridad/sesiones/")
    assert page.status_code == 200
    assert "Chrome en Android" in page.content.decode()
    assert "Este dispositivo" in page.content.decode()
    security = browser.get("/cuenta/seguridad/").content.decode()
    assert "Contraseña y código de verificación" in security


def test_security_page_offers_no_deletion_to_officials(client: Any) -> None:
    official = get_user_model().objects.create_user(username="func", password="x", is_staff=True)
    client.force_login(official)
    html = client.get("/cuenta/seguridad/").content.decode()
    assert 'href="/cuenta/eliminar/"' not in html
