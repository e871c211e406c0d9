"""`manage.py govstack_messaging_load`: the demo holds the fixture keys and example requests,
however often it runs, on the PCM's digital government secretariat when the directory is
loaded; and the keys send nothing outward unless the relay is this machine's fake."""

from typing import Any

import pytest
from django.core.management import call_command

from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.models import ApiKey, Sender, SendRequest
from ventanilla.notifications.selectors.govstack import govstack_request_counts
from ventanilla.notifications.services.govstack import (
    DEMO_SENDER_NAME,
    PLACEHOLDER_SLUG,
)
from ventanilla.notifications.services.keys import api_key_revoke, govstack_key_authenticate

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def _load() -> None:
    call_command("govstack_messaging_load", verbosity=0)


def test_load_twice_holds_every_fixture_key_and_example_request_once(settings: Any) -> None:
    settings.NOTIFICATIONS_SMTP_HOST = "127.0.0.1"
    _load()
    _load()
    [sender] = Sender.objects.all()
    assert sender.institution.slug == PLACEHOLDER_SLUG
    for entry in FIXTURES["apiKeys"]:
        key = govstack_key_authenticate(entry["key"])
        assert key is not None
        assert (key.sender, key.kind) == (sender, ApiKey.Kind.NORMAL)
    assert ApiKey.objects.count() == len(FIXTURES["apiKeys"])
    seeded = FIXTURES["seededRequests"]["email"]
    assert SendRequest.objects.count() == len(seeded)
    for entry in seeded:
        request = SendRequest.objects.get(uid=entry["RequestID"])
        counts = govstack_request_counts(request=request)
        status = entry["status"]
        assert counts == {
            "scheduled": status["scheduled"],
            "processing": status["processing"],
            "deferred": status["deferred"],
            "bounced": status["bounced"],
            "notSent": status["not_sent"],
            "delivered": status["delivered"],
        }
    assert AuditEvent.objects.filter(action="notifications.govstack_reference_loaded").count() == 2


def test_load_uses_the_pcm_when_the_directory_is_loaded(settings: Any) -> None:
    pcm = InstitutionFactory(slug="pcm", name="Presidencia del Consejo de Ministros - PCM")
    _load()
    [sender] = Sender.objects.all()
    assert (sender.institution, sender.name) == (pcm, DEMO_SENDER_NAME)


def test_load_revives_a_revoked_fixture_key(settings: Any) -> None:
    _load()
    key = govstack_key_authenticate("abcdef12345")
    assert key is not None
    api_key_revoke(key=key, by=None)
    assert govstack_key_authenticate("abcdef12345") is None
    _load()
    assert govstack_key_authenticate("abcdef12345") is not None


def test_keys_send_nothing_outward_when_the_relay_is_not_local(settings: Any) -> None:
    settings.NOTIFICATIONS_SMTP_HOST = "smtp.example.org"
    _load()
    assert set(ApiKey.objects.values_list("kind", flat=True)) == {ApiKey.Kind.TEST}
