"""Reading institution names as the sources write them: "Nombre completo - SIGLAS", ALL CAPS,
names that are just the slug, and the kind of body a name reveals."""

import re

from ventanilla.core.text import fold_words
from ventanilla.institutions.models import Branch, Kind, Level

_SEP = re.compile(r"\s+-\s+|\s+-(?=[A-ZÁÉÍÓÚÑ])")
_SPACES = re.compile(r"\s+")
_TRAILING_PARENS = re.compile(r"^(?P<name>.*\S)\s*\((?P<inside>[^()]{1,40})\)\s*$")
_SMALL_WORDS = frozenset(
    [
        "a",
        "al",
        "con",
        "de",
        "del",
        "e",
        "el",
        "en",
        "la",
        "las",
        "lo",
        "los",
        "o",
        "para",
        "por",
        "u",
        "y",
    ]
)
_ROMAN = frozenset(["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"])

POWER_TO_BRANCH = {
    "poder-ejecutivo": Branch.EXECUTIVE,
    "poder-legislativo": Branch.LEGISLATIVE,
    "poder-judicial": Branch.JUDICIAL,
    "organismos-autonomos": Branch.AUTONOMOUS,
    "gobiernos-regionales": Branch.REGIONAL_GOVERNMENT,
}

# Organismos constitucionalmente autónomos (Constitución de 1993), by folded name prefix.
CONSTITUTIONAL_PREFIXES = (
    "defensoria del pueblo", "contraloria general de la republica", "tribunal constitucional",
    "jurado nacional de elecciones", "oficina nacional de procesos electorales",
    "registro nacional de identificacion y estado civil", "banco central de reserva",
    "superintendencia de banca seguros", "ministerio publico", "junta nacional de justicia",
    "consejo nacional de la magistratura",
)  # fmt: skip


def smart_title(text: str) -> str:
    """'RED ASISTENCIAL DE LA LIBERTAD' -> 'Red Asistencial de la Libertad' (Spanish small
    words lowercase, roman numerals and dotted abbreviations kept upper)."""
    out = []
    for i, word in enumerate(_SPACES.split(text.strip().lower())):
        if i and word in _SMALL_WORDS:
            out.append(word)
        elif (word in _ROMAN and i) or ("." in word and len(word) <= 5):
            out.append(word.upper())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _looks_like_acronym(segment: str) -> bool:
    # "Cochas - LIMA (MD - COCHAS)" is a place and the siglas, not the siglas alone.
    inside = segment[segment.find("(") :] if "(" in segment else ""
    return 0 < len(segment) <= 45 and len(segment.split()) <= 5 and " - " not in inside


def _short_caps(segment: str) -> bool:
    return " " not in segment and len(segment) <= 6 and segment.isupper()


def name_from_slug(slug: str) -> str:
    text = slug.replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _words(text: str) -> int:
    return len([w for w in text.split() if w != "-"])


def _split_outside_parens(text: str) -> list[str]:
    """Split at the " - " separators that are not inside parentheses: the portal writes
    "AREA DE INFORMÁTICA (AI - DREUCAYALI)", whose dash belongs to the siglas."""
    parts, start = [], 0
    for match in _SEP.finditer(text):
        before = text[: match.start()]
        # Nor inside quotes: 'SALUD MENTAL "HONORIO DELGADO - HIDEYO NOGUCHI"'.
        if before.count("(") <= before.count(")") and before.count('"') % 2 == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def strip_unbalanced(text: str) -> str:
    """Drop a truncated parenthesis and what follows it ("Oficina de Sistemas (usi" ->
    "Oficina de Sistemas") and any stray closing one ("Dreucayali)" -> "Dreucayali")."""
    out: list[str] = []
    depth, cut = 0, -1
    for char in text:
        if char == "(":
            cut = len(out) if depth == 0 else cut
            depth += 1
        elif char == ")":
            if not depth:
                continue
            depth -= 1
        out.append(char)
    kept = "".join(out[:cut] if depth else out)
    return _SPACES.sub(" ", kept).strip(" -")


