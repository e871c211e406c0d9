"""The records the fake registries hold: made up, Peruvian-looking, never real, and the same on
every start (a seeded generator). Field names are those of the contract (docs of issue 6):

    reniec       personas 1.0        every DNI holder of civil_registry/fake_people.py + ~2,000 more
    migraciones  extranjeros 1.0     the carné holders of fake_people.py
    sunat        contribuyentes 1.0  RUC 10 for many persons (10 + DNI + check digit), RUC 20s
    sunarp       vehiculos 1.0, predios 1.0
    mtc          licencias 1.0
    govstack     registryname 111, registryempty 111: GovStack's reference records, exactly

UBIGEO codes are INEI's (the key of ventanilla.ubigeo). Tests pick from here instead of
hard-coding numbers: `records("sunat", "contribuyentes")`, `DEMO_CITIZEN_RUC`.

Standard library and python-stdnum only: the fake processes import this without Django.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from stdnum.pe import ruc as pe_ruc

from ventanilla.integrations.civil_registry.fake_people import (
    DEMO_CITIZEN_DNI,
    RECORDS,
    UNKNOWN_DNI,
    UNKNOWN_FOREIGN_CARD,
    Record,
)

__all__ = [
    "DATABASE_IDS",
    "DEMO_CITIZEN_DNI",
    "DEMO_CITIZEN_LICENCE",
    "DEMO_CITIZEN_PLATE",
    "DEMO_CITIZEN_PREDIO",
    "DEMO_CITIZEN_RUC",
    "REGISTRIES",
    "RegistrySpec",
    "govstack_fixtures",
    "records",
    "seed",
]

GOVSTACK_FIXTURES = Path(__file__).with_name("govstack_fixtures.json")

PERSONA_FIELDS = (
    "ID",
    "Prenombres",
    "ApellidoPaterno",
    "ApellidoMaterno",
    "FechaNacimiento",
    "Sexo",
    "EstadoCivil",
    "UbigeoDomicilio",
    "Direccion",
    "Restriccion",
)
EXTRANJERO_FIELDS = (
    "ID",
    "Nombres",
    "PrimerApellido",
    "SegundoApellido",
    "FechaNacimiento",
    "Nacionalidad",
    "CalidadMigratoria",
)
CONTRIBUYENTE_FIELDS = (
    "ID",
    "RazonSocial",
    "Tipo",
    "Estado",
    "Condicion",
    "DomicilioFiscal",
    "UbigeoFiscal",
    "ActividadEconomica",
    "FechaInscripcion",
    "DNI",
)
VEHICULO_FIELDS = (
    "ID",
    "Marca",
    "Modelo",
    "Anio",
    "Color",
    "Categoria",
    "Propietario",
    "PropietarioDocumento",
    "Estado",
)
PREDIO_FIELDS = ("ID", "Direccion", "Ubigeo", "AreaM2", "Titular", "TitularDocumento")
LICENCIA_FIELDS = (
    "ID",
    "DNI",
    "Clase",
    "Categoria",
    "FechaExpedicion",
    "FechaRevalidacion",
    "Estado",
    "Puntos",
)
GOVSTACK_FIELDS = ("ID", "FirstName", "LastName", "BirthCertificateID")


@dataclass(frozen=True)
class RegistrySpec:
    """One registry a fake serves at data/{name}/{version}/…: its records' fields (a new record
    gets every one). `strict`: writes carry only these fields and IDs stay unique."""

    name: str
    version: str
    fields: tuple[str, ...]
    strict: bool = True


REGISTRIES: dict[str, tuple[RegistrySpec, ...]] = {
    "reniec": (RegistrySpec("personas", "1.0", PERSONA_FIELDS),),
    "migraciones": (RegistrySpec("extranjeros", "1.0", EXTRANJERO_FIELDS),),
    "sunat": (RegistrySpec("contribuyentes", "1.0", CONTRIBUYENTE_FIELDS),),
    "sunarp": (
        RegistrySpec("vehiculos", "1.0", VEHICULO_FIELDS),
        RegistrySpec("predios", "1.0", PREDIO_FIELDS),
    ),
    "mtc": (RegistrySpec("licencias", "1.0", LICENCIA_FIELDS),),
    # GovStack's reference data repeats an ID, and nothing limits what its clients write.
    "govstack": (
        RegistrySpec("registryname", "111", GOVSTACK_FIELDS, strict=False),
        RegistrySpec("registryempty", "111", GOVSTACK_FIELDS, strict=False),
    ),
}
# The DatabaseID MyPersonalDataUsage answers for (besides each registry's own name).
DATABASE_IDS = {name: name for name in REGISTRIES} | {"govstack": "MCTS"}

# The demo citizen (DEMO_CITIZEN_DNI, Rosa María Quispe Huamán) in the other registries.
DEMO_CITIZEN_RUC = "10" + DEMO_CITIZEN_DNI + pe_ruc.calc_check_digit("10" + DEMO_CITIZEN_DNI)
DEMO_CITIZEN_PLATE = "X3K284"
DEMO_CITIZEN_LICENCE = "Q" + DEMO_CITIZEN_DNI
DEMO_CITIZEN_PREDIO = "11045872"

POPULATION = 2000
COMPANIES = 200
_SEED = 1246  # D. Leg. 1246, the once-only decree

# INEI codes of the places fake_people.py names ("DEPARTAMENTO/PROVINCIA/DISTRITO").
RESIDENCE_UBIGEO = {
    "CUSCO/CUSCO/WANCHAQ": "080108",
    "PUNO/PUNO/PUNO": "210101",
    "LIMA/LIMA/MIRAFLORES": "150122",
    "LIMA/LIMA/LINCE": "150116",
    "LIMA/LIMA/SAN JUAN DE LURIGANCHO": "150132",
    "AYACUCHO/HUAMANGA/AYACUCHO": "050101",
    "AREQUIPA/AREQUIPA/CAYMA": "040103",
    "CUSCO/URUBAMBA/OLLANTAYTAMBO": "081306",
    "PUNO/SAN ROMAN/JULIACA": "211101",
    "LIMA/LIMA/BREÑA": "150105",
    "LA LIBERTAD/TRUJILLO/TRUJILLO": "130101",
    "CAJAMARCA/CHOTA/CHOTA": "060401",
    "JUNIN/HUANCAYO/EL TAMBO": "120114",
    "SAN MARTIN/SAN MARTIN/TARAPOTO": "220901",
    "LIMA/LIMA/COMAS": "150110",
    "PIURA/PIURA/CASTILLA": "200104",
    "LORETO/MAYNAS/IQUITOS": "160101",
    "JUNIN/JAUJA/JAUJA": "120401",
}

# Where the synthetic population lives: the most populous districts (INEI 2025), with the
# weight of a rough share of the population.
DISTRICTS: tuple[tuple[str, int], ...] = (
    ("150132", 12),  # San Juan de Lurigancho
    ("150135", 9),  # San Martín de Porres
    ("150103", 8),  # Ate
    ("150110", 7),  # Comas
    ("070101", 6),  # Callao
    ("150143", 5),  # Villa María del Triunfo
    ("150142", 5),  # Villa El Salvador
    ("150140", 4),  # Santiago de Surco
    ("150108", 4),  # Chorrillos
    ("150117", 4),  # Los Olivos
    ("150101", 4),  # Lima
    ("150122", 2),  # Miraflores
    ("150116", 1),  # Lince
    ("150105", 1),  # Breña
    ("070106", 4),  # Ventanilla
    ("130101", 4),  # Trujillo
    ("140101", 4),  # Chiclayo
    ("211101", 4),  # Juliaca
    ("040104", 4),  # Cerro Colorado
    ("040103", 2),  # Cayma
    ("060101", 3),  # Cajamarca
    ("021801", 3),  # Chimbote
    ("200101", 3),  # Piura
    ("200104", 3),  # Castilla
    ("110101", 3),  # Ica
    ("250101", 3),  # Callería
    ("120101", 2),  # Huancayo
    ("120114", 3),  # El Tambo
    ("160101", 3),  # Iquitos
    ("080101", 2),  # Cusco
    ("080108", 2),  # Wanchaq
    ("080105", 2),  # San Sebastián
    ("210101", 2),  # Puno
    ("050101", 2),  # Ayacucho
    ("230101", 2),  # Tacna
    ("100101", 2),  # Huánuco
    ("220901", 2),  # Tarapoto
    ("240101", 1),  # Tumbes
    ("170101", 1),  # Tambopata
    ("060801", 1),  # Jaén
)

FEMALE_NAMES = (
    "ROSA", "MARÍA", "LUCÍA", "ANA", "CARMEN", "FLOR", "KARINA", "GLORIA", "ESTEFANY", "ELENA",
    "JUANA", "SONIA", "PATRICIA", "MILAGROS", "YESENIA", "ROCÍO", "NANCY", "MARLENY", "DELIA",
    "SOLEDAD", "VERÓNICA", "KATHERINE", "GERALDINE", "FIORELLA", "CAMILA", "VALERIA", "NAYELI",
    "LIZ", "CECILIA", "ISABEL", "TERESA", "NORMA", "HILDA", "DORIS", "BEATRIZ", "SUSANA",
    "ALEJANDRA", "XIMENA", "JIMENA", "LUZ", "MARGARITA", "ESTHER", "JULIA", "PAOLA",
)  # fmt: skip
MALE_NAMES = (
    "JUAN", "JOSÉ", "LUIS", "CARLOS", "JORGE", "DIEGO", "WILBER", "SEGUNDO", "JHON", "RAÚL",
    "HERMINIO", "THIAGO", "MIGUEL", "PEDRO", "CÉSAR", "VÍCTOR", "EDWIN", "ROBERTO", "MARCO",
    "ALBERTO", "FERNANDO", "RICARDO", "PERCY", "ELMER", "WALTER", "HUGO", "FREDDY", "ALEX",
    "JHONATAN", "KEVIN", "BRAYAN", "ANTHONY", "SEBASTIÁN", "MATEO", "ALONSO", "RENZO", "ÓSCAR",
    "ÁNGEL", "DANIEL", "MANUEL", "FÉLIX", "TEODORO", "ALEXANDER", "GUSTAVO", "RONALD",
)  # fmt: skip
SURNAMES = (
    "QUISPE", "MAMANI", "HUAMÁN", "FLORES", "RODRÍGUEZ", "SÁNCHEZ", "GARCÍA", "ROJAS", "CHÁVEZ",
    "TORRES", "RAMÍREZ", "VARGAS", "MENDOZA", "CONDORI", "CASTILLO", "RAMOS", "LÓPEZ", "DÍAZ",
    "CRUZ", "GUTIÉRREZ", "ESPINOZA", "PÉREZ", "GONZÁLES", "HUANCA", "PAREDES", "VÁSQUEZ",
    "APAZA", "TICONA", "CCAHUANA", "YUPANQUI", "CHOQUE", "PUMA", "CUSI", "TTITO", "HUAYTA",
    "SALAZAR", "ROMERO", "MORALES", "REYES", "JIMÉNEZ", "NÚÑEZ", "LEÓN", "RÍOS", "CAMPOS",
    "ALVARADO", "CÓRDOVA", "INGA", "AQUINO", "PALOMINO", "ARÉVALO", "TAPULLIMA", "SHUPINGAHUA",
    "CUBAS", "VILLANUEVA", "DE LA CRUZ", "DEL ÁGUILA", "ZEGARRA", "CARDENAS", "LLANOS",
)  # fmt: skip
STREETS = (
    "AV. GRAU", "JR. TACNA", "CAL. LOS PINOS", "AV. BOLOGNESI", "JR. JUNÍN", "AV. TÚPAC AMARU",
    "JR. AYACUCHO", "CAL. SAN MARTÍN", "AV. LOS INCAS", "PSJE. LAS FLORES", "JR. HUÁNUCO",
    "AV. PERÚ", "CAL. REAL", "JR. MOQUEGUA", "AV. INDEPENDENCIA", "JR. AREQUIPA",
    "AV. JOSÉ CARLOS MARIÁTEGUI", "CAL. LAS BEGONIAS", "JR. CAHUIDE", "AV. AMAUTA",
)  # fmt: skip
MARITAL = (("SOLTERO", 50), ("CASADO", 32), ("CONVIVIENTE", 8), ("DIVORCIADO", 5), ("VIUDO", 5))
ACTIVITIES = (
    "4711 - VENTA AL POR MENOR EN COMERCIOS NO ESPECIALIZADOS CON PREDOMINIO DE LA VENTA DE "
    "ALIMENTOS, BEBIDAS O TABACO",
    "4782 - VENTA AL POR MENOR DE PRODUCTOS TEXTILES, PRENDAS DE VESTIR Y CALZADO EN PUESTOS DE "
    "VENTA Y MERCADOS",
    "5610 - ACTIVIDADES DE RESTAURANTES Y DE SERVICIO MÓVIL DE COMIDAS",
    "4922 - OTRAS ACTIVIDADES DE TRANSPORTE POR VÍA TERRESTRE",
    "4520 - MANTENIMIENTO Y REPARACIÓN DE VEHÍCULOS AUTOMOTORES",
    "6920 - ACTIVIDADES DE CONTABILIDAD, TENEDURÍA DE LIBROS Y AUDITORÍA; CONSULTORÍA FISCAL",
    "0111 - CULTIVO DE CEREALES (EXCEPTO ARROZ), LEGUMBRES Y SEMILLAS OLEAGINOSAS",
    "1410 - FABRICACIÓN DE PRENDAS DE VESTIR, EXCEPTO PRENDAS DE PIEL",
    "9602 - PELUQUERÍA Y OTROS TRATAMIENTOS DE BELLEZA",
    "4752 - VENTA AL POR MENOR DE ARTÍCULOS DE FERRETERÍA, PINTURAS Y PRODUCTOS DE VIDRIO EN "
    "COMERCIOS ESPECIALIZADOS",
)
COMPANY_ACTIVITIES = (
    "4100 - CONSTRUCCIÓN DE EDIFICIOS",
    "4923 - TRANSPORTE DE CARGA POR CARRETERA",
    "4630 - VENTA AL POR MAYOR DE ALIMENTOS, BEBIDAS Y TABACO",
    "0125 - CULTIVO DE OTROS FRUTOS Y NUECES DE ÁRBOLES Y ARBUSTOS",
    "6201 - PROGRAMACIÓN INFORMÁTICA",
    "5510 - ACTIVIDADES DE ALOJAMIENTO PARA ESTANCIAS CORTAS",
    "7110 - ACTIVIDADES DE ARQUITECTURA E INGENIERÍA Y ACTIVIDADES CONEXAS DE CONSULTORÍA TÉCNICA",
    "1071 - ELABORACIÓN DE PRODUCTOS DE PANADERÍA",
)
COMPANY_KINDS = (
    ("SOCIEDAD ANONIMA CERRADA", "S.A.C.", 55),
    ("EMPRESA INDIVIDUAL DE RESPONSABILIDAD LIMITADA", "E.I.R.L.", 25),
    ("SOCIEDAD COMERCIAL DE RESPONSABILIDAD LIMITADA", "S.R.L.", 12),
    ("SOCIEDAD ANONIMA", "S.A.", 8),
)
COMPANY_WORDS = (
    ("INVERSIONES", "CONSTRUCTORA", "COMERCIAL", "AGROINDUSTRIAS", "TRANSPORTES", "DISTRIBUIDORA",
     "CORPORACIÓN", "INDUSTRIAS", "SERVICIOS GENERALES", "CONSULTORES", "GRUPO", "NEGOCIACIONES"),
    ("ANDINA", "DEL SUR", "LOS ANDES", "SAN MARTÍN", "EL MILAGRO", "MACHU PICCHU", "RÍO SANTA",
     "PACHACÚTEC", "TITICACA", "MISTI", "SEÑOR DE HUANCA", "VIRGEN DE LA CANDELARIA", "AMAZÓNICA",
     "DEL NORTE", "HUASCARÁN", "CHAVÍN", "LAS DUNAS", "EL SOL", "NUEVA ESPERANZA", "CHINCHAYSUYO"),
)  # fmt: skip
# Public bodies of the mediator's directory, as SUNAT lists them.
PUBLIC_ENTITIES = (
    ("20168999926", "PRESIDENCIA DEL CONSEJO DE MINISTROS", "150101", "JR. CARABAYA S/N"),
    ("20295613620", "REGISTRO NACIONAL DE IDENTIFICACIÓN Y ESTADO CIVIL", "150101",
     "JR. BOLIVIA 109"),
    ("20551239692", "SUPERINTENDENCIA NACIONAL DE MIGRACIONES", "150116", "AV. ESPAÑA 734"),
    ("20131312955", "SUPERINTENDENCIA NACIONAL DE ADUANAS Y DE ADMINISTRACIÓN TRIBUTARIA",
     "150101", "AV. GARCILASO DE LA VEGA 1472"),
    ("20267073580", "SUPERINTENDENCIA NACIONAL DE LOS REGISTROS PÚBLICOS", "150122",
     "AV. PRIMAVERA 1878"),
    ("20131379944", "MINISTERIO DE TRANSPORTES Y COMUNICACIONES", "150101", "JR. ZORRITOS 1203"),
)  # fmt: skip
VEHICLES = (
    ("TOYOTA", "YARIS", "M1", 14),
    ("HYUNDAI", "ACCENT", "M1", 10),
    ("KIA", "RIO", "M1", 9),
    ("NISSAN", "SENTRA", "M1", 6),
    ("SUZUKI", "SWIFT", "M1", 6),
    ("CHEVROLET", "SAIL", "M1", 5),
    ("TOYOTA", "COROLLA", "M1", 6),
    ("TOYOTA", "HILUX", "N1", 8),
    ("MITSUBISHI", "L200", "N1", 4),
    ("TOYOTA", "HIACE", "M2", 3),
    ("HONDA", "CB190R", "L3", 6),
    ("BAJAJ", "PULSAR NS200", "L3", 5),
    ("BAJAJ", "RE 4S", "L5", 6),
    ("HYUNDAI", "H-1", "M2", 2),
    ("VOLVO", "FH 460", "N3", 2),
)
COLOURS = ("BLANCO", "GRIS PLATA", "NEGRO", "ROJO", "AZUL", "PLATA METÁLICO", "VERDE", "BEIGE")
# Driving licence categories (D.S. 007-2016-MTC): class, category, years between revalidations.
LICENCE_KINDS = (
    ("A", "I", 10, 60),
    ("A", "IIa", 5, 10),
    ("A", "IIb", 5, 10),
    ("A", "IIIa", 5, 4),
    ("A", "IIIb", 5, 3),
    ("A", "IIIc", 5, 3),
    ("B", "IIb", 5, 6),
    ("B", "IIc", 5, 4),
)
# Nationality of the carné holders of fake_people.py (which does not record it).
NATIONALITIES = {
    "001234567": "VENEZOLANA",
    "002345678": "COLOMBIANA",
    "003456789": "CHINA",
    "004567890": "VENEZOLANA",
    "005678901": "VENEZOLANA",
    "006789012": "FRANCESA",
}


def seed(registry: str) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """A fresh copy of one fake's records: {(registry name, version): [(uuid, record)]}.
    Raises KeyError for an unknown registry."""
    built = _build(registry)
    return {key: [(u, dict(r)) for u, r in rows] for key, rows in built.items()}


def records(registry: str, name: str) -> list[dict[str, Any]]:
    """The seeded records of one registry of one fake, e.g. records("sunarp", "vehiculos")."""
    for (registry_name, _version), rows in _build(registry).items():
        if registry_name == name:
            return [dict(r) for _u, r in rows]
    raise KeyError(f"{registry} holds no registry {name!r}")


@cache
def govstack_fixtures() -> dict[str, Any]:
    """GovStack's fixtures.json for the Digital Registries building block (a copy of
    ../shared/govstack/digital-registries/fixtures.json kept in this package)."""
    loaded: dict[str, Any] = json.loads(GOVSTACK_FIXTURES.read_text(encoding="utf-8"))
    return loaded


def record_uuid(registry: str, name: str, record_id: str) -> str:
    """The stable uuid of a seeded record (read-value takes it, or the ID)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ventanilla:{registry}/{name}/{record_id}"))


