"""What a fake registry holds in memory and how the GovStack Digital Registries calls change it:
exact AND-matching of queries, writes that can be repeated (reference clients send each request
two or three times), idempotent deletes, the list with search/filter/ordering/paging, and the
personal-data-usage log each Peruvian registry keeps of the reads it served.

The HTTP side is fake.py; this module knows nothing of HTTP beyond the status of a refusal.
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from . import data

NO_RECORD = "no record found"
USAGE_PER_RECORD = 10_000  # a benchmark hammering one record must not eat the memory
MAX_PAGE_SIZE = 10_000
_ALNUM = re.compile(r"[A-Za-z0-9]+")
_SCALARS = (str, int, float, bool, type(None))

# Who the Peruvian members of the directory are, by RUC, for ReaderInstitutionName (others are
# named by their client identifier).
INSTITUTION_NAMES = {
    "20168999926": "Presidencia del Consejo de Ministros",
    "20295613620": "Registro Nacional de Identificación y Estado Civil",
    "20551239692": "Superintendencia Nacional de Migraciones",
    "20131312955": "Superintendencia Nacional de Aduanas y de Administración Tributaria",
    "20267073580": "Superintendencia Nacional de los Registros Públicos",
    "20131379944": "Ministerio de Transportes y Comunicaciones",
}


class Refused(Exception):
    """A call the registry answers with an error: `status` and the JSON body {"detail": …}."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass
class Row:
    uuid: str
    content: dict[str, Any]


@dataclass(frozen=True)
class Reader:
    """Who read a record, from the headers the mediator forwards."""

    client: str = ""  # X-Road-Client: INSTANCE/CLASS/MEMBER/SUBSYSTEM
    user_id: str = ""  # X-Road-UserId
    issue: str = ""  # X-Road-Issue
    x_road_id: str = ""  # X-Road-Id


