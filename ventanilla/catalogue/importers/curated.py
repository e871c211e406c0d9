"""The 43 curated procedures of procedimientos.csv: fees, time limits, requirements, channels,
sources, and the gob.pe number each one takes."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.catalogue.models import LOCAL_NUMBER_BASE, Channel, ProcedureKind
from ventanilla.core.importing import ImportReport, Row, read_csv
from ventanilla.core.text import fold, fold_words, spanish_slug

PROCEDURES_FILE = Path("procedimientos/procedimientos.csv")
COLUMNS = [
    "proc_id", "titulo", "entidad", "siglas", "gobpe_entity_slug", "tipo", "canal",
    "costo_soles", "costo_detalle", "plazo", "vigencia", "requisitos", "gobpe_url",
    "fuente_url", "fuente_tipo", "fuente_fecha", "notas",
]  # fmt: skip
KINDS = {
    "tramite": ProcedureKind.PROCEDURE,
    "servicio": ProcedureKind.SERVICE,
    "orientacion": ProcedureKind.GUIDANCE,
}
_GOBPE_URL = re.compile(
    r"gob\.pe/(?:institucion/[^/]+/pages/)?(?P<id>\d+)(?:-(?P<slug>[^?#]*))?(?:\?child=(?P<child>\d+))?"
)
_HOST = re.compile(r"\b((?:[a-z0-9-]+\.)+gob\.pe)\b")
_CODE = re.compile(r"^P(\d{3,})$")


@dataclass
class Curated:
    code: str
    line: int
    fields: dict[str, Any]
    requirements: list[str] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    institution_hint: tuple[str, str, str] = ("", "", "")  # slug, siglas, entidad
    catalogue_title: str = ""

    @property
    def serial(self) -> int:
        match = _CODE.match(self.code)
        return int(match[1]) if match else 0


def parse_fee(value: str) -> Decimal | None:
    """'' -> None (unknown); '0.00' -> 0 (free); '30.00' -> 30.00. Raises ValueError."""
    if not value:
        return None
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation as error:
        raise ValueError(value) from error
    if amount < 0 or not amount.is_finite():
        raise ValueError(value)
    return amount.quantize(Decimal("0.01"))


def parse_checked_on(value: str) -> tuple[date | None, bool]:
    """'2026-09-08' -> that date; '2023-06' / '2024' -> first day, flagged partial."""
    parts = value.split("-") if value else []
    try:
        if len(parts) == 3:
            return date(int(parts[0]), int(parts[1]), int(parts[2])), False
        if len(parts) == 2:
            return date(int(parts[0]), int(parts[1]), 1), True
        if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
            return date(int(parts[0]), 1, 1), True
    except ValueError:
        pass
    return None, bool(value)


def parse_channels(text: str, *, online_url: str) -> list[dict[str, Any]]:
    """'mixto (web, Agente Reniec, presencial en Centro Reniec/MAC)' -> online + in person;
    each channel keeps the source text as its description."""
    t = fold(text)
    if not t:
        return []
    mixed = t.startswith("mixto")
    kinds = []
    if mixed or re.search(r"\b(web|virtual|en linea|online|app|internet)\b|gob\.pe", t):
        kinds.append(Channel.Kind.ONLINE)
    if mixed or re.search(
        r"presencial|oficina|centro|banco de la nacion|establecimiento|ventanilla|sede|comisar"
        r"|municipalidad|institucion educativa|agencia",
        t,
    ):
        kinds.append(Channel.Kind.IN_PERSON)
    if re.search(r"telefon|llamada|whatsapp|call center", t):
        kinds.append(Channel.Kind.PHONE)
    return [
        {
            "kind": kind,
            "description": text,
            "url": online_url if kind == Channel.Kind.ONLINE else "",
            "steps": [],
        }
        for kind in kinds
    ]


def read_curated(
    data_dir: Path, report: ImportReport, catalogue_titles: dict[str, list[int]]
) -> list[Curated]:
    path = data_dir / PROCEDURES_FILE
    out: list[Curated] = []
    seen: set[str] = set()
    numbers: set[int] = set()
    partial = _("Fechas de verificación parciales (se usa el primer día)")
    for row in read_csv(path, report, required=["proc_id", "titulo"], known=COLUMNS):
        code, title = row["proc_id"], row["titulo"]
        if not _CODE.match(code) or not title:
            report.skip(path, row.line, _("código o título inválido: «%(c)s»") % {"c": code})
            continue
        if code in seen:
            report.skip(path, row.line, _("código repetido: %(c)s") % {"c": code})
            continue
        try:
            fee = parse_fee(row["costo_soles"])
        except ValueError:
            report.skip(path, row.line, _("costo inválido: «%(v)s»") % {"v": row["costo_soles"]})
            continue
        seen.add(code)
        item = _curated(row, code, title, fee, report, path)
        checked, is_partial = parse_checked_on(row["fuente_fecha"])
        if is_partial:
            report.note(partial, f"{code}: «{row['fuente_fecha']}»")
        item.fields["source_checked_on"] = checked
        _assign_number(item, row, catalogue_titles, numbers, report)
        out.append(item)
        report.loaded(path)
    return out


def _curated(
    row: Row, code: str, title: str, fee: Decimal | None, report: ImportReport, path: Path
) -> Curated:
    kind = KINDS.get(fold(row["tipo"]))
    if kind is None:
        report.note(_("Trámites sin tipo (se asume «trámite»)"), f"{code} (línea {row.line})")
        kind = ProcedureKind.PROCEDURE
    canal = fold(row["canal"])
    host = _HOST.search(canal)
    online_url = ""
    if canal.startswith(("virtual", "mixto")) or re.search(r"\b(web|en linea|online)\b", canal):
        if host:
            online_url = f"https://{host[1]}"
        elif row["gobpe_url"]:
            online_url = row["gobpe_url"]
        elif "gob.pe/" in row["fuente_url"]:
            online_url = row["fuente_url"]
    return Curated(
        code=code,
        line=row.line,
        fields={
            "code": code,
            "title": title[:300],
            "kind": kind,
            "fee_amount": fee,
            "fee_detail": row["costo_detalle"],
            "time_limit": row["plazo"][:200],
            "validity": row["vigencia"][:200],
            "notes": row["notas"],
            "online_url": online_url,
            "source_url": row["fuente_url"] or row["gobpe_url"],
            "source_type": row["fuente_tipo"][:200],
            "has_detail": True,
            "is_published": True,
            "summary": "",
        },
        requirements=[r.strip() for r in row["requisitos"].split(" | ") if r.strip()],
        channels=parse_channels(row["canal"], online_url=online_url),
        institution_hint=(row["gobpe_entity_slug"], row["siglas"], row["entidad"]),
    )


def _assign_number(
    item: Curated,
    row: Row,
    catalogue_titles: dict[str, list[int]],
    numbers: set[int],
    report: ImportReport,
) -> None:
    """gob.pe id from the URL; a ?child= variant keeps the ids but takes a local number; else a
    unique exact title match in the catalogue; else a local number."""
    rule = _("Número de los trámites curados (regla)")
    match = _GOBPE_URL.search(row["gobpe_url"])
    gobpe_id = child = None
    slug = ""
    if match:
        gobpe_id = int(match["id"])
        child = int(match["child"]) if match["child"] else None
        slug = (match["slug"] or "").strip("-")
        number = LOCAL_NUMBER_BASE + item.serial if child else gobpe_id
        report.tally(rule, _("variante ?child= (número local)") if child else _("id de gob.pe"))
    else:
        hits = [
            i
            for i in catalogue_titles.get(fold_words(item.fields["title"]), [])
            if i not in numbers
        ]
        if len(hits) == 1:
            number = gobpe_id = hits[0]
            report.tally(rule, _("título idéntico en el catálogo"))
        else:
            number = LOCAL_NUMBER_BASE + item.serial
            report.tally(rule, _("número local"))
            if len(hits) > 1:
                report.note(
                    _("Trámites con título repetido en el catálogo (número local)"),
                    f"{item.code}: {', '.join(map(str, hits))}",
                )
    numbers.add(number)
    item.fields.update(
        number=number,
        gobpe_id=gobpe_id,
        gobpe_child_id=child,
        slug=(slug or spanish_slug(item.fields["title"]))[:220],
    )
