"""Load the directory of the State: the 3,474 gob.pe entities merged with the transparency
portal's entities, their place (UBIGEO), RUC and contact channels."""

import re
from pathlib import Path
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from stdnum.pe import ruc as stdnum_ruc

from ventanilla.core.importing import ImportReport, read_csv, read_json, sync_rows
from ventanilla.core.text import fold, fold_words, spanish_slug
from ventanilla.institutions.importers.matching import match_pte
from ventanilla.institutions.importers.names import (
    MUNICIPAL_KINDS,
    infer_branch,
    infer_kind,
    infer_level,
    split_name,
)
from ventanilla.institutions.importers.places import Gazetteer, Place
from ventanilla.institutions.importers.portal_only import portal_only_bodies
from ventanilla.institutions.importers.pte import PteEntity, read_pte
from ventanilla.institutions.models import ContactChannel, Institution, Kind, Level

REFERENCE_DATA_ORDER = 20
STAGE_NAME = "Instituciones"

ENTITIES_FILE = Path("gobpe_entidades_muniscan/entities_2026-08-21.json")
MUNI_INDEX_FILE = Path("gobpe_entidades_muniscan/municipal_index_2026-08-21.json")
RUC_FILE = Path("entidades_ruc/entidades_ruc.csv")
_PARENS = re.compile(r"\(([^)]*)\)")


def search_fields(name: str, acronym: str) -> dict[str, str]:
    """`search_text` (folded name + acronym) and `initial` (first a–z letter of the name)."""
    folded = fold_words(name)
    initial = next((c for c in folded if "a" <= c <= "z"), "")
    return {"search_text": f"{fold(name)} {fold(acronym)}".strip(), "initial": initial}


def _read_gobpe(data_dir: Path, report: ImportReport, places: Gazetteer) -> list[dict[str, Any]]:
    path = data_dir / ENTITIES_FILE
    data = read_json(path, report) or {}
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    no_place = _("Municipalidades sin ubicación (nombre no resuelto)")
    for number, item in enumerate(data.get("lista", []), start=1):
        slug = str(item.get("slug") or "").strip() if isinstance(item, dict) else ""
        if not slug or len(slug) > 120:
            report.skip(path, number, _("entidad sin slug válido"))
            continue
        if slug in seen:
            report.skip(path, number, _("slug repetido: %(s)s") % {"s": slug})
            continue
        seen.add(slug)
        power = item.get("poder") or None
        name, acronym, note = split_name(str(item.get("nombre") or ""), slug)
        if note:
            report.tally(
                _("Nombres reparados"), {"slug": _("nombre = slug"), "caps": _("MAYÚSCULAS")}[note]
            )
        kind = infer_kind(name, power=power, slug=slug)
        level = infer_level(kind, power=power)
        place, problem = Place(), ""
        if kind in MUNICIPAL_KINDS:
            place, problem = places.municipality(name, kind, slug)
            if problem:
                report.note(no_place, f"{slug}: {problem}")
        elif level == Level.REGIONAL:
            department = places.department_in(name)
            place = Place(department) if department else Place()
        plain_slug = "-" not in slug and len(slug) <= 15
        rows.append({
            "slug": slug, "name": name, "acronym": acronym, "name_note": note, "kind": kind,
            "level": level, "branch": infer_branch(kind, level, power), "place": place,
            "power": power,
            "match_acronym": acronym or (slug if note == "slug" and plain_slug else ""),
            "line": number,
        })  # fmt: skip
        report.loaded(path)
    return rows


def _pte_slug(entity: PteEntity, taken: set[str]) -> str:
    base = spanish_slug(entity.name, 100) or f"entidad-{entity.id}"
    slug = base if base not in taken else f"{base[:100]}-{entity.id}"
    taken.add(slug)
    return slug


def _place_fields(place: Place) -> dict[str, str | None]:
    return {
        "department_id": place.department or None,
        "province_id": place.province or None,
        "district_id": place.district or None,
    }


