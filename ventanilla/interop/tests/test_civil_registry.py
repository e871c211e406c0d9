"""The civil registry through the mediator: RENIEC and Migraciones are fake registries in their
own processes, reached by the platform's subsystem over the directory the test database holds."""

import logging
from datetime import date

import pytest
from django.conf import settings

from ventanilla.integrations.civil_registry.client import (
    CivilRegistryUnavailable,
    PersonNotFound,
    PersonRestricted,
)
from ventanilla.integrations.civil_registry.fake_people import (
    DEMO_CITIZEN_DNI,
    MINOR_DNI,
    MINOR_FOREIGN_CARD,
    RESTRICTED_DNI,
    UNKNOWN_DNI,
    UNKNOWN_FOREIGN_CARD,
    record_for,
)
from ventanilla.integrations.registries.data import RESIDENCE_UBIGEO
from ventanilla.interop.models import AccessRight, MessageLogEntry
from ventanilla.interop.selectors import service_by_id, subsystem_by_id
from ventanilla.interop.services.civil_registry import (
    EXTRANJEROS_SERVICE,
    ISSUE,
    PERSONAS_SERVICE,
    USER_ID,
    MediatedCivilRegistryClient,
    civil_registry_client,
)
from ventanilla.interop.services.directory import access_right_revoke

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dni_is_read_through_the_mediator_with_birth_date_and_ubigeo(civil_registry):
    person = civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI)
    held = record_for("dni", DEMO_CITIZEN_DNI)
    assert held is not None
    assert (person.given_names, person.first_surname, person.second_surname) == (
        held.given_names,
        held.first_surname,
        held.second_surname,
    )
    assert person.full_name == "Rosa María Quispe Huamán"
    assert person.birth_date == held.born
    assert person.ubigeo == RESIDENCE_UBIGEO[held.residence]
    # The lookup is in the message log under the citizen's document, for account creation.
    entry = MessageLogEntry.objects.get(subject=f"DNI:{DEMO_CITIZEN_DNI}")
    assert (entry.client, entry.service, entry.outcome) == (
        settings.INTEROP_PLATFORM_CLIENT,
        PERSONAS_SERVICE,
        "ok",
    )
    assert (entry.user_id, entry.issue) == (USER_ID, ISSUE)


def test_a_foreign_card_is_read_from_migraciones_zero_padded(civil_registry):
    held = next(r for r in _foreign_adults())
    person = civil_registry_client().person_by_foreign_card(held.number.lstrip("0"))
    assert person.document_type == "ce"
    assert person.document_number == held.number
    assert (person.given_names, person.first_surname) == (held.given_names, held.first_surname)
    assert person.birth_date == held.born
    entry = MessageLogEntry.objects.get(subject=f"CE:{held.number}")
    assert entry.service == EXTRANJEROS_SERVICE


def _foreign_adults():
    from ventanilla.integrations.civil_registry.fake_people import RECORDS

    return [r for r in RECORDS if r.document_type == "ce" and not r.is_minor()]


def test_minors_are_refused_by_the_birth_date_the_registry_holds(civil_registry):
    client = civil_registry_client()
    for ask, number in (
        (client.person_by_dni, MINOR_DNI),
        (client.person_by_foreign_card, MINOR_FOREIGN_CARD),
    ):
        with pytest.raises(PersonRestricted) as refused:
            ask(number)
        assert refused.value.reason == "minor"


def test_a_person_is_of_age_on_their_eighteenth_birthday_not_the_day_before(civil_registry):
    born = record_for("dni", DEMO_CITIZEN_DNI).born
    eighteenth = born.replace(year=born.year + 18)
    day_before = date.fromordinal(eighteenth.toordinal() - 1)
    with pytest.raises(PersonRestricted):
        MediatedCivilRegistryClient(today=lambda: day_before).person_by_dni(DEMO_CITIZEN_DNI)
    adult = MediatedCivilRegistryClient(today=lambda: eighteenth).person_by_dni(DEMO_CITIZEN_DNI)
    assert adult.document_number == DEMO_CITIZEN_DNI


def test_a_deceased_persons_record_is_restricted(civil_registry):
    with pytest.raises(PersonRestricted) as refused:
        civil_registry_client().person_by_dni(RESTRICTED_DNI)
    assert refused.value.reason == "restricted"
    assert "FALLECIMIENTO" in refused.value.detail


def test_unknown_and_malformed_documents_are_not_found(civil_registry):
    client = civil_registry_client()
    for ask, number in (
        (client.person_by_dni, UNKNOWN_DNI),
        (client.person_by_foreign_card, UNKNOWN_FOREIGN_CARD),
        (client.person_by_dni, "1234"),
        (client.person_by_foreign_card, "000000000"),
    ):
        with pytest.raises(PersonNotFound) as missing:
            ask(number)
        assert not isinstance(missing.value, PersonRestricted), number
    # Malformed numbers never reach the mediator.
    assert set(MessageLogEntry.objects.values_list("subject", flat=True)) == {
        f"DNI:{UNKNOWN_DNI}",
        f"CE:{UNKNOWN_FOREIGN_CARD}",
    }


@pytest.mark.parametrize("mode", ["error", "garbage", "slow", "drop"])
def test_a_misbehaving_registry_is_unavailable_not_a_wrong_person(civil_registry_fake, mode):
    with civil_registry_fake.misbehaving(mode), pytest.raises(CivilRegistryUnavailable):
        civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI)
    # And back to normal afterwards.
    assert civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI).document_number


def test_our_grant_withdrawn_is_unavailable_and_logged_as_an_error(civil_registry, caplog):
    platform = subsystem_by_id(settings.INTEROP_PLATFORM_CLIENT)
    right = AccessRight.objects.get(service=service_by_id(PERSONAS_SERVICE), client=platform)
    access_right_revoke(access_right=right, actor=None)
    with (
        caplog.at_level(logging.ERROR, logger="ventanilla.interop.services.civil_registry"),
        pytest.raises(CivilRegistryUnavailable),
    ):
        civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI)
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    assert MessageLogEntry.objects.get(subject=f"DNI:{DEMO_CITIZEN_DNI}").outcome != "ok"


def test_without_a_directory_the_registry_is_unavailable_and_logged(caplog):
    with (
        caplog.at_level(logging.ERROR, logger="ventanilla.interop.services.civil_registry"),
        pytest.raises(CivilRegistryUnavailable),
    ):
        civil_registry_client().person_by_dni(DEMO_CITIZEN_DNI)
    assert any(r.levelno == logging.ERROR for r in caplog.records)
