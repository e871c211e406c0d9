"""What the citizen's question pages need around the shared macros
(templates/formbuilder/questions.html): the inputs' values as lists, the repeating groups'
rows, the "add"/"remove" buttons that work without JavaScript, and the error summary."""

from collections.abc import Mapping
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict

from ventanilla.cases.models import CaseFile
from ventanilla.ubigeo.selectors import departments, districts_of, provinces_of

UBIGEO_URL = "/servicios/ubigeo/"


def data_lists(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """{field name: [values]} from a QueryDict or page_initial's dict (str or list values)."""
    found: dict[str, list[str]] = {}
    for key in data:
        values: Any = data.getlist(key) if isinstance(data, MultiValueDict) else data[key]
        found[key] = [str(v) for v in values] if isinstance(values, list | tuple) else [str(values)]
    return found


def group_rows(page: dict[str, Any], data: Mapping[str, Any]) -> dict[str, list[int]]:
    """Each group's row numbers as the inputs name them (q-<group>-<n>-<child>); one empty row
    when it has none."""
    rows: dict[str, list[int]] = {}
    for question in page.get("questions") or []:
        if question.get("type") != "group":
            continue
        prefix = f"q-{question['id']}-"
        found: set[int] = set()
        for key in data:
            if key.startswith(prefix):
                head = key[len(prefix) :].split("-", 1)[0]
                if head.isdigit() and len(head) <= 3:
                    found.add(int(head))
        rows[str(question["id"])] = sorted(found) or [0]
    return rows


def group_action(
    action: str, page: dict[str, Any], data: dict[str, list[str]], rows: dict[str, list[int]]
) -> None:
    """Apply "anadir:<group>" or "quitar:<group>:<n>" to the posted data and rows, in place."""
    parts = action.split(":")
    groups = {str(q["id"]): q for q in page.get("questions") or [] if q.get("type") == "group"}
    if len(parts) < 2 or parts[1] not in groups:
        return
    gid = parts[1]
    current = rows.get(gid) or [0]
    if parts[0] == "anadir" and len(current) < int(groups[gid].get("max_items") or 50):
        rows[gid] = [*current, max(current) + 1]
    elif parts[0] == "quitar" and len(parts) == 3 and parts[2].isdigit():
        index = int(parts[2])
        prefix = f"q-{gid}-{index}-"
        for key in [k for k in data if k.startswith(prefix)]:
            del data[key]
        rows[gid] = [n for n in current if n != index] or [max(current) + 1]


def question_opts(
    *, files: dict[str, list[CaseFile]] | None = None, rows: dict[str, list[int]] | None = None
) -> dict[str, Any]:
    """The `opts` argument of the question macros for a citizen's page."""
    return {
        "departments": departments(),
        "provinces_of": provinces_of,
        "districts_of": districts_of,
        "ubigeo_url": UBIGEO_URL,
        "rows": rows or {},
        "files": {
            qid: [
                {"id": str(f.public_id), "name": f.name, "size": filesizeformat(f.size)}
                for f in attached
            ]
            for qid, attached in (files or {}).items()
        },
    }


def summary_errors(errors: Mapping[str, str]) -> list[tuple[str, str]]:
    """(element id, message) for the error summary; a form-wide message links nowhere."""
    return [("" if key.startswith("__") else key, message) for key, message in errors.items()]
