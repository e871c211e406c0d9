"""The people the civil registries know in the demo and the tests: made up, Peruvian-looking,
never real. The fake RENIEC and Migraciones (ventanilla/integrations/registries) hold them; the
demo and other apps' tests pick from here instead of hard-coding numbers:

    from ventanilla.integrations.civil_registry.fake_people import DEMO_CITIZEN_DNI, PERSONS

`PERSONS` holds each person the registries let an account be opened with (names and birth date
as the civil registry client returns them; the ubigeo is the registry's); the records that
answer with a restriction (a minor, a deceased person) are apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .client import Person


@dataclass(frozen=True)
class Record:
    """One entry of the fake registries: the person plus what the registry holds besides the
    names (the birth date decides "minor")."""

    document_type: str  # "dni" | "ce"
    number: str
    given_names: str
    first_surname: str
    second_surname: str
    born: date
    residence: str = ""  # RENIEC's "DEPARTAMENTO/PROVINCIA/DISTRITO"
    address: str = ""
    marital_status: str = ""
    restriction: str = ""  # RENIEC's restriccion, e.g. "FALLECIMIENTO"
    migratory_status: str = ""  # Migraciones' calidad migratoria (carné only)

    def is_minor(self, today: date | None = None) -> bool:
        today = today or date.today()
        years = (
            today.year
            - self.born.year
            - ((today.month, today.day) < (self.born.month, self.born.day))
        )
        return years < 18

    @property
    def person(self) -> Person:
        return Person(
            document_type=self.document_type,
            document_number=self.number,
            given_names=self.given_names,
            first_surname=self.first_surname,
            second_surname=self.second_surname,
            birth_date=self.born,
            ubigeo="",
            residence=self.residence,
        )


def _dni(
    number: str,
    given: str,
    first: str,
    second: str,
    born: str,
    residence: str,
    address: str,
    marital: str = "SOLTERO",
    restriction: str = "",
) -> Record:
    return Record(
        "dni",
        number,
        given,
        first,
        second,
        date.fromisoformat(born),
        residence,
        address,
        marital,
        restriction,
    )


def _ce(number: str, given: str, first: str, second: str, born: str, status: str) -> Record:
    return Record(
        "ce", number, given, first, second, date.fromisoformat(born), migratory_status=status
    )


# The demo citizen. Its RENIEC check digit (python-stdnum `stdnum.pe.cui`) is 4, or the letter
# I: "45678912-4" is the full number as printed on the card.
DEMO_CITIZEN_DNI = "45678912"
DEMO_CITIZEN_CHECK_DIGIT = "4"

RECORDS: tuple[Record, ...] = (
    _dni(
        "45678912",
        "ROSA MARÍA",
        "QUISPE",
        "HUAMÁN",
        "1988-04-17",
        "CUSCO/CUSCO/WANCHAQ",
        "AV. LA CULTURA 1020 DPTO 302",
    ),
    _dni(
        "41234567",
        "JUAN CARLOS",
        "MAMANI",
        "CONDORI",
        "1982-09-03",
        "PUNO/PUNO/PUNO",
        "JR. LIMA 455",
        "CASADO",
    ),
    _dni(
        "70123456",
        "LUCÍA FERNANDA",
        "TORRES",
        "VILLANUEVA",
        "1996-01-25",
        "LIMA/LIMA/MIRAFLORES",
        "CAL. BOLOGNESI 318 INT 5",
    ),
    _dni(
        "08123456",
        "ANA CECILIA",
        "DE LA CRUZ",
        "PAREDES",
        "1961-06-30",
        "LIMA/LIMA/LINCE",
        "AV. ARENALES 2150",
        "VIUDO",
    ),
    _dni(
        "10456789",
        "JOSÉ LUIS",
        "NÚÑEZ",
        "PEÑA",
        "1975-11-12",
        "LIMA/LIMA/SAN JUAN DE LURIGANCHO",
        "MZ. F LT. 12 URB. CANTO REY",
        "CASADO",
    ),
    _dni(
        "40765432",
        "MARÍA DEL CARMEN",
        "HUAMANÍ",
        "CCAHUANA",
        "1980-02-14",
        "AYACUCHO/HUAMANGA/AYACUCHO",
        "JR. 28 DE JULIO 210",
    ),
    _dni(
        "72345678",
        "DIEGO ALONSO",
        "CHÁVEZ",
        "ROJAS",
        "1999-08-08",
        "AREQUIPA/AREQUIPA/CAYMA",
        "CAL. LOS ÁLAMOS 104",
    ),
    _dni(
        "46123789",
        "FLOR DE MARÍA",
        "TTITO",
        "CUSI",
        "1990-12-01",
        "CUSCO/URUBAMBA/OLLANTAYTAMBO",
        "CAL. PRINCIPAL S/N",
        "CONVIVIENTE",
    ),
    _dni(
        "29456123",
        "WILBER",
        "CHOQUEHUANCA",
        "APAZA",
        "1970-05-21",
        "PUNO/SAN ROMAN/JULIACA",
        "JR. HUANCANÉ 733",
        "CASADO",
    ),
    _dni(
        "43218765", "CARMEN ROSA", "SALAZAR", "", "1985-03-09", "LIMA/LIMA/BREÑA", "JR. HUARAZ 1544"
    ),
    _dni(
        "47852369",
        "LUIS ALBERTO",
        "GUTIÉRREZ",
        "MUÑOZ",
        "1992-07-19",
        "LA LIBERTAD/TRUJILLO/TRUJILLO",
        "AV. ESPAÑA 1890",
        "DIVORCIADO",
    ),
    _dni(
        "16789012",
        "SEGUNDO TEÓFILO",
        "VÁSQUEZ",
        "CUBAS",
        "1958-10-04",
        "CAJAMARCA/CHOTA/CHOTA",
        "JR. COMERCIO 120",
        "CASADO",
    ),
    _dni(
        "44556612",
        "KARINA ISABEL",
        "FLORES",
        "ESPINOZA",
        "1987-04-28",
        "JUNIN/HUANCAYO/EL TAMBO",
        "AV. HUANCAVELICA 640",
    ),
    _dni(
        "73451289",
        "JHON ALEXANDER",
        "PAREDES",
        "ARÉVALO",
        "2001-09-15",
        "SAN MARTIN/SAN MARTIN/TARAPOTO",
        "JR. MARTÍNEZ DE COMPAGNÓN 455",
    ),
    _dni(
        "06543210",
        "GLORIA ESTHER",
        "MENDOZA",
        "QUISPE",
        "1966-01-11",
        "LIMA/LIMA/COMAS",
        "AV. TÚPAC AMARU 3520",
        "CASADO",
    ),
    _dni(
        "42987156",
        "RAÚL ERNESTO",
        "LEÓN",
        "VARGAS",
        "1983-12-24",
        "PIURA/PIURA/CASTILLA",
        "CAL. AYACUCHO 317",
    ),
    _dni(
        "71234590",
        "ESTEFANY MILAGROS",
        "RÍOS",
        "TAPULLIMA",
        "1998-03-02",
        "LORETO/MAYNAS/IQUITOS",
        "CAL. NAPO 845",
    ),
    # Deceased: RENIEC still answers, with a restriction.
    _dni(
        "20456789",
        "HERMINIO AQUILES",
        "POMA",
        "YUPANQUI",
        "1940-07-07",
        "JUNIN/JAUJA/JAUJA",
        "JR. BOLÍVAR 150",
        "VIUDO",
        "FALLECIMIENTO",
    ),
    # A minor: no account (the registry's birth date says so).
    _dni(
        "74563210",
        "THIAGO SEBASTIÁN",
        "QUISPE",
        "MAMANI",
        "2013-05-30",
        "PUNO/PUNO/PUNO",
        "JR. LIMA 455",
    ),
    _ce("001234567", "ANDREÍNA DEL VALLE", "GONZÁLEZ", "PÉREZ", "1991-02-20", "RESIDENTE"),
    _ce("002345678", "CARLOS ANDRÉS", "MORENO", "OSPINA", "1987-10-05", "TRABAJADOR"),
    _ce("003456789", "WEI", "CHEN", "", "1979-04-16", "RESIDENTE"),
    _ce("004567890", "YORMAN JOSÉ", "RODRÍGUEZ", "BRICEÑO", "1993-06-11", "FAMILIAR DE RESIDENTE"),
    _ce("006789012", "MARIE CLAIRE", "DUBOIS", "", "1968-09-27", "RENTISTA"),
    # A minor: no account.
    _ce(
        "005678901",
        "VALENTINA SOFÍA",
        "RODRÍGUEZ",
        "BRICEÑO",
        "2015-01-19",
        "FAMILIAR DE RESIDENTE",
    ),
)

RESTRICTED_DNI = "20456789"  # deceased
MINOR_DNI = "74563210"
MINOR_FOREIGN_CARD = "005678901"
UNKNOWN_DNI = "48765123"  # a well-formed DNI the registry does not hold
UNKNOWN_FOREIGN_CARD = "009999999"

# Everyone the civil registry client answers with a person.
PERSONS: tuple[Person, ...] = tuple(
    r.person for r in RECORDS if not r.restriction and not r.is_minor()
)
DNI_PERSONS: tuple[Person, ...] = tuple(p for p in PERSONS if p.document_type == "dni")
FOREIGN_CARD_PERSONS: tuple[Person, ...] = tuple(p for p in PERSONS if p.document_type == "ce")


def record_for(document_type: str, number: str) -> Record | None:
    return _BY_NUMBER.get((document_type, number))


_BY_NUMBER = {(r.document_type, r.number): r for r in RECORDS}
