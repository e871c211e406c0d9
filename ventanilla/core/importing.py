"""Shared machinery of the reference-data loader: robust CSV/JSON reading, an idempotent
bulk upsert, and the report of what was loaded, merged and skipped (and why)."""

import csv
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.text import clean

BATCH_SIZE = 500


@dataclass
class ModelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class FileStats:
    loaded: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Row:
    """One data row of a source file, with the physical line where it starts."""

    line: int
    data: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.data.get(key, "")


class ImportReport:
    """Collects counts per model, per-file loaded/skipped rows, matching notes and timings;
    prints progress on a stream (stderr) and renders the final text report."""

    def __init__(self, *, data_dir: Path, stream: Any = None, max_listed: int = 60):
        self.data_dir = data_dir
        # Anything with write() and flush(): a file or a management command's OutputWrapper.
        self.stream: Any = stream if stream is not None else sys.stderr
        self.max_listed = max_listed
        self.counts: dict[str, ModelCounts] = defaultdict(ModelCounts)
        self.files: dict[str, FileStats] = {}
        self.sections: dict[str, list[str]] = defaultdict(list)
        self.tallies: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.timings: list[tuple[str, float]] = []
        self._names: dict[Path, str] = {}
        self._started = time.perf_counter()

    # -- progress and timing ------------------------------------------------------------
    def progress(self, message: str) -> None:
        elapsed = time.perf_counter() - self._started
        self.stream.write(f"[{elapsed:6.1f}s] {message}\n")
        self.stream.flush()

    def stage(self, name: str) -> "_Stage":
        return _Stage(self, name)

    @property
    def total_seconds(self) -> float:
        return sum(seconds for _name, seconds in self.timings)

    # -- files ------------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        name = self._names.get(path)
        if name is None:
            try:
                name = str(path.relative_to(self.data_dir))
            except ValueError:
                name = str(path)
            self._names[path] = name
        return name

    def file(self, path: Path) -> FileStats:
        return self.files.setdefault(self.rel(path), FileStats())

    def loaded(self, path: Path, n: int = 1) -> None:
        self.file(path).loaded += n

    def skip(self, path: Path, line: int, reason: str) -> None:
        """A row that was not loaded: never silent, always with file, line and reason."""
        self.file(path).skipped.append((line, reason))

    # -- notes --------------------------------------------------------------------------
    def note(self, section: str, text: str) -> None:
        self.sections[section].append(text)

    def tally(self, section: str, key: str, n: int = 1) -> None:
        self.tallies[section][key] += n

    # -- rendering ----------------------------------------------------------------------
    @property
    def changes(self) -> int:
        return sum(c.changed for c in self.counts.values())

    def counts_data(self) -> dict[str, dict[str, int]]:
        return {
            label: {
                "created": c.created,
                "updated": c.updated,
                "unchanged": c.unchanged,
                "deleted": c.deleted,
            }
            for label, c in sorted(self.counts.items())
        }

    def render(self) -> str:
        out = [_("Informe de carga de datos de referencia"), "=" * 40]
        out.append(_("Datos: %(dir)s") % {"dir": self.data_dir})
        out.append("")
        out.append(_("Registros por modelo (creados / actualizados / sin cambios / borrados):"))
        for label, c in sorted(self.counts.items()):
            out.append(
                f"  {label:<32} {c.created:>7} {c.updated:>7} {c.unchanged:>7} {c.deleted:>7}"
            )
        total_created = sum(c.created for c in self.counts.values())
        total_updated = sum(c.updated for c in self.counts.values())
        out.append(
            _("  Total: %(c)d creados, %(u)d actualizados")
            % {"c": total_created, "u": total_updated}
        )
        out.append("")
        out.append(_("Archivos (filas cargadas / omitidas):"))
        for name, stats in sorted(self.files.items()):
            out.append(f"  {name}: {stats.loaded} / {len(stats.skipped)}")
            for line, reason in stats.skipped[: self.max_listed]:
                out.append(_("    línea %(line)d: %(reason)s") % {"line": line, "reason": reason})
            if len(stats.skipped) > self.max_listed:
                out.append(_("    … y %(n)d más") % {"n": len(stats.skipped) - self.max_listed})
        for section, counter in sorted(self.tallies.items()):
            out.append("")
            out.append(f"{section}:")
            for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
                out.append(f"  {key}: {n}")
        for section, lines in self.sections.items():
            out.append("")
            out.append(f"{section} ({len(lines)}):")
            for text in lines[: self.max_listed]:
                out.append(f"  - {text}")
            if len(lines) > self.max_listed:
                out.append(_("  … y %(n)d más") % {"n": len(lines) - self.max_listed})
        out.append("")
        out.append(_("Tiempos:"))
        for name, seconds in self.timings:
            out.append(f"  {name:<40} {seconds:6.2f} s")
        out.append(f"  {_('Total'):<40} {self.total_seconds:6.2f} s")
        return "\n".join(out) + "\n"


