"""Reading an XLSForm (.xlsx) into a definition: ours re-imports exactly (see normalize.py),
and an ordinary ODK form made elsewhere imports as far as our types allow. Every problem is
a Spanish message naming the sheet and row; nothing here raises on bad input."""

import json
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.formbuilder.definition import (
    ACCEPTED_FILE_TYPES,
    FORMAT,
    ID_PATTERN,
    definition_errors,
    workflow_errors,
)
from ventanilla.formbuilder.interchange.normalize import TYPE_KEYS, definition_normalize
from ventanilla.formbuilder.interchange.workbook import Sheet, workbook_read
from ventanilla.formbuilder.interchange.xlsform import (
    EXTRA_TYPES,
    WORKFLOW_SHEET,
    YES_NO_LIST,
    slug,
)
from ventanilla.formbuilder.interchange.xpath import ConditionReader, XPathError, constraint_read

# Automatic ODK metadata: nothing to ask the citizen, so nothing to import.
METADATA = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "hidden", "start-geopoint",
}  # fmt: skip
YES = {"yes", "true", "true()", "1", "si", "sí"}
NO = {"", "no", "false", "false()", "0"}
EXTENSIONS = {
    ".pdf": ["application/pdf"],
    ".jpg": ["image/jpeg"],
    ".jpeg": ["image/jpeg"],
    ".png": ["image/png"],
    ".docx": ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ".xlsx": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    "image/*": ["image/jpeg", "image/png"],
}


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


