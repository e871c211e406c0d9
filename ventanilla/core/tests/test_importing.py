"""The shared reading and writing of the reference-data loader, on tiny messy files."""

import io
from pathlib import Path

import pytest

from ventanilla.audit.models import AuditEvent
from ventanilla.core.importing import ImportReport, read_csv, read_jsonl, sync_rows


def _report(tmp_path: Path) -> ImportReport:
    return ImportReport(data_dir=tmp_path, stream=io.StringIO())


def _write(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_read_csv_strips_the_bom_and_detects_semicolons(tmp_path):
    path = _write(tmp_path, "\ufeffubigeo;distrito\r\n010102;Asunción\r\n")
    rows = list(read_csv(path, _report(tmp_path), required=["ubigeo"]))
    assert [r.data for r in rows] == [{"ubigeo": "010102", "distrito": "Asunción"}]


def test_read_csv_turns_na_into_blank(tmp_path):
    path = _write(tmp_path, "inei,reniec\nNA,170107\n150144,NA\n")
    rows = list(read_csv(path, _report(tmp_path)))
    assert [(r["inei"], r["reniec"]) for r in rows] == [("", "170107"), ("150144", "")]


def test_read_csv_keeps_quoted_newlines_in_one_cell_and_counts_lines(tmp_path):
    path = _write(tmp_path, 'inei,capital\n010101,"Cha\nchapoyas"\n010102,Asunción\n')
    rows = list(read_csv(path, _report(tmp_path)))
    assert rows[0]["capital"] == "Cha\nchapoyas"
    assert [r.line for r in rows] == [2, 4]


def test_a_bad_row_is_reported_with_file_and_line_and_the_rest_loads(tmp_path):
    path = _write(tmp_path, "a,b\n1,2\n3,4,5\n6,7\n")
    report = _report(tmp_path)
    rows = list(read_csv(path, report))
    assert [r["a"] for r in rows] == ["1", "6"]
    assert report.files["f.csv"].skipped == [(3, "3 celdas en lugar de 2")]
    assert "línea 3: 3 celdas en lugar de 2" in report.render()


def test_missing_required_columns_are_reported_not_raised(tmp_path):
    path = _write(tmp_path, "x,y\n1,2\n")
    report = _report(tmp_path)
    assert list(read_csv(path, report, required=["ubigeo"])) == []
    assert "faltan columnas: ubigeo" in report.files["f.csv"].skipped[0][1]


def test_unknown_columns_are_noted_and_ignored(tmp_path):
    path = _write(tmp_path, "a,extra\n1,2\n")
    report = _report(tmp_path)
    assert [r["a"] for r in read_csv(path, report, known=["a"])] == ["1"]
    assert any("extra" in line for lines in report.sections.values() for line in lines)


def test_read_jsonl_reports_a_broken_line_and_reads_the_others(tmp_path):
    path = _write(tmp_path, '{"id": 1}\n{broken\n{"id": 3}\n', "f.jsonl")
    report = _report(tmp_path)
    assert [r.data["id"] for r in read_jsonl(path, report)] == [1, 3]
    assert report.files["f.jsonl"].skipped[0][0] == 2


@pytest.mark.django_db
def test_sync_rows_creates_then_updates_only_what_changed(tmp_path):
    # Any model will do; the audit table is one that core may know about.
    rows = {
        "01": {"target_id": "01", "action": "x.made", "target_type": "t"},
        "02": {"target_id": "02", "action": "x.made", "target_type": "t"},
    }
    first = _report(tmp_path)
    sync_rows(AuditEvent, rows, first, key="target_id")
    assert first.counts["audit.AuditEvent"].created == 2
    rows["02"]["action"] = "x.changed"
    second = _report(tmp_path)
    sync_rows(AuditEvent, rows, second, key="target_id")
    counts = second.counts["audit.AuditEvent"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 1)
    assert AuditEvent.objects.get(target_id="02").action == "x.changed"
    third = _report(tmp_path)
    sync_rows(AuditEvent, rows, third, key="target_id")
    assert third.changes == 0
