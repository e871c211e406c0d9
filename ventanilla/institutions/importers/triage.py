"""Which transparency-portal entities are public bodies. Many "entities" of the portal are the
office that publishes for a body (its IT or statistics office, "Área de Informática (AI -
DREUCAYALI)") or a school; the directory lists bodies only, so those are left out, each with
its reason in the load report."""

import re
from enum import StrEnum

from ventanilla.core.text import fold_words


class Nature(StrEnum):
    BODY = "body"  # its name names a kind of public body
    OFFICE = "office"  # an internal office of a body
    SCHOOL = "school"  # a school: part of its UGEL, not a body of its own
    UNKNOWN = "unknown"  # nothing in the name says what it is


_PARENS = re.compile(r"\([^)]*\)?")

# Bodies whose name starts with a word that is also an office's ("Oficina Nacional de…").
_BODY_HEAD = re.compile(
    r"^(oficina (nacional|regional( \w+)? (de )?(inpe|lima|norte|sur|oriente|centro|chiclayo))"
    r"|unidad (ejecutora|de gestion( educa\w*)? local|degestion|gestion educativa"
    r"|territorial de salud)"
    r"|gerencia (sub ?regional|territorial|regional de (educacion|salud|agricultura|transportes?"
    r"|trabajo|desarrollo|energia|produccion|comercio|vivienda))"
    r"|direccion (sub ?regional|regional|de red|de redes|de salud|general del servicio)"
    r"|secretaria (tecnica|de seguridad)|centro (nacional|vacacional|de gestion tributaria)"
    r"|servicio (de administracion|de agua|nacional|de mantenimiento|de parques)"
    r"|intendencia nacional de bomberos)"
)
# The head of an internal office: "Área de…", "Oficina de…", "Sub Gerencia de…", "Equipo…".
_OFFICE_HEAD = re.compile(
    r"^(area|oficina|of|ofic|unidad|sub ?unidad|division|departamento|dpto|gerencia|sub ?gerencia"
    r"|sub|subgerente|sub gerente|jefatura|coordinacion|equipo|grupo funcional|secretaria"
    r"|secretaira|especialista|direccion (general )?de (informatica|estadistica|telematica"
    r"|telecomunicaciones|sistemas|tecnolog|registros|planeamiento|red de salud pacifico)"
    r"|direccion de informatica|sub ?direccion|nodo|en proceso de creacion)\b"
)
# What an office does: found anywhere in a name that has no body's head.
_OFFICE_TOPIC = re.compile(
    r"\b(informatica|informaticos?|sistemas?|estadistica|computo|computacion|telematica"
    r"|telecomunicaciones|soporte|tecnologias? (de )?(la )?informacion|tecnologia"
    r"|imagen institucional|relaciones publicas|planeamiento|planificacion|presupuesto"
    r"|racionalizacion|administracion|logistica|abastecimiento|remuneraciones|secretaria general"
    r"|gobierno (electronico|digital)|portal web|procesos|fiscalizacion|informacion publica"
    r"|desarrollo institucional|desarrollo informatico|centro de informacion)\b"
)
_SCHOOL = re.compile(
    r"^(i ?e|i ?e ?i|i ?e ?p|i ?e ?e|iei|iep|ie|instucion educativa|institucion educativa"
    r"|colegio|ceba|cebe|cetpro|cuna|jardin|centro piloto)\b|^(n|no|nro|i ?e ?n ?o?)? ?\d"
)
# A name that names a kind of public body.
_BODY = re.compile(
    r"\b(ministerio|municipalidad|gobierno (regional|local)|hospital|instituto|red (de )?salud"
    r"|red asistencial|red desconcentrada|red (de )?servicios de (s|salud)|redes integradas"
    r"|diresa|disa|diris|geresa|ugel|unidad (de ?)?gestion|unidad degestion"
    r"|direccion (sub ?)?regional|direccion de salud"
    r"|gerencia (sub ?)?regional|gerencia territorial|universidad|programa|proyecto|plan copesco"
    r"|empresa|entidad prestadora|eps|s ?a ?c?|s ?a ?a|s ?r ?l|sociedad anonima|caja municipal"
    r"|caja de municipal|banco|corporacion|fondo|superintendencia|intendencia|autoridad"
    r"|organismo|servicio|sociedad de beneficencia|beneficencia|zona registral"
    r"|zona especial de desarrollo|corte superior|poder judicial|consejo|comision|comite"
    r"|secretaria tecnica|secretaria de seguridad|despacho presidencial|patronato|archivo"
    r"|biblioteca|centro vacacional|academia|escuela|iesp|iespp|iestp|eesp|eespp|embajada"
    r"|consulado|unidad ejecutora|u ?e|unidad territorial|centro nacional"
    r"|centro de gestion tributaria"
    r"|utes|oficina nacional|oficina regional|sierra y selva exportadora|federacion"
    r"|sistema metropolitano|aeropuertos|agencia|seguro social)\b"
)


def plain_name(name: str) -> str:
    """The folded name without its parentheses: what the rules read."""
    return fold_words(_PARENS.sub(" ", name))


# Heads that make a name a body even when it speaks of systems or administration.
_STRONG_HEAD = re.compile(
    r"^(fondo|sistema metropolitano|comite|autoridad|u ?e ?\d|ue\d|empresa|entidad prestadora"
    r"|instituto nacional|ministerio|universidad|programa|proyecto|red de salud|banco|caja"
    r"|superintendencia|organismo|servicio de agua|municipalidad|gobierno|hospital|sociedad)\b"
)
# Offices (or not even that: a register, an evaluation) whose head reads like a body's.
_OFFICE_FIRST = re.compile(
    r"^(direccion sub regional de programacion|inhabilitaciones|evaluacion del nivel"
    r"|centro nacional de datos|direccion del sistema nacional de informacion)"
)


def nature_of(name: str) -> Nature:
    """What a portal name says the entity is (see the module docstring)."""
    text = plain_name(name)
    if _OFFICE_FIRST.match(text):
        return Nature.OFFICE
    if _SCHOOL.search(text) and not _BODY_HEAD.match(text):
        return Nature.SCHOOL
    if not _BODY_HEAD.match(text):
        if _OFFICE_HEAD.match(text):
            return Nature.OFFICE
        if _OFFICE_TOPIC.search(text) and not _STRONG_HEAD.match(text):
            return Nature.OFFICE
    if _BODY.search(text):
        return Nature.BODY
    return Nature.UNKNOWN
