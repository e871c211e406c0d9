"""Recognising the same body in gob.pe's directory and the transparency portal, which spell
names their own way: "regionucayali" (a name that is only the slug) is "GOBIERNO REGIONAL DE
UCAYALI (GR-UCAYALI)", "ugel16barranca" is "UNIDAD DE GESTION EDUCATIVA LOCAL Nº 16 BARRANCA",
and a capital district's municipality is its province's."""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.core.importing import ImportReport
from ventanilla.core.text import fold_words
from ventanilla.institutions.importers.names import MUNICIPAL_KINDS
from ventanilla.institutions.importers.places import Gazetteer, Place
from ventanilla.institutions.importers.pte import PteEntity
from ventanilla.institutions.importers.triage import Nature, plain_name
from ventanilla.institutions.models import Kind

SECTION = "Fusión gob.pe ↔ Portal de Transparencia (por regla)"
_STOP = frozenset({"de", "del", "la", "las", "el", "los", "y", "e", "en", "n", "no", "nro"})
_LEADING = frozenset({"de", "del", "n", "no", "nro", "numero"})
_COMPANY = re.compile(r"\b(s a c|s a a|s a|sac|saa|s r l|srl|sociedad anonima( cerrada)?)$")

# "<kind of body> <place or number>": the kind's words vary, the tail names the body.
_TYPED = (
    (
        "ugel",
        re.compile(
            r"^(?:(?:unidad ejecutora|ue|u e)\s*(?:n|no|nro)?\s*\d*\s*(?:educacion)?\s*)?"
            r"(?:ugel|unidad\s*de\s*gestion\s*(?:educa\w*\s*)?local|unidad degestion educativa"
            r" local|unidad gestion educativa local)(?P<tail>.*)$"
        ),
    ),
    ("csj", re.compile(r"^(?:corte superior(?: de justicia)?|csj)(?P<tail>.*)$")),
    ("gore", re.compile(r"^(?:gobierno regional|region|gore)(?: del departamento)?(?P<tail>.*)$")),
    (
        "beneficencia",
        re.compile(
            r"^(?:sociedad (?:de )?beneficencia(?: publica)?|beneficencia|sbp)(?P<tail>.*)$"
        ),
    ),
    ("diresa", re.compile(r"^(?:direccion regional de salud|diresa)(?P<tail>.*)$")),
    (
        "dre",
        re.compile(
            r"^(?:direccion regional de educacion|gerencia regional de educacion)(?P<tail>.*)$"
        ),
    ),
    ("red", re.compile(r"^(?:direccion de )?(?:red de salud|red salud)(?P<tail>.*)$")),
    ("embajada", re.compile(r"^embajada del peru en(?P<tail>.*)$")),
)


# Names that are only a kind of body unless a place follows ("Dirección Regional de Salud").
_GENERIC_HEADS = (
    "direccion regional", "direccion sub regional", "gerencia regional", "gerencia sub regional",
    "servicio de administracion tributaria", "zona especial de desarrollo", "unidad ejecutora",
    "sociedad de beneficencia", "red de salud", "red asistencial", "hospital", "ugel",
    "unidad de gestion educativa local", "direccion de salud", "programa regional",
    "proyecto especial",
)  # fmt: skip


def is_generic(name: str, places: Gazetteer) -> bool:
    """A name that says what kind of body but not which one: it pairs by nothing but its
    siglas or place."""
    text = plain_name(name)
    return text.startswith(_GENERIC_HEADS) and not places.names_place(text)


def name_key(name: str) -> str:
    """Folded name without parentheses, small words or a company's "S.A.": "Banco de
    Materiales S.A.C." and "BANCO DE MATERIALES SAC" meet."""
    text = _COMPANY.sub("", plain_name(name)).strip()
    text = re.sub(r"^honorable ", "", text)
    return " ".join(w for w in text.split() if w not in _STOP)


def words_key(text: str) -> frozenset[str]:
    return frozenset(w for w in _COMPANY.sub("", plain_name(text)).split() if w not in _STOP)


def _tail_key(tail: str) -> str:
    words = tail.split()
    while words and words[0] in _LEADING:
        words.pop(0)
    joined = re.sub(r"(?<!\d)0+(?=\d)", "", "".join(words))
    return joined if len(joined) >= 3 else ""


