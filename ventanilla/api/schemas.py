"""The shapes the API answers with. Descriptions are Spanish: they are the public documentation."""

from datetime import date, datetime

from ninja import Field, Schema

DECIMAL_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"


class ErrorOut(Schema):
    detail: str = Field(
        description="Qué salió mal, en español.",
        examples=["No existe un trámite con el identificador «999»."],
    )


class FieldError(Schema):
    loc: list[str | int] = Field(
        description="Dónde está el error: la fuente y el nombre del parámetro.",
        examples=[["query", "page_size"]],
    )
    field: str = Field(description="El parámetro con el valor inválido.", examples=["page_size"])
    message: str = Field(
        description="Qué tiene de malo el valor, en español.",
        examples=["Debe ser menor o igual que 100."],
    )
    type: str = Field(description="Código del error, estable.", examples=["less_than_equal"])


class ValidationErrorOut(Schema):
    detail: str = Field(
        description="Resumen en español de los parámetros inválidos.",
        examples=["El parámetro «page_size» no es válido: debe ser menor o igual que 100."],
    )
    errors: list[FieldError] = Field(description="Un elemento por cada parámetro inválido.")


# --- Pages -------------------------------------------------------------------------------


class PageMeta(Schema):
    count: int = Field(description="Total de resultados que cumplen los filtros.", examples=[3474])
    page: int = Field(description="Número de esta página (desde 1).", examples=[1])
    page_size: int = Field(description="Resultados por página (máximo 100).", examples=[20])
    next: str | None = Field(
        description="Dirección absoluta de la página siguiente, o null si es la última.",
        examples=["http://127.0.0.1:8000/api/v1/institutions?page=2"],
    )
    previous: str | None = Field(
        description="Dirección absoluta de la página anterior, o null si es la primera.",
        examples=[None],
    )
    messages: list[str] = Field(
        description=(
            "Avisos sobre los filtros, en español: por ejemplo, un valor que no existe. "
            "Cuando hay avisos, la lista de resultados viene vacía."
        ),
        examples=[["El departamento «99» no existe."]],
    )


# --- Institutions ------------------------------------------------------------------------


class Place(Schema):
    code: str = Field(description="Código UBIGEO del INEI.", examples=["15"])
    name: str = Field(description="Nombre oficial.", examples=["Lima"])


class Location(Schema):
    department: Place | None = Field(description="Departamento (2 dígitos), o null.")
    province: Place | None = Field(description="Provincia (4 dígitos), o null.")
    district: Place | None = Field(description="Distrito (6 dígitos), o null.")


class InstitutionRef(Schema):
    slug: str = Field(
        description="Identificador de la institución (el de gob.pe).", examples=["reniec"]
    )
    name: str = Field(examples=["Registro Nacional de Identificación y Estado Civil"])
    acronym: str = Field(description="Siglas; cadena vacía si no tiene.", examples=["RENIEC"])


class InstitutionItem(Schema):
    id: str = Field(description="Identificador estable: el slug de gob.pe.", examples=["reniec"])
    slug: str = Field(description="El mismo slug de gob.pe (gob.pe/institucion/<slug>).")
    name: str = Field(description="Nombre oficial.", examples=["Ministerio de Salud"])
    acronym: str = Field(description="Siglas; cadena vacía si no tiene.", examples=["MINSA"])
    level: str = Field(
        description="Nivel de gobierno: national, regional o local.", examples=["national"]
    )
    level_label: str = Field(description="Nivel de gobierno en español.", examples=["Nacional"])
    kind: str = Field(
        description="Tipo de institución (ministry, public_agency, district_municipality…).",
        examples=["ministry"],
    )
    kind_label: str = Field(description="Tipo de institución en español.", examples=["Ministerio"])
    ruc: str = Field(description="RUC (11 dígitos); cadena vacía si no se conoce.", examples=[""])
    url: str = Field(
        description="Dirección absoluta de la página de la institución en el portal.",
        examples=["http://127.0.0.1:8000/institucion/minsa/"],
    )
    api_url: str = Field(
        description="Dirección absoluta de esta institución en la API.",
        examples=["http://127.0.0.1:8000/api/v1/institutions/minsa"],
    )
    location: Location = Field(description="Dónde está su sede: departamento, provincia, distrito.")


class InstitutionPage(PageMeta):
    results: list[InstitutionItem]


class Contact(Schema):
    kind: str = Field(
        description="website, phone, email, address, front_desk o complaints.", examples=["phone"]
    )
    kind_label: str = Field(description="Tipo de canal en español.", examples=["Teléfono"])
    value: str = Field(examples=["(01) 315-4000"])
    label: str = Field(description="Etiqueta; cadena vacía si no tiene.", examples=["Central"])


