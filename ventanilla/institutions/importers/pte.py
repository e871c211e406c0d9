"""The Portal de Transparencia Estándar entities and their SIAF executing units."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from ventanilla.core.importing import ImportReport, read_csv
from ventanilla.institutions.importers.names import (
    MUNICIPAL_KINDS,
    infer_kind,
    infer_level,
    smart_title,
    split_name,
)
from ventanilla.institutions.importers.places import Gazetteer, Place
from ventanilla.institutions.importers.triage import Nature, nature_of

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
    unit_name: str = ""  # the SIAF executing unit's own name, for the report
    nature: Nature = Nature.UNKNOWN
    line: int = 0


# A unit the portal's SIAF file gives to more entities than this is a catch-all, not theirs:
# 301777 (Municipalidad Distrital de Uchiza) stands for 107 unrelated municipalities and schools.
CATCH_ALL_UNIT = 20


def _read_siaf(path: Path, report: ImportReport) -> dict[int, dict[str, str]]:
    siaf: dict[int, dict[str, str]] = {}
    for row in read_csv(path, report, required=["id_entidad", "sec_ejec"]):
        if not row["id_entidad"].isdigit():
            report.skip(path, row.line, _("id_entidad inválido"))
            continue
        siaf[int(row["id_entidad"])] = row.data
        report.loaded(path)
    shared = Counter(unit["sec_ejec"] for unit in siaf.values())
    for code, n in sorted(shared.items()):
        if n > CATCH_ALL_UNIT:
            report.note(
                _("Unidades SIAF comodín (ignoradas: no son de las entidades que las citan)"),
                _("%(code)s, citada por %(n)d entidades") % {"code": code, "n": n},
            )
    return {
        pte_id: unit for pte_id, unit in siaf.items() if shared[unit["sec_ejec"]] <= CATCH_ALL_UNIT
    }


def read_pte(data_dir: Path, report: ImportReport, places: Gazetteer) -> dict[int, PteEntity]:
    siaf = _read_siaf(data_dir / SIAF_FILE, report)
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
        name = name if name != name.upper() else smart_title(name)
        acronym = row["siglas_derivada"] or acronym
        unit = siaf.get(pte_id, {})
        unit_name = unit.get("EJECUTORA_NOMBRE", "")
        nature = nature_of(name)
        # "Gobierno Local de la Provincia de Quispicanchi": SIAF knows it is a municipality.
        kind_name = (
            unit_name if nature != Nature.OFFICE and _is_municipal_unit(name, unit_name) else name
        )
        kind = infer_kind(kind_name, municipality_type=unit.get("TIPO_MUNICIPALIDAD", ""))
        entity = PteEntity(
            id=pte_id,
            name=name,
            acronym=acronym,
            kind=kind,
            level=infer_level(kind, siaf_level=unit.get("TIPO_NG", "")),
            unit_name=unit_name,
            nature=nature,
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
        out[pte_id] = entity  # counted as loaded or skipped once it is paired or triaged
    return out


def _is_municipal_unit(name: str, unit_name: str) -> bool:
    """The name says "gobierno local" or "honorable municipalidad" and the unit is a
    municipality: read the kind from the unit's name."""
    folded = name.lower()
    return unit_name.upper().startswith("MUNICIPALIDAD") and (
        "gobierno local" in folded or folded.startswith("honorable")
    )