class Store:
    """One fake's registries. Every public method takes the lock: the server is threaded."""

    def __init__(self, registry: str) -> None:
        if registry not in data.REGISTRIES:
            raise KeyError(registry)
        self.registry = registry
        self.specs = {(s.name, s.version): s for s in data.REGISTRIES[registry]}
        self.database_id = data.DATABASE_IDS[registry]
        self.lock = threading.Lock()
        self.tables: dict[tuple[str, str], list[Row]] = {}
        self.usage: dict[str, deque[dict[str, Any]]] = {}
        self.databases: dict[int, dict[str, Any]] = {}
        self.reseed()

    # --- state -------------------------------------------------------------------------------

    def reseed(self) -> None:
        """Back to the seed: the records, no usage entries, every database."""
        with self.lock:
            self.tables = {
                key: [Row(u, r) for u, r in rows] for key, rows in data.seed(self.registry).items()
            }
            self.usage = {}
            self.databases = {}
            if self.registry == "govstack":
                spec = data.govstack_fixtures()["databases"]
                for database_id in (*spec["readableIds"], *spec["deletableIds"]):
                    self.databases[int(database_id)] = {
                        "id": int(database_id),
                        **copy.deepcopy(spec["everyDatabaseIs"]),
                    }

    def _table(self, name: str, version: str) -> tuple[data.RegistrySpec, list[Row]]:
        key = (name, version)
        if key not in self.tables:
            raise Refused(404, "registry not found")
        return self.specs[key], self.tables[key]

    def knows(self, name: str, version: str) -> bool:
        return (name, version) in self.tables

    # --- reads -------------------------------------------------------------------------------

    def read(
        self, name: str, version: str, query: Any, reader: Reader | None = None
    ) -> dict[str, Any]:
        """The first record matching every field of the query; Refused(404) when none does."""
        query = _query(query)
        with self.lock:
            _spec, rows = self._table(name, version)
            row = _first(rows, query)
            if row is None:
                raise Refused(404, NO_RECORD)
            self._remember(row, reader)
            return dict(row.content)

    def exists(self, name: str, version: str, query: Any) -> bool:
        query = _query(query)
        with self.lock:
            _spec, rows = self._table(name, version)
            return _first(rows, query) is not None

    def read_value(
        self, name: str, version: str, key: str, field: str, reader: Reader | None = None
    ) -> Any:
        """One field of the record whose uuid (or else ID) is `key`."""
        with self.lock:
            _spec, rows = self._table(name, version)
            row = next((r for r in rows if r.uuid == key), None) or _first(rows, {"ID": key})
            if row is None:
                raise Refused(404, NO_RECORD)
            if field not in row.content:
                raise Refused(404, "no field found")
            self._remember(row, reader)
            return row.content[field]

    def list_records(
        self, name: str, version: str, params: dict[str, list[str]], here: str
    ) -> dict[str, Any]:
        """The list call: {"count", "results", "previous"} and "next" when there is a next page
        (never null). `here` is the URL the list was asked at, for next/previous."""

        def one(key: str) -> str | None:
            values = params.get(key)
            return values[-1] if values else None

        search, field, ordering = one("search"), one("filter"), one("ordering")
        with self.lock:
            _spec, rows = self._table(name, version)
            found = [dict(r.content) for r in rows]
        exact = {k[len("query.") :]: v[-1] for k, v in params.items() if k.startswith("query.")}
        if exact:
            found = [c for c in found if _matches(c, exact)]
        if search:
            if field:
                found = [c for c in found if field in c and _same(c[field], search)]
            else:
                found = [c for c in found if _found_in(c, search)]
        if ordering:
            lowered = ordering.lower()
            if lowered in ("ascending", "asc", "descending", "desc"):
                key, reverse = field or "ID", lowered.startswith("desc")
            else:
                key, reverse = ordering.lstrip("-"), ordering.startswith("-")
            found = sorted(found, key=lambda c: _sort_key(c.get(key)), reverse=reverse)
        answer: dict[str, Any]
        if one("page") is None and one("pageSize") is None:
            # The whole result set in one page: count is the number of results.
            answer = {"count": len(found), "results": found}
            answer["previous"] = None
            return answer
        page = _positive(one("page") or "1", "page")
        size = _positive(one("pageSize") or "10", "pageSize")
        if size > MAX_PAGE_SIZE:
            raise Refused(400, f"pageSize no puede pasar de {MAX_PAGE_SIZE}.")
        start = (page - 1) * size
        answer = {"count": len(found), "results": found[start : start + size]}
        plain = {k: v for k, v in params.items() if k not in ("page", "pageSize")}

        def link(number: int) -> str:
            query = urlencode([*((k, x) for k, vs in plain.items() for x in vs)], doseq=True)
            extra = urlencode({"page": number, "pageSize": size})
            return f"{here}?{query + '&' if query else ''}{extra}"

        if start + size < len(found):
            answer["next"] = link(page + 1)
        answer["previous"] = link(page - 1) if page > 1 else None
        return answer

    # --- writes ------------------------------------------------------------------------------

    def create(self, name: str, version: str, body: Any) -> dict[str, Any]:
        """Stores write.content. The same record twice is stored once (clients repeat calls)."""
        write = _write(body)
        with self.lock:
            spec, rows = self._table(name, version)
            content = _complete(spec, write, creating=True)
            same = next((r for r in rows if r.content == content), None)
            if same is not None:
                return dict(same.content)
            self._check_free_id(spec, rows, content.get("ID"))
            rows.append(Row(str(uuid.uuid4()), content))
            return dict(content)

    def update(self, name: str, version: str, body: Any) -> dict[str, Any]:
        """Applies write.content to the first record matching query.content (or write's ID).
        Repeatable: when nothing matches but a record already equals the write, that is it."""
        write = _write(body)
        query = _query_or_id(body, write)
        with self.lock:
            spec, rows = self._table(name, version)
            _check_fields(spec, write)
            row = _first(rows, query)
            if row is None:
                done = _first(rows, write)
                if done is None:
                    raise Refused(404, NO_RECORD)
                return dict(done.content)
            self._apply(spec, rows, row, write)
            return dict(row.content)

    def update_entries(self, name: str, version: str, body: Any) -> dict[str, Any]:
        """Applies write.content to every record matching query.content; none is fine."""
        write = _write(body)
        query = _query_or_id(body, write)
        with self.lock:
            spec, rows = self._table(name, version)
            _check_fields(spec, write)
            matched = [r for r in rows if _matches(r.content, query)]
            if spec.strict and "ID" in write and len(matched) > 1:
                raise Refused(409, "No se puede dar el mismo ID a varios registros.")
            for row in matched:
                self._apply(spec, rows, row, write)
            return {"count": len(matched)}

    def update_or_create(self, name: str, version: str, body: Any) -> dict[str, Any]:
        """Updates the first record matching query.content, or else the one write.content.ID
        names, or else creates write.content. Answers the record as written."""
        write = _write(body)
        raw_query = body.get("query") if isinstance(body, dict) else None
        query = _query(raw_query, required=False)
        with self.lock:
            spec, rows = self._table(name, version)
            _check_fields(spec, write)
            row = _first(rows, query) if query else None
            if row is None and "ID" in write:
                row = _first(rows, {"ID": write["ID"]})
            if row is None:
                content = _complete(spec, write, creating=True)
                rows.append(Row(str(uuid.uuid4()), content))
                return dict(content)
            self._apply(spec, rows, row, write)
            return dict(row.content)

    def delete(self, name: str, version: str, record_id: str) -> None:
        """Removes every record with this ID; nothing to remove is fine (idempotent)."""
        with self.lock:
            _spec, rows = self._table(name, version)
            rows[:] = [r for r in rows if str(r.content.get("ID")) != record_id]

    def _apply(self, spec: data.RegistrySpec, rows: list[Row], row: Row, write: dict) -> None:
        if "ID" in write and write["ID"] != row.content.get("ID"):
            self._check_free_id(spec, rows, write["ID"])
        row.content.update(write)

    @staticmethod
    def _check_free_id(spec: data.RegistrySpec, rows: list[Row], record_id: Any) -> None:
        # GovStack's reference data itself repeats an ID: only our own registries keep IDs unique.
        if spec.strict and record_id is not None and _first(rows, {"ID": record_id}) is not None:
            raise Refused(409, "Ya existe un registro con ese ID.")

    # --- personal data usage ---------------------------------------------------------------

    def _remember(self, row: Row, reader: Reader | None) -> None:
        # The reference registry answers its example log unchanged: reference clients compare it.
        if reader is None or self.registry == "govstack":
            return
        member = reader.client.split("/")
        member_code = member[2] if len(member) == 4 else ""
        entry = {
            "ID": reader.x_road_id or str(uuid.uuid4()),
            "ReaderID": reader.user_id,
            "ReaderInitials": _initials(reader.user_id),
            "ReaderInstitutionID": member_code,
            "ReaderInstitutionName": INSTITUTION_NAMES.get(member_code, reader.client),
            "ReaderApplicationName": reader.client,
            "SearchDateTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Refrences": [{"ReferenceID": reader.issue}] if reader.issue else [],
        }
        record_id = str(row.content.get("ID", row.uuid))
        self.usage.setdefault(record_id, deque(maxlen=USAGE_PER_RECORD)).append(entry)

    def personal_data_usage(self, user_id: str | None, database_id: str | None) -> list[dict]:
        """Who read the record `user_id` of this database, oldest first."""
        if not user_id or not database_id:
            raise Refused(400, "Faltan los parámetros userID y DatabaseID.")
        if not _ALNUM.fullmatch(user_id) or not _ALNUM.fullmatch(database_id):
            raise Refused(400, "userID y DatabaseID solo llevan letras y dígitos.")
        names = {self.database_id.lower(), self.registry} | {n for n, _v in self.specs}
        if database_id.lower() not in names:
            return []
        if self.registry == "govstack":
            fixtures = data.govstack_fixtures()["registries"]
            return [
                copy.deepcopy(entry)
                for registry in fixtures
                for record in registry["records"]
                if record["ID"] == user_id
                for entry in record.get("personalDataUsage", ())
            ]
        with self.lock:
            return [dict(e) for e in self.usage.get(user_id, ())]

    # --- database schemas (the reference registry only) -------------------------------------

    def catalogue(self) -> dict[str, Any]:
        self._databases_served()
        c = data.govstack_fixtures()["databases"]["catalogue"]
        with self.lock:
            databases = [copy.deepcopy(d) for d in self.databases.values()]
        return {
            "id": c["id"],
            "name": c["name"],
            "code": c["code"],
            "databases": databases,
            "group_id": c["group_id"],
            "order": c["order"],
            "data_index_increment": c["data_index_increment"],
        }

    def database(self, database_id: int) -> dict[str, Any]:
        self._databases_served()
        with self.lock:
            if database_id not in self.databases:
                raise Refused(404, "no database found")
            return copy.deepcopy(self.databases[database_id])

    def database_delete(self, database_id: int) -> None:
        """Deleting a database that is not there (any more) is fine: clients repeat calls."""
        self._databases_served()
        with self.lock:
            self.databases.pop(database_id, None)

    def database_modify(self, body: Any) -> dict[str, Any]:
        """Sets the schema of the databases named `code`; answers the stored schema."""
        self._databases_served()
        if not isinstance(body, dict):
            raise Refused(400, "La petición debe traer un objeto JSON.")
        code, schema = body.get("code"), body.get("schema")
        if not isinstance(code, str) or not code or not isinstance(schema, dict):
            raise Refused(400, "database/modify necesita code (texto) y schema (objeto).")
        with self.lock:
            for database in self.databases.values():
                if database.get("name") == code:
                    database["schema"] = copy.deepcopy(schema)
        return schema

    def _databases_served(self) -> None:
        if self.registry != "govstack":
            raise Refused(404, "Not found.")


