"""Writing a definition as an XLSForm (the ODK spreadsheet standard, https://xlsform.org).

What maps to what (docs/reference/xlsform.md says the same for designers):
- a page is a `begin_group`/`end_group` with appearance `field-list`; an exit page carries
  `ventanilla::exit` = yes and its message as a note marked `ventanilla::type` = exit_message;
- text → text; textarea → text + appearance multiline; number → integer, or decimal with
  `ventanilla::decimals`; money → decimal; email, phone, dni, ruc, ubigeo, address → text
  (phone, dni, ruc with appearance numbers); each of these keeps its type in `ventanilla::type`;
  date → date; yes_no → select_one si_no; choice → select_one <list>; multi_choice →
  select_multiple <list>; file → file with body::accept; group → begin_repeat/end_repeat;
  declaration → acknowledge; info → note (their label column shows the text; our label and
  text sit in `ventanilla::label` / `ventanilla::text`);
- show_if → relevant; rules → constraint (+ constraint_message for the pattern's message);
  required → required yes + required_message;
- the settings sheet holds form_title, form_id, version (a hash of the definition), the
  default language and our intro, declaration and confirmation texts;
- the workflow, when given, goes in an extra sheet `ventanilla_workflow` (one row per key,
  its value as JSON in column `json`), which XLSForm tools ignore; `workflow_from_xlsform`
  reads it back.
"""

import hashlib
import io
import json
import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ventanilla.formbuilder.interchange.normalize import TYPE_KEYS
from ventanilla.formbuilder.interchange.xpath import condition_to_xpath, constraint_to_xpath

LANGUAGE = "Español (es)"
YES_NO_LIST = "si_no"
WORKFLOW_SHEET = "ventanilla_workflow"
SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{LANGUAGE}",
    f"hint::{LANGUAGE}",
    "required",
    f"required_message::{LANGUAGE}",
    "relevant",
    "constraint",
    f"constraint_message::{LANGUAGE}",
    "appearance",
    "body::accept",
    "ventanilla::type",
    "ventanilla::label",
    "ventanilla::text",
    "ventanilla::decimals",
    "ventanilla::exit",
    "ventanilla::required",
    "ventanilla::max_size_mb",
    "ventanilla::max_files",
    "ventanilla::min_items",
    "ventanilla::max_items",
    "ventanilla::item_label",
    "ventanilla::source",
)
# Our types that XLSForm lacks: written as the nearest XLSForm type, named in ventanilla::type.
EXTRA_TYPES: dict[str, tuple[str, str]] = {
    "money": ("decimal", ""),
    "email": ("text", ""),
    "phone": ("text", "numbers"),
    "dni": ("text", "numbers"),
    "ruc": ("text", "numbers"),
    "ubigeo": ("text", "numbers"),
    "address": ("text", "multiline"),
}
NUMBER_KEYS = ("decimals", "max_size_mb", "max_files", "min_items", "max_items")


