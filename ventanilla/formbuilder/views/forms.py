"""What the designer's forms send, read into the definition's JSON: a question's properties by
type, a condition, a list of choices. Each reader returns (value, {field: Spanish message}) and
never raises, so the page can be shown again with everything the designer typed."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.formbuilder.definition import (
    ACCEPTED_FILE_TYPES,
    ID_PATTERN,
    OPERATORS,
)
from ventanilla.formbuilder.views.drafting import id_from_label

# The properties each type's form shows, beyond label, id, hint and required.
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("min_length", "max_length", "pattern", "pattern_message"),
    "textarea": ("min_length", "max_length"),
    "number": ("min", "max", "decimals"),
    "money": ("min", "max"),
    "date": ("min", "max"),
    "choice": ("choices",),
    "multi_choice": ("choices", "min_choices", "max_choices"),
    "file": ("accept", "max_size_mb", "max_files"),
    "group": ("item_label", "min_items", "max_items"),
    "declaration": ("text",),
    "info": ("text",),
}
INTEGER_FIELDS = frozenset(
    {"min_length", "max_length", "decimals", "min_choices", "max_choices", "max_files",
     "min_items", "max_items"}
)  # fmt: skip
TEXT_FIELDS = frozenset({"pattern", "pattern_message", "item_label", "text"})
# Types without a "required" box: nothing to answer, or always required.
NO_REQUIRED = frozenset({"info", "declaration"})
VALUELESS_OPERATORS = frozenset({"answered", "not_answered"})
LIST_OPERATORS = frozenset({"in", "not_in"})
ACCEPT_CHOICES = list(ACCEPTED_FILE_TYPES.items())


def _text(data: Any, name: str) -> str:
    return str(data.get(name, "") or "").strip()


def _integer(raw: str) -> int | None:
    if not re.fullmatch(r"\d{1,6}", raw):
        raise ValueError
    return int(raw)


def _number(raw: str) -> int | float:
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation as error:
        raise ValueError from error
    if not value.is_finite():
        raise ValueError
    return int(value) if value == value.to_integral_value() else float(value)


def _date_bound(raw: str) -> str:
    if raw.lower() in {"hoy", "today"}:
        return "today"
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day).isoformat()
    return date.fromisoformat(raw).isoformat()


def choices_parse(raw: str) -> tuple[list[dict[str, str]], str]:
    """«valor | etiqueta» per line (a line without «|» makes its value from the text)."""
    choices: list[dict[str, str]] = []
    taken: set[str] = set()
    for line in raw.splitlines():
        line = line.strip()
        if not line:
            continue
        if "|" in line:
            value, label = (part.strip() for part in line.split("|", 1))
        else:
            label = line
            value = id_from_label(line, taken, fallback="opcion")
        if not value or not label:
            return choices, _("Cada línea necesita un valor y una etiqueta: «valor | etiqueta».")
        if value in taken:
            return choices, _("La opción «%(v)s» se repite.") % {"v": value}
        taken.add(value)
        choices.append({"value": value, "label": label})
    return choices, ""


def choices_text(choices: Any) -> str:
    if not isinstance(choices, list):
        return ""
    return "\n".join(
        f"{c.get('value', '')} | {c.get('label', '')}" for c in choices if isinstance(c, dict)
    )


def condition_parse(data: Any, known: dict[str, dict[str, Any]]) -> tuple[Any, dict[str, str]]:
    """The simple condition of the builder (question, operator, value); None when no question
    is chosen. Returns (condition, errors)."""
    target = _text(data, "cond_question")
    if not target:
        return None, {}
    op = _text(data, "cond_op")
    raw = _text(data, "cond_value")
    if target not in known:
        return None, {"cond_question": _("Elige una pregunta anterior.")}
    if op not in OPERATORS:
        return None, {"cond_op": _("Elige cómo se compara la respuesta.")}
    condition: dict[str, Any] = {"question": target, "op": op}
    if op in VALUELESS_OPERATORS:
        return condition, {}
    if not raw:
        return None, {"cond_value": _("Escribe el valor con el que se compara la respuesta.")}
    if op in LIST_OPERATORS:
        condition["value"] = [v.strip() for v in re.split(r"[,\n]", raw) if v.strip()]
    elif op in {"gt", "gte", "lt", "lte"} and known[target].get("type") in {"number", "money"}:
        try:
            condition["value"] = _number(raw)
        except ValueError:
            return None, {"cond_value": _("Escribe un número, por ejemplo 1500 o 12.5.")}
    elif known[target].get("type") == "date":
        try:
            condition["value"] = _date_bound(raw)
        except ValueError:
            return None, {"cond_value": _("Escribe la fecha como AAAA-MM-DD o DD/MM/AAAA.")}
    else:
        condition["value"] = raw
    return condition, {}


def condition_fields(condition: Any) -> dict[str, str]:
    """The builder's field values for a stored simple condition."""
    if not isinstance(condition, dict) or "question" not in condition:
        return {"cond_question": "", "cond_op": "equals", "cond_value": ""}
    value = condition.get("value", "")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "sí" if value else "no"
    return {
        "cond_question": str(condition.get("question") or ""),
        "cond_op": str(condition.get("op") or "equals"),
        "cond_value": "" if value is None else str(value),
    }


