"""The second factor: TOTP codes (replay, expiry, window) and one-time recovery codes."""

import itertools
import re
import threading
import time
from typing import Any

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from ventanilla.accounts.assurance import SESSION_LEVEL, Level
from ventanilla.accounts.models import RecoveryCode, TotpDevice, UserSession
from ventanilla.accounts.services import second_factor
from ventanilla.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "una-clave-larga-2026"
_numbers = itertools.count(10000000)


def citizen(**extra: Any) -> Any:
    """A citizen with a DNI and a known password."""
    n = next(_numbers)
    fields: dict[str, Any] = {
        "username": f"dni-{n}",
        "document_type": "dni",
        "document_number": str(n),
        "email": f"c{n}@example.pe",
        "first_name": "Rosa",
        "last_name": "Quispe Mamani",
        "phone": "987654321",
    }
    fields.update(extra)
    return get_user_model().objects.create_user(password=PASSWORD, **fields)


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The authenticator's code `offset_steps` steps away from now."""
    return pyotp.TOTP(secret).at(time.time() + offset_steps * 30)


def with_device(user: Any, secret: str = SECRET) -> Any:
    second_factor.totp_demo_enable(user=user, secret=secret)
    return user


def test_totp_verify_accepts_the_current_code_and_records_its_step() -> None:
    user = with_device(citizen())
    assert second_factor.totp_verify(user=user, code=code_at(SECRET))
    assert TotpDevice.objects.get(user=user).last_step == int(time.time()) // 30


def test_totp_verify_accepts_a_code_with_spaces() -> None:
    user = with_device(citizen())
    code = code_at(SECRET)
    assert second_factor.totp_verify(user=user, code=f" {code[:3]} {code[3:]} ")


def test_totp_verify_accepts_one_step_either_side() -> None:
    user = with_device(citizen())
    assert second_factor.totp_verify(user=user, code=code_at(SECRET, -1))
    assert second_factor.totp_verify(user=user, code=code_at(SECRET, +1))


def test_totp_verify_refuses_a_replayed_code() -> None:
    user = with_device(citizen())
    code = code_at(SECRET)
    assert second_factor.totp_verify(user=user, code=code)
    assert not second_factor.totp_verify(user=user, code=code)


def test_totp_verify_refuses_an_earlier_step_after_a_later_one_was_used() -> None:
    user = with_device(citizen())
    assert second_factor.totp_verify(user=user, code=code_at(SECRET, +1))
    assert not second_factor.totp_verify(user=user, code=code_at(SECRET, 0))


def test_totp_verify_refuses_an_expired_code() -> None:
    user = with_device(citizen())
    assert not second_factor.totp_verify(user=user, code=code_at(SECRET, -20))
    assert not second_factor.totp_verify(user=user, code=code_at(SECRET, -2))


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_totp_verify_refuses_malformed_codes(bad: str) -> None:
    user = with_device(citizen())
    assert not second_factor.totp_verify(user=user, code=bad)


def test_totp_verify_refuses_a_wrong_code() -> None:
    user = with_device(citizen())
    right = code_at(SECRET)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert not second_factor.totp_verify(user=user, code=wrong)


def test_totp_verify_refuses_an_unconfirmed_device() -> None:
    user = citizen()
    TotpDevice.objects.create(user=user, secret=SECRET)
    assert not second_factor.totp_enabled(user)
    assert not second_factor.totp_verify(user=user, code=code_at(SECRET))


def test_totp_verify_refuses_another_users_code() -> None:
    with_device(citizen())
    other = with_device(citizen(), pyotp.random_base32())
    assert not second_factor.totp_verify(user=other, code=code_at(SECRET))


def test_totp_demo_enable_is_idempotent() -> None:
    user = citizen()
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    second_factor.totp_demo_enable(user=user, secret=SECRET)
    assert TotpDevice.objects.filter(user=user, secret=SECRET).count() == 1
    assert second_factor.totp_enabled(user)


def test_recovery_code_use_spends_the_code_once() -> None:
    user = with_device(citizen())
    codes = second_factor.recovery_codes_new(user)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert second_factor.recovery_code_use(user=user, code=codes[3])
    assert not second_factor.recovery_code_use(user=user, code=codes[3])
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(action="accounts.recovery_code_used").count() == 1


def test_recovery_code_use_accepts_uppercase_and_no_dashes() -> None:
    user = with_device(citizen())
    code = second_factor.recovery_codes_new(user)[0]
    assert second_factor.recovery_code_use(user=user, code=f" {code.replace('-', '').upper()} ")


