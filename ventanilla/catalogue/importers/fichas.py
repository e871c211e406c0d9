"""Merge the six full gob.pe pages (fichas.jsonl) into their curated procedures: summary,
requirements, steps per channel, and every other section in its order."""

import re
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.catalogue.importers.curated import KINDS, Curated
from ventanilla.catalogue.models import Channel
from ventanilla.core.importing import ImportReport, read_jsonl
from ventanilla.core.text import fold

FICHAS_FILE = Path("gobpe_fichas/fichas.jsonl")

_ONLINE = re.compile(r"\b(online|en linea|virtual|web|app|ingresa a|plataforma|pagalo)\b")
_IN_PERSON = re.compile(
    r"\b(presencial|centro|oficina|sede|modulo|cita|lector biometrico|agencia|ventanilla)"
)
# Going somewhere is the strongest sign of an in-person flow, even when payment is online.
_GO_TO = re.compile(r"\b(acercate|acude|dirigete|acudir|acercarte|dirigirte)\b")
_STEPS = re.compile(r"^(hazlo en|como |canales de pago|pasos|puedes solicitar|solicitalo)")


def _channel_kind(heading: str, items: list[str], current: str) -> str:
    h = fold(heading)
    if re.search(r"\b(online|en linea|virtual)\b", h):
        return Channel.Kind.ONLINE
    if "presencial" in h:
        return Channel.Kind.IN_PERSON
    if h.startswith("canales de pago") and current:
        return current
    text = fold(" ".join(items))
    online = len(_ONLINE.findall(text))
    in_person = len(_IN_PERSON.findall(text)) + 2 * len(_GO_TO.findall(text))
    if online == in_person:
        return current or Channel.Kind.IN_PERSON
    return Channel.Kind.ONLINE if online > in_person else Channel.Kind.IN_PERSON


def _is_channel_heading(heading: str) -> bool:
    h = fold(heading).lstrip("¿")
    return bool(_STEPS.match(h) or h.startswith("modalidad") or "online" in h)


def merge_ficha(item: Curated, ficha: dict[str, Any], report: ImportReport) -> None:
    sections = [s for s in ficha.get("sections") or [] if isinstance(s, dict)]
    current = ""
    requirements: list[str] = []
    for position, section in enumerate(sections):
        heading = str(section.get("heading") or "").strip()
        items = [str(i).strip() for i in section.get("items") or [] if str(i).strip()]
        h = fold(heading)
        if position == 0 and h in {"", "descripcion"}:
            item.fields["summary"] = "\n\n".join(items)
        elif h.startswith("requisito"):
            requirements.extend(items)
        elif _is_channel_heading(heading):
            current = _channel_kind(heading, items, current)
            channel = next((c for c in item.channels if c["kind"] == current), None)
            if channel is None:
                channel = {"kind": current, "description": heading, "url": "", "steps": []}
                item.channels.append(channel)
            channel["steps"].extend(items)
        else:
            item.sections.append({"heading": heading[:200], "items": items})
    if requirements:
        item.requirements = requirements
    kind = KINDS.get(fold(str(ficha.get("kind") or "")))
    if kind:
        item.fields["kind"] = kind
    try:
        changed = date.fromisoformat(str(ficha.get("lastChanged") or ""))
    except ValueError:
        changed = None
    checked = item.fields.get("source_checked_on")
    if changed and (checked is None or changed > checked):
        item.fields["source_checked_on"] = changed
    if ficha.get("url") and not item.fields.get("source_url"):
        item.fields["source_url"] = ficha["url"]


def merge_fichas(data_dir: Path, curated: list[Curated], report: ImportReport) -> int:
    """Merge each ficha into the curated procedure with its gob.pe id; returns how many."""
    path = data_dir / FICHAS_FILE
    by_id = {
        c.fields["gobpe_id"]: c
        for c in curated
        if c.fields["gobpe_id"] and not c.fields["gobpe_child_id"]
    }
    merged = 0
    for row in read_jsonl(path, report):
        try:
            gobpe_id = int(row.data.get("id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            report.skip(path, row.line, _("ficha sin id numérico"))
            continue
        item = by_id.get(gobpe_id)
        if item is None:
            report.skip(path, row.line, _("ficha %(id)d sin trámite curado") % {"id": gobpe_id})
            continue
        merge_ficha(item, row.data, report)
        report.tally(_("Fichas de gob.pe fusionadas"), f"{gobpe_id} → {item.code}")
        report.loaded(path)
        merged += 1
    return merged
