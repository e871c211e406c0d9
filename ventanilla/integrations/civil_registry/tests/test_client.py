"""The civil registry client against the fake, a real HTTP server in its own process: what each
registry answer becomes for the caller. No mocks: misbehaviour is the fake's, on request."""

import logging
import socket
import time

import pytest

from ventanilla.integrations.civil_registry.client import (
    CivilRegistryUnavailable,
    Person,
    PersonNotFound,
    PersonRestricted,
    civil_registry_client,
)
from ventanilla.integrations.civil_registry.fake_people import (
    DEMO_CITIZEN_DNI,
    DNI_PERSONS,
    FOREIGN_CARD_PERSONS,
    MINOR_DNI,
    MINOR_FOREIGN_CARD,
    PERSONS,
    RESTRICTED_DNI,
    UNKNOWN_DNI,
    UNKNOWN_FOREIGN_CARD,
)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nobody listens there once the probe is closed


def test_demo_citizen_dni_returns_the_registry_names(civil_registry):
    person = civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI)

    assert person == Person(
        document_type="dni",
        document_number="45678912",
        given_names="ROSA MARÍA",
        first_surname="QUISPE",
        second_surname="HUAMÁN",
        birth_date=None,
        ubigeo="",
        residence="CUSCO/CUSCO/WANCHAQ",
    )
    assert person.full_name == "Rosa María Quispe Huamán"


def test_every_listed_fake_person_is_found_exactly_as_listed(civil_registry):
    client = civil_registry_client()
    found = [
        client.person_by_dni(p.document_number)
        if p.document_type == "dni"
        else client.person_by_foreign_card(p.document_number)
        for p in PERSONS
    ]
    assert found == list(PERSONS)
    assert len(DNI_PERSONS) >= 15
    assert len(FOREIGN_CARD_PERSONS) >= 4


def test_dni_with_surrounding_spaces_is_found(civil_registry):
    assert civil_registry_client().person_by_dni(f" {DEMO_CITIZEN_DNI} ").document_number == (
        DEMO_CITIZEN_DNI
    )


def test_unknown_dni_is_person_not_found(civil_registry):
    with pytest.raises(PersonNotFound) as caught:
        civil_registry_client().person_by_dni(UNKNOWN_DNI)
    assert not isinstance(caught.value, PersonRestricted)


@pytest.mark.parametrize("number", ["", "4567891", "456789124", "4567891A", "45.678.912"])
def test_malformed_dni_is_person_not_found_without_asking_the_registry(settings, number):
    settings.CIVIL_REGISTRY_URL = closed_port_url()  # asking would raise Unavailable
    with pytest.raises(PersonNotFound):
        civil_registry_client().person_by_dni(number)


def test_minor_dni_is_restricted_as_minor(civil_registry):
    with pytest.raises(PersonRestricted) as caught:
        civil_registry_client().person_by_dni(MINOR_DNI)
    assert caught.value.reason == "minor"


def test_deceased_dni_is_restricted_with_the_registry_wording(civil_registry):
    with pytest.raises(PersonRestricted) as caught:
        civil_registry_client().person_by_dni(RESTRICTED_DNI)
    assert caught.value.reason == "restricted"
    assert caught.value.detail == "FALLECIMIENTO"


def test_wrong_credentials_are_unavailable_and_logged_without_the_password(
    civil_registry, settings, caplog
):
    settings.CIVIL_REGISTRY_PASSWORD = "not-the-password"
    with caplog.at_level(logging.WARNING), pytest.raises(CivilRegistryUnavailable) as caught:
        civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI)
    assert "1001" in str(caught.value)
    assert any(r.levelno == logging.ERROR and "1001" in r.getMessage() for r in caplog.records)
    assert "not-the-password" not in caplog.text


def test_daily_quota_spent_is_unavailable(civil_registry_fake):
    with civil_registry_fake.misbehaving("quota"), pytest.raises(CivilRegistryUnavailable):
        civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI)