@cache
def _build(registry: str) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    if registry == "govstack":
        return _govstack()
    specs = REGISTRIES[registry]
    people = _people()
    built: dict[str, list[dict[str, Any]]]
    if registry == "reniec":
        built = {"personas": people}
    elif registry == "migraciones":
        built = {"extranjeros": _extranjeros()}
    elif registry == "sunat":
        built = {"contribuyentes": _contribuyentes(people)}
    elif registry == "sunarp":
        built = _sunarp(people)
    else:
        built = {"licencias": _licencias(people)}
    return {
        (spec.name, spec.version): [
            (record_uuid(registry, spec.name, r["ID"]), r) for r in built[spec.name]
        ]
        for spec in specs
    }


def _govstack() -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    out: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for registry in govstack_fixtures()["registries"]:
        rows = [
            (r["uuid"], {field: r[field] for field in GOVSTACK_FIELDS}) for r in registry["records"]
        ]
        out[(registry["registryName"], registry["version"])] = rows
    return out


def _weighted[T](rng: random.Random, choices: tuple[tuple[T, int], ...]) -> T:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _sex(given_names: str) -> str:
    return "F" if given_names.split()[0] in FEMALE_NAMES else "M"


def _full_name(person: dict[str, Any]) -> str:
    """As SUNAT and SUNARP write a person: surnames first."""
    parts = (person["ApellidoPaterno"], person["ApellidoMaterno"], person["Prenombres"])
    return " ".join(p for p in parts if p)