class _Stage:
    def __init__(self, report: ImportReport, name: str):
        self.report = report
        self.name = name

    def __enter__(self) -> "_Stage":
        self.start = time.perf_counter()
        self.report.progress(_("Etapa: %(name)s…") % {"name": self.name})
        return self

    def __exit__(self, *exc: object) -> None:
        seconds = time.perf_counter() - self.start
        self.report.timings.append((self.name, seconds))
        self.report.progress(_("%(name)s: %(s).2f s") % {"name": self.name, "s": seconds})


# -- reading --------------------------------------------------------------------------


def sniff_delimiter(header_line: str) -> str:
    """`;` or `,`, whichever splits the header into more columns."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_csv(
    path: Path,
    report: ImportReport,
    *,
    required: Iterable[str] = (),
    known: Iterable[str] | None = None,
) -> Iterator[Row]:
    """Yield the rows of a CSV file whatever its BOM, delimiter or quoted newlines. Cells are
    cleaned (`NA`, `-`, blanks become ''); rows with the wrong number of cells are reported and
    skipped; missing required columns make the whole file a reported problem."""
    if not path.exists():
        report.skip(path, 0, _("el archivo no existe"))
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        if first.startswith("\ufeff"):  # a second BOM inside utf-8-sig text
            first = first[1:]
        reader = csv.reader(handle, delimiter=sniff_delimiter(first))
        try:
            header = [clean(h) or f"col{i}" for i, h in enumerate(next(reader))]
        except StopIteration:
            report.skip(path, 1, _("archivo vacío"))
            return
        missing = [c for c in required if c not in header]
        if missing:
            report.skip(path, 1, _("faltan columnas: %(c)s") % {"c": ", ".join(missing)})
            return
        if known is not None:
            unknown = [h for h in header if h not in set(known)]
            if unknown:
                report.note(
                    _("Columnas desconocidas (ignoradas)"),
                    f"{report.rel(path)}: {', '.join(unknown)}",
                )
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                report.skip(
                    path,
                    start,
                    _("%(n)d celdas en lugar de %(m)d") % {"n": len(cells), "m": len(header)},
                )
                continue
            yield Row(start, {h: clean(v) for h, v in zip(header, cells, strict=True)})


def read_json(path: Path, report: ImportReport) -> Any:
    if not path.exists():
        report.skip(path, 0, _("el archivo no existe"))
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except ValueError as error:
        report.skip(path, getattr(error, "lineno", 0), _("JSON inválido: %(e)s") % {"e": error})
        return None


def read_jsonl(path: Path, report: ImportReport) -> Iterator[Row]:
    """Yield each JSON object of a JSON-lines file as Row(line, object)."""
    if not path.exists():
        report.skip(path, 0, _("el archivo no existe"))
        return
    with path.open(encoding="utf-8-sig") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except ValueError as error:
                report.skip(path, number, _("JSON inválido: %(e)s") % {"e": error})
                continue
            if not isinstance(obj, dict):
                report.skip(path, number, _("no es un objeto JSON"))
                continue
            yield Row(number, obj)


# -- writing --------------------------------------------------------------------------


def _value(obj: models.Model, attname: str) -> Any:
    return getattr(obj, attname)


def sync_rows[M: models.Model](
    model: type[M],
    rows: dict[Any, dict[str, Any]],
    report: ImportReport,
    *,
    key: str,
    existing: Iterable[M] | None = None,
    key_of: Callable[[M], Any] | None = None,
) -> dict[Any, M]:
    """Create or update `model` rows so that each key has exactly the given field values.
    Compares before saving: unchanged rows are not written, so a second run makes no change.
    `rows` maps key -> {attname: value} (foreign keys by `<name>_id`). Returns key -> object."""
    label = model._meta.label
    counts = report.counts[label]
    get_key = key_of or (lambda obj: _value(obj, key))
    current = {
        get_key(obj): obj
        for obj in (existing if existing is not None else model._default_manager.all())
    }
    has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    now = timezone.now()
    to_create: list[M] = []
    to_update: list[M] = []
    changed_fields: set[str] = set()
    result: dict[Any, M] = {}
    for row_key, values in rows.items():
        obj = current.get(row_key)
        if obj is None:
            obj = model(**values)
            to_create.append(obj)
        else:
            diff = [name for name, value in values.items() if _value(obj, name) != value]
            if diff:
                for name in diff:
                    setattr(obj, name, values[name])
                changed_fields.update(diff)
                if has_updated_at:
                    setattr(obj, "updated_at", now)  # noqa: B010 - not every model has it
                to_update.append(obj)
            else:
                counts.unchanged += 1
        result[row_key] = obj
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
        counts.created += len(to_create)
    if to_update:
        fields = sorted(changed_fields | ({"updated_at"} if has_updated_at else set()))
        model._default_manager.bulk_update(to_update, fields, batch_size=BATCH_SIZE)
        counts.updated += len(to_update)
    return result