def split_name(raw: str, slug: str = "") -> tuple[str, str, str]:
    """Split a source name into (name, acronym, note). `note` says what was repaired:
    'slug' (the name was the slug), 'caps' (ALL CAPS retitled) or ''."""
    text = _SPACES.sub(" ", (raw or "").strip())
    if not text or (slug and text.lower() == slug.lower()) or text == slug:
        return name_from_slug(slug or text), "", "slug"
    acronym = ""
    # The portal writes "NAME - PLACE (SIGLAS)": the parenthesis is the siglas, the dash
    # part stays in the name ("… LOCAL - GRAN CHIMU (UGEL GRAN CHIMU)").
    trailing = _TRAILING_PARENS.match(text)
    if trailing and " - " in trailing["name"] and _words(trailing["inside"]) <= 4:
        text, acronym = trailing["name"], trailing["inside"].strip()
    parts = _split_outside_parens(text)
    if not acronym and len(parts) > 1 and _looks_like_acronym(parts[-1]):
        acronym = parts.pop()
        # "Programa … - CONTIGO - CONTIGO": the siglas written twice.
        while len(parts) > 1 and fold_words(parts[-1]) == fold_words(acronym):
            parts.pop()
        # "Municipalidad Distrital de Carumas - MD - CARUMAS": siglas with their own dash.
        if len(parts) > 1 and _short_caps(parts[-1]):
            acronym = f"{parts.pop()} - {acronym}"
    name = " - ".join(parts)
    if not acronym:
        match = _TRAILING_PARENS.match(name)
        if match and _words(match["inside"]) <= 4:
            name, acronym = match["name"], match["inside"].strip()
    name = strip_unbalanced(name) or name
    note = ""
    letters = [c for c in name if c.isalpha()]
    if letters and name.upper() == name and len(letters) > 6:
        name, note = smart_title(name), "caps"
    return name, acronym, note


_SLUG_KINDS = (
    (re.compile(r"^(ugel|dre|eesp|iesp|cetpro|ceba)"), Kind.EDUCATION),
    (re.compile(r"^csj"), Kind.COURT),
    (re.compile(r"^(ris|red|disa|diresa|diris|hospital|salud|ues)"), Kind.HEALTH),
    (re.compile(r"^(embajada|consulado|seccion-consular)"), Kind.OTHER),
    (re.compile(r"^(mun|muni)"), Kind.DISTRICT_MUNICIPALITY),
)


def infer_kind(
    name: str, *, power: str | None = None, municipality_type: str = "", slug: str = ""
) -> Kind:
    """The kind of body a name reveals; `power`, the SIAF municipality type and, for names
    that are only a slug, the slug's prefix break ties."""
    kind = _kind_from_name(name, power=power, municipality_type=municipality_type)
    if kind == Kind.OTHER and slug and fold_words(name) == fold_words(slug):
        for pattern, slug_kind in _SLUG_KINDS:
            if pattern.match(slug):
                return slug_kind
    return kind