def test_recovery_codes_are_stored_hashed() -> None:
    user = with_device(citizen())
    codes = second_factor.recovery_codes_new(user)
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not stored & set(codes)
    assert all(h.startswith("sha256$") for h in stored)


def test_recovery_code_use_refuses_wrong_and_other_users_codes() -> None:
    user = with_device(citizen())
    other = with_device(citizen())
    codes = second_factor.recovery_codes_new(other)
    second_factor.recovery_codes_new(user)
    assert not second_factor.recovery_code_use(user=user, code=codes[0])
    assert not second_factor.recovery_code_use(user=user, code="aaaa-bbbb-cccc")
    assert not second_factor.recovery_code_use(user=user, code="")


# --- shared by the account tests ----------------------------------------------------------

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def signed_in(client: Any, user: Any, *, level: Level = Level.ONE_FACTOR, ua: str = CHROME_ANDROID,
              ip: str = "190.12.3.4") -> str:  # fmt: skip
    """Log `client` in as our login does (a level in the session, a row in the user's list of
    sessions); returns the session key."""
    client.force_login(user)
    session = client.session
    session[SESSION_LEVEL] = str(level)
    session.save()
    UserSession.objects.create(
        user=user, session_key=session.session_key, level=str(level), ip=ip, user_agent=ua
    )
    return str(session.session_key)


# --- setting the second factor up ---------------------------------------------------------


def test_totp_setup_start_makes_an_unconfirmed_device_with_a_fresh_secret() -> None:
    user = citizen()
    first = second_factor.totp_setup_start(user=user)
    again = second_factor.totp_setup_start(user=user)
    assert first.confirmed_at is None
    assert again.secret != first.secret
    assert TotpDevice.objects.filter(user=user).count() == 1
    assert not second_factor.totp_enabled(user)


def test_totp_setup_start_refuses_when_already_enabled() -> None:
    user = with_device(citizen())
    with pytest.raises(ValidationError) as caught:
        second_factor.totp_setup_start(user=user)
    assert caught.value.code == "enabled"
    assert TotpDevice.objects.get(user=user).secret == SECRET


def test_totp_confirm_enables_and_returns_ten_recovery_codes(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = citizen()
    device = second_factor.totp_setup_start(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        codes = second_factor.totp_confirm(user=user, code=code_at(device.secret))
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    assert second_factor.totp_enabled(user)
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == 10
    assert AuditEvent.objects.filter(action="accounts.totp_enabled", target_id=user.pk).exists()
    assert mailoutbox[0].to == [user.email]
    # The confirming code cannot be used again to log in.
    assert not second_factor.totp_verify(user=user, code=code_at(device.secret))


def test_totp_confirm_refuses_a_wrong_code_and_stays_unconfirmed() -> None:
    user = citizen()
    device = second_factor.totp_setup_start(user=user)
    for bad in ["000000" if code_at(device.secret) != "000000" else "111111", "abc", ""]:
        with pytest.raises(ValidationError) as caught:
            second_factor.totp_confirm(user=user, code=bad)
        assert caught.value.code == "code"
    with pytest.raises(ValidationError):
        second_factor.totp_confirm(user=user, code=code_at(device.secret, -10))
    assert not second_factor.totp_enabled(user)
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_totp_confirm_without_a_setup_in_progress_is_refused() -> None:
    user = citizen()
    with pytest.raises(ValidationError) as caught:
        second_factor.totp_confirm(user=user, code="123456")
    assert caught.value.code == "no_setup"


def test_totp_disable_needs_the_password(django_capture_on_commit_callbacks: Any) -> None:
    user = with_device(citizen())
    second_factor.recovery_codes_new(user)
    with pytest.raises(ValidationError) as caught:
        second_factor.totp_disable(user=user, password="no-es-la-clave")
    assert caught.value.code == "password"
    assert second_factor.totp_enabled(user)
    with django_capture_on_commit_callbacks(execute=True):
        second_factor.totp_disable(user=user, password=PASSWORD)
    assert not second_factor.totp_enabled(user)
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="accounts.totp_disabled").count() == 1


def test_recovery_codes_regenerate_replaces_the_old_ones() -> None:
    user = with_device(citizen())
    old = second_factor.recovery_codes_new(user)
    with pytest.raises(ValidationError):
        second_factor.recovery_codes_regenerate(user=user, password="mal")
    new = second_factor.recovery_codes_regenerate(user=user, password=PASSWORD)
    assert not set(old) & set(new)
    assert not second_factor.recovery_code_use(user=user, code=old[0])
    assert second_factor.recovery_code_use(user=user, code=new[0])
    assert AuditEvent.objects.filter(action="accounts.recovery_codes_regenerated").count() == 1


def test_recovery_codes_regenerate_refused_without_a_second_factor() -> None:
    user = citizen()
    with pytest.raises(ValidationError) as caught:
        second_factor.recovery_codes_regenerate(user=user, password=PASSWORD)
    assert caught.value.code == "not_enabled"


def test_wrong_passwords_are_throttled_after_five_tries() -> None:
    user = with_device(citizen())
    for _try in range(5):
        with pytest.raises(ValidationError):
            second_factor.totp_disable(user=user, password="adivinando")
    with pytest.raises(ValidationError) as caught:
        second_factor.totp_disable(user=user, password=PASSWORD)
    assert caught.value.code == "throttled"
    assert second_factor.totp_enabled(user)


@pytest.mark.django_db(transaction=True)
def test_totp_verify_accepts_one_code_once_when_two_requests_race() -> None:
    user = with_device(citizen())
    code = code_at(SECRET)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        barrier.wait()
        try:
            results.append(second_factor.totp_verify(user=user, code=code))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]


