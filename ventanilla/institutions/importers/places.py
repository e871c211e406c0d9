"""Where an institution is: UBIGEO codes from SIAF executing units, from a municipality's name
("Municipalidad Distrital de Aco - Ancash" -> Aco in Áncash), or a department named in it."""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from ventanilla.core.text import fold_words
from ventanilla.institutions.models import Kind
from ventanilla.ubigeo.models import Department, District, Province

_SEP = re.compile(r"\s+-\s*|\s*-\s+")
_PARENS = re.compile(r"\([^)]*\)")
_PREFIX = re.compile(
    r"^(?:municipalidad|muni)\s+(?:distrital|provincial|metropolitana)?\s*"
    r"(?:de\s+centro\s+poblado\s+|del\s+centro\s+poblado\s+|centro\s+poblado\s+)?(?:de\s+|del\s+)?"
)


_SOUND_DROP = re.compile(r"^ciudad |\b(de|del|la|las|el|los)\b| ")


def sound(name: str) -> str:
    """A folded name as it sounds: small words and spaces gone, z/s and k/c alike, double
    letters single ("Los Baños del Inca", "los banos de inca" -> "banosinca")."""
    text = _SOUND_DROP.sub("", fold_words(name))
    text = text.replace("z", "s").replace("k", "c")
    return re.sub(r"(.)\1", r"\1", text)


@dataclass(frozen=True)
class Place:
    department: str = ""
    province: str = ""
    district: str = ""

    @property
    def code(self) -> str:
        return self.district or self.province or self.department

    def __bool__(self) -> bool:
        return bool(self.department)


class Gazetteer:
    """Folded names of the loaded UBIGEO, for resolving places written in names."""

    def __init__(self) -> None:
        self.department_names = {
            code: fold_words(name) for code, name in Department.objects.values_list("code", "name")
        }
        self.province_names = {
            code: fold_words(name) for code, name in Province.objects.values_list("code", "name")
        }
        self.district_names = {
            code: fold_words(name) for code, name in District.objects.values_list("code", "name")
        }
        self.districts_by_name: dict[str, list[str]] = defaultdict(list)
        for code, name in self.district_names.items():
            self.districts_by_name[name].append(code)
        self.provinces_by_name: dict[str, list[str]] = defaultdict(list)
        for code, name in self.province_names.items():
            self.provinces_by_name[name].append(code)
        # Names written as slugs lose their spaces: "sanantonio" is San Antonio.
        for index in (self.districts_by_name, self.provinces_by_name):
            for name, codes in list(index.items()):
                if " " in name:
                    index.setdefault(name.replace(" ", ""), []).extend(codes)

        # Spellings that differ by a letter or a small word: "Zaña"/"Saña", "Kañaris"/"Cañaris",
        # "Los Baños del Inca"/"los banos de inca", "Ciudad Eten"/"Eten".
        self.districts_by_sound: dict[str, list[str]] = defaultdict(list)
        for code, name in self.district_names.items():
            self.districts_by_sound[sound(name)].append(code)
        self.provinces_by_sound: dict[str, list[str]] = defaultdict(list)
        for code, name in self.province_names.items():
            self.provinces_by_sound[sound(name)].append(code)

    def from_siaf(self, dep: str, prov: str, dist: str) -> Place:
        """SIAF writes INEI codes without zero padding: 15/1/31 -> 150131."""
        if not (dep.isdigit() and prov.isdigit() and dist.isdigit()):
            return Place()
        d, p, x = dep.zfill(2), prov.zfill(2), dist.zfill(2)
        if f"{d}{p}{x}" in self.district_names:
            return Place(d, d + p, d + p + x)
        if d + p in self.province_names:
            return Place(d, d + p)
        return Place(d) if d in self.department_names else Place()

    def place_of_district(self, code: str) -> Place:
        return Place(code[:2], code[:4], code)

    def department_in(self, text: str) -> str:
        """The department whose name appears in `text` (the longest if several), or ''."""
        words = f" {fold_words(text)} "
        found = [(len(n), c) for c, n in self.department_names.items() if f" {n} " in words]
        return max(found)[1] if found else ""

    def names_place(self, text: str) -> bool:
        """Whether a department or a province is named in `text`."""
        words = f" {fold_words(text)} "
        names = (*self.department_names.values(), *self.province_names.values())
        return any(f" {name} " in words for name in names)

    def _narrow(self, candidates: list[str], qualifier: str) -> list[str]:
        """The candidates the qualifier names: its province first ("Miraflores - Lima" is
        Lima's, not Yauyos'), then its department, its district, or part of one of them."""
        levels: list[Callable[[str], str]] = [
            lambda c: self.province_names.get(c[:4], ""),
            lambda c: self.department_names.get(c[:2], ""),
            lambda c: self.district_names.get(c, ""),
        ]
        for name_of in levels:
            narrowed = [c for c in candidates if name_of(c) == qualifier]
            if narrowed:
                return narrowed
        if len(qualifier) <= 3:
            return []
        return [c for c in candidates if any(qualifier in name_of(c) for name_of in levels)]

    def municipality(self, name: str, kind: str, slug: str = "") -> tuple[Place, str]:
        """Resolve a municipality's place from its name; returns (place, problem)."""
        if kind == Kind.POPULATED_CENTRE_MUNICIPALITY:
            return Place(), ""
        parts = [fold_words(_PARENS.sub(" ", p)) for p in _SEP.split(name)]
        head = _PREFIX.sub("", parts[0]).strip()
        if head.startswith("muni") and " " not in head.split(" ")[0][4:5]:
            head = head[4:]  # a name that is the slug: "munisanantonio apurimac"
        qualifiers = [q for q in parts[1:] if q]
        if "-" in slug:
            qualifiers.append(fold_words(unquote(slug.split("-", 1)[1]).replace("-", " ")))
        provincial = kind == Kind.PROVINCIAL_MUNICIPALITY
        index = self.provinces_by_name if provincial else self.districts_by_name
        words = head.split()
        candidates: list[str] = []
        # "cochabamba cajamarca": the longest leading words that name a place; the rest qualify.
        for size in range(len(words), 0, -1):
            key = " ".join(words[:size])
            # "del Carmen de la Frontera" is the district "El Carmen de la Frontera".
            alternatives = [key] if words[0] == "el" else [key, f"el {key}"]
            for alt in alternatives:
                if index.get(alt):
                    candidates = list(index[alt])
                    break
            if candidates:
                if words[size:]:
                    qualifiers.insert(0, " ".join(words[size:]))
                break
        if not candidates and not provincial and self.provinces_by_name.get(head):
            # "munihuamanga": a provincial municipality known only by its slug.
            provincial, candidates = True, list(self.provinces_by_name[head])
        if not candidates:
            by_sound = self.provinces_by_sound if provincial else self.districts_by_sound
            candidates = list(by_sound.get(sound(head), []))
        if not candidates:
            return Place(), f"no se encontró «{head}» en UBIGEO"
        if len(candidates) > 1:
            for qualifier in qualifiers:
                narrowed = self._narrow(candidates, qualifier)
                if narrowed:
                    candidates = narrowed
                    break
        if len(candidates) > 1:
            return Place(), f"nombre ambiguo ({len(candidates)} lugares)"
        code = candidates[0]
        if provincial:
            capital = code + "01"
            return Place(code[:2], code, capital if capital in self.district_names else ""), ""
        return self.place_of_district(code), ""
