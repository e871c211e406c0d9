"""Answers: reading a submitted page into typed answers with Spanish errors per field, checking
a whole application before it is sent, and showing answers to people.

One parser per question type turns what the browser sent into the stored value; checking a
stored application turns each value back into what a browser would send and parses it again,
so there is one set of rules for the page, the check before submit and the API."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pe import cui, ruc

from ventanilla.formbuilder.conditions import answers_prune, condition_holds, pages_visible
from ventanilla.formbuilder.definition import NO_ANSWER_TYPES, page_index
from ventanilla.ubigeo.selectors import district_names, district_names_many

TEXT_MAX = 500
TEXTAREA_MAX = 5000
YES = {"si", "sí", "true", "1", "yes", "on"}
NO = {"no", "false", "0"}
MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
# File signatures: what the first bytes of an upload must be for the type it claims.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
DEFAULT_ACCEPT = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_MB = 5


class Invalid(Exception):
    """A field's answer is wrong; `field` names the input the message belongs next to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class PageOutcome:
    """What a submitted page gave: its valid answers, and a Spanish message per wrong field
    (keyed by field name, in page order)."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def field_name(
    question_id: str, *, item: int | None = None, child: str | None = None, part: str | None = None
) -> str:
    """The HTML name of a question's input: "q-placa", "q-pasajeros-0-nombre",
    "q-domicilio-street", "q-fecha-day"."""
    name = f"q-{question_id}"
    if item is not None:
        name += f"-{item}-{child}"
    if part:
        name += f"-{part}"
    return name


def _one(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value if value is not None else "").strip()


def _many(data: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    values = getlist(name) if getlist else data.get(name, [])
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values or [] if str(v).strip()]


def _label(question: dict[str, Any]) -> str:
    return str(question.get("label") or question.get("text") or question.get("id"))


# --- Parsers: raw browser data -> stored value (None when left empty) -------------------------


def _text(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    value = _one(data, name)
    if q.get("type") == "textarea":
        value = value.replace("\r\n", "\n")
    if not value:
        return None
    limit = q.get("max_length") or (TEXTAREA_MAX if q.get("type") == "textarea" else TEXT_MAX)
    if len(value) > limit:
        raise Invalid(
            ngettext(
                "Escribe como máximo %(n)s carácter.",
                "Escribe como máximo %(n)s caracteres.",
                limit,
            )
            % {"n": limit}
        )
    if q.get("min_length") and len(value) < q["min_length"]:
        raise Invalid(
            ngettext(
                "Escribe al menos %(n)s carácter.",
                "Escribe al menos %(n)s caracteres.",
                q["min_length"],
            )
            % {"n": q["min_length"]}
        )
    if q.get("pattern") and not re.search(str(q["pattern"]), value):
        raise Invalid(str(q.get("pattern_message") or _("El formato no es el esperado.")))
    return value


def _decimal(raw: str) -> Decimal:
    text = raw.replace(" ", "").replace("S/", "").replace("s/", "")
    if "," in text and "." in text:
        text = text.replace(",", "")  # 1,250.50: the comma groups thousands
    elif "," in text:
        text = text.replace(",", ".")  # 12,5: a decimal comma
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation
    return value


def _bounds(q: dict[str, Any], value: Decimal, money: bool) -> None:
    def shown(bound: Any) -> str:
        return f"S/ {Decimal(str(bound)):,.2f}" if money else str(bound)

    if q.get("min") is not None and value < Decimal(str(q["min"])):
        raise Invalid(_("Debe ser %(min)s o más.") % {"min": shown(q["min"])})
    if q.get("max") is not None and value > Decimal(str(q["max"])):
        raise Invalid(_("Debe ser %(max)s o menos.") % {"max": shown(q["max"])})


def _number(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = _one(data, name)
    if not raw:
        return None
    decimals = int(q.get("decimals") or 0)
    try:
        value = _decimal(raw)
    except (InvalidOperation, ValueError):
        raise Invalid(_("Escribe un número, por ejemplo 12.")) from None
    if decimals == 0 and value != value.to_integral_value():
        raise Invalid(_("Escribe un número entero, sin decimales."))
    exponent = value.as_tuple().exponent
    if decimals and isinstance(exponent, int) and exponent < -decimals:
        raise Invalid(_("Escribe como máximo %(n)s decimales.") % {"n": decimals})
    _bounds(q, value, money=False)
    if decimals == 0:
        return int(value)
    return str(value.quantize(Decimal(1).scaleb(-decimals)))


def _money(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = _one(data, name)
    if not raw:
        return None
    try:
        value = _decimal(raw)
    except (InvalidOperation, ValueError):
        raise Invalid(_("Escribe un monto en soles, por ejemplo 150.50.")) from None
    if value < 0:
        raise Invalid(_("El monto no puede ser negativo."))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise Invalid(_("Escribe el monto con dos decimales como máximo (céntimos)."))
    _bounds(q, value, money=True)
    return str(value.quantize(Decimal("0.01")))


def _date_bound(bound: Any) -> date:
    return date.today() if bound == "today" else date.fromisoformat(str(bound))


def _date(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    day, month, year = (_one(data, f"{name}-{p}") for p in ("day", "month", "year"))
    whole = _one(data, name)
    if not (day or month or year or whole):
        return None
    try:
        if whole:
            if "/" in whole:
                d, m, y = whole.split("/")
                value = date(int(y), int(m), int(d))
            else:
                value = date.fromisoformat(whole)
        else:
            if not (day and month and year):
                missing = [
                    label
                    for label, part in (
                        (_("el día"), day),
                        (_("el mes"), month),
                        (_("el año"), year),
                    )
                    if not part
                ]
                raise Invalid(
                    _("La fecha debe incluir %(parts)s.") % {"parts": _(" y ").join(missing)}
                )
            if len(year) != 4:
                raise Invalid(_("El año debe tener 4 cifras, por ejemplo 2026."))
            value = date(int(year), int(month), int(day))
    except Invalid:
        raise
    except ValueError:
        raise Invalid(_("Escribe una fecha real, por ejemplo 27 3 2026.")) from None
    if q.get("min") is not None and value < _date_bound(q["min"]):
        bound = _date_bound(q["min"])
        raise Invalid(_("La fecha debe ser el %(d)s o después.") % {"d": _long_date(bound)})
    if q.get("max") is not None and value > _date_bound(q["max"]):
        bound = _date_bound(q["max"])
        raise Invalid(_("La fecha debe ser el %(d)s o antes.") % {"d": _long_date(bound)})
    return value.isoformat()


def _yes_no(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = _one(data, name).lower()
    if not raw:
        return None
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise Invalid(_("Elige «Sí» o «No»."))


def _choice_values(q: dict[str, Any]) -> list[str]:
    return [str(c.get("value")) for c in q.get("choices") or []]


def _choice(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = _one(data, name)
    if not raw:
        return None
    if raw not in _choice_values(q):
        raise Invalid(_("Elige una de las opciones."))
    return raw


def _multi_choice(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = list(dict.fromkeys(_many(data, name)))
    if not raw:
        return None
    allowed = _choice_values(q)
    if any(v not in allowed for v in raw):
        raise Invalid(_("Elige entre las opciones de la lista."))
    if q.get("min_choices") and len(raw) < q["min_choices"]:
        raise Invalid(_("Elige al menos %(n)s opciones.") % {"n": q["min_choices"]})
    if q.get("max_choices") and len(raw) > q["max_choices"]:
        raise Invalid(_("Elige como máximo %(n)s opciones.") % {"n": q["max_choices"]})
    return [v for v in allowed if v in raw]  # in the list's order


def _email(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = _one(data, name).lower()
    if not raw:
        return None
    try:
        validate_email(raw)
    except ValidationError:
        raise Invalid(_("Escribe un correo válido, por ejemplo nombre@ejemplo.pe.")) from None
    return raw


def _phone(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = _one(data, name)
    if not raw:
        return None
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+51"):
        digits = digits[3:]
    elif digits.startswith("0051"):
        digits = digits[4:]
    if not digits.isdigit():
        raise Invalid(_("Escribe solo números, por ejemplo 987654321."))
    if len(digits) == 9 and digits.startswith("9"):
        return digits
    if 6 <= len(digits) <= 9 and not digits.startswith("9"):
        return digits  # a landline, with or without its area code
    raise Invalid(_("Un celular tiene 9 dígitos y empieza con 9; un fijo, de 6 a 9 dígitos."))


def _dni(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = _one(data, name).replace(" ", "").replace("-", "").upper()
    if not raw:
        return None
    number, check = (raw[:8], raw[8:]) if len(raw) == 9 else (raw, "")
    if not (len(number) == 8 and number.isdigit()):
        raise Invalid(_("El DNI tiene 8 dígitos, sin letras ni espacios."))
    if check:
        try:
            cui.validate(number + check)
        except InvalidChecksum:
            raise Invalid(
                _(
                    "El dígito de verificación no corresponde a ese DNI: revisa el número "
                    "después del guion."
                )
            ) from None
        except StdnumError:
            raise Invalid(_("El dígito de verificación es un número o una letra.")) from None
    return number


def _ruc(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = _one(data, name).replace(" ", "").replace("-", "")
    if not raw:
        return None
    if not (len(raw) == 11 and raw.isdigit()):
        raise Invalid(_("El RUC tiene 11 dígitos."))
    try:
        ruc.validate(raw)
    except InvalidChecksum:
        raise Invalid(
            _("Ese RUC no es válido: revisa los dígitos, el último no corresponde.")
        ) from None
    except StdnumError:
        raise Invalid(_("Ese RUC no es válido: empieza con 10, 15, 16, 17 o 20.")) from None
    return raw


def _ubigeo_parts(data: Mapping[str, Any], name: str) -> str | None:
    department, province, district = (
        _one(data, f"{name}-{p}") for p in ("department", "province", "district")
    )
    district = district or _one(data, name)
    if not (department or province or district):
        return None
    if not district:
        missing = _("la provincia y el distrito") if not province else _("el distrito")
        raise Invalid(
            _("Elige %(what)s.") % {"what": missing},
            f"{name}-{'province' if not province else 'district'}",
        )
    if not (len(district) == 6 and district.isdigit()) or district_names(district) is None:
        raise Invalid(_("Elige un distrito de la lista."), f"{name}-district")
    if (province and not district.startswith(province)) or (
        department and not district.startswith(department)
    ):
        raise Invalid(
            _("El distrito no pertenece a la provincia elegida: elige el distrito de nuevo."),
            f"{name}-district",
        )
    return district


def _ubigeo(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    return _ubigeo_parts(data, name)


def _address(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    street = _one(data, f"{name}-street")
    reference = _one(data, f"{name}-reference")
    try:
        district = _ubigeo_parts(data, name)
    except Invalid as invalid:
        if not street:
            raise Invalid(
                _("Escribe la dirección: avenida, calle o jirón y número."), f"{name}-street"
            ) from None
        raise invalid
    if not (street or district or reference):
        return None
    if not street:
        raise Invalid(_("Escribe la dirección: avenida, calle o jirón y número."), f"{name}-street")
    if len(street) > 300 or len(reference) > 300:
        raise Invalid(_("Escribe como máximo 300 caracteres."), f"{name}-street")
    if district is None:
        raise Invalid(_("Elige el departamento, la provincia y el distrito."), f"{name}-department")
    return {"street": street, "ubigeo": district, "reference": reference}


def _file(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    ids = list(dict.fromkeys(_many(data, name)))
    if not ids:
        return None
    limit = int(q.get("max_files") or 1)
    if len(ids) > limit:
        raise Invalid(
            ngettext(
                "Adjunta como máximo %(n)s archivo.", "Adjunta como máximo %(n)s archivos.", limit
            )
            % {"n": limit}
        )
    return ids


def _declaration(q: dict[str, Any], data: Mapping[str, Any], name: str) -> Any:
    raw = _one(data, name).lower()
    if not raw:
        return None
    return True if raw in YES else None


PARSERS: dict[str, Callable[[dict[str, Any], Mapping[str, Any], str], Any]] = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "money": _money,
    "date": _date,
    "yes_no": _yes_no,
    "choice": _choice,
    "multi_choice": _multi_choice,
    "email": _email,
    "phone": _phone,
    "dni": _dni,
    "ruc": _ruc,
    "ubigeo": _ubigeo,
    "address": _address,
    "file": _file,
    "declaration": _declaration,
}


def _required_message(q: dict[str, Any]) -> str:
    kind = q.get("type")
    if kind in {"choice", "yes_no"}:
        return _("Elige una opción: %(l)s.") % {"l": _label(q)}
    if kind == "multi_choice":
        return _("Elige al menos una opción: %(l)s.") % {"l": _label(q)}
    if kind == "file":
        return _("Adjunta el archivo: %(l)s.") % {"l": _label(q)}
    if kind == "declaration":
        return _("Marca la casilla para declarar que es verdad.")
    if kind in {"ubigeo", "address"}:
        return _("Completa: %(l)s.") % {"l": _label(q)}
    return _("Completa este dato: %(l)s.") % {"l": _label(q)}


def _read_question(
    q: dict[str, Any], data: Mapping[str, Any], name: str, outcome: PageOutcome
) -> Any:
    """Parse one (non-group) question into outcome; returns the value or None."""
    try:
        value = PARSERS[str(q["type"])](q, data, name)
    except Invalid as invalid:
        outcome.errors[invalid.field or name] = invalid.message
        return None
    if value is None and q.get("required"):
        first = {"date": f"{name}-day", "ubigeo": f"{name}-department", "address": f"{name}-street"}
        outcome.errors[first.get(str(q["type"]), name)] = _required_message(q)
        return None
    return value


def _group_items(q: dict[str, Any], data: Mapping[str, Any]) -> list[int]:
    prefix = f"q-{q['id']}-"
    indexes: set[int] = set()
    for key in data:
        if key.startswith(prefix):
            head = key[len(prefix) :].split("-", 1)[0]
            if head.isdigit() and len(head) <= 3:
                indexes.add(int(head))
    return sorted(indexes)


def _read_group(q: dict[str, Any], data: Mapping[str, Any], outcome: PageOutcome) -> Any:
    name = field_name(str(q["id"]))
    children = [c for c in q.get("questions") or [] if c.get("type") not in NO_ANSWER_TYPES]
    items: list[dict[str, Any]] = []
    for index in _group_items(q, data):
        item_outcome = PageOutcome()
        item: dict[str, Any] = {}
        blank = all(
            not (
                _many(data, field_name(str(q["id"]), item=index, child=str(c["id"])))
                or any(
                    _one(data, field_name(str(q["id"]), item=index, child=str(c["id"]), part=p))
                    for p in (
                        "day",
                        "month",
                        "year",
                        "street",
                        "department",
                        "province",
                        "district",
                    )
                )
            )
            for c in children
        )
        if blank:
            continue  # an untouched "add another" row is not an answer
        for child in children:
            cname = field_name(str(q["id"]), item=index, child=str(child["id"]))
            value = _read_question(child, data, cname, item_outcome)
            if value is not None:
                item[str(child["id"])] = value
        outcome.errors.update(item_outcome.errors)
        items.append(item)
    max_items = int(q.get("max_items") or 50)
    if len(items) > max_items:
        outcome.errors[name] = _("Puedes añadir como máximo %(n)s.") % {"n": max_items}
    min_items = int(q.get("min_items") or (1 if q.get("required") else 0))
    if len(items) < min_items:
        outcome.errors[name] = ngettext(
            "Añade al menos %(n)s: %(l)s.", "Añade al menos %(n)s: %(l)s.", min_items
        ) % {"n": min_items, "l": _label(q)}
    return items or None


def page_read(
    *, definition: dict[str, Any], page_id: str, data: Mapping[str, Any], answers: dict[str, Any]
) -> PageOutcome:
    """Read one submitted page. A question whose condition looks at an earlier question on the
    same page sees the value just sent."""
    page = page_index(definition).get(page_id)
    outcome = PageOutcome()
    if page is None or page.get("exit"):
        return outcome
    seen = dict(answers)
    for question in page.get("questions") or []:
        qid = str(question.get("id"))
        seen.pop(qid, None)
        if question.get("type") in NO_ANSWER_TYPES:
            continue
        if not condition_holds(question.get("show_if"), seen):
            continue
        if question.get("type") == "group":
            value = _read_group(question, data, outcome)
        else:
            value = _read_question(question, data, field_name(qid), outcome)
        if value is not None:
            outcome.answers[qid] = value
            seen[qid] = value
    return outcome


# --- Stored value -> browser data (to prefill a page and to check a whole application) --------


def _raw(q: dict[str, Any], value: Any, name: str) -> dict[str, Any]:
    kind = q.get("type")
    if value is None:
        return {}
    if kind == "date":
        try:
            d = date.fromisoformat(str(value))
        except ValueError:
            return {name: str(value)}
        return {
            f"{name}-day": str(d.day),
            f"{name}-month": str(d.month),
            f"{name}-year": str(d.year),
        }
    if kind == "yes_no":
        return {name: "si" if value is True else "no" if value is False else str(value)}
    if kind in {"multi_choice", "file"}:
        return {name: [str(v) for v in value] if isinstance(value, list) else [str(value)]}
    if kind == "ubigeo":
        code = str(value)
        return {
            f"{name}-department": code[:2],
            f"{name}-province": code[:4],
            f"{name}-district": code,
        }
    if kind == "address":
        if not isinstance(value, dict):
            return {f"{name}-street": str(value)}
        code = str(value.get("ubigeo") or "")
        return {
            f"{name}-street": str(value.get("street") or ""),
            f"{name}-reference": str(value.get("reference") or ""),
            f"{name}-department": code[:2],
            f"{name}-province": code[:4],
            f"{name}-district": code,
        }
    if kind == "declaration":
        return {name: "si" if value else ""}
    return {name: str(value)}


def question_data(*, question: dict[str, Any], value: Any) -> dict[str, Any]:
    """A (non-group) question's stored answer as the form data a browser would send for it
    (field name → str or list of str): what a read-only, prefilled question posts."""
    return _raw(question, value, field_name(str(question.get("id"))))


def answer_valid(*, question: dict[str, Any], value: Any) -> bool:
    """True when `value` is an answer `question` accepts, by the same rules as a posted page
    (a registry's value that does not fit must not be locked into a form)."""
    bare = {k: v for k, v in question.items() if k != "show_if"}
    data = _Data(question_data(question=bare, value=value))
    outcome = page_read(
        definition={"pages": [{"id": "x", "questions": [bare]}]},
        page_id="x",
        data=data,
        answers={},
    )
    return outcome.ok and str(question.get("id")) in outcome.answers


class _Data(dict[str, Any]):
    def getlist(self, key: str) -> list[str]:
        value = self.get(key, [])
        return value if isinstance(value, list) else [value]


def page_initial(
    *, definition: dict[str, Any], page_id: str, answers: dict[str, Any]
) -> dict[str, Any]:
    """The page's stored answers as form data (field name → str or list of str), to fill the
    inputs when the citizen comes back to it."""
    data = _Data()
    page = page_index(definition).get(page_id) or {}
    for question in page.get("questions") or []:
        qid = str(question.get("id"))
        value = answers.get(qid)
        if question.get("type") == "group":
            for index, item in enumerate(value if isinstance(value, list) else []):
                for child in question.get("questions") or []:
                    cid = str(child.get("id"))
                    data.update(
                        _raw(
                            child,
                            item.get(cid) if isinstance(item, dict) else None,
                            field_name(qid, item=index, child=cid),
                        )
                    )
        elif question.get("type") not in NO_ANSWER_TYPES:
            data.update(_raw(question, value, field_name(qid)))
    return data


def answers_check(*, definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    """Every problem that keeps an application from being sent, keyed by field name (page
    errors under "__all__"); {} when it is complete and valid. Answers to hidden questions
    do not count."""
    kept = answers_prune(definition, answers)
    errors: dict[str, str] = {}
    for page in pages_visible(definition, kept):
        if page.get("exit"):
            errors["__all__"] = str(
                page.get("exit_message") or _("No puedes continuar con esta solicitud.")
            )
            break
        data = page_initial(definition=definition, page_id=str(page["id"]), answers=kept)
        outcome = page_read(definition=definition, page_id=str(page["id"]), data=data, answers=kept)
        errors.update(outcome.errors)
    return errors


# --- Display ------------------------------------------------------------------------------------


def _long_date(value: date) -> str:
    return f"{value.day} de {MONTHS[value.month - 1]} de {value.year}"


def _place(code: str, names: dict[str, tuple[str, str, str]] | None) -> str:
    found = (names or {}).get(code) if names is not None else district_names(code)
    if not found:
        return code
    district, province, department = found
    return f"{district}, {province}, {department}"


def answer_display(
    *, question: dict[str, Any], value: Any, places: dict[str, tuple[str, str, str]] | None = None
) -> str:
    """How a person reads an answer: choice labels, «S/ 1,250.50», «27 de marzo de 2026»,
    «Sí», place names. `places` (from district_names_many) saves a query per ubigeo."""
    kind = question.get("type")
    if value is None or value == "" or value == []:
        return ""
    if kind == "money":
        try:
            return f"S/ {Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    if kind == "date":
        try:
            return _long_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if kind == "yes_no":
        return _("Sí") if value is True else _("No") if value is False else str(value)
    if kind == "declaration":
        return _("Sí, lo declaro")
    if kind in {"choice", "multi_choice"}:
        labels = {str(c.get("value")): str(c.get("label")) for c in question.get("choices") or []}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    if kind == "ubigeo":
        return _place(str(value), places)
    if kind == "address" and isinstance(value, dict):
        text = str(value.get("street") or "")
        if value.get("ubigeo"):
            text += " — " + _place(str(value["ubigeo"]), places)
        if value.get("reference"):
            text += " (" + _("referencia: %(r)s") % {"r": value["reference"]} + ")"
        return text
    if kind == "file":
        count = len(value) if isinstance(value, list) else 1
        return ngettext("%(n)s archivo", "%(n)s archivos", count) % {"n": count}
    if kind == "group" and isinstance(value, list):
        children = [
            c for c in question.get("questions") or [] if c.get("type") not in NO_ANSWER_TYPES
        ]
        items = []
        for item in value:
            parts = [
                answer_display(question=c, value=item.get(str(c["id"])), places=places)
                for c in children
                if isinstance(item, dict)
            ]
            items.append(" · ".join(p for p in parts if p))
        return "; ".join(items)
    return str(value)


def _ubigeo_codes(definition: dict[str, Any], answers: dict[str, Any]) -> set[str]:
    codes: set[str] = set()

    def collect(question: dict[str, Any], value: Any) -> None:
        if question.get("type") == "ubigeo" and isinstance(value, str):
            codes.add(value)
        elif question.get("type") == "address" and isinstance(value, dict):
            codes.add(str(value.get("ubigeo") or ""))
        elif question.get("type") == "group" and isinstance(value, list):
            for item in value:
                for child in question.get("questions") or []:
                    if isinstance(item, dict):
                        collect(child, item.get(child.get("id")))

    for page in definition.get("pages") or []:
        for question in page.get("questions") or []:
            collect(question, answers.get(question.get("id")))
    return codes


def answers_summary(
    *, definition: dict[str, Any], answers: dict[str, Any]
) -> list[tuple[dict[str, Any], list[tuple[dict[str, Any], str]]]]:
    """[(page, [(question, display text)])] of the visible, answered questions, in order: the
    check-your-answers page, the receipt, the official's view and the CSV read this."""
    kept = answers_prune(definition, answers)
    places = district_names_many(_ubigeo_codes(definition, kept))
    summary = []
    for page in pages_visible(definition, kept):
        if page.get("exit"):
            break
        rows = [
            (q, answer_display(question=q, value=kept[q["id"]], places=places))
            for q in page.get("questions") or []
            if q.get("id") in kept
        ]
        if rows:
            summary.append((page, rows))
    return summary


def file_check(
    *, question: dict[str, Any], name: str, size: int, content_type: str, head: bytes
) -> str | None:
    """Why an upload cannot be attached to `question` (Spanish), or None. The type is judged by
    the file's first bytes, not by what the browser claims."""
    accept = list(question.get("accept") or DEFAULT_ACCEPT)
    limit_mb = question.get("max_size_mb") or DEFAULT_MAX_MB
    names = ", ".join(EXTENSIONS.get(a, (a,))[0].lstrip(".").upper() for a in accept)
    if size <= 0:
        return _("El archivo «%(f)s» está vacío.") % {"f": name}
    if size > limit_mb * 1024 * 1024:
        return _(
            "El archivo «%(f)s» pesa más de %(mb)s MB. Redúcelo o escanéalo con menor resolución."
        ) % {
            "f": name,
            "mb": limit_mb,
        }
    sniffed = next(
        (mime for mime in accept if any(head.startswith(sig) for sig in MAGIC.get(mime, ()))), None
    )
    if sniffed is None:
        return _("El archivo «%(f)s» no es de un tipo admitido. Adjunta un archivo %(types)s.") % {
            "f": name,
            "types": names,
        }
    if sniffed.startswith("application/vnd.openxmlformats") and not name.lower().endswith(
        EXTENSIONS[sniffed]
    ):
        return _("El archivo «%(f)s» no es de un tipo admitido. Adjunta un archivo %(types)s.") % {
            "f": name,
            "types": names,
        }
    return None