def condition_is_compound(condition: Any) -> bool:
    return isinstance(condition, dict) and ("all" in condition or "any" in condition)


def condition_read(
    data: Any, current: Any, known: dict[str, dict[str, Any]]
) -> tuple[Any, dict[str, str]]:
    """The condition after the form: removed, kept (a compound one the builder cannot show),
    or the builder's."""
    if data.get("cond_remove"):
        return None, {}
    if condition_is_compound(current) and not _text(data, "cond_question"):
        return current, {}
    return condition_parse(data, known)


def id_read(
    data: Any, *, label: str, current: str | None, taken: set[str], fallback: str
) -> tuple[str, str]:
    """(id, error): the typed id, or one made from the label when left empty."""
    raw = _text(data, "id")
    others = taken - {current} if current else taken
    if not raw:
        return (current or id_from_label(label, others, fallback=fallback)), ""
    if not ID_PATTERN.match(raw):
        return raw, _(
            "El identificador empieza con una letra y usa solo minúsculas, números y guiones "
            "bajos (máximo 40)."
        )
    if raw in others:
        return raw, _("Ese identificador ya lo usa otra página o pregunta.")
    return raw, ""


def question_read(
    data: Any, *, kind: str, current: dict[str, Any], taken: set[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The question after its form (keys the form does not show are kept as they were)."""
    errors: dict[str, str] = {}
    question = dict(current)
    question["type"] = kind
    label = _text(data, "label")
    question["label"] = label
    qid, id_error = id_read(
        data, label=label or _text(data, "text")[:60], current=current.get("id"),
        taken=taken, fallback="pregunta",
    )  # fmt: skip
    question["id"] = qid
    if id_error:
        errors["id"] = id_error
    if kind in NO_REQUIRED and not _text(data, "text"):
        errors["text"] = _("Escribe el texto que se muestra.")
    elif kind not in NO_REQUIRED and not label:
        errors["label"] = _("Escribe la pregunta.")
    hint = _text(data, "hint")
    if hint:
        question["hint"] = hint
    else:
        question.pop("hint", None)
    if kind in NO_REQUIRED:
        question.pop("required", None)
    else:
        question["required"] = bool(data.get("required"))
    for name in TYPE_FIELDS.get(kind, ()):
        raw = _text(data, name) if name != "accept" else ""
        question.pop(name, None)
        if name == "choices":
            question["choices"], message = choices_parse(str(data.get("choices", "")))
            if message:
                errors[name] = message
        elif name == "accept":
            picked = [v for v in data.getlist("accept") if v in ACCEPTED_FILE_TYPES]
            question["accept"] = picked
        elif not raw:
            continue
        elif name in TEXT_FIELDS:
            question[name] = raw
        elif name in INTEGER_FIELDS:
            try:
                question[name] = _integer(raw)
            except ValueError:
                errors[name] = _("Escribe un número entero, sin decimales.")
        elif kind == "date":
            try:
                question[name] = _date_bound(raw)
            except ValueError:
                errors[name] = _("Escribe la fecha como AAAA-MM-DD o DD/MM/AAAA, o «hoy».")
        else:  # min, max, max_size_mb
            try:
                question[name] = _number(raw)
            except ValueError:
                errors[name] = _("Escribe un número, por ejemplo 1500 o 12.5.")
    if kind not in TYPE_FIELDS or "text" not in TYPE_FIELDS[kind]:
        question.pop("text", None)
    if kind == "group":
        question.setdefault("questions", [])
    return question, errors


def question_fields(question: dict[str, Any]) -> dict[str, Any]:
    """The form's values for a stored question."""
    values: dict[str, Any] = {
        "label": question.get("label", ""),
        "id": question.get("id", ""),
        "hint": question.get("hint", ""),
        "required": bool(question.get("required")),
        "accept": list(question.get("accept") or []),
    }
    for name in TYPE_FIELDS.get(str(question.get("type")), ()):
        if name == "choices":
            values["choices"] = choices_text(question.get("choices"))
        elif name != "accept":
            value = question.get(name)
            values[name] = "" if value is None else str(value)
    return values


def posted_fields(data: Any) -> dict[str, Any]:
    """The form's values as posted, to show again after an error."""
    values = {key: data.get(key, "") for key in data}
    values["required"] = bool(data.get("required"))
    values["accept"] = data.getlist("accept")
    return values
