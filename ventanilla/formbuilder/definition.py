"""The form definition and workflow format (docs/reference/form-definition.md): what a valid
one looks like, with every problem said in Spanish for the designer who made it."""

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.interop.sources import source_get

FORMAT = "ventanilla-form/1"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

QUESTION_TYPES: tuple[str, ...] = (
    "text",
    "textarea",
    "number",
    "money",
    "date",
    "yes_no",
    "choice",
    "multi_choice",
    "email",
    "phone",
    "dni",
    "ruc",
    "ubigeo",
    "address",
    "file",
    "group",
    "declaration",
    "info",
)
# The designer's names for the types, in the order the editor offers them.
QUESTION_TYPE_LABELS: dict[str, str] = {
    "text": "Texto corto",
    "textarea": "Texto largo",
    "number": "Número",
    "money": "Monto en soles",
    "date": "Fecha",
    "yes_no": "Sí / No",
    "choice": "Una opción de una lista",
    "multi_choice": "Varias opciones de una lista",
    "email": "Correo electrónico",
    "phone": "Teléfono",
    "dni": "DNI",
    "ruc": "RUC",
    "ubigeo": "Departamento, provincia y distrito",
    "address": "Dirección",
    "file": "Archivo adjunto",
    "group": "Grupo que se repite (añadir otra persona)",
    "declaration": "Casilla de declaración",
    "info": "Texto informativo (sin respuesta)",
}
CHOICE_TYPES = frozenset({"choice", "multi_choice"})
COMPARABLE_TYPES = frozenset({"number", "money", "date"})
NO_ANSWER_TYPES = frozenset({"info"})
NOT_IN_GROUP = frozenset({"group", "file"})
OPERATORS = frozenset(
    {
        "equals",
        "not_equals",
        "in",
        "not_in",
        "answered",
        "not_answered",
        "gt",
        "gte",
        "lt",
        "lte",
        "contains",
    }
)
OPERATOR_LABELS: dict[str, str] = {
    "equals": "es igual a",
    "not_equals": "no es igual a",
    "in": "es uno de",
    "not_in": "no es ninguno de",
    "answered": "tiene respuesta",
    "not_answered": "no tiene respuesta",
    "gt": "es mayor que",
    "gte": "es mayor o igual que",
    "lt": "es menor que",
    "lte": "es menor o igual que",
    "contains": "incluye",
}
STATUS_KINDS = ("open", "correction", "approved", "rejected", "closed")
ENDING_KINDS = frozenset({"approved", "rejected", "closed"})
GOVSTACK_BY_KIND = {
    "open": "PENDING",
    "correction": "SENDBACK",
    "approved": "APPROVED",
    "rejected": "REJECTED",
    "closed": "REJECTED",
}
ACCEPTED_FILE_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (XLSX)",
}
MAX_FILE_MB = 20
MAX_FILES = 10
MAX_GROUP_ITEMS = 50


def empty_definition(title: str) -> dict[str, Any]:
    """A new service's first draft: one empty page the designer fills."""
    return {
        "format": FORMAT,
        "title": title,
        "intro": "",
        "pages": [{"id": "datos", "title": _("Datos de la solicitud"), "questions": []}],
        "declaration": "",
        "confirmation": "",
    }


def default_workflow() -> dict[str, Any]:
    """The statuses most procedures need (received, in review, observed, approved, denied),
    with the legal default of 30 business days (Ley 27444, art. 153)."""
    return {
        "statuses": [
            {"code": "recibido", "label": _("Recibido"), "kind": "open"},
            {"code": "en_revision", "label": _("En revisión"), "kind": "open"},
            {
                "code": "observado",
                "label": _("Observado: necesita subsanación"),
                "kind": "correction",
            },
            {"code": "aprobado", "label": _("Aprobado"), "kind": "approved"},
            {"code": "denegado", "label": _("Denegado"), "kind": "rejected"},
        ],
        "initial": "recibido",
        "transitions": [
            {"from": "recibido", "to": "en_revision"},
            {"from": "recibido", "to": "observado"},
            {"from": "en_revision", "to": "observado"},
            {"from": "observado", "to": "en_revision"},
            {"from": "en_revision", "to": "aprobado"},
            {"from": "en_revision", "to": "denegado"},
        ],
        "time_limit_days": 30,
        "notify": {"citizen": True, "assignee": True, "emails": []},
        "document": None,
    }