class InstitutionDetail(InstitutionItem):
    branch: str = Field(description="Poder del Estado; cadena vacía si no se conoce.")
    branch_label: str = Field(description="Poder del Estado en español.")
    description: str = Field(description="Qué hace la institución.")
    sector: str = Field(description="Sector al que pertenece; cadena vacía si no se conoce.")
    gobpe_url: str = Field(
        description="Su página en gob.pe; cadena vacía si solo se conoce por el Portal de "
        "Transparencia.",
        examples=["https://www.gob.pe/institucion/minsa"],
    )
    contacts: list[Contact] = Field(description="Canales de contacto, en orden.")
    procedures_api_url: str = Field(
        description="Dirección absoluta de sus trámites en la API.",
        examples=["http://127.0.0.1:8000/api/v1/procedures?institution=minsa"],
    )
    updated_at: datetime = Field(description="Última modificación del registro.")


# --- Procedures --------------------------------------------------------------------------


class ProcedureItem(Schema):
    id: int = Field(
        description="Número del trámite: el id de su página en gob.pe cuando existe allí "
        "(gob.pe/<id>); 900000 o más para los que gob.pe no tiene.",
        examples=[224],
    )
    code: str | None = Field(
        description="Código de la ficha curada (P001…), o null.", examples=["P001"]
    )
    title: str = Field(examples=["Solicitar duplicado de DNI"])
    kind: str = Field(
        description="procedure (trámite), service (servicio), guidance (orientación) o page.",
        examples=["procedure"],
    )
    kind_label: str = Field(description="Tipo en español.", examples=["Trámite"])
    url: str = Field(
        description="Dirección absoluta de su página en el portal.",
        examples=["http://127.0.0.1:8000/tramites/224-solicitar-duplicado-de-dni/"],
    )
    api_url: str = Field(
        description="Dirección absoluta de su ficha completa en la API.",
        examples=["http://127.0.0.1:8000/api/v1/procedures/224"],
    )
    institution: InstitutionRef | None = Field(description="Institución responsable, o null.")
    fee_amount: str | None = Field(
        description='Costo en soles como decimal en texto ("0.00" si es gratuito), o null si '
        "no se conoce.",
        pattern=DECIMAL_PATTERN,
        examples=["30.00"],
    )
    has_detail: bool = Field(
        description="Verdadero si tiene ficha completa; falso si del catálogo de gob.pe solo se "
        "conoce el título."
    )


class ProcedurePage(PageMeta):
    results: list[ProcedureItem]


class ProcedureChannel(Schema):
    kind: str = Field(description="online, in_person o phone.", examples=["online"])
    kind_label: str = Field(description="Canal en español.", examples=["En línea"])
    description: str
    url: str = Field(description="Dirección del canal; cadena vacía si no tiene.")
    steps: list[str] = Field(description="Pasos a seguir por este canal, en orden.")


class ProcedureSection(Schema):
    heading: str = Field(description="Título de la sección; puede estar vacío.")
    items: list[str] = Field(description="Párrafos o elementos de lista, en orden.")


class TopicRef(Schema):
    slug: str = Field(examples=["identidad"])
    name: str = Field(examples=["Identidad y documentos"])
    url: str = Field(description="Dirección absoluta de la página del tema en el portal.")


class ProcedureSource(Schema):
    url: str = Field(description="De dónde vienen los datos; cadena vacía si no se conoce.")
    type: str = Field(description="Tipo de fuente.", examples=["gobpe_ficha"])
    checked_on: date | None = Field(description="Fecha en que se verificó la fuente, o null.")


class ProcedureDetail(ProcedureItem):
    slug: str = Field(examples=["solicitar-duplicado-de-dni"])
    summary: str = Field(description="Qué es.")
    audience: str = Field(description="Quién puede solicitarlo.")
    requirements: list[str] = Field(description="Requisitos, en orden.")
    is_free: bool = Field(description="Verdadero si el costo conocido es cero.")
    fee_detail: str = Field(description="Detalle del costo (tarifas, códigos de pago).")
    time_limit: str = Field(description="Plazo legal o habitual.", examples=["10 días hábiles"])
    validity: str = Field(description="Vigencia del resultado.", examples=["8 años"])
    tupa_code: str = Field(description="Código en el TUPA de la institución; vacío si no se sabe.")
    online_url: str = Field(
        description="Dónde iniciar el trámite en línea; cadena vacía si no se puede."
    )
    gobpe_url: str = Field(description="Su página en gob.pe; cadena vacía si no existe.")
    channels: list[ProcedureChannel] = Field(description="Canales de atención con sus pasos.")
    sections: list[ProcedureSection] = Field(description="Más contenido de la ficha, en orden.")
    topics: list[TopicRef] = Field(description="Temas a los que pertenece.")
    source: ProcedureSource
    updated_at: datetime = Field(description="Última modificación del registro.")


