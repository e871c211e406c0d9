"""Edits of a draft definition as the designer's screens make them: find, add, move and remove
pages and questions, make ids from labels. Pure functions on (copies of) the JSON; the caller
saves the result through digital_service_draft_save, which validates it."""

import copy
import re
from typing import Any

from django.utils.text import slugify

from ventanilla.formbuilder.definition import questions_iter

_ID_MAX = 40
_ID_BASE_MAX = 30


def all_ids(definition: dict[str, Any]) -> set[str]:
    """Every page and question id of the form (ids share one namespace)."""
    ids = {str(p.get("id")) for p in definition.get("pages") or [] if isinstance(p, dict)}
    ids |= {str(q.get("id")) for _page, q in questions_iter(definition)}
    return ids


def id_from_label(label: str, taken: set[str], *, fallback: str = "pregunta") -> str:
    """A valid, unused id from a label: «¿Número de placa?» → «numero_de_placa»."""
    base = re.sub(r"[^a-z0-9_]", "", slugify(label).replace("-", "_"))
    if len(base) > _ID_BASE_MAX:
        base = base[:_ID_BASE_MAX].rsplit("_", 1)[0] or base[:_ID_BASE_MAX]
    base = base.strip("_")
    if not base:
        base = fallback
    elif not base[0].isalpha():
        base = f"{fallback}_{base}"[:_ID_BASE_MAX]
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"_{n}"
        candidate, n = f"{base[: _ID_MAX - len(suffix)]}{suffix}", n + 1
    return candidate


def page_position(definition: dict[str, Any], page_id: str) -> int | None:
    for index, page in enumerate(definition.get("pages") or []):
        if isinstance(page, dict) and page.get("id") == page_id:
            return index
    return None


def page_get(definition: dict[str, Any], page_id: str) -> dict[str, Any] | None:
    index = page_position(definition, page_id)
    return None if index is None else definition["pages"][index]


def question_siblings(
    definition: dict[str, Any], page_id: str, group_id: str | None = None
) -> list[dict[str, Any]] | None:
    """The list holding a page's questions, or a group's children; None if there is none."""
    page = page_get(definition, page_id)
    if page is None:
        return None
    questions = page.setdefault("questions", [])
    if group_id is None:
        return questions
    for question in questions:
        if question.get("id") == group_id and question.get("type") == "group":
            return question.setdefault("questions", [])
    return None


def question_position(items: list[dict[str, Any]], question_id: str) -> int | None:
    for index, question in enumerate(items):
        if question.get("id") == question_id:
            return index
    return None


def item_move(items: list[Any], index: int, direction: str) -> bool:
    """Swap item `index` with its neighbour ("up" or "down"); False at either end."""
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items) or not 0 <= index < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    return True


def _rename_in_condition(condition: Any, old: str, new: str) -> None:
    if not isinstance(condition, dict):
        return
    for key in ("all", "any"):
        for part in condition.get(key) or []:
            _rename_in_condition(part, old, new)
    if condition.get("question") == old:
        condition["question"] = new


def id_rename(
    definition: dict[str, Any], workflow: dict[str, Any] | None, old: str, new: str
) -> None:
    """Point conditions (and the issued document's {placeholders}) at a renamed question."""
    if old == new:
        return
    for page in definition.get("pages") or []:
        _rename_in_condition(page.get("show_if"), old, new)
        for _page, question in questions_iter({"pages": [page]}):
            _rename_in_condition(question.get("show_if"), old, new)
    document = (workflow or {}).get("document")
    if isinstance(document, dict) and isinstance(document.get("body"), str):
        document["body"] = document["body"].replace(f"{{{old}}}", f"{{{new}}}")


def draft_copy(definition: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(definition) if definition else {}


def questions_before(
    definition: dict[str, Any], page_id: str, question_id: str | None = None
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(page title, page, question) a condition may name: questions of earlier pages and, for a
    question, those above it on its page; read-only texts and group children left out."""
    found: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for number, page in enumerate(definition.get("pages") or [], start=1):
        same_page = page.get("id") == page_id
        if same_page and question_id is None:
            break
        for question in page.get("questions") or []:
            if same_page and question.get("id") == question_id:
                return found
            if question.get("type") not in {"info"}:
                found.append((f"{number}. {page.get('title') or page.get('id')}", page, question))
        if same_page:
            break
    return found


def counts(definition: dict[str, Any]) -> tuple[int, int]:
    """(pages, questions) of a definition, group children counted as questions."""
    pages = [p for p in definition.get("pages") or [] if isinstance(p, dict)]
    return len(pages), sum(1 for _p, _q in questions_iter(definition))
