"""What Ventanilla may ask the State's civil registries — RENIEC for a DNI, Migraciones for a
carné de extranjería — and what they answer: a `Person`, or one of three exceptions:
`PersonNotFound` (the registry says no such document; `PersonRestricted` is the kind that exists but
may not be used: a minor, a deceased person, a cancelled record) or `CivilRegistryUnavailable`
(down, slow, an answer we cannot read, our own access refused: "try again later").

The implementation asks through the information mediator:
ventanilla/interop/services/civil_registry.py (docs/decisions/0012; 0006 told the PIDE story).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Lower-cased inside a displayed name ("Juan de Dios de la Cruz").
_NAME_PARTICLES = {"de", "del", "la", "las", "los", "y", "e", "da", "di", "van", "von"}
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Person:
    """A person as the registry holds them. Names are kept as the registry writes them
    (upper case, accents and Ñ when present); `full_name` is for display."""

    document_type: str  # "dni" or "ce" (carné de extranjería)
    document_number: str  # "45678912" / "001234567"
    given_names: str  # "ROSA MARÍA"
    first_surname: str
    second_surname: str  # may be ""
    birth_date: date | None  # None only where a registry does not give it
    ubigeo: str  # 6-digit residence ubigeo (INEI), or "" when unknown
    # RENIEC's residence as it writes it, "DEPARTAMENTO/PROVINCIA/DISTRITO"; "" for a carné.
    residence: str = ""

    @property
    def full_name(self) -> str:
        """ "Rosa María Quispe Huamán": given names then surnames, in title case."""
        return _display(
            " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)
        )

    @property
    def display_given_names(self) -> str:
        """ "Flor de María": the given names in title case (for first_name)."""
        return _display(self.given_names)

    @property
    def display_surnames(self) -> str:
        """ "De la Cruz Peña": both surnames in title case (for last_name)."""
        return _display(" ".join(p for p in (self.first_surname, self.second_surname) if p))


def _display(text: str) -> str:
    """Title case as Spanish names are written: particles inside a name in lower case."""
    shown = []
    for index, word in enumerate(text.split()):
        lowered = word.lower()
        if index and lowered in _NAME_PARTICLES:
            shown.append(lowered)
        else:
            shown.append(_WORD.sub(lambda m: m.group().capitalize(), lowered))
    return " ".join(shown)


class CivilRegistryError(Exception):
    """Base of every failure of a civil registry query."""


class CivilRegistryUnavailable(CivilRegistryError):
    """The registry could not answer now (down, timeout, HTTP error, unreadable answer, our
    access refused): the citizen should try again later."""


class PersonNotFound(CivilRegistryError):
    """The registry has no such document (or the number cannot be one)."""


class PersonRestricted(PersonNotFound):
    """The document exists but its data may not be used: `reason` is "minor" (the registry
    withholds minors' data) or "restricted" (deceased, cancelled); `detail` is the registry's
    own wording."""

    def __init__(self, message: str, *, reason: str, detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


class CivilRegistryClient:
    """What the rest of Ventanilla may ask the civil registry."""

    def person_by_dni(self, dni: str) -> Person:
        """The holder of an 8-digit DNI. Raises PersonNotFound (PersonRestricted) or
        CivilRegistryUnavailable."""
        raise NotImplementedError

    def person_by_foreign_card(self, number: str) -> Person:
        """The holder of a carné de extranjería (9 digits; shorter numbers are left-padded with
        zeros, as citizens often drop them). Raises as person_by_dni does."""
        raise NotImplementedError