@cache
def _people() -> list[dict[str, Any]]:
    """RENIEC's personas: fake_people.py's DNI holders first, then the synthetic population."""
    people = [_persona(r) for r in RECORDS if r.document_type == "dni"]
    taken = {p["ID"] for p in people} | {UNKNOWN_DNI}
    rng = random.Random(_SEED)  # noqa: S311 - made-up data, not secrets
    today = date.today()
    target = len(people) + POPULATION
    while len(people) < target:
        dni = f"{rng.randint(1_000_000, 79_999_999):08d}"
        if dni in taken:
            continue
        taken.add(dni)
        female = rng.random() < 0.51
        names = FEMALE_NAMES if female else MALE_NAMES
        given = " ".join(rng.sample(names, 2 if rng.random() < 0.6 else 1))
        born = _date_between(rng, date(1935, 1, 1), date(2020, 12, 31))
        age = today.year - int(born[:4])
        roll = rng.random()
        restriction = "FALLECIMIENTO" if roll < 0.01 else "CANCELADO" if roll < 0.013 else ""
        people.append(
            {
                "ID": dni,
                "Prenombres": given,
                "ApellidoPaterno": rng.choice(SURNAMES),
                "ApellidoMaterno": rng.choice(SURNAMES) if rng.random() < 0.97 else "",
                "FechaNacimiento": born,
                "Sexo": "F" if female else "M",
                "EstadoCivil": "SOLTERO" if age < 18 else _weighted(rng, MARITAL),
                "UbigeoDomicilio": _weighted(rng, DISTRICTS),
                "Direccion": _address(rng),
                "Restriccion": restriction,
            }
        )
    return people


