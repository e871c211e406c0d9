"""The documented normalisation: the definition an XLSForm round trip gives back.

XLSForm keeps what the format describes and nothing else, so a definition re-imported from
its export equals `definition_normalize(definition)`:
- keys a type does not describe (docs/reference/form-definition.md) are dropped;
- keys at their default are dropped: `required: false`, `exit: false`, `show_if: null`,
  empty `hint`/`pattern`/`pattern_message`/`item_label`/`exit_message`, `decimals: 0`;
- a page or question always has its `title`/`label` (possibly "") and, for `info` and
  `declaration`, its `text`; the form always has `intro`, `declaration`, `confirmation`;
- conditions: an `all`/`any` of one part is that part; `in`/`not_in` of one value is
  `equals`/`not_equals`; a yes/no condition's value is `true`/`false`.
"""

from typing import Any

from ventanilla.formbuilder.definition import FORMAT

COMMON_KEYS = ("id", "type", "label", "hint", "required", "show_if", "source")
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("min_length", "max_length", "pattern", "pattern_message"),
    "textarea": ("min_length", "max_length"),
    "number": ("min", "max", "decimals"),
    "money": ("min", "max"),
    "date": ("min", "max"),
    "choice": ("choices",),
    "multi_choice": ("choices", "min_choices", "max_choices"),
    "file": ("accept", "max_size_mb", "max_files"),
    "group": ("questions", "min_items", "max_items", "item_label"),
    "declaration": ("text",),
    "info": ("text",),
}


def condition_normalize(condition: Any, kinds: dict[str, str]) -> Any:
    if not isinstance(condition, dict):
        return condition
    for key in ("all", "any"):
        if key in condition and isinstance(condition[key], list):
            parts = [condition_normalize(part, kinds) for part in condition[key]]
            return parts[0] if len(parts) == 1 else {key: parts}
    result = dict(condition)
    op = result.get("op")
    if (
        op in {"in", "not_in"}
        and isinstance(result.get("value"), list)
        and len(result["value"]) == 1
    ):
        result = {
            **result,
            "op": "equals" if op == "in" else "not_equals",
            "value": result["value"][0],
        }
    if op in {"answered", "not_answered"}:
        result.pop("value", None)
    if kinds.get(str(result.get("question"))) == "yes_no" and "value" in result:
        value = result["value"]
        if isinstance(value, list):
            result["value"] = [_truthy(v) for v in value]
        else:
            result["value"] = _truthy(value)
    return result


def _empty(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str | list) and not value)


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"si", "sí", "true", "1", "yes"}


def question_normalize(question: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    kind = str(question.get("type"))
    result: dict[str, Any] = {
        "id": question.get("id"),
        "type": kind,
        "label": question.get("label") or "",
    }
    for key in (*COMMON_KEYS[3:], *TYPE_KEYS.get(kind, ())):
        value = question.get(key)
        if key == "decimals" and value == 0:
            continue
        if key == "show_if":
            value = condition_normalize(value, kinds) if value else None
        if key == "questions":
            value = [
                question_normalize(child, kinds) for child in value or [] if isinstance(child, dict)
            ]
        if key == "source" and isinstance(value, dict):
            value = {k: value[k] for k in ("from", "field", "key") if value.get(k)}
        if key == "choices":
            value = [
                {"value": c.get("value"), "label": c.get("label")}
                for c in value or []
                if isinstance(c, dict)
            ]
        if not _empty(value):
            result[key] = value
    if kind in {"info", "declaration"}:
        result["text"] = question.get("text") or ""
    return result


def definition_normalize(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition as an XLSForm round trip returns it (see the module docstring)."""
    kinds: dict[str, str] = {}
    for page in definition.get("pages") or []:
        for question in page.get("questions") or []:
            kinds[str(question.get("id"))] = str(question.get("type"))
            for child in question.get("questions") or [] if question.get("type") == "group" else []:
                kinds[str(child.get("id"))] = str(child.get("type"))
    pages = []
    for page in definition.get("pages") or []:
        result: dict[str, Any] = {"id": page.get("id"), "title": page.get("title") or ""}
        if page.get("show_if"):
            result["show_if"] = condition_normalize(page["show_if"], kinds)
        if page.get("exit"):
            result["exit"] = True
            if page.get("exit_message"):
                result["exit_message"] = page["exit_message"]
        result["questions"] = [question_normalize(q, kinds) for q in page.get("questions") or []]
        pages.append(result)
    return {
        "format": FORMAT,
        "title": definition.get("title") or "",
        "intro": definition.get("intro") or "",
        "pages": pages,
        "declaration": definition.get("declaration") or "",
        "confirmation": definition.get("confirmation") or "",
    }
