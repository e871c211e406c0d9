"""Conditions and validation rules as XLSForm XPath, and back.

`show_if` becomes the `relevant` column and length/range/pattern rules the `constraint`
column. Export writes a canonical spelling so that a round trip gives the same condition:
the operands of `all`/`any` are always parenthesised, while `in`/`not_in` are written bare
(`${t} = 'a' or ${t} = 'b'`). Import also reads the usual hand-written ODK spellings
(`selected(${x}, 'v')` on a single choice, `${x} != ''`, `not(...)`, a literal on the left).
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

YES, NO = "si", "no"


class XPathError(ValueError):
    """An expression this module cannot read or cannot turn into our format (Spanish)."""


# --- Writing -----------------------------------------------------------------------------------


def _number(value: int | float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _string(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    # XPath 1.0 has no escape: a value holding both quotes keeps a typographic apostrophe.
    return "'" + value.replace("'", "\u2019") + "'"


def literal(value: Any, kind: str | None) -> str:
    """`value` as an XPath literal for a question of type `kind`."""
    if kind == "yes_no":
        truthy = value is True or str(value).strip().lower() in {"si", "sí", "true", "1", "yes"}
        return _string(YES if truthy else NO)
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, int | float):
        return _number(value)
    text = "" if value is None else str(value)
    if kind == "date":
        if text == "today":
            return "today()"
        return f"date({_string(text)})"
    return _string(text)


_SIGNS = {"equals": "=", "not_equals": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def condition_to_xpath(condition: Any, kinds: dict[str, str]) -> str:
    """A `show_if` condition as a `relevant` expression; `kinds` maps question id → type.
    Parts that are not conditions (an unfinished draft) are left out, never an exception."""
    if not isinstance(condition, dict):
        return ""
    for key, joiner in (("all", " and "), ("any", " or ")):
        if key in condition:
            parts = condition[key] if isinstance(condition[key], list) else []
            written = [condition_to_xpath(part, kinds) for part in parts]
            return joiner.join(f"({text})" for text in written if text)
    qid = str(condition.get("question"))
    ref = "${" + qid + "}"
    kind = kinds.get(qid)
    op = str(condition.get("op"))
    value = condition.get("value")
    if qid not in kinds:
        return ""
    if op == "answered":
        return f"string-length({ref}) > 0"
    if op == "not_answered":
        return f"string-length({ref}) = 0"
    if op == "contains":
        return f"selected({ref}, {literal(value, kind)})"
    if op in {"in", "not_in"}:
        values = value if isinstance(value, list) else [value]
        sign, joiner = ("=", " or ") if op == "in" else ("!=", " and ")
        return joiner.join(f"{ref} {sign} {literal(v, kind)}" for v in values)
    if op not in _SIGNS:
        return ""
    return f"{ref} {_SIGNS[op]} {literal(value, kind)}"


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def constraint_to_xpath(question: dict[str, Any]) -> str:
    """The question's length, range, choice-count and pattern rules as one `constraint`."""
    kind = str(question.get("type"))
    parts: list[str] = []
    if kind in {"text", "textarea"}:
        if _count(question.get("min_length")):
            parts.append(f"string-length(.) >= {question['min_length']}")
        if _count(question.get("max_length")):
            parts.append(f"string-length(.) <= {question['max_length']}")
        if kind == "text" and question.get("pattern"):
            parts.append(f"regex(., {_string(str(question['pattern']))})")
    elif kind in {"number", "money", "date"}:
        for key, sign in (("min", ">="), ("max", "<=")):
            value = question.get(key)
            if kind == "date" and isinstance(value, str) and value:
                parts.append(f". {sign} {literal(value, 'date')}")
            elif kind != "date" and isinstance(value, int | float) and not isinstance(value, bool):
                parts.append(f". {sign} {literal(value, None)}")
    elif kind == "multi_choice":
        for key, sign in (("min_choices", ">="), ("max_choices", "<=")):
            if _count(question.get(key)):
                parts.append(f"count-selected(.) {sign} {question[key]}")
    return " and ".join(parts)