def test_slow_registry_is_unavailable_after_the_timeout(civil_registry_fake, settings):
    settings.CIVIL_REGISTRY_TIMEOUT = 0.3
    started = time.monotonic()
    with civil_registry_fake.misbehaving("slow", delay=3), pytest.raises(CivilRegistryUnavailable):
        civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI)
    assert time.monotonic() - started < 2


def test_registry_down_is_unavailable(settings):
    settings.CIVIL_REGISTRY_URL = closed_port_url()
    settings.CIVIL_REGISTRY_MIGRACIONES_URL = settings.CIVIL_REGISTRY_URL
    client = civil_registry_client()
    with pytest.raises(CivilRegistryUnavailable):
        client.person_by_dni(DEMO_CITIZEN_DNI)
    with pytest.raises(CivilRegistryUnavailable):
        client.person_by_foreign_card(FOREIGN_CARD_PERSONS[0].document_number)


@pytest.mark.parametrize("mode", ["error", "garbage", "malformed", "drop"])
def test_unusable_answer_is_unavailable(civil_registry_fake, mode):
    client = civil_registry_client()
    with civil_registry_fake.misbehaving(mode):
        with pytest.raises(CivilRegistryUnavailable):
            client.person_by_dni(DEMO_CITIZEN_DNI)
        with pytest.raises(CivilRegistryUnavailable):
            client.person_by_foreign_card(FOREIGN_CARD_PERSONS[0].document_number)
    # And the registry back to health answers again: nothing was remembered.
    assert client.person_by_dni(DEMO_CITIZEN_DNI).document_number == DEMO_CITIZEN_DNI


def test_wrong_registry_path_is_unavailable(civil_registry, settings):
    settings.CIVIL_REGISTRY_URL = f"{civil_registry}/otra-ruta"  # answers 404
    with pytest.raises(CivilRegistryUnavailable):
        civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI)


def test_foreign_card_returns_the_migraciones_names(civil_registry):
    person = civil_registry_client().person_by_foreign_card("001234567")
    assert person.document_type == "ce"
    assert (person.given_names, person.first_surname, person.second_surname) == (
        "ANDREÍNA DEL VALLE",
        "GONZÁLEZ",
        "PÉREZ",
    )
    assert person.full_name == "Andreína del Valle González Pérez"


def test_foreign_card_without_its_leading_zeros_is_found(civil_registry):
    assert civil_registry_client().person_by_foreign_card("1234567").document_number == (
        "001234567"
    )


def test_unknown_foreign_card_is_person_not_found(civil_registry):
    with pytest.raises(PersonNotFound):
        civil_registry_client().person_by_foreign_card(UNKNOWN_FOREIGN_CARD)


@pytest.mark.parametrize("number", ["", "0000000", "1234567890", "12A456789"])
def test_malformed_foreign_card_is_person_not_found(settings, number):
    settings.CIVIL_REGISTRY_MIGRACIONES_URL = closed_port_url()
    with pytest.raises(PersonNotFound):
        civil_registry_client().person_by_foreign_card(number)


def test_minor_foreign_card_is_restricted_as_minor(civil_registry):
    with pytest.raises(PersonRestricted) as caught:
        civil_registry_client().person_by_foreign_card(MINOR_FOREIGN_CARD)
    assert caught.value.reason == "minor"


def test_foreign_card_from_an_unauthorised_institution_is_unavailable(civil_registry, settings):
    settings.CIVIL_REGISTRY_MAC = "02:00:00:00:00:99"  # Migraciones answers 0005
    with pytest.raises(CivilRegistryUnavailable):
        civil_registry_client().person_by_foreign_card("001234567")


def test_migraciones_may_live_at_its_own_address(civil_registry, settings):
    settings.CIVIL_REGISTRY_URL = closed_port_url()  # RENIEC down; Migraciones elsewhere
    settings.CIVIL_REGISTRY_MIGRACIONES_URL = civil_registry
    assert civil_registry_client().person_by_foreign_card("002345678").first_surname == "MORENO"