class _Reader:
    def __init__(self, sheets: dict[str, Sheet]) -> None:
        self.survey = sheets["survey"]
        self.choices = sheets.get("choices") or Sheet("choices")
        settings = sheets.get("settings") or Sheet("settings")
        self.settings = settings.rows[0][1] if settings.rows else {}
        self.survey.language = self.choices.language = self.setting("default_language") or None
        self.errors: list[str] = []
        self.names: dict[str, str] = {}  # XLSForm name -> our id
        self.rows_of: dict[str, int] = {}  # our id -> row
        self.kinds: dict[str, str] = {}
        self.pages: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []
        self.loose: dict[str, Any] | None = None
        self.relevants: list[tuple[dict[str, Any], list[tuple[int, str]]]] = []
        self.lists = self.read_choices()

    def setting(self, key: str) -> str:
        return Sheet("settings").get(self.settings, key)

    def error(self, sheet: str, row: int, message: str) -> None:
        self.errors.append(
            _("Hoja «%(s)s», fila %(r)s: %(m)s") % {"s": sheet, "r": row, "m": message}
        )

    def read_choices(self) -> dict[str, list[dict[str, str]]]:
        lists: dict[str, list[dict[str, str]]] = {}
        seen: dict[tuple[str, str], int] = {}
        for row, cells in self.choices.rows:
            list_name = self.choices.get(cells, "list_name")
            value = self.choices.get(cells, "name")
            if not list_name or not value:
                self.error("choices", row, _("cada opción necesita «list_name» y «name»."))
                continue
            if (list_name, value) in seen:
                self.error(
                    "choices",
                    row,
                    _("la opción «%(v)s» de la lista «%(l)s» se repite (fila %(o)s).")
                    % {"v": value, "l": list_name, "o": seen[(list_name, value)]},
                )
                continue
            seen[(list_name, value)] = row
            label = self.choices.get(cells, "label") or value
            lists.setdefault(list_name, []).append({"value": value, "label": label})
        return lists

    def new_id(self, row: int, name: str) -> str | None:
        if not name:
            self.error("survey", row, _("falta el nombre («name»)."))
            return None
        qid = name if ID_PATTERN.match(name) else slug(name, fallback="q")
        if qid in self.rows_of:
            self.error(
                "survey",
                row,
                _("el nombre «%(n)s» se repite (fila %(o)s); cada nombre debe ser único.")
                % {"n": name, "o": self.rows_of[qid]},
            )
            return None
        self.names[name] = qid
        self.rows_of[qid] = row
        return qid

    def generated_id(self, base: str) -> str:
        qid, number = base, 1
        while qid in self.rows_of:
            number += 1
            qid = f"{base}_{number}"
        self.rows_of[qid] = 0
        return qid

    def read(self) -> None:
        if "type" not in self.survey.headers or "name" not in self.survey.headers:
            self.errors.append(_("La hoja «survey» necesita las columnas «type» y «name»."))
            return
        for row, cells in self.survey.rows:
            kind = " ".join(self.survey.get(cells, "type").replace("select one", "select_one")
                            .replace("select multiple", "select_multiple").split())  # fmt: skip
            kind = kind.replace("begin group", "begin_group").replace("end group", "end_group")
            kind = kind.replace("begin repeat", "begin_repeat").replace("end repeat", "end_repeat")
            if not kind:
                if self.survey.get(cells, "name") or self.survey.get(cells, "label"):
                    self.error("survey", row, _("falta el tipo («type»)."))
                continue
            self.row(row, kind.split(" ")[0].lower(), kind, cells)
        for frame in self.stack:
            self.error(
                "survey",
                frame["row"],
                _("el grupo «%(n)s» no se cierra con su «end».") % {"n": frame["name"]},
            )

    def row(self, row: int, word: str, kind: str, cells: dict[str, dict[str | None, str]]) -> None:
        get = self.survey.get
        if word in {"end_group", "end_repeat"}:
            wanted = "group" if word == "end_group" else "repeat"
            if not self.stack or self.stack[-1]["kind"] != wanted:
                self.error(
                    "survey", row, _("«%(t)s» no cierra ningún grupo abierto.") % {"t": word}
                )
            else:
                self.stack.pop()
            return
        if word in METADATA and len(kind.split(" ")) == 1:
            return
        if word == "begin_group":
            name = get(cells, "name")
            relevant = get(cells, "relevant")
            if not self.stack:
                qid = self.new_id(row, name)
                page: dict[str, Any] = {
                    "id": qid or "",
                    "title": get(cells, "label") or name,
                    "questions": [],
                }
                if get(cells, "ventanilla::exit").lower() in YES:
                    page["exit"] = True
                self.pages.append(page)
                self.loose = None
                if relevant:
                    self.relevants.append((page, [(row, relevant)]))
                self.stack.append(
                    {"kind": "group", "row": row, "name": name, "page": page, "when": []}
                )
            else:
                # Groups inside a page have no counterpart: their questions join the page.
                when = [*self.stack[-1]["when"], *([(row, relevant)] if relevant else [])]
                self.stack.append(
                    {**self.stack[-1], "kind": "group", "row": row, "name": name, "when": when}
                )
            return
        if word == "note" and get(cells, "ventanilla::type") == "exit_message":
            if self.stack and self.stack[0].get("page"):
                self.stack[0]["page"]["exit_message"] = get(cells, "label")
            return
        question = self.question(row, word, kind, cells)
        if question is None:
            return
        if word == "begin_repeat":
            if any(frame["kind"] == "repeat" for frame in self.stack):
                self.error("survey", row, _("un grupo que se repite no puede contener otro."))
            self.add(question, row, cells)
            frame = self.stack[-1] if self.stack else {"when": []}
            repeat = {
                "kind": "repeat",
                "row": row,
                "name": get(cells, "name"),
                "group": question,
                "when": [],
            }
            self.stack.append({**frame, **repeat})
            return
        self.add(question, row, cells)

    def add(
        self, question: dict[str, Any], row: int, cells: dict[str, dict[str | None, str]]
    ) -> None:
        frame = self.stack[-1] if self.stack else None
        relevant = self.survey.get(cells, "relevant")
        when = [*(frame["when"] if frame else []), *([(row, relevant)] if relevant else [])]
        if when:
            self.relevants.append((question, when))
        if frame and frame.get("group") is not None:
            frame["group"]["questions"].append(question)
        elif frame:
            frame["page"]["questions"].append(question)
        else:
            if question["type"] == "group" or self.loose is None:
                number = len(self.pages) + 1
                base = (
                    f"{question['id']}_pagina"
                    if question["type"] == "group"
                    else f"pagina_{number}"
                )
                title = (
                    question["label"]
                    if question["type"] == "group"
                    else _("Página %(n)s") % {"n": number}
                )
                self.loose = {"id": self.generated_id(base), "title": title, "questions": []}
                self.pages.append(self.loose)
            self.loose["questions"].append(question)
            if question["type"] == "group":
                self.loose = None

    def question(
        self, row: int, word: str, kind: str, cells: dict[str, dict[str | None, str]]
    ) -> dict[str, Any] | None:
        get = self.survey.get
        parts = kind.split(" ")
        extra = get(cells, "ventanilla::type")
        appearance = get(cells, "appearance").lower().split()
        ours: str | None = None
        choices: list[dict[str, str]] | None = None
        if word in {"select_one", "select_multiple"} and len(parts) == 2:
            if parts[1] not in self.lists:
                self.error(
                    "survey",
                    row,
                    _("la lista de opciones «%(l)s» no está en la hoja «choices».")
                    % {"l": parts[1]},
                )
                return None
            choices = self.lists[parts[1]]
            values = [c["value"] for c in choices]
            if word == "select_one" and (
                extra == "yes_no" or (parts[1] == YES_NO_LIST and values == ["si", "no"])
            ):
                ours, choices = "yes_no", None
            else:
                ours = "choice" if word == "select_one" else "multi_choice"
        elif len(parts) == 1:
            ours = {
                "text": "textarea" if "multiline" in appearance else "text",
                "integer": "number",
                "decimal": "number",
                "date": "date",
                "file": "file",
                "image": "file",
                "acknowledge": "declaration",
                "trigger": "declaration",
                "note": "info",
                "begin_repeat": "group",
            }.get(word)
            if extra in EXTRA_TYPES and EXTRA_TYPES[extra][0] == word:
                ours = extra
        if ours is None:
            self.error(
                "survey",
                row,
                _("el tipo «%(t)s» no tiene equivalente en Ventanilla; quita esa fila.")
                % {"t": kind},
            )
            return None
        qid = self.new_id(row, get(cells, "name"))
        if qid is None:
            return None
        question: dict[str, Any] = {"id": qid, "type": ours, "label": get(cells, "label")}
        self.kinds[qid] = ours
        if get(cells, "hint"):
            question["hint"] = get(cells, "hint")
        required = get(cells, "ventanilla::required" if ours == "group" else "required").lower()
        if required in YES:
            question["required"] = True
        elif required not in NO:
            self.error(
                "survey",
                row,
                _("«required» debe ser yes o no; una condición no se puede convertir."),
            )
        if choices is not None:
            question["choices"] = [dict(c) for c in choices]
        if ours == "number" and word == "decimal":
            question["decimals"] = 2
        if ours == "file":
            question["accept"] = self.accept(
                row, "image/*" if word == "image" else get(cells, "body::accept")
            )
        if ours in {"info", "declaration"}:
            if "ventanilla::text" in self.survey.headers:
                question["label"] = get(cells, "ventanilla::label")
                question["text"] = get(cells, "ventanilla::text")
            else:
                question["label"], question["text"] = "", get(cells, "label")
        if ours == "group":
            question["questions"] = []
            if get(cells, "ventanilla::item_label"):
                question["item_label"] = get(cells, "ventanilla::item_label")
            count = get(cells, "repeat_count")
            if count:
                if count.isdigit():
                    question["min_items"] = question["max_items"] = int(count)
                else:
                    self.error(
                        "survey", row, _("«repeat_count» solo se admite como un número fijo.")
                    )
        for key in ("decimals", "max_size_mb", "max_files", "min_items", "max_items"):
            value = get(cells, f"ventanilla::{key}")
            if value and key in TYPE_KEYS.get(ours, ()):
                try:
                    question[key] = _number(value)
                except ValueError:
                    self.error(
                        "survey", row, _("«ventanilla::%(k)s» debe ser un número.") % {"k": key}
                    )
        source = get(cells, "ventanilla::source")
        if source:
            parts = [part.strip() for part in source.split(":")]
            question["source"] = dict(zip(("from", "field", "key"), parts, strict=False))
        constraint = get(cells, "constraint")
        if constraint:
            try:
                question.update(constraint_read(constraint, ours))
            except XPathError as error:
                self.error(
                    "survey",
                    row,
                    _("la validación «%(c)s» no se puede convertir: %(e)s.")
                    % {"c": constraint, "e": error},
                )
            if question.get("pattern") and get(cells, "constraint_message"):
                question["pattern_message"] = get(cells, "constraint_message")
        return question

    def accept(self, row: int, text: str) -> list[str]:
        accepted: list[str] = []
        for item in (part.strip().lower() for part in text.split(",") if part.strip()):
            types = EXTENSIONS.get(item, [item] if item in ACCEPTED_FILE_TYPES else None)
            if types is None:
                self.error(
                    "survey", row, _("el tipo de archivo «%(t)s» no se admite.") % {"t": item}
                )
                continue
            accepted += [t for t in types if t not in accepted]
        return accepted

    def conditions(self) -> None:
        reader = ConditionReader(self.names, self.kinds)
        for target, expressions in self.relevants:
            parts = []
            for row, text in expressions:
                try:
                    parts.append(reader.read(text))
                except XPathError as error:
                    self.error(
                        "survey",
                        row,
                        _("la condición «%(c)s» no se puede convertir: %(e)s.")
                        % {"c": text, "e": error},
                    )
            if parts:
                target["show_if"] = parts[0] if len(parts) == 1 else {"all": parts}


