"""The mediator in the back office: who manages which grants, audited through the services,
keys shown once, the message log read-only."""

from typing import Any

import pytest
from django.test import Client

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import (
    CitizenFactory,
    OfficialFactory,
    PlatformAdminFactory,
)
from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.interop.models import AccessRight, ClientKey, Member, MessageLogEntry, Service
from ventanilla.interop.permissions import can_manage_member
from ventanilla.interop.selectors import service_by_id, subsystem_by_id
from ventanilla.interop.services.directory import access_right_grant
from ventanilla.interop.services.setup import directory_setup

pytestmark = pytest.mark.django_db

URLS = {k: f"http://127.0.0.1:{8911 + i}" for i, k in enumerate(["reniec", "sunat", "mtc"])}
BASE = "/gestion/interop/"


@pytest.fixture
def world() -> dict[str, Any]:
    reniec = InstitutionFactory(name="Registro Nacional de Identificación", ruc="20295613620")
    sunat = InstitutionFactory(name="Superintendencia Nacional de Aduanas", ruc="20131312955")
    mtc = InstitutionFactory(name="Ministerio de Transportes y Comunicaciones", ruc="20131379944")
    directory_setup(registry_urls=URLS)
    return {
        "reniec": reniec,
        "sunat": sunat,
        "mtc": mtc,
        "personas": service_by_id("PE/GOB/20295613620/padron/personas"),
        "contribuyentes": service_by_id("PE/GOB/20131312955/padron/contribuyentes"),
        "mtc_client": subsystem_by_id("PE/GOB/20131379944/ventanilla"),
        "reniec_admin": OfficialFactory(institution=reniec, role=Role.INSTITUTION_ADMIN),
    }