def typed_keys(*texts: str) -> set[tuple[str, str]]:
    """("ugel", "16barranca") for "UGEL Nº 16 Barranca", "ugel16barranca" and "UGEL 16 -
    BARRANCA" alike."""
    keys = set()
    for text in texts:
        folded = plain_name(text)
        for kind, pattern in _TYPED:
            match = pattern.match(folded)
            if match and (tail := _tail_key(match["tail"])):
                keys.add((kind, tail))
                break
    return keys


def muni_key(kind: str, place: Place) -> str:
    """One key per municipal government: a capital district (…01) is governed by its
    province's municipality, so "Distrital de Yanahuanca" is Daniel A. Carrión's."""
    if kind == Kind.PROVINCIAL_MUNICIPALITY and place.province:
        return place.province
    if kind == Kind.DISTRICT_MUNICIPALITY and place.district:
        return place.district[:4] if place.district.endswith("01") else place.district
    return ""


@dataclass
class Matching:
    """The pairs found (gob.pe slug -> portal entity) and the portal entities that repeat a
    body already paired or kept (portal id -> the slug or portal id they repeat)."""

    matched: dict[str, PteEntity] = field(default_factory=dict)
    duplicates: dict[int, str] = field(default_factory=dict)
    generic: set[int] = field(default_factory=set)  # portal ids whose name is only a kind
    rules: dict[str, str] = field(default_factory=dict)  # slug -> the rule that paired it


class _Matcher:
    def __init__(
        self,
        gobpe: list[dict[str, Any]],
        pte: dict[int, PteEntity],
        report: ImportReport,
        places: Gazetteer,
    ):
        self.gobpe, self.pte, self.report, self.places = gobpe, pte, report, places
        self.result = Matching()
        self.used: set[int] = set()

    def free_rows(self) -> list[dict[str, Any]]:
        return [r for r in self.gobpe if r["slug"] not in self.result.matched]

    def bodies(self) -> list[PteEntity]:
        return [
            e
            for e in self.pte.values()
            if e.id not in self.used and e.nature not in (Nature.OFFICE, Nature.SCHOOL)
        ]

    def take(self, row: dict[str, Any], ids: Iterable[int], rule: str) -> None:
        free = sorted({i for i in ids if i not in self.used})
        free = [i for i in free if not self._clash(row, self.pte[i])]
        if len(free) > 1:
            # The same body registered twice on the portal: keep the one SIAF knows.
            keys = {name_key(self.pte[i].name) for i in free}
            if len(keys) > 1:
                self.report.note(
                    _("Fusiones ambiguas no realizadas"),
                    f"{row['slug']} ({rule}): {len(free)} candidatos",
                )
                return
            free.sort(key=lambda i: (not self.pte[i].siaf_code, i))
            for other in free[1:]:
                self.result.duplicates[other] = row["slug"]
                self.used.add(other)
        if free:
            self.used.add(free[0])
            self.result.matched[row["slug"]] = self.pte[free[0]]
            self.result.rules[row["slug"]] = rule
            self.report.tally(_(SECTION), rule)

    def _clash(self, row: dict[str, Any], entity: PteEntity) -> bool:
        """Two municipalities of the same name in different places ("San Rafael"), or two
        bodies in different departments ("HRL": Lambayeque's hospital, Loreto's)."""
        a, b = muni_key(row["kind"], row["place"]), muni_key(entity.kind, entity.place)
        if a and b and a != b:
            return True
        # Names only: a SIAF unit sits where it pays, often in Lima.
        mine = self.places.department_in(row["name"])
        theirs = self.places.department_in(entity.name)
        return bool(mine and theirs and mine != theirs)

    def by_unique_key(
        self,
        rule: str,
        row_keys: Callable[[dict[str, Any]], Iterable[Any]],
        entity_keys: Callable[[PteEntity], Iterable[Any]],
        rows: list[dict[str, Any]] | None = None,
    ) -> None:
        """Pair a row and an entity that share a key no other free row has."""
        rows = self.free_rows() if rows is None else rows
        index: dict[Any, list[int]] = defaultdict(list)
        for entity in self.bodies():
            for key in set(entity_keys(entity)):
                index[key].append(entity.id)
        owners: dict[Any, int] = defaultdict(int)
        keyed = [(row, set(row_keys(row))) for row in rows]
        for _row, keys in keyed:
            for key in keys:
                owners[key] += 1
        for row, keys in keyed:
            hits = {i for key in keys if owners[key] == 1 for i in index.get(key, [])}
            if hits and row["slug"] not in self.result.matched:
                self.take(row, hits, rule)