# --- Reading -----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{\s*(?P<refname>[^}\s]+)\s*\})
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<num>-?\d+(?:\.\d+)?|-?\.\d+)
      | (?P<op>!=|>=|<=|=|>|<|\(|\)|,)
      | (?P<dot>\.(?![\w.]))
      | (?P<name>[A-Za-z_][\w.-]*(?::[\w.-]+)?)
    )""",
    re.VERBOSE,
)
_COMPARE = {"=", "!=", ">", ">=", "<", "<="}
_FLIP = {"=": "=", "!=": "!=", ">": "<", ">=": "<=", "<": ">", "<=": ">="}
_OPS = {"=": "equals", "!=": "not_equals", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
_NEGATE = {
    "equals": "not_equals",
    "not_equals": "equals",
    "gt": "lte",
    "gte": "lt",
    "lt": "gte",
    "lte": "gt",
    "answered": "not_answered",
    "not_answered": "answered",
    "in": "not_in",
    "not_in": "in",
}


@dataclass
class Node:
    """A parsed expression: kind is or/and/cmp/paren/call/ref/dot/str/num."""

    kind: str
    value: str = ""
    args: tuple["Node", ...] = ()


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise XPathError(
                _("no se entiende la expresión a partir de «%(rest)s»")
                % {"rest": text[position:][:30]}
            )
        position = match.end()
        for kind in ("ref", "str", "num", "op", "dot", "name"):
            if match.group(kind) is not None:
                value = match.group("refname") if kind == "ref" else match.group(kind)
                if kind == "str":
                    value = value[1:-1]
                tokens.append((kind, value))
                break
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise XPathError(_("la expresión termina antes de tiempo"))
        self.at += 1
        return token

    def expect(self, value: str) -> None:
        token = self.take()
        if token != ("op", value):
            raise XPathError(
                _("se esperaba «%(v)s» y se encontró «%(t)s»") % {"v": value, "t": token[1]}
            )

    def parse(self) -> Node:
        node = self.chain("or")
        if self.peek() is not None:
            raise XPathError(_("sobra «%(t)s» al final de la expresión") % {"t": self.take()[1]})
        return node

    def chain(self, word: str) -> Node:
        lower = (lambda: self.chain("and")) if word == "or" else self.comparison
        parts = [lower()]
        while self.peek() == ("name", word):
            self.take()
            parts.append(lower())
        return parts[0] if len(parts) == 1 else Node(word, args=tuple(parts))

    def comparison(self) -> Node:
        left = self.primary()
        token = self.peek()
        if token and token[0] == "op" and token[1] in _COMPARE:
            self.take()
            return Node("cmp", token[1], (left, self.primary()))
        return left

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "op" and value == "(":
            inner = self.chain("or")
            self.expect(")")
            return Node("paren", args=(inner,))
        if kind in {"ref", "str", "num", "dot"}:
            return Node(kind, value)
        if kind == "name" and self.peek() == ("op", "("):
            self.take()
            args: list[Node] = []
            if self.peek() != ("op", ")"):
                args.append(self.chain("or"))
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.chain("or"))
            self.expect(")")
            return Node("call", value, tuple(args))
        raise XPathError(_("«%(t)s» no se puede usar aquí") % {"t": value})


def parse(text: str) -> Node:
    """The expression's tree, or XPathError (Spanish) when it is not one we read."""
    return _Parser(text).parse()


def _unparen(node: Node) -> Node:
    while node.kind == "paren":
        node = node.args[0]
    return node


def _value(node: Node, kind: str | None) -> Any:
    node = _unparen(node)
    if node.kind == "num":
        return float(node.value) if "." in node.value else int(node.value)
    if node.kind == "str":
        if kind == "yes_no":
            return node.value.strip().lower() in {"si", "sí", "yes", "true", "1"}
        return node.value
    if node.kind == "call" and node.value == "today" and not node.args:
        return "today"
    if node.kind == "call" and node.value == "date" and len(node.args) == 1:
        inner = _unparen(node.args[0])
        if inner.kind == "str":
            return inner.value
    if node.kind == "call" and node.value in {"true", "false"} and not node.args:
        return node.value == "true"
    raise XPathError(_("solo se admiten valores fijos («'texto'», números o fechas)"))