def _persona(record: Record) -> dict[str, Any]:
    return {
        "ID": record.number,
        "Prenombres": record.given_names,
        "ApellidoPaterno": record.first_surname,
        "ApellidoMaterno": record.second_surname,
        "FechaNacimiento": record.born.isoformat(),
        "Sexo": _sex(record.given_names),
        "EstadoCivil": record.marital_status or "SOLTERO",
        "UbigeoDomicilio": RESIDENCE_UBIGEO[record.residence],
        "Direccion": record.address,
        "Restriccion": record.restriction,
    }


def _address(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"MZ. {rng.choice('ABCDEFGHJKLM')} LT. {rng.randint(1, 30)} AA.HH. " + rng.choice(
            ("LOS ÁNGELES", "SAN JUAN", "VILLA HERMOSA", "NUEVO PROGRESO", "JOSÉ OLAYA")
        )
    street = f"{rng.choice(STREETS)} {rng.randint(1, 40) * 10 + rng.randint(0, 9)}"
    return street + (f" DPTO {rng.randint(1, 6)}0{rng.randint(1, 4)}" if rng.random() < 0.2 else "")


def _adults(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cutoff = date.today().replace(year=date.today().year - 18, day=1).isoformat()
    return [p for p in people if p["FechaNacimiento"] <= cutoff and not p["Restriccion"]]


def _extranjeros() -> list[dict[str, Any]]:
    return [
        {
            "ID": r.number,
            "Nombres": r.given_names,
            "PrimerApellido": r.first_surname,
            "SegundoApellido": r.second_surname,
            "FechaNacimiento": r.born.isoformat(),
            "Nacionalidad": NATIONALITIES.get(r.number, "VENEZOLANA"),
            "CalidadMigratoria": r.migratory_status,
        }
        for r in RECORDS
        if r.document_type == "ce" and r.number != UNKNOWN_FOREIGN_CARD
    ]


def _ruc(prefix: str, body: str) -> str:
    return prefix + body + pe_ruc.calc_check_digit(prefix + body)


def _contribuyentes(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rng = random.Random(_SEED + 1)  # noqa: S311 - made-up data, not secrets
    by_dni = {p["ID"]: p for p in people}
    demo = by_dni[DEMO_CITIZEN_DNI]
    out = [
        {
            "ID": DEMO_CITIZEN_RUC,
            "RazonSocial": _full_name(demo),
            "Tipo": "PERSONA NATURAL CON NEGOCIO",
            "Estado": "ACTIVO",
            "Condicion": "HABIDO",
            "DomicilioFiscal": demo["Direccion"],
            "UbigeoFiscal": demo["UbigeoDomicilio"],
            "ActividadEconomica": ACTIVITIES[1],
            "FechaInscripcion": "2014-03-12",
            "DNI": DEMO_CITIZEN_DNI,
        }
    ]
    for ruc, name, ubigeo, address in PUBLIC_ENTITIES:
        out.append(
            {
                "ID": ruc,
                "RazonSocial": name,
                "Tipo": "GOBIERNO CENTRAL",
                "Estado": "ACTIVO",
                "Condicion": "HABIDO",
                "DomicilioFiscal": address,
                "UbigeoFiscal": ubigeo,
                "ActividadEconomica": "8411 - ACTIVIDADES DE LA ADMINISTRACIÓN PÚBLICA EN GENERAL",
                "FechaInscripcion": "1993-01-04",
                "DNI": "",
            }
        )
    for person in _adults(people):
        if person["ID"] == DEMO_CITIZEN_DNI or rng.random() > 0.4:
            continue
        business = rng.random() < 0.6
        roll = rng.random()
        state = (
            "ACTIVO" if roll < 0.85 else "SUSPENSION TEMPORAL" if roll < 0.93 else "BAJA DE OFICIO"
        )
        out.append(
            {
                "ID": _ruc("10", person["ID"]),
                "RazonSocial": _full_name(person),
                "Tipo": "PERSONA NATURAL CON NEGOCIO"
                if business
                else "PERSONA NATURAL SIN NEGOCIO",
                "Estado": state,
                "Condicion": "HABIDO"
                if rng.random() < 0.9
                else rng.choice(("NO HABIDO", "NO HALLADO")),
                "DomicilioFiscal": person["Direccion"],
                "UbigeoFiscal": person["UbigeoDomicilio"],
                "ActividadEconomica": rng.choice(ACTIVITIES) if business else "",
                "FechaInscripcion": _date_between(rng, date(2000, 1, 1), date(2025, 6, 30)),
                "DNI": person["ID"],
            }
        )
    names: set[str] = {r["RazonSocial"] for r in out}
    numbers: set[str] = {r["ID"] for r in out}
    companies = 0
    while companies < COMPANIES:
        kind, suffix, _w = rng.choices(COMPANY_KINDS, weights=[k[2] for k in COMPANY_KINDS])[0]
        name = f"{rng.choice(COMPANY_WORDS[0])} {rng.choice(COMPANY_WORDS[1])} {suffix}"
        ruc = _ruc("20", f"{rng.randint(10_000_000, 61_999_999):08d}")
        if name in names or ruc in numbers:
            continue
        names.add(name)
        numbers.add(ruc)
        companies += 1
        ubigeo = _weighted(rng, DISTRICTS)
        out.append(
            {
                "ID": ruc,
                "RazonSocial": name,
                "Tipo": kind,
                "Estado": "ACTIVO" if rng.random() < 0.9 else "BAJA DEFINITIVA",
                "Condicion": "HABIDO" if rng.random() < 0.92 else "NO HABIDO",
                "DomicilioFiscal": _address(rng),
                "UbigeoFiscal": ubigeo,
                "ActividadEconomica": rng.choice(COMPANY_ACTIVITIES),
                "FechaInscripcion": _date_between(rng, date(1995, 1, 1), date(2025, 6, 30)),
                "DNI": "",
            }
        )
    return out


def _date_between(rng: random.Random, start: date, end: date) -> str:
    return date.fromordinal(rng.randint(start.toordinal(), end.toordinal())).isoformat()


def _plate(rng: random.Random) -> str:
    letters = "ABCDFGHJKMPRSTUVWXYZ"
    middle = rng.choice(letters + "0123456789")
    return f"{rng.choice(letters)}{middle}{rng.choice(letters)}{rng.randint(100, 999)}"


def _sunarp(people: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(_SEED + 2)  # noqa: S311 - made-up data, not secrets
    by_dni = {p["ID"]: p for p in people}
    demo = by_dni[DEMO_CITIZEN_DNI]
    vehicles = [
        {
            "ID": DEMO_CITIZEN_PLATE,
            "Marca": "TOYOTA",
            "Modelo": "HILUX",
            "Anio": 2019,
            "Color": "BLANCO",
            "Categoria": "N1",
            "Propietario": _full_name(demo),
            "PropietarioDocumento": DEMO_CITIZEN_DNI,
            "Estado": "EN CIRCULACION",
        }
    ]
    predios = [
        {
            "ID": DEMO_CITIZEN_PREDIO,
            "Direccion": demo["Direccion"],
            "Ubigeo": demo["UbigeoDomicilio"],
            "AreaM2": 96.5,
            "Titular": _full_name(demo),
            "TitularDocumento": DEMO_CITIZEN_DNI,
        }
    ]
    plates = {DEMO_CITIZEN_PLATE}
    partidas = {DEMO_CITIZEN_PREDIO}
    owners = [p for p in _adults(people) if p["ID"] != DEMO_CITIZEN_DNI]
    for owner in rng.sample(owners, 800):
        plate = _plate(rng)
        if plate in plates:
            continue
        plates.add(plate)
        make, model, category, _w = rng.choices(VEHICLES, weights=[v[3] for v in VEHICLES])[0]
        vehicles.append(
            {
                "ID": plate,
                "Marca": make,
                "Modelo": model,
                "Anio": rng.randint(1998, 2025),
                "Color": rng.choice(COLOURS),
                "Categoria": category,
                "Propietario": _full_name(owner),
                "PropietarioDocumento": owner["ID"],
                "Estado": "EN CIRCULACION" if rng.random() < 0.95 else "BAJA DEFINITIVA",
            }
        )
    for owner in rng.sample(owners, 400):
        partida = f"1{rng.randint(1_000_000, 9_999_999)}"
        if partida in partidas:
            continue
        partidas.add(partida)
        predios.append(
            {
                "ID": partida,
                "Direccion": owner["Direccion"],
                "Ubigeo": owner["UbigeoDomicilio"],
                "AreaM2": round(rng.uniform(60, 600), 2),
                "Titular": _full_name(owner),
                "TitularDocumento": owner["ID"],
            }
        )
    return {"vehiculos": vehicles, "predios": predios}


def _licencias(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rng = random.Random(_SEED + 3)  # noqa: S311 - made-up data, not secrets
    today = date.today()
    out = [
        {
            "ID": DEMO_CITIZEN_LICENCE,
            "DNI": DEMO_CITIZEN_DNI,
            "Clase": "A",
            "Categoria": "IIb",
            "FechaExpedicion": "2021-08-16",
            # Far enough ahead that the demo's licence stays valid for years of demos.
            "FechaRevalidacion": "2036-08-16",
            "Estado": "VIGENTE",
            "Puntos": 0,
        }
    ]
    drivers = [p for p in _adults(people) if p["ID"] != DEMO_CITIZEN_DNI]
    for driver in rng.sample(drivers, 700):
        licence_class, category, years, _w = rng.choices(
            LICENCE_KINDS, weights=[k[3] for k in LICENCE_KINDS]
        )[0]
        issued = date.fromisoformat(_date_between(rng, date(2012, 1, 1), today))
        revalidation = issued.replace(year=issued.year + years, day=min(issued.day, 28))
        points = rng.choice((0, 0, 0, 0, 5, 10, 20, 35, 50, 75, 100))
        roll = rng.random()
        if roll < 0.02:
            state = "CANCELADA"
        elif points >= 100:
            state = "SUSPENDIDA"
        elif revalidation < today:
            state = "VENCIDA"
        else:
            state = "VIGENTE"
        surname = driver["ApellidoPaterno"]
        out.append(
            {
                "ID": (surname[0] if surname[0].isascii() else "A") + driver["ID"],
                "DNI": driver["ID"],
                "Clase": licence_class,
                "Categoria": category,
                "FechaExpedicion": issued.isoformat(),
                "FechaRevalidacion": revalidation.isoformat(),
                "Estado": state,
                "Puntos": points,
            }
        )
    return out
