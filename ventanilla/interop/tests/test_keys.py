"""API keys of client subsystems: shown once, kept as a hash, audited, revocable."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from ventanilla.audit.models import AuditEvent
from ventanilla.interop.models import ClientKey, Member, Subsystem
from ventanilla.interop.services.keys import (
    client_key_authenticate,
    client_key_create,
    client_key_revoke,
    parse_authorization,
)


@pytest.fixture
def subsystem(db):
    member = Member.objects.create(
        instance="PE", member_class="GOB", member_code="20131379944", name="MTC"
    )
    return Subsystem.objects.create(member=member, code="ventanilla")


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_user(username="admin.mtc", password="x")


def test_create_shows_the_key_once_and_keeps_only_its_hash(subsystem, admin):
    key, raw = client_key_create(subsystem=subsystem, actor=admin, label="sistema de licencias")
    scheme, prefix, secret = raw.split("_", 2)
    assert scheme == "vk"
    assert prefix == key.prefix
    assert len(secret) >= 40
    stored = ClientKey.objects.get(pk=key.pk)
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert secret not in str(ClientKey.objects.filter(pk=key.pk).values().get())
    assert stored.created_by == admin
    event = AuditEvent.objects.get(action="interop.client_key.created")
    assert event.actor == admin
    assert event.target_id == str(key.pk)
    assert event.data["subsystem"] == "PE/GOB/20131379944/ventanilla"
    assert secret not in str(event.data)


def test_authenticate_finds_the_subsystem_of_a_live_key(subsystem, admin):
    _key, raw = client_key_create(subsystem=subsystem, actor=admin)
    assert client_key_authenticate(raw) == subsystem


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret
        lambda raw: "vk_00000000_" + raw.split("_", 2)[2],  # unknown prefix
        lambda raw: raw.replace("vk_", "xk_", 1),
        lambda raw: "",
        lambda raw: "vk_",
        lambda raw: raw.split("_", 2)[1],
    ],
)
def test_authenticate_refuses_anything_but_the_key(subsystem, admin, mangle):
    _key, raw = client_key_create(subsystem=subsystem, actor=admin)
    assert client_key_authenticate(mangle(raw)) is None


def test_a_revoked_key_stops_working_and_the_revocation_is_audited(subsystem, admin):
    key, raw = client_key_create(subsystem=subsystem, actor=admin)
    client_key_revoke(key=key, actor=admin)
    assert key.revoked_at is not None
    assert client_key_authenticate(raw) is None
    client_key_revoke(key=key, actor=admin)  # again: nothing more happens
    assert AuditEvent.objects.filter(action="interop.client_key.revoked").count() == 1


def test_last_used_at_is_written_at_most_once_a_minute(subsystem, admin):
    key, raw = client_key_create(subsystem=subsystem, actor=admin)
    assert key.last_used_at is None
    client_key_authenticate(raw)
    first = ClientKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    client_key_authenticate(raw)
    assert ClientKey.objects.get(pk=key.pk).last_used_at == first
    earlier = timezone.now() - timedelta(minutes=2)
    ClientKey.objects.filter(pk=key.pk).update(last_used_at=earlier)
    client_key_authenticate(raw)
    assert ClientKey.objects.get(pk=key.pk).last_used_at > earlier


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Bearer vk_ab_cd", "vk_ab_cd"),
        ("bearer   vk_ab_cd ", "vk_ab_cd"),
        ("X-Road-ApiKey token=vk_ab_cd", "vk_ab_cd"),
        ("X-Road-ApiKey token = vk_ab_cd", "vk_ab_cd"),
        ("X-Road-ApiKey vk_ab_cd", ""),
        ("Basic dXNlcjpwYXNz", ""),
        ("", ""),
    ],
)
def test_parse_authorization_reads_both_spellings(header, key):
    assert parse_authorization(header) == key
