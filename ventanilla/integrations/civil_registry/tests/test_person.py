"""How a registry person is shown."""

from ventanilla.integrations.civil_registry.client import Person


def person(given: str, first: str, second: str) -> Person:
    return Person("dni", "45678912", given, first, second, None, "")


def test_full_name_is_title_case_with_spanish_particles_in_lower_case():
    assert person("FLOR DE MARÍA", "DE LA CRUZ", "PEÑA").full_name == (
        "Flor de María de la Cruz Peña"
    )


def test_display_parts_fill_first_and_last_name():
    shown = person("FLOR DE MARÍA", "DE LA CRUZ", "PEÑA")
    assert (shown.display_given_names, shown.display_surnames) == (
        "Flor de María",
        "De la Cruz Peña",
    )


def test_full_name_without_second_surname_has_no_double_space():
    assert person("WEI", "CHEN", "").full_name == "Wei Chen"


def test_full_name_capitalises_each_part_of_hyphens_and_apostrophes():
    assert person("MARÍA-JOSÉ", "D'ANGELO", "ÑAUPARI").full_name == "María-José D'Angelo Ñaupari"
