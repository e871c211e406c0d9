"""The record schemas of the Peruvian registries behind the mediator (issue 6 contracts: the
fields are fixed), as OpenAPI 3.0 schemas that take the place of the Digital Registries
template's `Example`."""

from typing import Any

_DATE = {"type": "string", "format": "date"}


def _s(description: str, example: Any, **extra: Any) -> dict[str, Any]:
    kind = (
        "integer"
        if isinstance(example, int)
        else "number"
        if isinstance(example, float)
        else "string"
    )
    return {"type": kind, "description": description, "example": example, **extra}


def _date(description: str, example: str) -> dict[str, Any]:
    return {**_DATE, "description": description, "example": example}


# service code → (schema name, title, description, properties)
RECORDS: dict[str, tuple[str, str, str, dict[str, dict[str, Any]]]] = {
    "personas": (
        "Persona",
        "RENIEC · Registro de personas (DNI)",
        "Datos de identidad de una persona inscrita en el RENIEC, por número de DNI.",
        {
            "ID": _s("Número de DNI (8 dígitos)", "45678912", pattern=r"^\d{8}$"),
            "Prenombres": _s("Prenombres", "MARÍA ELENA"),
            "ApellidoPaterno": _s("Apellido paterno", "QUISPE"),
            "ApellidoMaterno": _s("Apellido materno", "HUAMÁN"),
            "FechaNacimiento": _date("Fecha de nacimiento", "1990-05-14"),
            "Sexo": _s("Sexo", "F", enum=["M", "F"]),
            "EstadoCivil": _s("Estado civil", "SOLTERO"),
            "UbigeoDomicilio": _s("Ubigeo del domicilio (6 dígitos)", "120101", pattern=r"^\d{6}$"),
            "Direccion": _s("Dirección del domicilio", "JR. AYACUCHO 123"),
            "Restriccion": _s(
                "Restricción del DNI (FALLECIMIENTO, CANCELADO…); vacío si no tiene", ""
            ),
        },
    ),
    "extranjeros": (
        "Extranjero",
        "Migraciones · Registro de extranjeros (carné de extranjería)",
        "Datos de una persona extranjera residente, por número de carné de extranjería.",
        {
            "ID": _s("Número de carné de extranjería (9 dígitos)", "001234567", pattern=r"^\d{9}$"),
            "Nombres": _s("Nombres", "ANA SOFÍA"),
            "PrimerApellido": _s("Primer apellido", "PÉREZ"),
            "SegundoApellido": _s("Segundo apellido", "GÓMEZ"),
            "FechaNacimiento": _date("Fecha de nacimiento", "1988-02-03"),
            "Nacionalidad": _s("Nacionalidad", "VENEZOLANA"),
            "CalidadMigratoria": _s("Calidad migratoria", "RESIDENTE"),
        },
    ),
    "contribuyentes": (
        "Contribuyente",
        "SUNAT · Padrón de contribuyentes (RUC)",
        "Datos de un contribuyente inscrito en el RUC.",
        {
            "ID": _s("Número de RUC (11 dígitos)", "10456789123", pattern=r"^\d{11}$"),
            "RazonSocial": _s("Nombre o razón social", "QUISPE HUAMÁN MARÍA ELENA"),
            "Tipo": _s("Tipo de contribuyente", "PERSONA NATURAL CON NEGOCIO"),
            "Estado": _s("Estado del contribuyente", "ACTIVO"),
            "Condicion": _s("Condición del domicilio fiscal", "HABIDO"),
            "DomicilioFiscal": _s("Domicilio fiscal", "JR. AYACUCHO 123"),
            "UbigeoFiscal": _s("Ubigeo del domicilio fiscal", "120101", pattern=r"^\d{6}$"),
            "ActividadEconomica": _s("Actividad económica principal", "VENTA AL POR MENOR"),
            "FechaInscripcion": _date("Fecha de inscripción en el RUC", "2015-03-10"),
            "DNI": _s("DNI del titular (personas naturales); vacío para empresas", "45678912"),
        },
    ),
    "vehiculos": (
        "Vehiculo",
        "SUNARP · Registro de propiedad vehicular",
        "Datos de un vehículo inscrito, por número de placa (sin guion).",
        {
            "ID": _s("Placa, sin guion", "ABC123", pattern=r"^[A-Z0-9]{5,7}$"),
            "Marca": _s("Marca", "TOYOTA"),
            "Modelo": _s("Modelo", "YARIS"),
            "Anio": _s("Año de fabricación", 2019),
            "Color": _s("Color", "ROJO"),
            "Categoria": _s("Categoría", "M1"),
            "Propietario": _s("Nombre del propietario", "QUISPE HUAMÁN MARÍA ELENA"),
            "PropietarioDocumento": _s("DNI del propietario", "45678912"),
            "Estado": _s("Estado de la inscripción", "EN CIRCULACIÓN"),
        },
    ),
    "predios": (
        "Predio",
        "SUNARP · Registro de predios",
        "Datos de un predio inscrito, por número de partida registral.",
        {
            "ID": _s("Número de partida registral", "11012345"),
            "Direccion": _s("Dirección del predio", "AV. GIRÁLDEZ 456"),
            "Ubigeo": _s("Ubigeo del predio", "120101", pattern=r"^\d{6}$"),
            "AreaM2": _s("Área en metros cuadrados", 120.5),
            "Titular": _s("Nombre del titular", "QUISPE HUAMÁN MARÍA ELENA"),
            "TitularDocumento": _s("DNI del titular", "45678912"),
        },
    ),
    "licencias": (
        "Licencia",
        "MTC · Registro de licencias de conducir",
        "Datos de una licencia de conducir, por número de licencia.",
        {
            "ID": _s("Número de licencia", "Q45678912"),
            "DNI": _s("DNI del titular", "45678912"),
            "Clase": _s("Clase", "A"),
            "Categoria": _s("Categoría", "IIb"),
            "FechaExpedicion": _date("Fecha de expedición", "2021-06-01"),
            "FechaRevalidacion": _date("Fecha de revalidación", "2031-06-01"),
            "Estado": _s("Estado de la licencia", "VIGENTE"),
            "Puntos": _s("Puntos acumulados por infracciones", 0),
        },
    ),
}
