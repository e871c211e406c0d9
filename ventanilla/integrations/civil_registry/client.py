"""Who a document number belongs to, asked of the State's civil registries through PIDE (the
interoperability platform): RENIEC's "Consulta DNI" for Peruvians and Migraciones' carné de
extranjería service for foreign residents. The protocol, its result codes and their sources are
in docs/decisions/0006-civil-registry-integration.md.

Callers get a `Person`, or one of three exceptions: `PersonNotFound` (the registry says no such
document; `PersonRestricted` is the kind that exists but may not be used: a minor, a deceased
person, a cancelled record), `CivilRegistryUnavailable` (down, slow, an HTTP error, an answer we
cannot read, our own credentials refused: "try again later"). Nothing is cached and nothing is
retried here: a registration form that fails asks the citizen to try again.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date
from typing import Any

logger = logging.getLogger(__name__)

RENIEC_PATH = "/Rest/RENIEC/Consultar"
MIGRACIONES_PATH = "/Rest/Migraciones/CarnetExtranjeria"

# RENIEC "Consulta DNI" (coResultado).
RENIEC_OK = "0000"
RENIEC_MINOR = "0001"
RENIEC_NOT_FOUND = "0999"
RENIEC_BAD_REQUEST = "1000"
RENIEC_BAD_CREDENTIALS = "1001"
RENIEC_PASSWORD_EXPIRED = "1002"  # noqa: S105 - a result code
RENIEC_DAILY_LIMIT = "1003"
RENIEC_UNKNOWN_ERROR = "1999"

# Migraciones "consultarDocumento" (strNumRespuesta). Some clients show five digits ("00001"):
# codes are compared as numbers.
MIGRACIONES_OK = 0
MIGRACIONES_NOT_FOUND = 1  # not found, or the card is no longer valid
MIGRACIONES_NO_CONNECTION = 2
MIGRACIONES_FAILED = 3
MIGRACIONES_EMPTY_VALUES = 4
MIGRACIONES_NOT_ALLOWED = 5  # IP, MAC and institution code not authorised
MIGRACIONES_BAD_DOCUMENT_TYPE = 6
MIGRACIONES_MINOR = 7

# Restrictions that mean the record may not be used to open an account. Others (a pending
# electoral fine, say) leave the person as they are.
_BLOCKING_RESTRICTION = re.compile(r"FALLEC|DEFUNC|CANCEL|ANULAD", re.IGNORECASE)
_NO_RESTRICTION = {"", "-", "NINGUNA", "NINGUNO", "SIN RESTRICCION", "SIN RESTRICCIÓN"}

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
    birth_date: date | None  # neither PIDE service returns it: None from them
    ubigeo: str  # 6-digit residence ubigeo, or "" when the registry gives place names
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
    credentials refused or our daily quota spent): the citizen should try again later."""


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


@dataclass(frozen=True)
class PideCredentials:
    user_dni: str  # RENIEC: the DNI of the official the access was granted to
    user_ruc: str  # RENIEC: the RUC of their institution
    password: str
    institution: str  # Migraciones: institution code, MAC and IP it authorised
    mac: str
    ip: str