def _query(raw: Any, *, required: bool = True) -> dict[str, Any]:
    """query.content, or the body itself when it is already the content (exists is sent flat)."""
    content = raw.get("content") if isinstance(raw, dict) and "content" in raw else raw
    if content is None and not required:
        return {}
    if not isinstance(content, dict) or (required and not content):
        raise Refused(400, "query.content debe ser un objeto con al menos un campo.")
    if any(not isinstance(v, _SCALARS) for v in content.values()):
        raise Refused(400, "Los valores de query.content deben ser texto, número o booleano.")
    return content


def _write(body: Any) -> dict[str, Any]:
    write = body.get("write") if isinstance(body, dict) else None
    content = write.get("content") if isinstance(write, dict) else None
    if not isinstance(content, dict) or not content:
        raise Refused(400, "La petición debe traer write.content con al menos un campo.")
    return content


def _query_or_id(body: Any, write: dict[str, Any]) -> dict[str, Any]:
    raw = body.get("query") if isinstance(body, dict) else None
    if raw is not None:
        return _query(raw)
    if "ID" in write:
        return {"ID": write["ID"]}
    raise Refused(400, "La petición debe traer query.content o write.content.ID.")


def _check_fields(spec: data.RegistrySpec, write: dict[str, Any]) -> None:
    if spec.strict:
        unknown = sorted(set(write) - set(spec.fields))
        if unknown:
            raise Refused(400, f"Campos desconocidos en {spec.name}: {', '.join(unknown)}.")
        if any(not isinstance(v, _SCALARS) for v in write.values()):
            raise Refused(400, "Los valores de write.content deben ser texto, número o booleano.")


