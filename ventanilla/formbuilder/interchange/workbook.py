"""Reading an .xlsx safely into rows keyed by XLSForm column: sizes capped, damaged files
turned into one Spanish message, headers normalised (aliases, `label::<language>` columns)."""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 3000
TRANSLATABLE = {"label", "hint", "constraint_message", "required_message", "guidance_hint"}
ALIASES = {
    "list_name": "list_name",
    "list name": "list_name",
    "value": "name",
    "relevance": "relevant",
    "bind::relevant": "relevant",
    "bind::constraint": "constraint",
    "bind::required": "required",
    "constraint message": "constraint_message",
    "required message": "required_message",
    "bind::jr:constraintmsg": "constraint_message",
    "bind::jr:requiredmsg": "required_message",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


def _spanish(language: str) -> bool:
    lowered = language.lower().strip()
    return (
        "(es)" in lowered
        or lowered in {"es", "español", "espanol", "spanish"}
        or lowered.startswith(("español", "espanol", "spanish", "es-"))
    )


@dataclass
class Sheet:
    """One sheet's rows (with their spreadsheet row numbers) keyed by normalised header."""

    name: str
    rows: list[tuple[int, dict[str, dict[str | None, str]]]] = field(default_factory=list)
    headers: set[str] = field(default_factory=set)
    language: str | None = None

    def get(self, cells: dict[str, dict[str | None, str]], key: str) -> str:
        variants = cells.get(key) or {}
        order: list[str | None] = [lang for lang in variants if lang and _spanish(lang)]
        order += [None, self.language, *variants]
        for lang in order:
            if variants.get(lang):
                return variants[lang]
        return ""


def _header(cell: Any) -> tuple[str, str | None]:
    text = _text(cell)
    lowered = ALIASES.get(text.lower(), text.lower())
    if "::" in text:
        base, language = text.split("::", 1)
        base = ALIASES.get(base.strip().lower(), base.strip().lower().replace(" ", "_"))
        if base in TRANSLATABLE:
            return base, language.strip()
        return f"{base}::{language.strip().lower()}", None
    return ALIASES.get(lowered, lowered.replace(" ", "_")), None


def _sheet(name: str, rows: list[tuple[Any, ...]]) -> Sheet:
    sheet = Sheet(name)
    if not rows:
        return sheet
    columns = [_header(cell) for cell in rows[0]]
    sheet.headers = {base for base, _lang in columns if base}
    for number, values in enumerate(rows[1:], start=2):
        cells: dict[str, dict[str | None, str]] = {}
        for (base, language), value in zip(columns, values, strict=False):
            if base and _text(value):
                cells.setdefault(base, {})[language] = _text(value)
        if cells:
            sheet.rows.append((number, cells))
    return sheet


def workbook_read(content: bytes) -> tuple[dict[str, Sheet], list[str]]:
    """The workbook's sheets by lowercase name, or Spanish errors when it is not an .xlsx."""
    if not content:
        return {}, [_("El archivo está vacío.")]
    if len(content) > MAX_BYTES:
        return {}, [_("El archivo pesa más de 5 MB; un formulario no necesita tanto.")]
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return {}, [
            _("El archivo es de Excel 97-2003 (.xls): guárdalo como .xlsx y vuelve a importarlo.")
        ]
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError, IndexError):
        return {}, [_("El archivo no es una hoja de cálculo .xlsx válida.")]
    except Exception:  # openpyxl raises assorted errors on damaged files; all mean the same here
        return {}, [_("El archivo no es una hoja de cálculo .xlsx válida.")]
    sheets: dict[str, Sheet] = {}
    errors: list[str] = []
    try:
        for worksheet in book.worksheets:
            name = worksheet.title.strip().lower()
            rows = []
            for row in worksheet.iter_rows(values_only=True):
                rows.append(tuple(row))
                if len(rows) > MAX_ROWS:
                    errors.append(
                        _("La hoja «%(s)s» tiene más de %(n)s filas.")
                        % {"s": worksheet.title, "n": MAX_ROWS}
                    )
                    break
            sheets[name] = _sheet(worksheet.title, rows)
    except Exception:  # a damaged sheet inside a valid zip
        return {}, [_("El archivo no es una hoja de cálculo .xlsx válida.")]
    finally:
        book.close()
    return sheets, errors