# --- the page -----------------------------------------------------------------------------


def test_totp_page_sets_up_and_raises_the_session_to_two_factor(client: Any) -> None:
    user = citizen()
    key = signed_in(client, user)
    page = client.get("/cuenta/seguridad/verificacion/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]
    started = client.post("/cuenta/seguridad/verificacion/", {"accion": "iniciar"})
    assert started.status_code == 303
    page = client.get("/cuenta/seguridad/verificacion/")
    device = TotpDevice.objects.get(user=user)
    html = page.content.decode()
    assert "<svg" in html
    assert second_factor.secret_grouped(device.secret) in html
    assert 'autocomplete="one-time-code"' in html

    wrong = client.post("/cuenta/seguridad/verificacion/", {"accion": "confirmar", "codigo": "12"})
    assert wrong.status_code == 400
    assert "El código no es correcto" in wrong.content.decode()

    done = client.post(
        "/cuenta/seguridad/verificacion/", {"accion": "confirmar", "codigo": code_at(device.secret)}
    )
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>[a-z2-9-]{14}</code></li>", done.content.decode())) == 10
    assert client.session[SESSION_LEVEL] == "two_factor"
    assert UserSession.objects.get(session_key=key).level == "two_factor"
    assert second_factor.totp_enabled(user)


def test_totp_page_disable_with_a_wrong_password_says_so(client: Any) -> None:
    user = with_device(citizen())
    signed_in(client, user, level=Level.TWO_FACTOR)
    page = client.post(
        "/cuenta/seguridad/verificacion/", {"accion": "desactivar", "password": "mal"}
    )
    assert page.status_code == 400
    assert "La contraseña actual no es correcta." in page.content.decode()
    assert second_factor.totp_enabled(user)
    ok = client.post(
        "/cuenta/seguridad/verificacion/", {"accion": "desactivar", "password": PASSWORD}
    )
    assert ok.status_code == 303
    assert not second_factor.totp_enabled(user)


def test_totp_page_reached_by_step_up_leads_back_to_the_page_that_asked(client: Any) -> None:
    user = citizen()
    signed_in(client, user)
    here = "/cuenta/seguridad/verificacion/?next=%2Ftramites%2Flicencia%2F&nivel=two_factor"
    intro = client.get(here).content.decode()
    assert "pide más seguridad" in intro
    started = client.post(here, {"accion": "iniciar", "next": "/tramites/licencia/"})
    assert started["Location"] == here
    secret = TotpDevice.objects.get(user=user).secret
    done = client.post(
        here, {"accion": "confirmar", "codigo": code_at(secret), "next": "/tramites/licencia/"}
    )
    assert 'href="/tramites/licencia/"' in done.content.decode()
    assert client.session[SESSION_LEVEL] == "two_factor"


def test_totp_page_ignores_a_next_address_on_another_site(client: Any) -> None:
    user = citizen()
    signed_in(client, user)
    second_factor.totp_setup_start(user=user)
    secret = TotpDevice.objects.get(user=user).secret
    done = client.post(
        "/cuenta/seguridad/verificacion/",
        {"accion": "confirmar", "codigo": code_at(secret), "next": "https://malo.example/"},
    )
    assert "malo.example" not in done.content.decode()