class PideCivilRegistryClient(CivilRegistryClient):
    """Speaks PIDE's REST facade (GET with query parameters, `out=json`). Each call is one
    HTTP request; connecting and each read wait at most `timeout` seconds. Nothing that holds
    the password is logged (PIDE puts it in the query string)."""

    def __init__(
        self,
        *,
        reniec_url: str,
        migraciones_url: str,
        credentials: PideCredentials,
        timeout: float,
    ) -> None:
        for url in (reniec_url, migraciones_url):
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"a civil registry URL must be http(s): {url!r}")
        self.reniec_url = reniec_url.rstrip("/")
        self.migraciones_url = migraciones_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout

    def person_by_dni(self, dni: str) -> Person:
        dni = (dni or "").strip()
        if not re.fullmatch(r"\d{8}", dni):
            raise PersonNotFound(f"not a DNI number: {dni!r}")
        c = self.credentials
        answer = self._get(
            self.reniec_url + RENIEC_PATH,
            {
                "nuDniConsulta": dni,
                "nuDniUsuario": c.user_dni,
                "nuRucUsuario": c.user_ruc,
                "password": c.password,
                "out": "json",
            },
            service="RENIEC",
        )
        result = _dig(answer, "consultarResponse", "return")
        if result is None:
            raise _unreadable("RENIEC", "no consultarResponse.return")
        code = result.get("coResultado")
        message = _text(result.get("deResultado"))
        if code == RENIEC_OK:
            return _reniec_person(dni, result.get("datosPersona"))
        if code == RENIEC_NOT_FOUND:
            raise PersonNotFound(f"RENIEC has no DNI {dni}")
        if code == RENIEC_MINOR:
            raise PersonRestricted(
                f"RENIEC: DNI {dni} is a minor's", reason="minor", detail=message
            )
        if code == RENIEC_BAD_REQUEST:
            # We only send 8-digit numbers: RENIEC refusing one is RENIEC's word that it
            # cannot be a DNI.
            raise PersonNotFound(f"RENIEC refused DNI {dni}: {message}")
        if code in {RENIEC_BAD_CREDENTIALS, RENIEC_PASSWORD_EXPIRED, RENIEC_DAILY_LIMIT}:
            # Ours to fix, not the citizen's: loud in the log, "try again later" to them.
            logger.error("RENIEC refused our access (%s): %s", code, message)
            raise CivilRegistryUnavailable(f"RENIEC refused our access ({code}): {message}")
        raise _unreadable("RENIEC", f"coResultado {code!r}: {message}")

    def person_by_foreign_card(self, number: str) -> Person:
        number = (number or "").strip()
        if not re.fullmatch(r"\d{1,9}", number) or not number.strip("0"):
            raise PersonNotFound(f"not a carné de extranjería number: {number!r}")
        number = number.zfill(9)
        c = self.credentials
        answer = self._get(
            self.migraciones_url + MIGRACIONES_PATH,
            {
                "strCodInstitucion": c.institution,
                "strMac": c.mac,
                "strNroIp": c.ip,
                "strNumDocumento": number,
                "strTipoDocumento": "CE",
                "out": "json",
            },
            service="Migraciones",
        )
        result = _dig(answer, "consultarDocumentoResponse", "return")
        if result is None and isinstance(answer, dict) and "strNumRespuesta" in answer:
            result = answer  # the bean unwrapped, as some PIDE gateways answer
        if result is None:
            raise _unreadable("Migraciones", "no consultarDocumentoResponse.return")
        raw_code = _text(result.get("strNumRespuesta"))
        if not raw_code.isdigit():
            raise _unreadable("Migraciones", f"strNumRespuesta {raw_code!r}")
        code = int(raw_code)
        if code == MIGRACIONES_OK:
            return _migraciones_person(number, result)
        if code == MIGRACIONES_NOT_FOUND:
            raise PersonNotFound(f"Migraciones has no valid carné {number}")
        if code == MIGRACIONES_MINOR:
            raise PersonRestricted(f"Migraciones: carné {number} is a minor's", reason="minor")
        if code in {
            MIGRACIONES_NOT_ALLOWED,
            MIGRACIONES_EMPTY_VALUES,
            MIGRACIONES_BAD_DOCUMENT_TYPE,
        }:
            logger.error("Migraciones refused our request (%s)", raw_code)
            raise CivilRegistryUnavailable(f"Migraciones refused our request ({raw_code})")
        raise _unreadable("Migraciones", f"strNumRespuesta {raw_code!r}")

    def _get(self, url: str, params: dict[str, str], *, service: str) -> Any:
        # http(s) only, checked in __init__; the URL is ours (settings), never a citizen's.
        request = urllib.request.Request(  # noqa: S310
            f"{url}?{urllib.parse.urlencode(params)}",
            headers={"Accept": "application/json", "User-Agent": "Ventanilla"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(1_000_000)
        except urllib.error.HTTPError as error:
            logger.warning("%s answered HTTP %s", service, error.code)
            raise CivilRegistryUnavailable(f"{service} answered HTTP {error.code}") from None
        except TimeoutError as error:
            logger.warning("%s did not answer within %s s", service, self.timeout)
            raise CivilRegistryUnavailable(f"{service} timed out") from error
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            logger.warning("%s unreachable: %s", service, reason)
            raise CivilRegistryUnavailable(f"{service} unreachable: {reason}") from None
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _unreadable(service, f"not JSON: {body[:80]!r}") from None


def _unreadable(service: str, why: str) -> CivilRegistryUnavailable:
    logger.warning("%s answer not understood: %s", service, why)
    return CivilRegistryUnavailable(f"{service} answer not understood: {why}")


def _dig(value: Any, *keys: str) -> dict[str, Any] | None:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, dict) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _unreadable("registry", f"expected text, got {type(value).__name__}")
    return " ".join(value.split())


def _reniec_person(dni: str, data: Any) -> Person:
    if not isinstance(data, dict):
        raise _unreadable("RENIEC", "coResultado 0000 without datosPersona")
    given, first = _text(data.get("prenombres")), _text(data.get("apPrimer"))
    if not given or not first:
        raise _unreadable("RENIEC", "datosPersona without prenombres or apPrimer")
    restriction = _text(data.get("restriccion"))
    if restriction.upper() not in _NO_RESTRICTION and _BLOCKING_RESTRICTION.search(restriction):
        raise PersonRestricted(
            f"RENIEC: DNI {dni} restricted ({restriction})", reason="restricted", detail=restriction
        )
    place = _text(data.get("ubigeo"))
    return Person(
        document_type="dni",
        document_number=dni,
        given_names=given,
        first_surname=first,
        second_surname=_text(data.get("apSegundo")),
        birth_date=None,
        ubigeo=place if re.fullmatch(r"\d{6}", place) else "",
        residence="" if place.isdigit() else place,
    )


def _migraciones_person(number: str, data: dict[str, Any]) -> Person:
    given, first = _text(data.get("strNombres")), _text(data.get("strPrimerApellido"))
    if not given or not first:
        raise _unreadable("Migraciones", "answer 0000 without strNombres or strPrimerApellido")
    return Person(
        document_type="ce",
        document_number=number,
        given_names=given,
        first_surname=first,
        second_surname=_text(data.get("strSegundoApellido")),
        birth_date=None,
        ubigeo="",
    )


def civil_registry_client() -> CivilRegistryClient:
    """The client the settings describe (CIVIL_REGISTRY_*). Cheap to build: made on each call,
    so a test's settings override is always seen."""
    from django.conf import settings

    return PideCivilRegistryClient(
        reniec_url=settings.CIVIL_REGISTRY_URL,
        migraciones_url=settings.CIVIL_REGISTRY_MIGRACIONES_URL or settings.CIVIL_REGISTRY_URL,
        credentials=PideCredentials(
            user_dni=settings.CIVIL_REGISTRY_USER_DNI,
            user_ruc=settings.CIVIL_REGISTRY_USER_RUC,
            password=settings.CIVIL_REGISTRY_PASSWORD,
            institution=settings.CIVIL_REGISTRY_INSTITUTION,
            mac=settings.CIVIL_REGISTRY_MAC,
            ip=settings.CIVIL_REGISTRY_IP,
        ),
        timeout=float(settings.CIVIL_REGISTRY_TIMEOUT),
    )