def _build_rows(
    gobpe: list[dict[str, Any]],
    portal_only: list[PteEntity],
    matched: dict[str, PteEntity],
    report: ImportReport,
) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    located = _("Ubicación de las instituciones (origen)")
    for g in gobpe:
        p = matched.get(g["slug"])
        name, acronym = g["name"], g["acronym"]
        kind, level, branch = g["kind"], g["level"], g["branch"]
        if p and g["name_note"] == "slug":
            # The name was only the slug: the portal's name is the better one.
            name, acronym = p.name, p.acronym
            kind = infer_kind(name, power=g["power"], slug=g["slug"])
            level = infer_level(kind, power=g["power"])
            branch = infer_branch(kind, level, g["power"])
        place = p.place if p and p.place else g["place"]
        if place:
            report.tally(located, _("SIAF (unidad ejecutora)") if p and p.place else _("nombre"))
        rows[g["slug"]] = {
            "slug": g["slug"], "name": name[:300], "acronym": acronym[:60], "level": level,
            "branch": branch, "kind": kind, **_place_fields(place),
            "source": Institution.Source.GOBPE_AND_PTE if p else Institution.Source.GOBPE,
            "transparency_id": p.id if p else None, "siaf_code": p.siaf_code if p else "",
            "sector": p.sector if p else "",
            "aliases": {g["slug"], p.acronym if p else "", g["acronym"]} - {""},
        }  # fmt: skip
    taken = set(rows)
    for entity in portal_only:
        slug = _pte_slug(entity, taken)
        kind = Kind(entity.kind)
        if entity.place:
            report.tally(located, _("SIAF (unidad ejecutora)"))
        rows[slug] = {
            "slug": slug, "name": entity.name[:300], "acronym": entity.acronym[:60],
            "level": entity.level, "branch": infer_branch(kind, Level(entity.level), None),
            "kind": kind, **_place_fields(entity.place), "source": Institution.Source.PTE,
            "transparency_id": entity.id, "siaf_code": entity.siaf_code, "sector": entity.sector,
            "aliases": {entity.acronym} - {""},
        }  # fmt: skip
    report.tally(
        _("Instituciones por origen"), "gobpe", sum(1 for g in gobpe if g["slug"] not in matched)
    )
    report.tally(_("Instituciones por origen"), "gobpe+pte", len(matched))
    report.tally(_("Instituciones por origen"), "pte", len(rows) - len(gobpe))
    return rows


def _ruc_names(entidad: str) -> set[str]:
    """'Ministerio X (ex Ministerio Y)' -> {x, y}; '(hoy Z)' adds z too."""
    names = {fold_words(_PARENS.sub(" ", entidad))}
    for inside in _PARENS.findall(entidad):
        names.add(fold_words(re.sub(r"^\s*(hoy|ex)\s+", "", inside, flags=re.IGNORECASE)))
    return names


def _assign_rucs(data_dir: Path, rows: dict[str, dict[str, Any]], report: ImportReport) -> None:
    """Match by acronym AND name: a right check digit on a wrong pairing is the known trap."""
    path = data_dir / RUC_FILE
    for row in rows.values():
        row["ruc"] = ""
    by_acronym: dict[str, list[dict[str, Any]]] = {}
    for row in rows.values():
        # gob.pe's siglas, the portal's and the slug: VIVIENDA is also MVCS.
        for alias in {fold_words(a) for a in row.pop("aliases")}:
            by_acronym.setdefault(alias, []).append(row)
    for src in read_csv(path, report, required=["ruc", "entidad", "siglas"]):
        ruc = src["ruc"]
        if not stdnum_ruc.is_valid(ruc):
            report.skip(
                path, src.line, _("RUC con dígito verificador inválido: %(r)s") % {"r": ruc}
            )
            continue
        names = _ruc_names(src["entidad"])
        candidates = [
            row
            for siglas in src["siglas"].split("/")
            for row in by_acronym.get(fold_words(siglas), [])
        ]
        hits = [r for r in candidates if fold_words(r["name"]) in names]
        if len(hits) > 1:  # a renamed body also listed under its old name by the portal
            hits = [r for r in hits if r["source"] != Institution.Source.PTE] or hits
        if len(hits) != 1:
            reason = _("siglas coinciden pero el nombre no") if candidates else _("sin institución")
            if len(hits) > 1:
                reason = _("varias instituciones coinciden")
            report.skip(path, src.line, f"{src['siglas']} {ruc}: {reason}")
            continue
        hits[0]["ruc"] = ruc
        report.loaded(path)


