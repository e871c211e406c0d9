"""The 32,923 pages of gob.pe's catalogue (id + slug-derived title): a kind guessed from the
title and the institution whose folded name starts it."""

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.catalogue.models import ProcedureKind
from ventanilla.core.importing import ImportReport, read_csv
from ventanilla.core.text import fold, fold_words, spanish_slug

CATALOGUE_FILE = Path("gobpe_catalogo/catalogo.csv")
_PLAIN = re.compile(r"^[a-z0-9 _]+$")

PROCEDURE_VERBS = frozenset(
    [
        "solicitar",
        "obtener",
        "inscribir",
        "inscribirse",
        "inscripcion",
        "renovar",
        "renovacion",
        "pagar",
        "registrar",
        "registrarse",
        "presentar",
        "tramitar",
        "afiliar",
        "afiliarse",
        "afiliacion",
        "declarar",
        "apelar",
        "denunciar",
        "reclamar",
        "postular",
        "cambiar",
        "rectificar",
        "actualizar",
        "recuperar",
        "reprogramar",
        "revalidar",
        "otorgar",
        "acreditar",
        "constituir",
        "anular",
        "modificar",
        "transferir",
        "reponer",
        "reposicion",
        "interponer",
        "contraer",
        "reconocer",
        "solicita",
        "obtén",
        "obten",
        "tramita",
        "presenta",
        "paga",
        "inscribete",
        "declara",
        "autorizacion",
        "permiso",
        "licencia",
        "certificado",
        "duplicado",
        "emision",
        "expedicion",
        "legalizar",
        "legalizacion",
        "apostillar",
        "apostilla",
        "matricular",
        "matricula",
        "validar",
        "convalidar",
        "habilitar",
        "formalizar",
        "canjear",
        "canje",
        "desafiliarse",
        "reportar",
        "notificar",
        "tramite",
    ]
)
SERVICE_VERBS = frozenset(
    [
        "acceder",
        "consultar",
        "descargar",
        "verificar",
        "buscar",
        "ver",
        "reservar",
        "agendar",
        "separar",
        "usar",
        "recibir",
        "participar",
        "accede",
        "consulta",
        "descarga",
        "verifica",
        "busca",
        "reserva",
        "agenda",
        "atencion",
        "conocer",
        "conoce",
        "calcular",
        "calcula",
        "simular",
        "seguir",
        "rastrear",
        "ubicar",
        "encontrar",
    ]
)
GUIDANCE_STARTS = (
    "que es", "que son", "como ", "preguntas frecuentes", "sabias", "cuales", "por que",
    "guia", "recomendaciones", "conoce que", "todo sobre", "informacion sobre", "cuando ",
    "donde ", "quienes pueden",
)  # fmt: skip
PAGE_TITLES = frozenset(
    {"quienes somos", "politica de privacidad", "legislacion", "organizacion", "que hacemos",
     "funcionarios", "contacto", "sedes", "transparencia", "normas legales"}
)  # fmt: skip


def guess_kind(rest: str) -> str:
    """Kind of page from its title (after the institution's name, if it starts with one)."""
    t = rest.strip()
    if not t or t in PAGE_TITLES or t.endswith("que hacemos") or re.search(r"\borganizacion\b", t):
        return ProcedureKind.PAGE
    if t.startswith(GUIDANCE_STARTS) or "preguntas frecuentes" in t:
        return ProcedureKind.GUIDANCE
    first = t.split(" ", 1)[0]
    if first in PROCEDURE_VERBS:
        return ProcedureKind.PROCEDURE
    if first in SERVICE_VERBS:
        return ProcedureKind.SERVICE
    return ProcedureKind.GUIDANCE


class InstitutionIndex:
    """Institutions by folded name (and name + qualifier), unique names only, for finding
    the longest institution name a title starts with."""

    def __init__(self, institutions: list[tuple[int, str, str]]):
        names: dict[str, set[int]] = defaultdict(set)
        for pk, name, _acronym in institutions:
            key = fold_words(name)
            if len(key.split()) >= 2:
                names[key].add(pk)
        self.names = {k: next(iter(v)) for k, v in names.items() if len(v) == 1}
        self.prefixes = {
            " ".join(k.split()[:n]) for k in self.names for n in range(1, len(k.split()) + 1)
        }

    def match(self, title: str) -> tuple[int | None, str]:
        """(institution id, the rest of the title) for the longest leading institution name."""
        words = title.split()
        found: tuple[int | None, str] = (None, title)
        for n in range(1, len(words) + 1):
            key = " ".join(words[:n])
            if key not in self.prefixes:
                break
            if key in self.names:
                found = (self.names[key], " ".join(words[n:]))
        return found


def read_catalogue(data_dir: Path, report: ImportReport) -> dict[int, tuple[int, str]]:
    """gob.pe id -> (line, title), duplicates and bad ids reported."""
    path = data_dir / CATALOGUE_FILE
    out: dict[int, tuple[int, str]] = {}
    for row in read_csv(path, report, required=["gobpe_id", "title"], known=["gobpe_id", "title"]):
        if not row["gobpe_id"].isdigit() or not row["title"]:
            report.skip(path, row.line, _("fila sin id numérico o sin título"))
            continue
        gobpe_id = int(row["gobpe_id"])
        if gobpe_id in out:
            report.skip(path, row.line, _("id repetido: %(id)d") % {"id": gobpe_id})
            continue
        out[gobpe_id] = (row.line, row["title"])
    return out


def catalogue_rows(
    data_dir: Path,
    catalogue: dict[int, tuple[int, str]],
    replaced: dict[int, str],
    index: InstitutionIndex,
    institutions: dict[int, str],
    report: ImportReport,
) -> dict[int, dict[str, Any]]:
    """Procedure rows for the catalogue pages a curated procedure does not replace.
    `institutions` maps id -> folded "acronym name" for the search text."""
    path = data_dir / CATALOGUE_FILE
    rows: dict[int, dict[str, Any]] = {}
    linked = 0
    kinds = _("Páginas del catálogo por tipo (adivinado del título)")
    for gobpe_id, (line, title) in catalogue.items():
        if gobpe_id in replaced:
            report.skip(
                path, line, _("reemplazada por el trámite curado %(c)s") % {"c": replaced[gobpe_id]}
            )
            continue
        plain = bool(_PLAIN.match(title))  # slug-derived titles are already folded
        folded = title.replace("_", " ") if plain else fold_words(title)
        institution_id, rest = index.match(folded)
        kind = guess_kind(rest)
        report.tally(kinds, str(kind))
        # gob.pe's own address: the title with spaces as hyphens.
        slug = title.replace(" ", "-") if plain else spanish_slug(title)
        extra = ""
        if institution_id:
            linked += 1
            extra = institutions[institution_id]
        rows[gobpe_id] = {
            "number": gobpe_id, "gobpe_id": gobpe_id, "gobpe_child_id": None, "code": None,
            "slug": slug[:220].strip("-"), "title": title[:300], "kind": kind,
            "institution_id": institution_id, "has_detail": False, "popularity": 0,
            "search_text": f"{title if plain else fold(title)} {extra}".strip(),
        }  # fmt: skip
        report.loaded(path)
    share = 100 * linked / len(rows) if rows else 0
    report.tally(_("Páginas del catálogo con institución"), _("enlazadas"), linked)
    report.tally(_("Páginas del catálogo con institución"), _("sin enlazar"), len(rows) - linked)
    report.note(
        _("Catálogo: proporción enlazada a una institución"),
        f"{linked} de {len(rows)} ({share:.1f} %)",
    )
    return rows