def slug(text: str, *, fallback: str) -> str:
    """`text` as an id: lowercase ASCII letters, digits and underscores, starting with a letter."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    result = re.sub(r"[^a-z0-9_]+", "_", ascii_text).strip("_")
    if not result:
        return fallback
    if not result[0].isalpha():
        result = f"{fallback}_{result}"
    return result[:40].rstrip("_")


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The dicts of a list (an unfinished draft may hold anything; export writes what it can)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    # Control characters (pasted from elsewhere) cannot be stored in an .xlsx cell.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


class _Writer:
    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition
        self.kinds: dict[str, str] = {}
        for page in _dicts(definition.get("pages")):
            for question in _dicts(page.get("questions")):
                self.kinds[str(question.get("id"))] = str(question.get("type"))
                if question.get("type") == "group":
                    for child in _dicts(question.get("questions")):
                        self.kinds[str(child.get("id"))] = str(child.get("type"))
        self.used = set(self.kinds) | {str(p.get("id")) for p in _dicts(definition.get("pages"))}
        self.survey: list[dict[str, str]] = []
        self.choices: list[tuple[str, str, str]] = []
        self.lists: set[str] = set()

    def unique(self, base: str) -> str:
        name, number = base, 1
        while name in self.used:
            number += 1
            name = f"{base}_{number}"
        self.used.add(name)
        return name

    def row(self, **values: Any) -> None:
        self.survey.append({key: _cell(value) for key, value in values.items() if _cell(value)})

    def pages(self) -> None:
        for page in _dicts(self.definition.get("pages")):
            self.row(
                type="begin_group",
                name=page.get("id"),
                label=page.get("title"),
                relevant=self.relevant(page.get("show_if")),
                appearance="field-list",
                ventanilla_exit=bool(page.get("exit")),
            )
            if page.get("exit") and page.get("exit_message"):
                self.row(
                    type="note",
                    name=self.unique(f"{page.get('id')}_salida"),
                    label=page["exit_message"],
                    ventanilla_type="exit_message",
                )
            for question in _dicts(page.get("questions")):
                self.question(question)
            self.row(type="end_group")

    def relevant(self, condition: dict[str, Any] | None) -> str:
        return condition_to_xpath(condition, self.kinds) if condition else ""

    def choice_list(self, question: dict[str, Any]) -> str:
        name = self.unique_list(_cell(question.get("id")))
        for choice in _dicts(question.get("choices")):
            self.choices.append((name, _cell(choice.get("value")), _cell(choice.get("label"))))
        return name

    def unique_list(self, base: str) -> str:
        name, number = base, 1
        while name in self.lists or name == YES_NO_LIST:
            number += 1
            name = f"{base}_{number}"
        self.lists.add(name)
        return name

    def question(self, question: dict[str, Any]) -> None:
        kind = str(question.get("type"))
        required = bool(question.get("required"))
        row: dict[str, Any] = {
            "type": kind,
            "name": question.get("id"),
            "label": question.get("label"),
            "hint": question.get("hint"),
            "relevant": self.relevant(question.get("show_if")),
            "constraint": constraint_to_xpath(question),
        }
        for key in NUMBER_KEYS:
            value = question.get(key)
            if (
                isinstance(value, int | float)
                and key in TYPE_KEYS.get(kind, ())
                and not (key == "decimals" and value == 0)
            ):
                row[f"ventanilla_{key}"] = value
        source = question.get("source")
        if isinstance(source, dict) and source.get("from"):
            # «reniec.persona:Prenombres», «sunarp.vehiculo:Marca:placa» (the key question)
            row["ventanilla_source"] = ":".join(
                str(source[k]) for k in ("from", "field", "key") if source.get(k)
            )
        if kind == "text" and question.get("pattern"):
            row["constraint_message"] = question.get("pattern_message")
        if kind in {"text", "textarea"}:
            row["type"] = "text"
            row["appearance"] = "multiline" if kind == "textarea" else ""
        elif kind == "number":
            row["type"] = "decimal" if question.get("decimals") else "integer"
        elif kind in EXTRA_TYPES:
            row["type"], row["appearance"] = EXTRA_TYPES[kind]
            row["ventanilla_type"] = kind
        elif kind == "date":
            row["type"] = "date"
        elif kind == "yes_no":
            row["type"] = f"select_one {YES_NO_LIST}"
            self.yes_no_list()
        elif kind in {"choice", "multi_choice"}:
            verb = "select_one" if kind == "choice" else "select_multiple"
            row["type"] = f"{verb} {self.choice_list(question)}"
        elif kind == "file":
            row["type"] = "file"
            accept = question.get("accept")
            row["body_accept"] = ",".join(map(str, accept if isinstance(accept, list) else []))
        elif kind in {"declaration", "info"}:
            row["type"] = "acknowledge" if kind == "declaration" else "note"
            row["label"] = question.get("text") or question.get("label")
            row["ventanilla_label"] = question.get("label")
            row["ventanilla_text"] = question.get("text")
            if kind == "info":
                required = False
        elif kind == "group":
            row.update(
                type="begin_repeat",
                ventanilla_required=required,
                ventanilla_item_label=question.get("item_label"),
            )
            self.row(**row)
            for child in _dicts(question.get("questions")):
                self.question(child)
            self.row(type="end_repeat")
            return
        if required:
            row["required"] = "yes"
            row["required_message"] = _("Esta pregunta es obligatoria.")
        self.row(**row)

    def yes_no_list(self) -> None:
        if YES_NO_LIST not in self.lists:
            self.lists.add(YES_NO_LIST)
            self.choices += [(YES_NO_LIST, "si", _("Sí")), (YES_NO_LIST, "no", _("No"))]


_ALIASES = {
    "label": f"label::{LANGUAGE}",
    "hint": f"hint::{LANGUAGE}",
    "required_message": f"required_message::{LANGUAGE}",
    "constraint_message": f"constraint_message::{LANGUAGE}",
    "body_accept": "body::accept",
}


def _column(key: str) -> str:
    if key in _ALIASES:
        return _ALIASES[key]
    return key.replace("ventanilla_", "ventanilla::", 1) if key.startswith("ventanilla_") else key


def definition_to_xlsform(
    *, definition: dict[str, Any], workflow: dict[str, Any] | None = None
) -> bytes:
    """The definition as an .xlsx XLSForm (sheets survey, choices, settings, and
    `ventanilla_workflow` when a workflow is given), ready for pyxform and ODK tools."""
    writer = _Writer(definition)
    writer.pages()
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(list(SURVEY_COLUMNS))
    for row in writer.survey:
        cells = {_column(key): value for key, value in row.items()}
        survey.append([cells.get(column) for column in SURVEY_COLUMNS])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", f"label::{LANGUAGE}"])
    for choice in writer.choices:
        choices.append(list(choice))
    settings = book.create_sheet("settings")
    title = _cell(definition.get("title"))
    digest = hashlib.sha256(repr(definition).encode()).hexdigest()
    settings_row = {
        "form_title": title,
        "form_id": slug(title, fallback="formulario"),
        "version": digest[:12],
        "default_language": LANGUAGE,
        "ventanilla::format": _cell(definition.get("format")),
        "ventanilla::intro": _cell(definition.get("intro")),
        "ventanilla::declaration": _cell(definition.get("declaration")),
        "ventanilla::confirmation": _cell(definition.get("confirmation")),
    }
    settings.append(list(settings_row))
    settings.append([value or None for value in settings_row.values()])
    if workflow is not None:
        sheet = book.create_sheet(WORKFLOW_SHEET)
        sheet.append(["key", "json"])
        for key, value in workflow.items() if isinstance(workflow, dict) else []:
            sheet.append([_cell(key), _cell(json.dumps(value, ensure_ascii=False, default=str))])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