def _complete(spec: data.RegistrySpec, write: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """A new record: the write, with the registry's other fields empty."""
    _check_fields(spec, write)
    if creating and spec.strict and not write.get("ID"):
        raise Refused(400, "write.content.ID es obligatorio.")
    return {**dict.fromkeys(spec.fields, ""), **write}


def _same(value: Any, wanted: Any) -> bool:
    if value == wanted:
        return True
    # "2019" finds Anio 2019: query strings come from forms and URLs.
    if isinstance(value, bool) or isinstance(wanted, bool) or value is None or wanted is None:
        return False
    return str(value) == str(wanted)


def _matches(content: dict[str, Any], query: dict[str, Any]) -> bool:
    return all(k in content and _same(content[k], v) for k, v in query.items())


def _first(rows: Iterable[Row], query: dict[str, Any]) -> Row | None:
    return next((r for r in rows if _matches(r.content, query)), None)


def _found_in(content: dict[str, Any], search: str) -> bool:
    """search without filter: a case-insensitive regular expression (or plain text) anywhere."""
    try:
        pattern = re.compile(search[:200], re.IGNORECASE)
    except re.error:
        pattern = re.compile(re.escape(search[:200]), re.IGNORECASE)
    return any(pattern.search(str(v)) for v in content.values())


def _sort_key(value: Any) -> tuple[int, float, str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, "" if value is None else str(value))


def _positive(raw: str, name: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise Refused(400, f"{name} debe ser un número entero mayor que cero.")
    return int(raw)


def _initials(user_id: str) -> str:
    """ "usuario:gestor.mtc" → "GM"; a document number has none."""
    name = user_id.split(":", 1)[-1]
    words = [w for w in re.split(r"[^A-Za-zÁÉÍÓÚÑáéíóúñ]+", name) if w]
    return "".join(w[0] for w in words[:3]).upper()