def definition_from_xlsform(*, content: bytes) -> tuple[dict[str, Any], list[str]]:
    """The definition an XLSForm describes and the Spanish problems found (sheet and row
    named). No problems means the definition is complete and valid (`definition_errors`)."""
    sheets, errors = workbook_read(content)
    if errors:
        return {}, errors
    if "survey" not in sheets:
        return {}, [_("El archivo no tiene la hoja «survey» que exige XLSForm.")]
    if not sheets["survey"].rows:
        return {}, [_("La hoja «survey» no tiene preguntas.")]
    reader = _Reader(sheets)
    reader.read()
    reader.conditions()
    title = reader.setting("form_title") or reader.setting("form_id") or _("Formulario importado")
    definition = definition_normalize(
        {
            "format": FORMAT,
            "title": title,
            "intro": reader.setting("ventanilla::intro"),
            "pages": reader.pages,
            "declaration": reader.setting("ventanilla::declaration"),
            "confirmation": reader.setting("ventanilla::confirmation"),
        }
    )
    errors = reader.errors or definition_errors(definition)
    return definition, errors


def workflow_from_xlsform(*, content: bytes) -> tuple[dict[str, Any] | None, list[str]]:
    """The workflow kept in the `ventanilla_workflow` sheet (None when the file has none) and
    its Spanish problems; no problems means it is valid (`workflow_errors`)."""
    sheets, errors = workbook_read(content)
    if errors or WORKFLOW_SHEET not in sheets:
        return None, errors
    workflow: dict[str, Any] = {}
    sheet = sheets[WORKFLOW_SHEET]
    for row, cells in sheet.rows:
        key, value = sheet.get(cells, "key"), sheet.get(cells, "json")
        try:
            workflow[key] = json.loads(value) if value else None
        except ValueError:
            errors.append(
                _("Hoja «%(s)s», fila %(r)s: el valor no es JSON válido.")
                % {"s": WORKFLOW_SHEET, "r": row}
            )
    return workflow, errors or workflow_errors(workflow)