def _row_names(row: dict[str, Any]) -> list[str]:
    names = [row["name"], row["slug"].replace("-", " ")]
    return names + ([row["acronym"]] if row["acronym"] else [])


def _row_words(row: dict[str, Any]) -> list[frozenset[str]]:
    """The words of gob.pe's name, or of its slug when the name was only the slug."""
    key = words_key(row["slug"].replace("-", " ") if row["name_note"] == "slug" else row["name"])
    return [key] if len(key) > 1 else []


def match_pte(
    gobpe: list[dict[str, Any]],
    pte: dict[int, PteEntity],
    report: ImportReport,
    places: Gazetteer,
) -> Matching:
    """Pair gob.pe rows with portal entities, one to one, by these rules in order: same
    name; same regional government, UGEL, court, health or education directorate (kind +
    place); same municipality (UBIGEO); same words in any order; same siglas and level."""
    m = _Matcher(gobpe, pte, report, places)
    m.result.generic = {e.id for e in pte.values() if is_generic(e.name, places)}
    by_name: dict[str, list[int]] = defaultdict(list)
    for entity in pte.values():
        if entity.id not in m.result.generic:
            by_name[name_key(entity.name)].append(entity.id)
    for row in gobpe:
        if row["name_note"] != "slug" and not is_generic(row["name"], places):
            m.take(row, by_name.get(name_key(row["name"]), []), _("nombre"))
    m.by_unique_key(
        _("tipo de entidad + lugar o número (UGEL, corte, región…)"),
        lambda r: typed_keys(*_row_names(r)),
        lambda e: typed_keys(e.name, e.acronym),
    )
    municipal = [r for r in m.free_rows() if muni_key(r["kind"], r["place"])]
    m.by_unique_key(
        _("municipalidad ↔ distrito/provincia"),
        lambda r: [muni_key(r["kind"], r["place"])],
        lambda e: [k] if (k := muni_key(e.kind, e.place)) else [],
        rows=municipal,
    )
    m.by_unique_key(
        _("mismas palabras en otro orden"),
        _row_words,
        lambda e: [k] if len(k := words_key(e.name)) > 1 else [],
    )
    m.by_unique_key(
        _("siglas + nivel"),
        lambda r: [(fold_words(r["match_acronym"]), r["level"])] if r["match_acronym"] else [],
        lambda e: [(fold_words(e.acronym), e.level)] if e.acronym else [],
    )
    _find_duplicates(m, places)
    report.tally(_(SECTION), _("sin par en el Portal (solo gob.pe)"), len(m.free_rows()))
    return m.result


def _find_duplicates(m: _Matcher, places: Gazetteer) -> None:
    """Portal entities left over that name a body already paired: the same name (in the
    same department), the same municipality or the same kind + place as a gob.pe row."""
    paired: dict[Any, tuple[str, str]] = {}
    rows = {r["slug"]: r for r in m.gobpe}
    for slug, entity in m.result.matched.items():
        row = rows[slug]
        department = entity.place.department or row["place"].department
        keys: set[Any] = set(typed_keys(entity.name, *_row_names(row)))
        if entity.id not in m.result.generic:
            keys.add(name_key(entity.name))
        if row["name_note"] != "slug" and not is_generic(row["name"], places):
            keys.add(name_key(row["name"]))
        if key := muni_key(row["kind"], row["place"]) or muni_key(entity.kind, entity.place):
            keys.add(("muni", key))
        for key in keys:
            paired.setdefault(key, (slug, department))
    for entity in m.bodies():
        keys = set(typed_keys(entity.name, entity.acronym))
        if entity.kind in MUNICIPAL_KINDS:
            # "Municipalidad Distrital de San Juan": a name shared by several districts.
            if key := muni_key(entity.kind, entity.place):
                keys.add(("muni", key))
        elif entity.id not in m.result.generic:
            keys.add(name_key(entity.name))
        for key in sorted(keys, key=str):
            slug, department = paired.get(key, ("", ""))
            mine = entity.place.department
            if slug and not (isinstance(key, str) and mine and department and mine != department):
                m.result.duplicates[entity.id] = slug
                m.used.add(entity.id)
                break
