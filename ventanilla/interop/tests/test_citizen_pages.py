"""The citizen's "Mis datos": who read their data (from the message log), their consents and
withdrawing one; login required, tenancy (another citizen's consent is a 404), a pinned
number of queries whatever the page, and no 500 on odd input."""

import itertools
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ventanilla.accounts.tests.factories import CitizenFactory, UserFactory
from ventanilla.integrations.civil_registry.fake_people import DEMO_CITIZEN_DNI
from ventanilla.interop.models import ConsentRecord, MessageLogEntry
from ventanilla.interop.selectors import citizen_consents, citizen_data_reads
from ventanilla.interop.services.consent import (
    consent_give,
    consent_withdraw,
    individual_ref_for,
)
from ventanilla.interop.tests.test_consent import agreement_for, directory

pytestmark = pytest.mark.django_db

MTC = "PE/GOB/20131379944/ventanilla"
MUNI = "PE/GOB/20162086716/ventanilla"
PERSONAS = "PE/GOB/20295613620/padron/personas"
CONTRIBUYENTES = "PE/GOB/20131312955/padron/contribuyentes"
_seq = itertools.count(1)


def log_read(
    subject: str,
    *,
    client: str = MTC,
    service: str = PERSONAS,
    issue: str = "MTC-2026-000123",
    outcome: str = "ok",
    minutes_ago: int = 0,
) -> MessageLogEntry:
    """A log entry written directly (the page reads the log; the chain is not its concern)."""
    seq = next(_seq)
    return MessageLogEntry.objects.create(
        seq=seq,
        x_road_id=str(uuid.uuid4()),
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        client=client,
        service=service,
        method="POST",
        path="/read",
        subject=subject,
        issue=issue,
        status=200 if outcome == "ok" else 403,
        outcome=outcome,
        request_hash=f"hash-{seq}",
        prev_hash="0" * 64,
        entry_hash=f"{seq:064x}",
        signature="firma",
        key_id="prueba",
    )


@pytest.fixture
def d() -> dict[str, Any]:
    return directory()


@pytest.fixture
def demo(client: Client):
    citizen = CitizenFactory.create(document_number=DEMO_CITIZEN_DNI, username="dni-demo")
    client.force_login(citizen)
    return citizen


# --- who read my data ---------------------------------------------------------------------


