"""The second factor: TOTP codes (replay, expiry, window) and one-time recovery codes."""

import itertools
import time
from typing import Any

import pyotp
import pytest
from django.contrib.auth import get_user_model

from ventanilla.accounts.models import RecoveryCode, TotpDevice
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
    assert AuditEvent.objects.filter(action="account.recovery_code_used").count() == 1


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