def _logged(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_can_manage_member_follows_the_institution_admin_role(world: dict[str, Any]) -> None:
    personas, contribuyentes = world["personas"], world["contribuyentes"]
    admin = world["reniec_admin"]
    assert can_manage_member(admin, personas.subsystem.member)
    assert not can_manage_member(admin, contribuyentes.subsystem.member)
    editor = OfficialFactory(institution=world["reniec"], role=Role.EDITOR)
    assert not can_manage_member(editor, personas.subsystem.member)
    assert can_manage_member(PlatformAdminFactory(), contribuyentes.subsystem.member)
    assert not can_manage_member(CitizenFactory(), personas.subsystem.member)


def test_reniec_admin_grants_on_reniec_service_audited(world: dict[str, Any]) -> None:
    AccessRight.objects.all().delete()
    client = _logged(world["reniec_admin"])
    response = client.post(
        f"{BASE}accessright/add/",
        {
            "service": world["personas"].pk,
            "client": world["mtc_client"].pk,
            "consent_required": "on",
            "legal_basis": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    right = AccessRight.objects.get()
    assert right.granted_by == world["reniec_admin"]
    event = AuditEvent.objects.get(action="interop.access_right_grant", actor=world["reniec_admin"])
    assert event.target_id == str(right.pk)
    assert event.institution_id == world["reniec"].pk


def test_reniec_admin_cannot_grant_on_sunat_service(world: dict[str, Any]) -> None:
    AccessRight.objects.all().delete()
    client = _logged(world["reniec_admin"])
    response = client.post(
        f"{BASE}accessright/add/",
        {
            "service": world["contribuyentes"].pk,
            "client": world["mtc_client"].pk,
            "consent_required": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not AccessRight.objects.exists()
    assert not AuditEvent.objects.filter(
        action__startswith="interop.access_right", actor=world["reniec_admin"]
    ).exists()


def test_reniec_admin_sees_and_revokes_only_reniec_grants(world: dict[str, Any]) -> None:
    client = _logged(world["reniec_admin"])
    listing = client.get(f"{BASE}accessright/")
    assert listing.status_code == 200
    shown = {r.pk for r in listing.context["cl"].result_list}
    assert shown == set(
        AccessRight.objects.filter(service=world["personas"]).values_list("pk", flat=True)
    )
    sunat_right = AccessRight.objects.get(service=world["contribuyentes"])
    assert client.get(f"{BASE}accessright/{sunat_right.pk}/change/").status_code in (302, 403)
    assert client.post(
        f"{BASE}accessright/{sunat_right.pk}/delete/", {"post": "yes"}
    ).status_code in (
        302,
        403,
    )
    assert AccessRight.objects.filter(pk=sunat_right.pk).exists()
    own = AccessRight.objects.filter(service=world["personas"]).first()
    assert own is not None
    response = client.post(f"{BASE}accessright/{own.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessRight.objects.filter(pk=own.pk).exists()
    event = AuditEvent.objects.get(action="interop.access_right_revoke")
    assert event.actor == world["reniec_admin"]
    assert event.institution_id == world["reniec"].pk


def test_no_consent_without_legal_basis_is_a_form_error(world: dict[str, Any]) -> None:
    AccessRight.objects.all().delete()
    client = _logged(PlatformAdminFactory())
    response = client.post(
        f"{BASE}accessright/add/",
        {"service": world["personas"].pk, "client": world["mtc_client"].pk, "legal_basis": " "},
    )
    assert response.status_code == 200
    assert "base legal" in response.content.decode()
    assert not AccessRight.objects.exists()


def test_a_citizen_and_an_editor_cannot_reach_the_mediator_admin(world: dict[str, Any]) -> None:
    citizen = _logged(CitizenFactory())
    for path in ("accessright/", "member/", "service/", "clientkey/", "messagelogentry/"):
        response = citizen.get(BASE + path)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    editor = _logged(OfficialFactory(institution=world["reniec"], role=Role.EDITOR))
    for path in ("accessright/", "member/", "service/", "clientkey/", "messagelogentry/"):
        assert editor.get(BASE + path).status_code == 403


def test_only_platform_admins_add_members(world: dict[str, Any]) -> None:
    admin_client = _logged(world["reniec_admin"])
    assert admin_client.get(f"{BASE}member/add/").status_code == 403
    platform = _logged(PlatformAdminFactory())
    response = platform.post(
        f"{BASE}member/add/",
        {"instance": "PE", "member_class": "GOB", "member_code": "con/barra", "name": "X"},
    )
    assert response.status_code == 200
    assert "no es válido" in response.content.decode()
    response = platform.post(
        f"{BASE}member/add/",
        {"instance": "PE", "member_class": "GOB", "member_code": "20100070970", "name": "SIS"},
    )
    assert response.status_code == 302
    assert Member.objects.filter(member_code="20100070970").exists()
    assert AuditEvent.objects.filter(
        action="interop.member_create", data__member="PE/GOB/20100070970"
    )


def test_service_edit_goes_through_the_service_and_disabling_is_audited(
    world: dict[str, Any],
) -> None:
    personas = world["personas"]
    client = _logged(world["reniec_admin"])
    page = client.get(f"{BASE}service/{personas.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    data.update(
        {
            "endpoints": '[{"method": "POST", "path": "/read"}]',
            "aliases": "{}",
            "data_description": "tus nombres y tu domicilio",
        }
    )
    data.pop("enabled", None)
    data.pop("personal_data", None)
    response = client.post(f"{BASE}service/{personas.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    personas.refresh_from_db()
    assert personas.enabled is False
    assert personas.data_description == "tus nombres y tu domicilio"
    assert AuditEvent.objects.filter(action="interop.service_disable").count() == 1
    assert AuditEvent.objects.filter(action="interop.service_update", actor=world["reniec_admin"])
    sunat = world["contribuyentes"]
    assert client.get(f"{BASE}service/{sunat.pk}/change/").status_code in (302, 403)


def test_bad_endpoints_are_a_form_error(world: dict[str, Any]) -> None:
    personas = world["personas"]
    client = _logged(PlatformAdminFactory())
    page = client.get(f"{BASE}service/{personas.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    data.update({"endpoints": '[{"method": "ROBAR", "path": "/x"}]', "aliases": "{}"})
    response = client.post(f"{BASE}service/{personas.pk}/change/", data)
    assert response.status_code == 200
    assert Service.objects.get(pk=personas.pk).endpoints != [{"method": "ROBAR", "path": "/x"}]


def test_message_log_is_read_only_for_everyone(world: dict[str, Any]) -> None:
    platform = _logged(PlatformAdminFactory())
    assert platform.get(f"{BASE}messagelogentry/").status_code == 200
    assert platform.get(f"{BASE}messagelogentry/add/").status_code == 403
    entry = MessageLogEntry.objects.create(
        seq=1,
        x_road_id="x",
        created_at="2026-01-01T00:00:00Z",
        client="PE/GOB/20131379944/ventanilla",
        service="PE/GOB/20295613620/padron/personas",
        method="POST",
        path="/read",
        status=200,
        outcome="ok",
        request_hash="h",
        prev_hash="0" * 64,
        entry_hash="1" * 64,
        signature="s",
        key_id="k",
    )
    assert platform.get(f"{BASE}messagelogentry/{entry.pk}/change/").status_code == 200
    platform.post(f"{BASE}messagelogentry/{entry.pk}/change/", {"outcome": "cambiado"})
    assert (
        platform.post(f"{BASE}messagelogentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.outcome == "ok"
    # RENIEC's administrator sees the exchange its service answered; SUNAT's does not.
    reniec = _logged(world["reniec_admin"])
    assert reniec.get(f"{BASE}messagelogentry/{entry.pk}/change/").status_code == 200
    sunat_admin = OfficialFactory(institution=world["sunat"], role=Role.INSTITUTION_ADMIN)
    listing = _logged(sunat_admin).get(f"{BASE}messagelogentry/")
    assert list(listing.context["cl"].result_list) == []


def test_a_client_key_is_shown_once(world: dict[str, Any]) -> None:
    pytest.importorskip("ventanilla.interop.services.keys")
    client = _logged(world["reniec_admin"])
    subsystem = world["personas"].subsystem
    response = client.post(
        f"{BASE}clientkey/add/", {"subsystem": subsystem.pk, "label": "padrón"}, follow=True
    )
    assert response.status_code == 200
    key = ClientKey.objects.get(subsystem=subsystem)
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"vk_{key.prefix}_" in m for m in shown)
    # Never again: the key's page has only its prefix.
    page = client.get(f"{BASE}clientkey/{key.pk}/change/").content.decode()
    raw = next(m for m in shown if "vk_" in m).split("vk_", 1)[1].split(" ")[0]
    assert raw.split("_", 1)[1] not in page
    # Not for another institution's subsystem.
    other = world["contribuyentes"].subsystem
    assert client.post(f"{BASE}clientkey/add/", {"subsystem": other.pk}).status_code == 200
    assert not ClientKey.objects.filter(subsystem=other).exists()


def test_access_right_grant_by_service_keeps_working_after_admin_changes(
    world: dict[str, Any],
) -> None:
    """A grant made in code and edited in the back office is the same row."""
    right = access_right_grant(
        service=world["contribuyentes"], client=world["mtc_client"], actor=None
    )
    client = _logged(PlatformAdminFactory())
    response = client.post(
        f"{BASE}accessright/{right.pk}/change/",
        {"consent_required": "", "legal_basis": "Ley 27444, artículo 46"},
    )
    assert response.status_code == 302
    right.refresh_from_db()
    assert (right.consent_required, right.legal_basis) == (False, "Ley 27444, artículo 46")
