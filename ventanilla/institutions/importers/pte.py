"""The Portal de Transparencia Estándar entities and their SIAF executing units, and the rules
that recognise the same body in gob.pe's directory."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.core.importing import ImportReport, read_csv
from ventanilla.core.text import fold_words
from ventanilla.institutions.importers.names import (
    MUNICIPAL_KINDS,
    infer_kind,
    infer_level,
    smart_title,
    split_name,
)
from ventanilla.institutions.importers.places import Gazetteer, Place

PTE_FILE = Path("entidades_pte_ceplan/entidades_pte.csv")
SIAF_FILE = Path("entidades_pte_ceplan/entidades_pte_siaf.csv")


@dataclass
class PteEntity:
    id: int
    name: str
    acronym: str
    kind: str
    level: str
    place: Place = field(default_factory=Place)
    sector: str = ""
    siaf_code: str = ""
    line: int = 0


def read_pte(data_dir: Path, report: ImportReport, places: Gazetteer) -> dict[int, PteEntity]:
    siaf_path = data_dir / SIAF_FILE
    siaf: dict[int, dict[str, str]] = {}
    for row in read_csv(siaf_path, report, required=["id_entidad", "sec_ejec"]):
        if not row["id_entidad"].isdigit():
            report.skip(siaf_path, row.line, _("id_entidad inválido"))
            continue
        siaf[int(row["id_entidad"])] = row.data
        report.loaded(siaf_path)
    path = data_dir / PTE_FILE
    out: dict[int, PteEntity] = {}
    for row in read_csv(path, report, required=["id_entidad", "name_entidad"]):
        if not row["id_entidad"].isdigit() or not row["name_entidad"]:
            report.skip(path, row.line, _("fila sin id o sin nombre"))
            continue
        pte_id = int(row["id_entidad"])
        if pte_id in out:
            report.skip(path, row.line, _("id_entidad repetido: %(id)d") % {"id": pte_id})
            continue
        name, acronym, _note = split_name(row["name_entidad"])
        acronym = row["siglas_derivada"] or acronym
        unit = siaf.get(pte_id, {})
        kind = infer_kind(name, municipality_type=unit.get("TIPO_MUNICIPALIDAD", ""))
        entity = PteEntity(
            id=pte_id,
            name=name if name != name.upper() else smart_title(name),
            acronym=acronym,
            kind=kind,
            level=infer_level(kind, siaf_level=unit.get("TIPO_NG", "")),
            line=row.line,
        )
        if unit:
            entity.place = places.from_siaf(
                unit.get("DEPARTAMENTO_EJECUTORA", ""),
                unit.get("PROVINCIA_EJECUTORA", ""),
                unit.get("DISTRITO_EJECUTORA", ""),
            )
            sector = unit.get("SECTOR_NOMBRE", "")
            entity.sector = smart_title(sector) if sector and sector != "FICTICIO" else ""
            entity.siaf_code = unit.get("sec_ejec", "")
        if not entity.place and kind in MUNICIPAL_KINDS:
            entity.place, _problem = places.municipality(name, kind)
        out[pte_id] = entity
        report.loaded(path)
    return out


def _muni_key(kind: str, place: Place) -> tuple[str, str] | None:
    if kind == "district_municipality" and place.district:
        return (kind, place.district)
    if kind == "provincial_municipality" and place.province:
        return (kind, place.province)
    return None


def match_pte(
    gobpe: list[dict[str, Any]], pte: dict[int, PteEntity], report: ImportReport
) -> dict[str, PteEntity]:
    """Pair gob.pe rows with PTE entities, one to one, by three rules in order: same folded
    name, same municipality (kind + UBIGEO), same siglas and level (unique on both sides)."""
    section = _("Fusión gob.pe ↔ Portal de Transparencia (por regla)")
    ambiguous = _("Fusiones ambiguas no realizadas")
    by_name: dict[str, list[int]] = defaultdict(list)
    by_muni: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_siglas: dict[tuple[str, str], list[int]] = defaultdict(list)
    for entity in pte.values():
        by_name[fold_words(entity.name)].append(entity.id)
        key = _muni_key(entity.kind, entity.place)
        if key:
            by_muni[key].append(entity.id)
        if entity.acronym:
            by_siglas[(fold_words(entity.acronym), entity.level)].append(entity.id)
    used: set[int] = set()
    matched: dict[str, PteEntity] = {}

    def take(row: dict[str, Any], ids: list[int], rule: str) -> bool:
        free = [i for i in ids if i not in used]
        if len(free) == 1:
            used.add(free[0])
            matched[row["slug"]] = pte[free[0]]
            report.tally(section, rule)
            return True
        if len(free) > 1:
            report.note(ambiguous, f"{row['slug']} ({rule}): {len(free)} candidatos")
        return False

    for row in gobpe:
        if row["name_note"] != "slug":
            take(row, by_name.get(fold_words(row["name"]), []), _("nombre"))
    for row in gobpe:
        key = _muni_key(row["kind"], row["place"])
        if row["slug"] not in matched and key:
            take(row, by_muni.get(key, []), _("municipalidad ↔ distrito/provincia"))
    siglas_count: dict[tuple[str, str], int] = defaultdict(int)
    pending = [r for r in gobpe if r["slug"] not in matched and r["match_acronym"]]
    for row in pending:
        siglas_count[(fold_words(row["match_acronym"]), row["level"])] += 1
    for row in pending:
        key = (fold_words(row["match_acronym"]), row["level"])
        if siglas_count[key] == 1:
            take(row, by_siglas.get(key, []), _("siglas + nivel"))
    report.tally(section, _("sin par en el Portal (solo gob.pe)"), len(gobpe) - len(matched))
    return matched