class ConditionReader:
    """Turns `relevant` expressions into `show_if` conditions. `names` maps an XLSForm name to
    our question id, `kinds` an id to its type."""

    def __init__(self, names: dict[str, str], kinds: dict[str, str]) -> None:
        self.names = names
        self.kinds = kinds

    def read(self, text: str) -> dict[str, Any]:
        return self._condition(parse(text))

    def _ref(self, node: Node) -> str | None:
        node = _unparen(node)
        if node.kind != "ref":
            return None
        if node.value not in self.names:
            raise XPathError(_("${%(n)s} no es una pregunta del formulario") % {"n": node.value})
        return self.names[node.value]

    def _condition(self, node: Node) -> dict[str, Any]:
        if node.kind == "paren":
            return self._condition(node.args[0])
        if node.kind in {"and", "or"}:
            leaves = [self._bare(part) for part in node.args]
            op, sign = ("in", "equals") if node.kind == "or" else ("not_in", "not_equals")
            if all(leaf and leaf["op"] == sign for leaf in leaves):
                targets = {leaf["question"] for leaf in leaves if leaf}
                if len(targets) == 1:
                    values = [leaf["value"] for leaf in leaves if leaf]
                    return {"question": targets.pop(), "op": op, "value": values}
            key = "all" if node.kind == "and" else "any"
            return {key: [self._condition(part) for part in node.args]}
        if node.kind == "call" and node.value == "not" and len(node.args) == 1:
            inner = self._condition(node.args[0])
            if inner.get("op") not in _NEGATE:
                raise XPathError(_("no se puede negar esta condición con not()"))
            return {**inner, "op": _NEGATE[inner["op"]]}
        if node.kind == "call" and node.value == "selected" and len(node.args) == 2:
            qid = self._ref(node.args[0])
            if qid is None:
                raise XPathError(
                    _("selected() debe nombrar una pregunta: selected(${pregunta}, 'valor')")
                )
            kind = self.kinds.get(qid)
            value = _value(node.args[1], kind)
            return {
                "question": qid,
                "op": "contains" if kind == "multi_choice" else "equals",
                "value": value,
            }
        if node.kind == "cmp":
            return self._compare(node)
        raise XPathError(_("esta expresión no es una condición que se pueda convertir"))

    def _bare(self, node: Node) -> dict[str, Any] | None:
        """A comparison written without parentheses (how `in`/`not_in` are spelled)."""
        if node.kind != "cmp":
            return None
        try:
            return self._compare(node)
        except XPathError:
            return None

    def _compare(self, node: Node) -> dict[str, Any]:
        sign = node.value
        left, right = node.args
        length = self._length_of(left)
        if length is not None:
            number = _unparen(right)
            if number.kind == "num" and number.value in {"0", "0.0"} and sign in {"=", ">", "!="}:
                return {"question": length, "op": "not_answered" if sign == "=" else "answered"}
            raise XPathError(
                _("string-length() solo se admite como «string-length(${x}) > 0» o «= 0»")
            )
        qid = self._ref(left)
        if qid is None:
            qid = self._ref(right)
            if qid is None:
                raise XPathError(_("la comparación debe nombrar una pregunta: ${pregunta}"))
            left, right, sign = right, left, _FLIP[sign]
        kind = self.kinds.get(qid)
        if _unparen(right).kind == "str" and _unparen(right).value == "" and sign in {"=", "!="}:
            return {"question": qid, "op": "not_answered" if sign == "=" else "answered"}
        return {"question": qid, "op": _OPS[sign], "value": _value(right, kind)}

    def _length_of(self, node: Node) -> str | None:
        node = _unparen(node)
        if node.kind == "call" and node.value == "string-length" and len(node.args) == 1:
            qid = self._ref(node.args[0])
            if qid is None:
                raise XPathError(_("string-length() debe nombrar una pregunta"))
            return qid
        return None


def constraint_read(text: str, kind: str) -> dict[str, Any]:
    """The rules a `constraint` expresses, as question keys for a question of type `kind`."""
    node = _unparen(parse(text))
    parts = node.args if node.kind == "and" else (node,)
    rules: dict[str, Any] = {}
    for part in parts:
        part = _unparen(part)
        if part.kind == "call" and part.value == "regex" and len(part.args) == 2:
            subject, pattern = (_unparen(a) for a in part.args)
            if subject.kind == "dot" and pattern.kind == "str" and kind == "text":
                rules["pattern"] = pattern.value
                continue
            raise XPathError(_("regex() solo se admite como regex(., '…') en texto corto"))
        if part.kind != "cmp":
            raise XPathError(_("esta regla de validación no se puede convertir"))
        rules.update(_constraint_compare(part, kind))
    return rules


def _constraint_compare(node: Node, kind: str) -> dict[str, Any]:
    sign = node.value
    left, right = (_unparen(a) for a in node.args)
    if left.kind in {"num", "str"} or (left.kind == "call" and left.value in {"date", "today"}):
        left, right, sign = right, left, _FLIP[sign]
    if sign not in {">=", "<=", ">", "<"}:
        raise XPathError(
            _("una regla de validación usa ≥, ≤, > o <; «%(s)s» no se admite") % {"s": sign}
        )
    low = sign in {">=", ">"}
    value = _value(right, "date" if kind == "date" else None)
    strict = sign in {">", "<"}
    if (
        left.kind == "call"
        and left.value in {"string-length", "count-selected"}
        and len(left.args) == 1
    ):
        if _unparen(left.args[0]).kind != "dot" or not isinstance(value, int):
            raise XPathError(_("esta regla de validación no se puede convertir"))
        wanted = {"text", "textarea"} if left.value == "string-length" else {"multi_choice"}
        if kind not in wanted:
            raise XPathError(_("esta regla de validación no corresponde al tipo de pregunta"))
        stem = "length" if left.value == "string-length" else "choices"
        return {f"{'min' if low else 'max'}_{stem}": value + (1 if low else -1) * strict}
    if left.kind == "dot" and kind in {"number", "money", "date"}:
        if strict:
            if kind != "number" or not isinstance(value, int):
                raise XPathError(_("usa ≥ o ≤ en lugar de > o < para este límite"))
            value += 1 if low else -1
        if kind == "date":
            _date_value(value)
        elif isinstance(value, str | bool):
            raise XPathError(_("el límite debe ser un número"))
        return {"min" if low else "max": value}
    raise XPathError(_("esta regla de validación no se puede convertir"))


def _date_value(value: Any) -> None:
    if value == "today":
        return
    try:
        date.fromisoformat(str(value))
    except ValueError:
        raise XPathError(_("la fecha debe escribirse date('AAAA-MM-DD')")) from None


def dumps(value: Any) -> str:
    """JSON for a spreadsheet cell (non-ASCII kept readable)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
