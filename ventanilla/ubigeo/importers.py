"""Load UBIGEO from ../shared/data: INEI 2025 is authoritative (names with accents, population,
capital, altitude, position); RENIEC codes and department ISO codes come from castagnetto, with
RENIEC 2025 matched by folded names where castagnetto has no row."""

from pathlib import Path

from django.utils.translation import gettext as _

from ventanilla.core.importing import ImportReport, Row, read_csv, sync_rows
from ventanilla.core.text import fold_words, spanish_slug
from ventanilla.ubigeo.models import Department, District, Province

REFERENCE_DATA_ORDER = 10
STAGE_NAME = "UBIGEO"

INEI_FILE = Path("ubigeo_inei_2025/ubigeo_inei_2025.csv")
RENIEC_FILE = Path("ubigeo_inei_2025/ubigeo_reniec_2025.csv")
CAST_DEP = Path("ubigeo_castagnetto/ubigeo_departamento.csv")
CAST_PROV = Path("ubigeo_castagnetto/ubigeo_provincia.csv")
CAST_DIST = Path("ubigeo_castagnetto/ubigeo_distrito.csv")

INEI_COLUMNS = [
    "departamento", "provincia", "distrito", "ubigeo", "capital_legal", "categoría",
    "altitud", "población", "latitud", "longitud",
]  # fmt: skip


def _number(value: str, cast: type[float] | type[int]) -> float | int | None:
    if not value:
        return None
    number = float(value.replace(",", "."))
    return round(number) if cast is int else number


def _code(value: str, width: int) -> str:
    """'1' -> '01'; '' or non-digits -> ''."""
    return value.zfill(width) if value.isdigit() and len(value) <= width else ""


def _names_key(*names: str) -> tuple[str, ...]:
    return tuple(fold_words(n) for n in names)


def _read_inei(path: Path, report: ImportReport) -> list[tuple[Row, dict]]:
    out: list[tuple[Row, dict]] = []
    seen: set[str] = set()
    for row in read_csv(path, report, required=["ubigeo", "distrito"], known=INEI_COLUMNS):
        code = _code(row["ubigeo"], 6)
        if len(code) != 6:
            report.skip(path, row.line, _("ubigeo inválido: «%(v)s»") % {"v": row["ubigeo"]})
            continue
        if code in seen:
            report.skip(path, row.line, _("ubigeo repetido: %(v)s") % {"v": code})
            continue
        try:
            values = {
                "population": _number(row["población"], int),
                "altitude_m": _number(row["altitud"], float),
                "latitude": _number(row["latitud"], float),
                "longitude": _number(row["longitud"], float),
            }
        except ValueError:
            report.skip(path, row.line, _("número inválido en la fila"))
            continue
        seen.add(code)
        out.append((row, {"code": code, **values}))
    return out


def load_reference_data(*, data_dir: Path, report: ImportReport) -> None:
    inei_path = data_dir / INEI_FILE
    inei = _read_inei(inei_path, report)

    # RENIEC codes: castagnetto (inei -> reniec), by code or else by folded names.
    cast_path = data_dir / CAST_DIST
    reniec_by_inei: dict[str, str] = {}
    reniec_by_names: dict[tuple[str, ...], str] = {}
    cast_inei_codes: dict[str, Row] = {}
    for row in read_csv(cast_path, report, required=["inei", "reniec", "distrito"]):
        inei_code, reniec = _code(row["inei"], 6), _code(row["reniec"], 6)
        names = _names_key(row["departamento"], row["provincia"], row["distrito"])
        if inei_code:
            cast_inei_codes[inei_code] = row
            if reniec:
                reniec_by_inei[inei_code] = reniec
        if reniec:
            reniec_by_names.setdefault(names, reniec)
        report.loaded(cast_path)
    reniec_path = data_dir / RENIEC_FILE
    for row in read_csv(reniec_path, report, required=["ubigeo", "distrito"]):
        code = _code(row["ubigeo"], 6)
        if not code:
            report.skip(reniec_path, row.line, _("ubigeo inválido: «%(v)s»") % {"v": row["ubigeo"]})
            continue
        reniec_by_names.setdefault(
            _names_key(row["departamento"], row["provincia"], row["distrito"]), code
        )
        report.loaded(reniec_path)

    departments: dict[str, dict] = {}
    provinces: dict[str, dict] = {}
    districts: dict[str, dict] = {}
    no_reniec: list[str] = []
    for row, values in inei:
        code = values["code"]
        dep_code, prov_code = code[:2], code[:4]
        reniec = reniec_by_inei.get(code) or reniec_by_names.get(
            _names_key(row["departamento"], row["provincia"], row["distrito"]), ""
        )
        if not reniec:
            no_reniec.append(f"{code} {row['distrito']}")
        dep = departments.setdefault(
            dep_code,
            {"code": dep_code, "name": row["departamento"],
             "slug": spanish_slug(row["departamento"]), "population": 0,
             "reniec_code": reniec[:2] if reniec else ""},
        )  # fmt: skip
        prov = provinces.setdefault(
            prov_code,
            {"code": prov_code, "department_id": dep_code, "name": row["provincia"],
             "population": 0, "reniec_code": reniec[:4] if reniec else ""},
        )  # fmt: skip
        dep["population"] += values["population"] or 0
        prov["population"] += values["population"] or 0
        districts[code] = {
            **values,
            "reniec_code": reniec,
            "province_id": prov_code,
            "name": row["distrito"],
            "capital": row["capital_legal"],
            "category": row["categoría"],
        }
        report.loaded(inei_path)
    for text in no_reniec:
        report.note(_("Distritos sin código RENIEC"), text)

    dep_path = data_dir / CAST_DEP
    for row in read_csv(dep_path, report, required=["inei", "iso_3166_2"]):
        dep_row = departments.get(_code(row["inei"], 6)[:2])
        if dep_row is None:
            report.skip(dep_path, row.line, _("departamento sin par en INEI 2025"))
            continue
        dep_row["iso_code"] = row["iso_3166_2"]
        dep_row["capital"] = row["capital"]
        if _code(row["reniec"], 6):
            dep_row["reniec_code"] = row["reniec"][:2]
        report.loaded(dep_path)
    prov_path = data_dir / CAST_PROV
    for row in read_csv(prov_path, report, required=["inei", "capital"]):
        prov_row = provinces.get(_code(row["inei"], 6)[:4])
        if prov_row is None:
            report.skip(prov_path, row.line, _("provincia sin par en INEI 2025"))
            continue
        prov_row["capital"] = row["capital"]
        if _code(row["reniec"], 6):
            prov_row["reniec_code"] = row["reniec"][:4]
        report.loaded(prov_path)
    # Castagnetto rows that INEI 2025 no longer lists are reported, not loaded.
    for code, row in sorted(cast_inei_codes.items()):
        if code not in districts:
            report.note(
                _("Distritos de castagnetto que no están en INEI 2025 (no cargados)"),
                f"{code} {row['distrito']} ({row['provincia']}, {row['departamento']})",
            )
    for dep in departments.values():
        dep.setdefault("iso_code", "")
        dep.setdefault("capital", "")
    for prov in provinces.values():
        prov.setdefault("capital", "")

    sync_rows(Department, {d["code"]: d for d in departments.values()}, report, key="code")
    sync_rows(Province, {p["code"]: p for p in provinces.values()}, report, key="code")
    sync_rows(District, {d["code"]: d for d in districts.values()}, report, key="code")
    report.progress(
        _("UBIGEO: %(d)d departamentos, %(p)d provincias, %(x)d distritos")
        % {"d": len(departments), "p": len(provinces), "x": len(districts)}
    )