def test_pages_need_a_login_like_mis_tramites(client: Client):
    for name in ("interop-data-reads", "interop-consents"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert "next=" in response["Location"]


def test_data_reads_list_each_read_newest_first_with_who_what_source_and_procedure(client, d, demo):
    ref = individual_ref_for(demo)
    older = log_read(ref, client=MUNI, service=CONTRIBUYENTES, issue="", minutes_ago=60)
    newer = log_read(ref, client=MTC, service=PERSONAS, issue="MTC-2026-000123")
    refused = log_read(ref, outcome="Server.ConsentMissing", issue="REFUSED-1")
    someone_else = log_read("DNI:11111111", issue="AJENO-1")

    response = client.get(reverse("interop-data-reads"))
    body = response.content.decode()

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Ministerio de Transportes y Comunicaciones" in body
    assert "tus nombres, fecha de nacimiento y domicilio" in body
    assert "RENIEC · Personas" in body
    assert "MTC-2026-000123" in body
    assert newer.x_road_id in body
    assert "Municipalidad Provincial de Huancayo" in body
    assert "SUNAT · Contribuyentes" in body
    assert body.index(newer.x_road_id) < body.index(older.x_road_id)
    assert refused.x_road_id not in body
    assert someone_else.x_road_id not in body
    assert "Decreto Legislativo 1246" in body
    assert "2 consultas registradas" in body


def test_a_read_by_a_client_the_directory_no_longer_knows_shows_its_identifier(client, d, demo):
    log_read(individual_ref_for(demo), client="PE/GOB/20999999999/antiguo")
    body = client.get(reverse("interop-data-reads")).content.decode()
    assert "PE/GOB/20999999999/antiguo" in body


def test_no_reads_yet_says_so(client, d, demo):
    body = client.get(reverse("interop-data-reads")).content.decode()
    assert "Todavía ninguna institución consultó tus datos" in body


def test_a_user_without_a_document_gets_a_kind_explanation(client, d):
    user = UserFactory()
    log_read("", issue="SIN-SUJETO")  # entries without a subject are never anybody's reads
    client.force_login(user)
    for name in ("interop-data-reads", "interop-consents"):
        response = client.get(reverse(name))
        body = response.content.decode()
        assert response.status_code == 200
        assert "Tu cuenta no tiene un documento de identidad" in body
        assert "SIN-SUJETO" not in body


def test_reads_are_paginated_and_odd_page_numbers_give_a_real_page(client, d, demo):
    ref = individual_ref_for(demo)
    entries = [log_read(ref, issue=f"EXP-{n:03d}") for n in range(25)]
    first = client.get(reverse("interop-data-reads")).content.decode()
    assert entries[-1].x_road_id in first
    assert entries[0].x_road_id not in first
    assert 'rel="next"' in first
    second = client.get(reverse("interop-data-reads") + "?page=2").content.decode()
    assert entries[0].x_road_id in second
    assert entries[-1].x_road_id not in second
    for odd in ("abc", "-1", "99999", "1e9"):
        assert client.get(reverse("interop-data-reads"), {"page": odd}).status_code == 200


def test_data_reads_take_four_queries_whatever_the_page_holds(d, django_assert_num_queries):
    citizen = CitizenFactory()
    ref = individual_ref_for(citizen)
    for n in range(3):
        log_read(ref, client=MTC, service=PERSONAS, minutes_ago=n)
    with django_assert_num_queries(4):  # count, page, clients, services
        page_of = citizen_data_reads(citizen)
    assert len(page_of.page.object_list) == 3
    for n in range(30):
        log_read(
            ref,
            client=(MTC, MUNI, "PE/GOB/1/otro")[n % 3],
            service=(PERSONAS, CONTRIBUYENTES)[n % 2],
            minutes_ago=n,
        )
    with django_assert_num_queries(4):
        page_of = citizen_data_reads(citizen, page="2")
    rows = page_of.page.object_list
    assert len(rows) == 13
    assert [r.seq for r in rows] == sorted((r.seq for r in rows), reverse=True)
    assert {r.institution for r in rows} >= {
        "Ministerio de Transportes y Comunicaciones",
        "Municipalidad Provincial de Huancayo",
        "PE/GOB/1/otro",
    }
    nobody = UserFactory()
    with django_assert_num_queries(0):
        assert citizen_data_reads(nobody).paginator.count == 0


# --- consents -----------------------------------------------------------------------------


def test_consents_page_shows_institution_data_purpose_until_and_state(client, d, demo):
    given = consent_give(user=demo, agreement=agreement_for(d["mtc"], d["personas"]))
    withdrawn = consent_give(user=demo, agreement=agreement_for(d["muni"], d["contribuyentes"]))
    consent_withdraw(user=demo, record=withdrawn)
    response = client.get(reverse("interop-consents"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Ministerio de Transportes y Comunicaciones" in body
    assert "tus nombres, fecha de nacimiento y domicilio" in body
    assert "Llenar tu solicitud de permiso de operación" in body
    assert timezone.localtime(given.expires_at).strftime("%d/%m/%Y") in body
    assert "Vigente" in body
    assert "Revocada" in body
    withdraw_url = reverse("interop-consent-withdraw", kwargs={"record_id": given.record_id})
    assert withdraw_url in body
    other_url = reverse("interop-consent-withdraw", kwargs={"record_id": withdrawn.record_id})
    assert other_url not in body  # nothing left to withdraw


def test_an_expired_consent_shows_as_expired(d):
    citizen = CitizenFactory()
    record = consent_give(user=citizen, agreement=agreement_for(d["mtc"], d["personas"]))
    ConsentRecord.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(days=1))
    (row,) = citizen_consents(citizen)
    assert row.state == "expired"
    assert row.state_label == "Vencida"
    assert not row.can_withdraw


def test_withdrawing_asks_to_confirm_then_withdraws_once_and_says_what_happens_now(d, demo, client):
    record = consent_give(user=demo, agreement=agreement_for(d["mtc"], d["personas"]))
    url = reverse("interop-consent-withdraw", kwargs={"record_id": record.record_id})
    confirm = client.get(url).content.decode()
    assert "Qué pasa si revocas" in confirm
    assert 'name="csrfmiddlewaretoken"' in confirm

    first = client.post(url)
    second = client.post(url)  # a double click
    assert first.status_code == second.status_code == 303
    assert first["Location"] == reverse("interop-consents")
    record.refresh_from_db()
    assert record.state == ConsentRecord.State.WITHDRAWN
    assert record.revisions.count() == 2
    body = client.get(reverse("interop-consents")).content.decode()
    assert "ya no puede consultar estos datos" in body
    assert "te volverá a pedir permiso o podrás escribirlos tú" in body
    assert "Revocada" in body


def test_withdrawing_needs_the_csrf_token(d, demo):
    record = consent_give(user=demo, agreement=agreement_for(d["mtc"], d["personas"]))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo)
    url = reverse("interop-consent-withdraw", kwargs={"record_id": record.record_id})
    assert strict.post(url).status_code == 403
    record.refresh_from_db()
    assert record.state == ConsentRecord.State.GIVEN


def test_another_citizens_consent_is_a_404_and_stays_given(client, d, demo):
    other = CitizenFactory()
    record = consent_give(user=other, agreement=agreement_for(d["mtc"], d["personas"]))
    url = reverse("interop-consent-withdraw", kwargs={"record_id": record.record_id})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    record.refresh_from_db()
    assert record.state == ConsentRecord.State.GIVEN
    assert "Ministerio" not in client.get(reverse("interop-consents")).content.decode()


def test_bad_or_unknown_consent_ids_are_a_404_never_a_500(client, d, demo):
    for path in (
        "/mis-datos/autorizaciones/no-es-un-uuid/revocar/",
        "/mis-datos/autorizaciones/%00/revocar/",
        f"/mis-datos/autorizaciones/{uuid.uuid4()}/revocar/",
    ):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404


def test_the_account_page_links_to_mis_datos(client, demo):
    body = client.get(reverse("accounts:home")).content.decode()
    assert reverse("interop-data-reads") in body
