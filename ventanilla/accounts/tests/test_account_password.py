"""Changing the password, and recovering access by e-mail without enumerating accounts or
getting past the second factor."""

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from oauth2_provider.models import get_access_token_model

from ventanilla.accounts.models import LoginThrottle, TotpDevice, UserSession
from ventanilla.accounts.services import second_factor
from ventanilla.accounts.tests.test_account_delete import sso_tokens
from ventanilla.accounts.tests.test_second_factor import PASSWORD, SECRET, citizen, signed_in
from ventanilla.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = "otra-clave-muy-larga-77"
CHANGE = "/cuenta/seguridad/contrasena/"
RESET = "/cuenta/recuperar/"
SAME_ANSWER = "Si los datos corresponden a una cuenta, te enviamos un correo"


def change(client: Any, current: str = PASSWORD, new: str = NEW, again: str | None = None) -> Any:
    return client.post(
        CHANGE, {"password": current, "nueva": new, "nueva2": new if again is None else again}
    )


def test_password_change_keeps_this_session_and_closes_the_others(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = citizen()
    other = Client()
    other_key = signed_in(other, user)
    mine = signed_in(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        answer = change(client)
    assert answer.status_code == 303
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get("/cuenta/seguridad/").status_code == 200  # still logged in
    assert other.get("/cuenta/seguridad/").status_code == 302
    # This browser's session got a new key (Django renews it) and its row followed.
    renewed = client.session.session_key
    assert renewed != mine
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        renewed
    ]
    assert not UserSession.objects.filter(session_key=other_key).exists()
    assert AuditEvent.objects.filter(action="accounts.password_changed").count() == 1
    assert [m.subject for m in mailoutbox] == ["Cambiaste tu contraseña"]


def test_password_change_refuses_a_wrong_current_password(client: Any) -> None:
    user = citizen()
    signed_in(client, user)
    answer = change(client, current="no-es-esta")
    assert answer.status_code == 400
    assert "La contraseña actual no es correcta." in answer.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_refuses_mismatched_new_passwords(client: Any) -> None:
    user = citizen()
    signed_in(client, user)
    answer = change(client, again=NEW + "x")
    assert answer.status_code == 400
    assert "Las dos contraseñas nuevas no coinciden." in answer.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("corta1", "La contraseña es demasiado corta"),
        ("12345678", "Esta contraseña es demasiado común"),
        ("84736291047", "Esta contraseña es completamente numérica"),
    ],
)
def test_password_change_refuses_a_weak_password_in_spanish(
    client: Any, weak: str, message: str
) -> None:
    user = citizen()
    signed_in(client, user)
    answer = change(client, new=weak)
    assert answer.status_code == 400
    assert message in answer.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_with_empty_fields_names_each_field(client: Any) -> None:
    signed_in(client, citizen())
    html = client.post(CHANGE, {}).content.decode()
    assert "Escribe tu contraseña actual." in html
    assert "Escribe la contraseña nueva." in html
    assert 'href="#nueva2"' in html


# --- recovery by e-mail -------------------------------------------------------------------


