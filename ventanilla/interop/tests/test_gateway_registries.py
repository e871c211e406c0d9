"""End to end: the mediator in front of the fake registries (their own processes), through
`registry_read` and through the /r1/ view, with the Peruvian directory `interop_setup` writes."""

import json

import pytest
from django.conf import settings

from ventanilla.integrations.registries.data import DEMO_CITIZEN_DNI
from ventanilla.interop.models import AccessRight, Member, MessageLogEntry, Subsystem
from ventanilla.interop.selectors import service_by_id, subsystem_by_id
from ventanilla.interop.services.keys import client_key_create
from ventanilla.interop.services.messagelog import message_log_verify
from ventanilla.interop.services.registries import (
    RegistryRefused,
    RegistryUnavailable,
    registry_read,
)

PERSONAS = "PE/GOB/20295613620/padron/personas"
MTC = "PE/GOB/20131379944/ventanilla"
SUBJECT = f"DNI:{DEMO_CITIZEN_DNI}"


@pytest.fixture
def platform(transactional_db, interop_directory):
    client = subsystem_by_id(settings.INTEROP_PLATFORM_CLIENT)
    assert client is not None
    return client


@pytest.fixture
def mtc(platform):
    """The MTC's digital services (directory_setup grants them only when the MTC institution
    exists): personas, with the citizen's consent."""
    member, _new = Member.objects.get_or_create(
        instance="PE", member_class="GOB", member_code="20131379944", defaults={"name": "MTC"}
    )
    subsystem, _new = Subsystem.objects.get_or_create(member=member, code="ventanilla")
    AccessRight.objects.get_or_create(service=service_by_id(PERSONAS), client=subsystem)
    return subsystem


def _read(client, dni: str = DEMO_CITIZEN_DNI):
    return registry_read(
        client=client,
        service=PERSONAS,
        query={"ID": dni},
        subject=f"DNI:{dni}",
        user_id=f"DNI:{dni}",
        issue="registro de cuenta",
    )


def test_registry_read_returns_the_record_and_logs_the_read(platform):
    record = _read(platform)
    assert record is not None
    assert record["ID"] == DEMO_CITIZEN_DNI
    assert record["Prenombres"]
    entry = MessageLogEntry.objects.get()
    assert (entry.outcome, entry.client, entry.service, entry.subject, entry.path) == (
        "ok", settings.INTEROP_PLATFORM_CLIENT, PERSONAS, SUBJECT, "/read"
    )  # fmt: skip
    assert message_log_verify().ok


def test_registry_read_of_a_person_it_does_not_hold_is_none(platform):
    assert _read(platform, "00000001") is None
    assert MessageLogEntry.objects.get().outcome == "Provider.404"


def test_registry_read_without_consent_is_refused(mtc):
    with pytest.raises(RegistryRefused) as refused:
        _read(mtc)
    assert refused.value.error_type == "Server.ConsentMissing"
    assert "no ha autorizado" in refused.value.message
    assert MessageLogEntry.objects.get().outcome == "Server.ConsentMissing"


@pytest.mark.parametrize(
    ("mode", "error_type"),
    [
        ("slow", "Server.ServiceTimeout"),
        ("error", "Provider.500"),
        ("garbage", "Provider.Unreadable"),
        ("drop", "Server.ServiceFailed"),
    ],
)
def test_a_registry_misbehaving_is_unavailable_with_a_spanish_message(
    platform, registry_processes, mode, error_type
):
    with (
        registry_processes.misbehaving("reniec", mode, delay=8),
        pytest.raises(RegistryUnavailable) as unavailable,
    ):
        _read(platform)
    assert unavailable.value.error_type == error_type
    assert "Registro Nacional de Identificación" in unavailable.value.message
    assert MessageLogEntry.objects.count() == 1
    assert _read(platform) is not None  # back to normal: the next read works


def test_the_r1_view_refuses_the_mtc_without_subject_or_with_another_name(mtc, client):
    _key, raw = client_key_create(subsystem=mtc, actor=None)
    response = client.post(
        f"/r1/{PERSONAS}/read",
        data=json.dumps({"query": {"content": {"ID": DEMO_CITIZEN_DNI}}}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "X-Road-Client": MTC},
    )
    assert response.status_code == 400  # personal data: the citizen must be named
    assert response["X-Road-Error"] == "Client.MissingSubject"
    response = client.post(
        f"/r1/{PERSONAS}/read",
        data=json.dumps({"query": {"content": {"ID": DEMO_CITIZEN_DNI}}}),
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {raw}",
            "X-Road-Client": settings.INTEROP_PLATFORM_CLIENT,  # the MTC's key, PCM's name
            "X-Ventanilla-Subject": SUBJECT,
        },
    )
    assert response.status_code == 401
    assert [e.outcome for e in MessageLogEntry.objects.order_by("seq")] == [
        "Client.MissingSubject",
        "Client.AuthenticationFailed",
    ]
