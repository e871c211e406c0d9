"""Which transparency-portal entities with no gob.pe pair join the directory: public bodies
only. Every one left out is reported with its reason, grouped, with its portal id."""

from collections import Counter, defaultdict
from pathlib import Path

from django.utils.translation import gettext as _

from ventanilla.core.importing import ImportReport
from ventanilla.institutions.importers.matching import Matching, muni_key, name_key
from ventanilla.institutions.importers.names import MUNICIPAL_KINDS
from ventanilla.institutions.importers.pte import PTE_FILE, PteEntity
from ventanilla.institutions.importers.triage import Nature

KEPT = "Entidades solo del Portal añadidas (por motivo)"
LEFT_OUT = "Entidades del Portal no añadidas (por motivo)"
LEFT_OUT_IDS = "Entidades del Portal no añadidas: id_entidad por motivo"


def _reasons() -> dict[str, str]:
    return {
        "office": _("oficina interna de una entidad (informática, sistemas, estadística…)"),
        "school": _("colegio o institución educativa: forma parte de su UGEL"),
        "gobpe": _("repite una entidad ya fusionada con gob.pe"),
        "pte": _("repite otra entidad del Portal"),
        "unknown": _("el nombre no nombra un organismo público y no tiene unidad SIAF propia"),
    }


def _identity(entity: PteEntity, generic: set[int]) -> str:
    """What makes two portal rows the same body: the municipality, else the name and
    department; a name that is only a kind of body ("Dirección Regional de Salud") is its
    own."""
    if entity.kind in MUNICIPAL_KINDS:
        key = muni_key(entity.kind, entity.place)
        return f"muni:{key}" if key else f"id:{entity.id}"
    if entity.id in generic:
        return f"id:{entity.id}"
    return f"name:{name_key(entity.name)}:{entity.place.department}"


def portal_only_bodies(
    data_dir: Path, pte: dict[int, PteEntity], matching: Matching, report: ImportReport
) -> list[PteEntity]:
    """The unpaired portal entities that are public bodies, by portal id; reports the rest
    (file, line, reason and name) and counts both by reason."""
    path = data_dir / PTE_FILE
    reasons = _reasons()
    paired = {e.id for e in matching.matched.values()}
    units = Counter(e.siaf_code for e in pte.values() if e.siaf_code)
    kept: list[PteEntity] = []
    seen: dict[str, PteEntity] = {}
    left_out: dict[str, list[int]] = defaultdict(list)
    # The one SIAF knows comes first, so a repeated row yields to it.
    for entity in sorted(pte.values(), key=lambda e: (not e.siaf_code, e.id)):
        if entity.id in paired:
            report.loaded(path)
            continue
        own_unit = bool(entity.siaf_code) and units[entity.siaf_code] == 1
        reason, detail = "", ""
        if entity.nature == Nature.OFFICE:
            reason, detail = "office", entity.unit_name
        elif entity.nature == Nature.SCHOOL:
            reason = "school"
        elif entity.id in matching.duplicates:
            reason, detail = "gobpe", matching.duplicates[entity.id]
        elif (first := seen.get(_identity(entity, matching.generic))) is not None:
            reason, detail = "pte", str(first.id)
        elif entity.nature == Nature.UNKNOWN and not own_unit:
            reason = "unknown"
        if reason:
            text = f"{reasons[reason]}: «{entity.name}» ({entity.acronym or '-'})"
            report.skip(path, entity.line, f"{text} → {detail}" if detail else text)
            report.tally(_(LEFT_OUT), reasons[reason])
            left_out[reason].append(entity.id)
            continue
        seen[_identity(entity, matching.generic)] = entity
        kept.append(entity)
        report.loaded(path)
        why = _("nombra un organismo público") if entity.nature == Nature.BODY else ""
        report.tally(_(KEPT), why or _("tiene unidad ejecutora SIAF propia"))
    for reason, ids in left_out.items():
        listed = ", ".join(str(i) for i in sorted(ids))
        report.note(_(LEFT_OUT_IDS), f"{reasons[reason]} ({len(ids)}): {listed}")
    return sorted(kept, key=lambda e: e.id)