def ask(client: Any, identifier: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(RESET, {"documento": identifier}, follow=True)


def link_in(mail: Any) -> str:
    found = re.search(r"http://testserver(/cuenta/recuperar/[^/\s]+/[^/\s]+/)", mail.body)
    assert found, mail.body
    return found.group(1)


def test_reset_answers_the_same_whether_or_not_the_account_exists(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = citizen()
    known = ask(client, user.document_number, django_capture_on_commit_callbacks)
    unknown = ask(client, "87654321", django_capture_on_commit_callbacks)
    by_mail = ask(client, user.email.upper(), django_capture_on_commit_callbacks)
    nobody = ask(client, "nadie@example.pe", django_capture_on_commit_callbacks)
    assert {r.status_code for r in (known, unknown, by_mail, nobody)} == {200}
    bodies = {r.content.decode().replace(str(r.wsgi_request.COOKIES), "") for r in (known, unknown)}
    assert SAME_ANSWER in known.content.decode()
    assert SAME_ANSWER in unknown.content.decode()
    assert len(bodies) == 1
    assert [m.to for m in mailoutbox] == [[user.email], [user.email]]


def test_reset_link_sets_a_new_password_once_and_closes_every_session(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = citizen()
    browser = Client()
    signed_in(browser, user)
    ask(client, user.document_number, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    assert client.get(link).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link, {"nueva": NEW, "nueva2": NEW})
    assert done.status_code == 303
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert not UserSession.objects.filter(user=user).exists()
    assert browser.get("/cuenta/seguridad/").status_code == 302
    assert AuditEvent.objects.filter(action="accounts.password_reset").count() == 1
    # Used once: the link is dead now.
    again = client.post(link, {"nueva": "tercera-clave-larga", "nueva2": "tercera-clave-larga"})
    assert again.status_code == 400
    assert "El enlace no es válido" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_reset_keeps_the_second_factor_and_lifts_a_login_lock(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = citizen(locked_at="2026-11-01T10:00:00Z")
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    LoginThrottle.objects.create(
        key=f"account:{user.pk}", failures=9, first_failure_at=user.date_joined
    )
    ask(client, user.document_number, django_capture_on_commit_callbacks)
    client.post(link_in(mailoutbox[0]), {"nueva": NEW, "nueva2": NEW})
    user.refresh_from_db()
    assert second_factor.totp_enabled(user)
    assert TotpDevice.objects.get(user=user).secret == SECRET
    assert user.locked_at is None
    assert not LoginThrottle.objects.filter(key=f"account:{user.pk}").exists()
    # Not logged in by the link: the next login still goes through password and code.
    assert "_auth_user_id" not in client.session
    browser = Client()
    answer = browser.post("/cuenta/ingresar/", {"documento": user.document_number, "password": NEW})
    assert answer.status_code in {302, 303}
    assert answer["Location"].startswith("/cuenta/ingresar/codigo/")
    assert "_auth_user_id" not in browser.session


def test_reset_revokes_single_sign_on_tokens(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = citizen()
    sso_tokens(user)
    ask(client, user.document_number, django_capture_on_commit_callbacks)
    client.post(link_in(mailoutbox[0]), {"nueva": NEW, "nueva2": NEW})
    assert not get_access_token_model().objects.filter(user=user).exists()
    assert AuditEvent.objects.get(action="accounts.password_reset").data["tokens_revoked"] == 2


@pytest.mark.parametrize(
    "tamper",
    [
        lambda uid, token: (uid, token[:-1] + ("a" if token[-1] != "a" else "b")),
        lambda uid, token: ("OTk5OTk5", token),
        lambda uid, token: ("!!!", token),
        lambda uid, token: (uid, "1-2"),
    ],
)
def test_reset_refuses_a_tampered_link(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any], tamper: Any
) -> None:
    user = citizen()
    ask(client, user.document_number, django_capture_on_commit_callbacks)
    _empty, _cuenta, _recuperar, uid, token, _end = link_in(mailoutbox[0]).split("/")
    uid, token = tamper(uid, token)
    bad = f"/cuenta/recuperar/{uid}/{token}/"
    assert client.get(bad).status_code == 400
    assert client.post(bad, {"nueva": NEW, "nueva2": NEW}).status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_reset_link_refuses_mismatched_and_weak_passwords(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = citizen()
    ask(client, user.document_number, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    mismatch = client.post(link, {"nueva": NEW, "nueva2": NEW + "!"})
    weak = client.post(link, {"nueva": "12345678", "nueva2": "12345678"})
    assert "no coinciden" in mismatch.content.decode()
    assert "demasiado común" in weak.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert client.get(link).status_code == 200  # still usable


def test_reset_requests_are_throttled_per_address(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    for n in range(5):
        assert ask(client, f"1234567{n}", django_capture_on_commit_callbacks).status_code == 200
    refused = ask(client, "12345679", django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert "Pediste demasiados correos de recuperación" in refused.content.decode()
    cache.clear()
    assert ask(client, "12345679", django_capture_on_commit_callbacks).status_code == 200


def test_reset_mails_per_account_are_capped_silently(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = citizen()
    for n in range(5):
        answer = ask(
            Client(REMOTE_ADDR=f"10.0.0.{n}"), user.email, django_capture_on_commit_callbacks
        )
        assert "Si los datos corresponden a una cuenta" in answer.content.decode()
    assert len(mailoutbox) == 3


def test_reset_ignores_deleted_and_inactive_accounts(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    inactive = citizen(is_active=False)
    ask(client, inactive.document_number, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert get_user_model().objects.filter(pk=inactive.pk, is_active=False).exists()


@pytest.mark.parametrize("bad", ["", " ", "x" * 300, "abc", "1234"])
def test_reset_with_bad_input_never_errors(
    client: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any], bad: str
) -> None:
    answer = ask(client, bad, django_capture_on_commit_callbacks)
    assert answer.status_code in {200, 400}
    assert mailoutbox == []