def _contact_rows(
    data_dir: Path, objects: dict[str, Institution], report: ImportReport
) -> dict[tuple[int, str, str], dict[str, Any]]:
    rows: dict[tuple[int, str, str], dict[str, Any]] = {}
    website = ContactChannel.Kind.WEBSITE
    for slug, inst in objects.items():
        if inst.source != Institution.Source.PTE:
            value = f"https://www.gob.pe/institucion/{slug}"
            rows[(inst.pk, website, value)] = {
                "institution_id": inst.pk, "kind": website, "value": value,
                "label": _("Página en gob.pe"), "position": 0,
            }  # fmt: skip
    path = data_dir / MUNI_INDEX_FILE
    data = read_json(path, report) or {}
    for number, muni in enumerate(data.get("municipalidades", []), start=1):
        owner = objects.get(str(muni.get("slug") or ""))
        if owner is None:
            report.skip(
                path, number, _("municipalidad sin entidad: %(s)s") % {"s": muni.get("slug")}
            )
            continue
        hosts = sorted(h for h in muni.get("sistemas_propios") or [] if h.startswith("www."))
        for host in hosts:
            value = f"https://{host}"
            rows[(owner.pk, website, value)] = {
                "institution_id": owner.pk, "kind": website, "value": value,
                "label": _("Sitio web institucional"), "position": 1,
            }  # fmt: skip
        report.loaded(path)
    return rows


def _retire_stale(rows: dict[str, dict[str, Any]], report: ImportReport) -> None:
    """Rows a previous load made that this one would not: free their portal id (a body now
    merged into its gob.pe row) and delete portal-only rows nothing points to."""
    owner = {r["transparency_id"]: slug for slug, r in rows.items() if r["transparency_id"]}
    stale = [
        inst
        for inst in Institution.objects.exclude(transparency_id=None)
        if owner.get(inst.transparency_id, inst.slug) != inst.slug
    ]
    if stale:
        Institution.objects.filter(pk__in=[i.pk for i in stale]).update(transparency_id=None)
    obsolete = Institution.objects.filter(source=Institution.Source.PTE).exclude(
        slug__in=list(rows)
    )
    obsolete = obsolete.filter(memberships=None)
    # gob.pe catalogue pages are relinked by title on every load; left pointing at an obsolete
    # row they would keep it alive (and relink to it) forever. Curated procedures hold it.
    held = obsolete.filter(procedures__has_detail=True).values("pk")
    released = obsolete.exclude(pk__in=held)
    pages = apps.get_model("catalogue", "Procedure")._default_manager
    pages.filter(institution__in=released).update(institution=None)
    orphans = released.filter(procedures=None)
    deleted, _detail = orphans.delete()
    report.counts[Institution._meta.label].deleted += _detail.get(Institution._meta.label, 0)
    del deleted


def load_reference_data(*, data_dir: Path, report: ImportReport) -> None:
    places = Gazetteer()
    gobpe = _read_gobpe(data_dir, report, places)
    pte = read_pte(data_dir, report, places)
    matching = match_pte(gobpe, pte, report, places)
    portal_only = portal_only_bodies(data_dir, pte, matching, report)
    rows = _build_rows(gobpe, portal_only, matching.matched, report)
    _assign_rucs(data_dir, rows, report)
    for row in rows.values():
        row.update(search_fields(row["name"], row["acronym"]))
    report.progress(_("Instituciones: %(n)d filas; guardando…") % {"n": len(rows)})
    _retire_stale(rows, report)
    objects = sync_rows(Institution, rows, report, key="slug")
    contacts = _contact_rows(data_dir, objects, report)
    sync_rows(
        ContactChannel,
        contacts,
        report,
        key="",
        key_of=lambda c: (c.institution_id, c.kind, c.value),
    )