def questions_iter(definition: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(page, question) for every question, group children right after their group."""
    for page in definition.get("pages") or []:
        if not isinstance(page, dict):
            continue
        for question in page.get("questions") or []:
            if not isinstance(question, dict):
                continue
            yield page, question
            if question.get("type") == "group":
                for child in question.get("questions") or []:
                    if isinstance(child, dict):
                        yield page, child


def question_index(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every question by id, group children included."""
    return {str(q.get("id")): q for _page, q in questions_iter(definition)}


def page_index(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        str(page.get("id")): page
        for page in definition.get("pages") or []
        if isinstance(page, dict)
    }


def group_of(definition: dict[str, Any], question_id: str) -> dict[str, Any] | None:
    """The group holding `question_id`, or None for a top-level question."""
    for page in definition.get("pages") or []:
        for question in page.get("questions") or []:
            if question.get("type") == "group" and any(
                child.get("id") == question_id for child in question.get("questions") or []
            ):
                return question
    return None


def status_of(workflow: dict[str, Any], code: str) -> dict[str, Any] | None:
    for status in workflow.get("statuses") or []:
        if status.get("code") == code:
            return status
    return None


def status_label(workflow: dict[str, Any], code: str) -> str:
    status = status_of(workflow, code)
    return str(status["label"]) if status else code


def govstack_status(workflow: dict[str, Any], code: str) -> str:
    """The GovStack Registration status code of a workflow status."""
    status = status_of(workflow, code)
    return GOVSTACK_BY_KIND.get(str(status.get("kind")), "PENDING") if status else "PENDING"


def transitions_from(workflow: dict[str, Any], code: str) -> list[dict[str, Any]]:
    """The statuses a case in `code` may move to, in workflow order."""
    targets = {t.get("to") for t in workflow.get("transitions") or [] if t.get("from") == code}
    return [s for s in workflow.get("statuses") or [] if s.get("code") in targets]


def correction_status(workflow: dict[str, Any]) -> dict[str, Any] | None:
    for status in workflow.get("statuses") or []:
        if status.get("kind") == "correction":
            return status
    return None


# --- Validation ------------------------------------------------------------------------------


class _Errors(list[str]):
    """Problems found; `soft` ones only mean the draft is unfinished (an empty page, a question
    without its text yet): a draft may be saved with them, never published."""

    def __init__(self) -> None:
        super().__init__()
        self.soft: set[str] = set()

    def incomplete(self, message: str) -> None:
        self.append(message)
        self.soft.add(message)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date_bound(value: Any) -> bool:
    if value == "today":
        return True
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _question_errors(
    question: dict[str, Any], where: str, *, in_group: bool, errors: _Errors
) -> None:
    kind = question.get("type")
    qid = question.get("id")
    label = str(question.get("label") or "").strip()
    if kind not in QUESTION_TYPES:
        errors.append(
            _("%(where)s: el tipo «%(type)s» no existe.") % {"where": where, "type": kind}
        )
        return
    if in_group and kind in NOT_IN_GROUP:
        errors.append(
            _("%(where)s: un grupo no puede contener otro grupo ni archivos.") % {"where": where}
        )
    if kind in {"info", "declaration"}:
        if not str(question.get("text") or label).strip():
            errors.incomplete(_("%(where)s: escribe el texto que se muestra.") % {"where": where})
    elif not label:
        errors.incomplete(_("%(where)s: falta la pregunta (etiqueta).") % {"where": where})
    for key in ("min_length", "max_length", "max_files", "min_items", "max_items", "decimals"):
        value = question.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            errors.append(
                _("%(where)s: «%(key)s» debe ser un número entero positivo.")
                % {"where": where, "key": key}
            )
    if (
        isinstance(question.get("min_length"), int)
        and isinstance(question.get("max_length"), int)
        and question["min_length"] > question["max_length"]
    ):
        errors.append(_("%(where)s: el mínimo de caracteres supera al máximo.") % {"where": where})
    if kind in {"number", "money"}:
        for key in ("min", "max"):
            if question.get(key) is not None and not _is_number(question[key]):
                errors.append(
                    _("%(where)s: «%(key)s» debe ser un número.") % {"where": where, "key": key}
                )
    if kind == "date":
        for key in ("min", "max"):
            if question.get(key) is not None and not _date_bound(question[key]):
                errors.append(
                    _("%(where)s: «%(key)s» debe ser una fecha AAAA-MM-DD o «today».")
                    % {"where": where, "key": key}
                )
    if (
        _is_number(question.get("min"))
        and _is_number(question.get("max"))
        and question["min"] > question["max"]
    ):
        errors.append(_("%(where)s: el mínimo supera al máximo.") % {"where": where})
    if question.get("pattern"):
        try:
            re.compile(str(question["pattern"]))
        except re.error:
            errors.append(
                _("%(where)s: el patrón no es una expresión regular válida.") % {"where": where}
            )
    if kind in CHOICE_TYPES:
        choices = question.get("choices")
        if not isinstance(choices, list) or not choices:
            errors.incomplete(_("%(where)s: agrega al menos una opción.") % {"where": where})
        else:
            values = [c.get("value") if isinstance(c, dict) else None for c in choices]
            if any(not str(v or "").strip() for v in values) or any(
                not str(c.get("label") or "").strip() for c in choices if isinstance(c, dict)
            ):
                errors.append(
                    _("%(where)s: cada opción necesita un valor y un texto.") % {"where": where}
                )
            if len(set(values)) != len(values):
                errors.append(_("%(where)s: hay opciones repetidas.") % {"where": where})
    if kind == "file":
        accept = question.get("accept") or []
        if not isinstance(accept, list) or any(a not in ACCEPTED_FILE_TYPES for a in accept):
            errors.append(_("%(where)s: hay un tipo de archivo no admitido.") % {"where": where})
        size = question.get("max_size_mb")
        if size is not None and (not _is_number(size) or not 0 < size <= MAX_FILE_MB):
            errors.append(
                _("%(where)s: el tamaño máximo debe estar entre 1 y %(max)s MB.")
                % {"where": where, "max": MAX_FILE_MB}
            )
        count = question.get("max_files")
        if isinstance(count, int) and not 1 <= count <= MAX_FILES:
            errors.append(
                _("%(where)s: se admiten entre 1 y %(max)s archivos.")
                % {"where": where, "max": MAX_FILES}
            )
    if kind == "group":
        children = question.get("questions")
        if not isinstance(children, list) or not children:
            errors.incomplete(
                _("%(where)s: el grupo necesita al menos una pregunta.") % {"where": where}
            )
        max_items = question.get("max_items")
        if isinstance(max_items, int) and max_items > MAX_GROUP_ITEMS:
            errors.append(
                _("%(where)s: un grupo admite como máximo %(max)s elementos.")
                % {"where": where, "max": MAX_GROUP_ITEMS}
            )
    if not isinstance(qid, str) or not ID_PATTERN.match(qid):
        errors.append(
            _(
                "%(where)s: el identificador «%(id)s» debe empezar con una letra y usar solo "
                "minúsculas, números y guiones bajos (máximo 40)."
            )
            % {"where": where, "id": qid}
        )


def _condition_errors(
    condition: Any, where: str, known: dict[str, dict[str, Any]], errors: _Errors
) -> None:
    if condition is None:
        return
    if not isinstance(condition, dict):
        errors.append(_("%(where)s: la condición no es válida.") % {"where": where})
        return
    for key in ("all", "any"):
        if key in condition:
            parts = condition[key]
            if not isinstance(parts, list) or not parts:
                errors.append(_("%(where)s: la condición no es válida.") % {"where": where})
                return
            for part in parts:
                _condition_errors(part, where, known, errors)
            return
    target = condition.get("question")
    op = condition.get("op")
    if target not in known:
        errors.append(
            _("%(where)s: la condición usa «%(id)s», que no es una pregunta anterior.")
            % {"where": where, "id": target}
        )
        return
    if op not in OPERATORS:
        errors.append(_("%(where)s: el operador «%(op)s» no existe.") % {"where": where, "op": op})
        return
    kind = known[str(target)].get("type")
    if op in {"gt", "gte", "lt", "lte"} and kind not in COMPARABLE_TYPES:
        errors.append(
            _("%(where)s: «mayor/menor que» solo sirve con números, montos y fechas.")
            % {"where": where}
        )
    if op == "contains" and kind != "multi_choice":
        errors.append(
            _("%(where)s: «incluye» solo sirve con preguntas de varias opciones.")
            % {"where": where}
        )
    if op in {"in", "not_in"} and not isinstance(condition.get("value"), list):
        errors.append(_("%(where)s: «es uno de» necesita una lista de valores.") % {"where": where})


def _source_errors(
    question: dict[str, Any], where: str, known: dict[str, dict[str, Any]], errors: _Errors
) -> None:
    """A question bound to a registry field (`"source"`, ventanilla/interop/sources.py): the
    source and field exist, the field suits the question's type, and a source looked up by an
    answer names an earlier question."""
    spec = question.get("source")
    if spec is None:
        return
    if not isinstance(spec, dict):
        errors.append(_("%(where)s: el origen del dato no es válido.") % {"where": where})
        return
    source = source_get(spec.get("from"))
    if source is None:
        errors.append(
            _("%(where)s: el registro «%(s)s» no existe.") % {"where": where, "s": spec.get("from")}
        )
        return
    item = source.fields.get(str(spec.get("field")))
    if item is None:
        errors.append(
            _("%(where)s: %(l)s no tiene el dato «%(f)s».")
            % {"where": where, "l": source.label, "f": spec.get("field")}
        )
        return
    if question.get("type") not in item.types:
        errors.append(
            _("%(where)s: el dato «%(f)s» de %(l)s no sirve para una pregunta de este tipo.")
            % {"where": where, "f": item.label, "l": source.label}
        )
    key = spec.get("key")
    if source.lookup != "key":
        if key is not None:
            errors.append(
                _("%(where)s: %(l)s se consulta con el documento del ciudadano, sin «key».")
                % {"where": where, "l": source.label}
            )
        return
    if key not in known:
        errors.append(
            _("%(where)s: el dato de %(l)s se busca con «%(k)s», que no es una pregunta anterior.")
            % {"where": where, "l": source.label, "k": key}
        )
    elif known[str(key)].get("type") not in source.key_types:
        errors.append(
            _("%(where)s: la pregunta «%(k)s» no sirve para buscar en %(l)s.")
            % {"where": where, "k": key, "l": source.label}
        )
    elif known[str(key)].get("source") is not None:
        errors.append(
            _("%(where)s: la pregunta «%(k)s» con la que se busca debe responderla el ciudadano.")
            % {"where": where, "k": key}
        )


def definition_errors(definition: Any, *, draft: bool = False) -> list[str]:
    """Everything wrong with a definition, in Spanish, naming the page and question; [] when
    it can be published. `draft=True` leaves out what only means "not finished yet"."""
    if not isinstance(definition, dict):
        return [_("El formulario no tiene el formato esperado.")]
    errors = _Errors()
    if definition.get("format", FORMAT) != FORMAT:
        errors.append(_("El formato «%(f)s» no es compatible.") % {"f": definition.get("format")})
    if not str(definition.get("title") or "").strip():
        errors.append(_("Falta el título del formulario."))
    pages = definition.get("pages")
    if not isinstance(pages, list) or not pages:
        return [*errors, _("El formulario necesita al menos una página.")]
    seen_ids: set[str] = set()
    known: dict[str, dict[str, Any]] = {}
    asks_something = False
    for number, page in enumerate(pages, start=1):
        if not isinstance(page, dict):
            errors.append(_("Página %(n)s: no tiene el formato esperado.") % {"n": number})
            continue
        where_page = _("Página %(n)s («%(t)s»)") % {"n": number, "t": page.get("title") or ""}
        pid = page.get("id")
        if not isinstance(pid, str) or not ID_PATTERN.match(pid):
            errors.append(_("%(where)s: el identificador no es válido.") % {"where": where_page})
        elif pid in seen_ids:
            errors.append(
                _("%(where)s: el identificador «%(id)s» se repite.")
                % {"where": where_page, "id": pid}
            )
        else:
            seen_ids.add(pid)
        if not str(page.get("title") or "").strip():
            errors.append(_("%(where)s: falta el título.") % {"where": where_page})
        _condition_errors(page.get("show_if"), where_page, known, errors)
        questions = page.get("questions") or []
        if page.get("exit"):
            if not str(page.get("exit_message") or "").strip():
                errors.append(
                    _("%(where)s: una página de salida necesita el mensaje que explica por qué.")
                    % {"where": where_page}
                )
            if questions:
                errors.append(
                    _("%(where)s: una página de salida no lleva preguntas.") % {"where": where_page}
                )
            continue
        if not isinstance(questions, list) or not questions:
            errors.incomplete(_("%(where)s: la página no tiene preguntas.") % {"where": where_page})
            continue
        for qnumber, question in enumerate(questions, start=1):
            if not isinstance(question, dict):
                errors.append(
                    _("%(where)s, pregunta %(n)s: no tiene el formato esperado.")
                    % {"where": where_page, "n": qnumber}
                )
                continue
            where = _("%(where)s, pregunta %(n)s («%(l)s»)") % {
                "where": where_page,
                "n": qnumber,
                "l": question.get("label") or question.get("id") or "",
            }
            _question_errors(question, where, in_group=False, errors=errors)
            _condition_errors(question.get("show_if"), where, known, errors)
            _source_errors(question, where, known, errors)
            members = [question]
            if question.get("type") == "group":
                for child in question.get("questions") or []:
                    if isinstance(child, dict):
                        cwhere = _("%(where)s › «%(l)s»") % {
                            "where": where,
                            "l": child.get("label") or child.get("id") or "",
                        }
                        _question_errors(child, cwhere, in_group=True, errors=errors)
                        if child.get("show_if") is not None:
                            errors.append(
                                _("%(where)s: en un grupo las preguntas no llevan condición.")
                                % {"where": cwhere}
                            )
                        if child.get("source") is not None:
                            errors.append(
                                _(
                                    "%(where)s: en un grupo las preguntas no toman datos de "
                                    "un registro."
                                )
                                % {"where": cwhere}
                            )
                        members.append(child)
            for member in members:
                mid = member.get("id")
                if isinstance(mid, str):
                    if mid in seen_ids:
                        errors.append(
                            _("%(where)s: el identificador «%(id)s» se repite.")
                            % {"where": where, "id": mid}
                        )
                    seen_ids.add(mid)
                    if member is question or member.get("type") != "group":
                        known[mid] = member
            if question.get("type") not in NO_ANSWER_TYPES:
                asks_something = True
    if not asks_something and not errors:
        errors.incomplete(_("El formulario no hace ninguna pregunta."))
    if draft:
        return [e for e in errors if e not in errors.soft]
    return list(errors)


def workflow_errors(workflow: Any) -> list[str]:
    """Everything wrong with a workflow, in Spanish; [] when it can be published."""
    if not isinstance(workflow, dict):
        return [_("El flujo no tiene el formato esperado.")]
    errors: list[str] = []
    statuses = workflow.get("statuses")
    if not isinstance(statuses, list) or not statuses:
        return [_("El flujo necesita al menos un estado.")]
    codes: list[str] = []
    for number, status in enumerate(statuses, start=1):
        code = status.get("code") if isinstance(status, dict) else None
        if not isinstance(code, str) or not ID_PATTERN.match(code):
            errors.append(_("Estado %(n)s: el código no es válido.") % {"n": number})
            continue
        if code in codes:
            errors.append(_("El estado «%(c)s» se repite.") % {"c": code})
        codes.append(code)
        if not str(status.get("label") or "").strip():
            errors.append(_("Estado «%(c)s»: falta el nombre.") % {"c": code})
        if status.get("kind") not in STATUS_KINDS:
            errors.append(_("Estado «%(c)s»: el tipo no es válido.") % {"c": code})
    kinds = [s.get("kind") for s in statuses if isinstance(s, dict)]
    if kinds.count("correction") > 1:
        errors.append(_("Solo puede haber un estado de subsanación."))
    if not any(k in ENDING_KINDS for k in kinds):
        errors.append(
            _("El flujo necesita al menos un estado final (aprobado, denegado o archivado).")
        )
    initial = workflow.get("initial")
    if initial not in codes:
        errors.append(_("El estado inicial no es uno de los estados."))
    elif (status := status_of(workflow, str(initial))) and status.get("kind") != "open":
        errors.append(_("El estado inicial debe ser un estado «en trámite»."))
    for transition in workflow.get("transitions") or []:
        if (
            not isinstance(transition, dict)
            or transition.get("from") not in codes
            or transition.get("to") not in codes
        ):
            errors.append(_("Hay una transición entre estados que no existen."))
            break
    by_code = {s["code"]: s for s in statuses if isinstance(s, dict) and s.get("code") in codes}
    for transition in workflow.get("transitions") or []:
        source = by_code.get(transition.get("from")) if isinstance(transition, dict) else None
        if source and source.get("kind") in ENDING_KINDS:
            errors.append(
                _("Un estado final («%(c)s») no puede pasar a otro.") % {"c": source["code"]}
            )
    correction = correction_status(workflow)
    if correction and not any(
        t.get("from") == correction["code"] for t in workflow.get("transitions") or []
    ):
        errors.append(_("El estado de subsanación necesita una transición de regreso."))
    days = workflow.get("time_limit_days")
    if days is not None and (
        not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365
    ):
        errors.append(_("El plazo legal debe ser de 1 a 365 días hábiles."))
    notify = workflow.get("notify") or {}
    if not isinstance(notify, dict):
        errors.append(_("Los avisos no tienen el formato esperado."))
    else:
        for email in notify.get("emails") or []:
            if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", str(email)):
                errors.append(_("«%(e)s» no es un correo válido.") % {"e": email})
    document = workflow.get("document")
    if document is not None:
        if not isinstance(document, dict) or not str(document.get("title") or "").strip():
            errors.append(_("El documento que se emite necesita un título."))
        elif not str(document.get("body") or "").strip():
            errors.append(_("El documento que se emite necesita un texto."))
        elif document.get("validity_days") is not None and (
            not isinstance(document["validity_days"], int) or document["validity_days"] < 1
        ):
            errors.append(_("La vigencia del documento debe ser un número de días."))
        if isinstance(document, dict) and not any(k == "approved" for k in kinds):
            errors.append(_("Para emitir un documento, el flujo necesita un estado «aprobado»."))
    return errors