def _kind_from_name(name: str, *, power: str | None, municipality_type: str) -> Kind:
    n = fold_words(name)
    if n.startswith("municipalidad") or n.startswith("muni "):
        if "centro poblado" in n:
            return Kind.POPULATED_CENTRE_MUNICIPALITY
        if n.startswith(("municipalidad provincial", "municipalidad metropolitana")):
            return Kind.PROVINCIAL_MUNICIPALITY
        if n.startswith("municipalidad distrital"):
            return Kind.DISTRICT_MUNICIPALITY
        if municipality_type.upper() == "PROVINCIAL":
            return Kind.PROVINCIAL_MUNICIPALITY
        return Kind.DISTRICT_MUNICIPALITY
    if n.startswith(CONSTITUTIONAL_PREFIXES):
        return Kind.CONSTITUTIONAL
    if n.startswith("gobierno regional"):
        return Kind.REGIONAL_GOVERNMENT
    if n.startswith("poder judicial") or re.search(
        r"\b(corte superior|corte suprema|juzgado|sala (civil|penal|mixta))\b", n
    ):
        return Kind.COURT
    if re.search(r"\buniversidad\b", n):
        return Kind.UNIVERSITY
    if re.search(
        r"\b(hospital|diresa|disa|diris|red de salud|red integrada de salud|red asistencial"
        r"|redes integradas de salud"
        r"|direccion regional de salud|direccion de salud|direccion sub regional de salud"
        r"|gerencia regional de salud|instituto nacional de salud|centro de salud|essalud)\b",
        n,
    ):
        return Kind.HEALTH
    if re.search(
        r"\b(ugel|unidad de gestion educativa|direccion regional de educacion|dre"
        r"|gerencia regional de educacion|institucion educativa|i e|colegio|ceba|cebe|cetpro"
        r"|instituto de educacion superior|escuela de educacion superior|iesp|eesp|cuna jardin"
        r"|jardin de ninos|escuela superior)\b",
        n,
    ):
        return Kind.EDUCATION
    if n.startswith("ministerio"):
        return Kind.MINISTRY
    if re.search(r"\b(s a|s a a|s a c|sac|saa|eps|sociedad anonima)$", n) or n.startswith(
        ("empresa", "banco de la nacion", "caja municipal", "fondo mivivienda")
    ):
        return Kind.STATE_COMPANY
    if re.search(r"\b(s a|s a c|eps)\b", n):
        return Kind.STATE_COMPANY
    if re.match(r"(programa|proyecto|plan |unidad ejecutora|ue \d|pronabec|fondo )", n + " "):
        return Kind.PROGRAM
    if power == "organismos-autonomos":
        return Kind.CONSTITUTIONAL
    if re.match(r"(embajada|consulado|seccion consular|mision permanente|representacion)", n):
        return Kind.OTHER
    if power in {"poder-ejecutivo", "poder-legislativo"} or re.match(
        r"(superintendencia|organismo|instituto nacional|servicio nacional|autoridad|agencia"
        r"|comision|consejo|centro nacional|oficina nacional|archivo|biblioteca|seguro"
        r"|despacho|presidencia|congreso|intendencia|procuraduria|registro)",
        n,
    ):
        return Kind.PUBLIC_AGENCY
    return Kind.OTHER


MUNICIPAL_KINDS = frozenset(
    {
        Kind.PROVINCIAL_MUNICIPALITY,
        Kind.DISTRICT_MUNICIPALITY,
        Kind.POPULATED_CENTRE_MUNICIPALITY,
    }
)


def infer_level(kind: Kind, *, power: str | None = None, siaf_level: str = "") -> Level:
    """Level of government: the name's kind first (a municipality is local whatever `poder`
    says), then gob.pe's `poder`, then the SIAF TIPO_NG (1.GN / 2.GR / 3.GL)."""
    if kind in MUNICIPAL_KINDS:
        return Level.LOCAL
    if kind == Kind.REGIONAL_GOVERNMENT or power == "gobiernos-regionales":
        return Level.REGIONAL
    if power:
        return Level.NATIONAL
    if siaf_level.startswith("2"):
        return Level.REGIONAL
    if siaf_level.startswith("3"):
        return Level.LOCAL
    return Level.NATIONAL


def infer_branch(kind: Kind, level: Level, power: str | None) -> str:
    if kind in MUNICIPAL_KINDS:
        return Branch.LOCAL_GOVERNMENT
    if power in POWER_TO_BRANCH:
        return POWER_TO_BRANCH[power]
    if kind == Kind.CONSTITUTIONAL:
        return Branch.AUTONOMOUS
    if kind == Kind.COURT:
        return Branch.JUDICIAL
    if level == Level.REGIONAL:
        return Branch.REGIONAL_GOVERNMENT
    if level == Level.LOCAL:
        return Branch.LOCAL_GOVERNMENT
    return Branch.OTHER
