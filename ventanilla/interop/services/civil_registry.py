"""Who a document number belongs to, asked through the information mediator: RENIEC's
`personas` registry for a DNI, Migraciones' `extranjeros` for a carné de extranjería. The platform
(PCM, settings.INTEROP_PLATFORM_CLIENT) asks on its own grant, so every lookup is in the message
log under the citizen's document, like any other institution's read (docs/decisions/0012).

Callers get a `Person` or one of the civil registry exceptions
(ventanilla/integrations/civil_registry/client.py): `PersonNotFound`, `PersonRestricted` (a minor,
by the birth date the registry holds; a deceased person or a cancelled record) or
`CivilRegistryUnavailable` ("try again later": the registry is down, slow or unreadable, or the
mediator refused us, which is ours to fix and logged as an error). Never call it inside
transaction.atomic: the mediator's log entry must commit whatever the caller does next."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from ventanilla.integrations.civil_registry.client import (
    CivilRegistryClient,
    CivilRegistryUnavailable,
    Person,
    PersonNotFound,
    PersonRestricted,
)
from ventanilla.interop.selectors import subsystem_by_id
from ventanilla.interop.services.registries import (
    RegistryRefused,
    RegistryUnavailable,
    registry_read,
)
from ventanilla.ubigeo.selectors import district_names

logger = logging.getLogger(__name__)

PERSONAS_SERVICE = "PE/GOB/20295613620/padron/personas"
EXTRANJEROS_SERVICE = "PE/GOB/20551239692/padron/extranjeros"
# X-Road-UserId and X-Road-Issue of every lookup: the sign-up form asks, for account creation.
USER_ID = "ventanilla:registro"
ISSUE = "Creación de cuenta en Ventanilla"
ADULT_AGE = 18

# RENIEC restrictions that mean the record may not be used to open an account. Others (a pending
# electoral fine, say) leave the person as they are.
_BLOCKING_RESTRICTION = re.compile(r"FALLEC|DEFUNC|CANCEL|ANULAD", re.IGNORECASE)


class MediatedCivilRegistryClient(CivilRegistryClient):
    """The civil registries through the mediator, as the platform's subsystem. `today` decides
    who is a minor (a parameter so a test can pin the date)."""

    def __init__(self, *, today: Callable[[], date] | None = None) -> None:
        self._today = today or timezone.localdate

    def person_by_dni(self, dni: str) -> Person:
        dni = (dni or "").strip()
        if not re.fullmatch(r"\d{8}", dni):
            raise PersonNotFound(f"not a DNI number: {dni!r}")
        record = self._read(PERSONAS_SERVICE, dni, subject=f"DNI:{dni}", registry="RENIEC")
        if record is None:
            raise PersonNotFound(f"RENIEC has no DNI {dni}")
        return self._reniec_person(dni, record)

    def person_by_foreign_card(self, number: str) -> Person:
        number = (number or "").strip()
        if not re.fullmatch(r"\d{1,9}", number) or not number.strip("0"):
            raise PersonNotFound(f"not a carné de extranjería number: {number!r}")
        number = number.zfill(9)
        record = self._read(
            EXTRANJEROS_SERVICE, number, subject=f"CE:{number}", registry="Migraciones"
        )
        if record is None:
            raise PersonNotFound(f"Migraciones has no carné {number}")
        return self._migraciones_person(number, record)

    def _read(
        self, service: str, number: str, *, subject: str, registry: str
    ) -> dict[str, Any] | None:
        platform = subsystem_by_id(settings.INTEROP_PLATFORM_CLIENT)
        if platform is None:
            # The directory was never set up (manage.py interop_setup): ours to fix.
            logger.error(
                "%s lookup impossible: the platform subsystem %s is not in the directory",
                registry,
                settings.INTEROP_PLATFORM_CLIENT,
            )
            raise CivilRegistryUnavailable(f"no platform subsystem to ask {registry} with")
        try:
            answer = registry_read(
                client=platform,
                service=service,
                query={"ID": number},
                subject=subject,
                user_id=USER_ID,
                issue=ISSUE,
            )
        except RegistryRefused as refused:
            # A missing grant or an unknown service is our configuration, not the citizen's.
            logger.error(
                "the mediator refused the platform's %s lookup (%s): %s",
                registry,
                refused.error_type,
                refused.message,
            )
            raise CivilRegistryUnavailable(
                f"{registry} refused ({refused.error_type}): {refused.message}"
            ) from None
        except RegistryUnavailable as unavailable:
            logger.warning(
                "%s unavailable (%s): %s", registry, unavailable.error_type, unavailable.message
            )
            raise CivilRegistryUnavailable(
                f"{registry} unavailable ({unavailable.error_type}): {unavailable.message}"
            ) from None
        if answer is None:
            return None
        record = answer.get("content", answer) if isinstance(answer, dict) else answer
        if not isinstance(record, dict):
            raise _unreadable(registry, f"a record that is not an object: {type(record).__name__}")
        if _text(registry, record.get("ID")) not in {number, number.lstrip("0")}:
            raise _unreadable(registry, f"asked for {number}, got record {record.get('ID')!r}")
        return record

    def _reniec_person(self, dni: str, record: dict[str, Any]) -> Person:
        given = _text("RENIEC", record.get("Prenombres"))
        first = _text("RENIEC", record.get("ApellidoPaterno"))
        if not given or not first:
            raise _unreadable("RENIEC", "a record without Prenombres or ApellidoPaterno")
        born = _birth_date("RENIEC", record)
        restriction = _text("RENIEC", record.get("Restriccion"))
        if _BLOCKING_RESTRICTION.search(restriction):
            raise PersonRestricted(
                f"RENIEC: DNI {dni} restricted ({restriction})",
                reason="restricted",
                detail=restriction,
            )
        if _age(born, self._today()) < ADULT_AGE:
            raise PersonRestricted(f"RENIEC: DNI {dni} is a minor's", reason="minor")
        place = _text("RENIEC", record.get("UbigeoDomicilio"))
        ubigeo = place if re.fullmatch(r"\d{6}", place) else ""
        names = district_names(ubigeo) if ubigeo else None
        return Person(
            document_type="dni",
            document_number=dni,
            given_names=given,
            first_surname=first,
            second_surname=_text("RENIEC", record.get("ApellidoMaterno")),
            birth_date=born,
            ubigeo=ubigeo,
            # As RENIEC writes a residence: "DEPARTAMENTO/PROVINCIA/DISTRITO".
            residence="/".join(reversed(names)).upper() if names else "",
        )

    def _migraciones_person(self, number: str, record: dict[str, Any]) -> Person:
        given = _text("Migraciones", record.get("Nombres"))
        first = _text("Migraciones", record.get("PrimerApellido"))
        if not given or not first:
            raise _unreadable("Migraciones", "a record without Nombres or PrimerApellido")
        born = _birth_date("Migraciones", record)
        if _age(born, self._today()) < ADULT_AGE:
            raise PersonRestricted(f"Migraciones: carné {number} is a minor's", reason="minor")
        return Person(
            document_type="ce",
            document_number=number,
            given_names=given,
            first_surname=first,
            second_surname=_text("Migraciones", record.get("SegundoApellido")),
            birth_date=born,
            ubigeo="",
        )


def civil_registry_client() -> CivilRegistryClient:
    """The civil registry registration asks: RENIEC and Migraciones through the mediator."""
    return MediatedCivilRegistryClient()


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _birth_date(registry: str, record: dict[str, Any]) -> date:
    # Without it we cannot tell a minor: an unreadable answer, not an adult.
    raw = _text(registry, record.get("FechaNacimiento"))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _unreadable(registry, f"FechaNacimiento {raw!r}") from None


def _text(registry: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _unreadable(registry, f"expected text, got {type(value).__name__}")
    return " ".join(value.split())


def _unreadable(registry: str, why: str) -> CivilRegistryUnavailable:
    logger.warning("%s answer not understood: %s", registry, why)
    return CivilRegistryUnavailable(f"{registry} answer not understood: {why}")
