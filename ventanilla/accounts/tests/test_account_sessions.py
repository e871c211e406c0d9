"""Active sessions: the list in plain Spanish, closing one, closing the others, only one's own."""

from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from ventanilla.accounts.models import UserSession
from ventanilla.accounts.services import account as services
from ventanilla.accounts.tests.test_second_factor import citizen, signed_in
from ventanilla.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def store_has(session_key: str) -> bool:
    return bool(import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key))


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
            "Chrome en Android",
        ),
        (FIREFOX_WINDOWS, "Firefox en Windows"),
        (SAFARI_IPHONE, "Safari en iPhone"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/131.0 "
            "Safari/537.36 Edg/131.0",
            "Edge en Mac",
        ),
        ("curl/8.5.0", "Navegador desconocido"),
        ("", "Navegador desconocido"),
    ],
)
def test_device_describe_names_browser_and_system_in_spanish(agent: str, expected: str) -> None:
    assert services.device_describe(agent) == expected


def test_sessions_page_lists_own_sessions_and_marks_this_one(
    client: Any, django_assert_num_queries: Any
) -> None:
    user = citizen()
    other_browser = Client(HTTP_USER_AGENT=FIREFOX_WINDOWS)
    signed_in(other_browser, user, ua=FIREFOX_WINDOWS, ip="200.48.1.1")
    signed_in(Client(), citizen(), ua=SAFARI_IPHONE)  # someone else's: not listed
    signed_in(client, user)
    client.get("/cuenta/seguridad/")  # the first request marks the session as seen (a write)
    # session, user, session row (middleware), the list, the casilla's unread count in the
    # header; the same for 2 rows or 20.
    with django_assert_num_queries(5):
        page = client.get("/cuenta/seguridad/sesiones/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Chrome en Android" in html
    assert "Firefox en Windows" in html
    assert "200.48.1.1" in html
    assert "Safari en iPhone" not in html
    assert html.count("Este dispositivo") == 1
    assert html.count('name="cerrar"') == 1  # the current one is closed by logging out
    for _n in range(5):
        signed_in(Client(), user, ua=SAFARI_IPHONE)
    with django_assert_num_queries(5):
        client.get("/cuenta/seguridad/sesiones/")


def test_closing_a_session_removes_it_from_the_store_and_the_list(client: Any) -> None:
    user = citizen()
    phone = Client()
    phone_key = signed_in(phone, user)
    signed_in(client, user, ua=FIREFOX_WINDOWS)
    row = UserSession.objects.get(session_key=phone_key)
    assert phone.get("/cuenta/seguridad/").status_code == 200

    answer = client.post("/cuenta/seguridad/sesiones/", {"cerrar": row.pk})
    assert answer.status_code == 303
    assert not UserSession.objects.filter(pk=row.pk).exists()
    assert not store_has(phone_key)
    # The closed browser is logged out on its next request.
    assert phone.get("/cuenta/seguridad/").status_code == 302
    assert AuditEvent.objects.filter(action="accounts.session_closed", target_id=user.pk).exists()


def test_closing_another_users_session_is_refused(client: Any) -> None:
    user, victim = citizen(), citizen()
    victim_key = signed_in(Client(), victim)
    signed_in(client, user)
    victim_row = UserSession.objects.get(session_key=victim_key)

    assert client.post("/cuenta/seguridad/sesiones/", {"cerrar": victim_row.pk}).status_code == 404
    with pytest.raises(ValidationError):
        services.session_close(user=user, session_key=victim_key, by=user)
    with pytest.raises(ValidationError):
        services.session_close(user=victim, session_key=victim_key, by=user)
    assert UserSession.objects.filter(pk=victim_row.pk).exists()
    assert store_has(victim_key)


@pytest.mark.parametrize("bad", ["", "abc", "-1", "99999999999999999999"])
def test_closing_a_session_with_a_bad_id_answers_not_found(client: Any, bad: str) -> None:
    signed_in(client, citizen())
    assert client.post("/cuenta/seguridad/sesiones/", {"cerrar": bad}).status_code == 404


def test_close_all_others_keeps_this_session(client: Any) -> None:
    user = citizen()
    others = [signed_in(Client(), user) for _ in range(3)]
    stranger_key = signed_in(Client(), citizen())
    mine = signed_in(client, user)
    answer = client.post("/cuenta/seguridad/sesiones/", {"cerrar_otras": "1"}, follow=True)
    assert "Cerramos tus otras sesiones (3)." in answer.content.decode()
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        mine
    ]
    assert not any(store_has(k) for k in others)
    assert store_has(mine)
    assert store_has(stranger_key)
    assert AuditEvent.objects.get(action="accounts.sessions_closed").data == {"count": 3}
