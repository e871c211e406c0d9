"""Branching: which pages and questions a citizen sees, given their answers so far."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ventanilla.formbuilder.definition import NO_ANSWER_TYPES


def _answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def _comparable(value: Any) -> Decimal | date | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = str(value)
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _same(answer: Any, expected: Any) -> bool:
    """Equality as a designer means it: "si"/"true" match a yes/no answer, 5 matches "5"."""
    if isinstance(answer, bool):
        if isinstance(expected, str):
            return answer == (expected.strip().lower() in {"si", "sí", "true", "1", "yes"})
        return answer == bool(expected)
    if answer is None:
        return False
    left, right = _comparable(answer), _comparable(expected)
    if left is not None and right is not None and type(left) is type(right):
        return left == right
    return str(answer) == str(expected)


def condition_holds(condition: dict[str, Any] | None, answers: dict[str, Any]) -> bool:
    """Whether a `show_if` condition holds; no condition always holds."""
    if not condition:
        return True
    if "all" in condition:
        return all(condition_holds(part, answers) for part in condition["all"])
    if "any" in condition:
        return any(condition_holds(part, answers) for part in condition["any"])
    op = condition.get("op")
    answer = answers.get(str(condition.get("question")))
    expected = condition.get("value")
    if op == "answered":
        return _answered(answer)
    if op == "not_answered":
        return not _answered(answer)
    if op == "equals":
        return _same(answer, expected)
    if op == "not_equals":
        return _answered(answer) and not _same(answer, expected)
    if op in {"in", "not_in"}:
        found = any(_same(answer, item) for item in expected or [])
        return found if op == "in" else _answered(answer) and not found
    if op == "contains":
        return isinstance(answer, list) and any(_same(item, expected) for item in answer)
    if op in {"gt", "gte", "lt", "lte"}:
        left, right = (
            _comparable(answer),
            _comparable(date.today().isoformat() if expected == "today" else expected),
        )
        if left is None or right is None or type(left) is not type(right):
            return False
        return {
            "gt": left > right,  # type: ignore[operator]
            "gte": left >= right,  # type: ignore[operator]
            "lt": left < right,  # type: ignore[operator]
            "lte": left <= right,  # type: ignore[operator]
        }[op]
    return False


def pages_visible(definition: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The pages the citizen walks through, in order; the first visible exit page ends the
    list (nothing after it can be reached)."""
    shown: list[dict[str, Any]] = []
    for page in definition.get("pages") or []:
        if not condition_holds(page.get("show_if"), answers):
            continue
        shown.append(page)
        if page.get("exit"):
            break
    return shown


def questions_visible(page: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for q in page.get("questions") or [] if condition_holds(q.get("show_if"), answers)]


def answers_prune(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Only the answers of questions still visible: a changed answer that hides a page or a
    question drops what was answered there. Conditions only look back, so one pass in order
    settles it."""
    kept: dict[str, Any] = {}
    for page in definition.get("pages") or []:
        if not condition_holds(page.get("show_if"), kept):
            continue
        if page.get("exit"):
            break
        for question in page.get("questions") or []:
            qid = question.get("id")
            if question.get("type") in NO_ANSWER_TYPES or qid not in answers:
                continue
            if condition_holds(question.get("show_if"), kept):
                kept[qid] = answers[qid]
    return kept