# --- Search ------------------------------------------------------------------------------


class SearchInstitution(Schema):
    id: int = Field(description="Identificador interno de la institución.", examples=[12])
    slug: str = Field(description="Identificador de la institución (el de gob.pe).")
    name: str = Field(examples=["Registro Nacional de Identificación y Estado Civil"])
    acronym: str = Field(description="Siglas; cadena vacía si no tiene.", examples=["RENIEC"])


class SearchHit(Schema):
    type: str = Field(
        description="Qué es: procedure (trámite o servicio), institution, topic (tema) o "
        "life_event (hecho de vida).",
        examples=["procedure"],
    )
    id: int = Field(
        description="Identificador interno del elemento dentro de su tipo (no es el número "
        "de gob.pe: para la ficha de un trámite use `url` o `code`).",
        examples=[224],
    )
    code: str | None = Field(
        description="Código de la ficha curada de un trámite (P001…), o null.", examples=["P001"]
    )
    title: str = Field(examples=["Solicitar duplicado de DNI"])
    url: str = Field(
        description="Dirección absoluta de su página en el portal.",
        examples=["http://127.0.0.1:8000/tramites/224-solicitar-duplicado-de-dni/"],
    )
    institution: SearchInstitution | None = Field(
        description="Institución responsable, o null (siempre null para las instituciones)."
    )
    snippet: str = Field(
        description="Fragmento del texto en HTML: las palabras buscadas van entre "
        "<mark> y </mark>, y todo lo demás viene escapado (&lt;, &amp;…), así que se puede "
        "insertar tal cual en una página. Cadena vacía si no hay texto.",
        examples=["Trámite para obtener el <mark>duplicado</mark> del <mark>DNI</mark>…"],
    )
    summary: str = Field(description="Resumen en texto plano (hasta 300 caracteres).")
    subtype: str = Field(
        description="Subtipo: para trámites procedure, service, guidance o page; para "
        "instituciones su tipo (ministry, public_agency…).",
        examples=["procedure"],
    )
    subtype_label: str = Field(description="Subtipo en español.", examples=["Trámite"])
    date: datetime | None = Field(description="Fecha de la última actualización, o null.")


class FacetItem(Schema):
    value: str = Field(
        description="Valor para el filtro del mismo nombre (type, institution, level o "
        "department).",
        examples=["procedure"],
    )
    label: str = Field(description="Etiqueta en español.", examples=["Trámites y servicios"])
    count: int = Field(description="Resultados con este valor.", examples=[42])
    selected: bool = Field(description="Verdadero si el filtro está aplicado.")


class SearchFacets(Schema):
    type: list[FacetItem] = Field(description="Por tipo de resultado.")
    institution: list[FacetItem] = Field(
        description="Por institución (las 20 con más resultados); value es el slug."
    )
    level: list[FacetItem] = Field(description="Por nivel de gobierno.")
    department: list[FacetItem] = Field(
        description="Por departamento; value es el código INEI (2 dígitos)."
    )


class SearchPage(Schema):
    query: str = Field(description="La búsqueda recibida.", examples=["sacar brevete"])
    total: int = Field(description="Total de resultados.", examples=[37])
    page: int = Field(description="Número de esta página (desde 1).", examples=[1])
    pages: int = Field(description="Número de páginas (al menos 1).", examples=[2])
    per_page: int = Field(description="Resultados por página (máximo 50).", examples=[20])
    next: str | None = Field(
        description="Dirección absoluta de la página siguiente, o null si es la última."
    )
    previous: str | None = Field(
        description="Dirección absoluta de la página anterior, o null si es la primera."
    )
    corrected: str | None = Field(
        description="«¿Quiso decir…?»: la búsqueda con las palabras desconocidas corregidas, "
        "o null.",
        examples=["antecedentes penales"],
    )
    corrected_applied: bool = Field(
        description="Verdadero si la búsqueda original no encontró nada y los resultados son "
        "los de `corrected`."
    )
    relaxed: bool = Field(
        description="Verdadero si ningún resultado contiene todas las palabras y se muestran "
        "los que contienen alguna."
    )
    results: list[SearchHit] = Field(description="Los resultados de esta página, en orden.")
    facets: SearchFacets = Field(description="Cuántos resultados hay por cada filtro posible.")
    warnings: list[str] = Field(
        description="Avisos en español sobre filtros con valores que no existen: el filtro se "
        "ignora y la búsqueda se hace sin él.",
        examples=[["No encontramos la institución «xyz»; se muestran todas."]],
    )
