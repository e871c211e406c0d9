"""The UBIGEO importer on a tiny data set written like the real files (BOM, `;`, NA, quoted
newlines, a district INEI no longer lists)."""

import io
from pathlib import Path

import pytest

from ventanilla.core.importing import ImportReport
from ventanilla.ubigeo import importers
from ventanilla.ubigeo.models import Department, District, Province

INEI = (
    "\ufeffdepartamento;provincia;distrito;ubigeo;capital_legal;categoría;altitud;población;"
    "latitud;longitud\r\n"
    "Amazonas;Chachapoyas;Chachapoyas;010101;Chachapoyas;Ciudad;2338.0;41843;-6.2;-77.8\r\n"
    "Amazonas;Chachapoyas;Asunción;010102;Asunción;Pueblo;2822.9;269;-6.0;-77.7\r\n"
    "Amazonas;Chachapoyas;Malo;01010X;Malo;Pueblo;1;1;1;1\r\n"
    "Moquegua;Mariscal Nieto;San Antonio;180107;San Antonio;Villa;1400;NA;NA;NA\r\n"
)
CAST_DIST = (
    "inei,reniec,departamento,provincia,distrito,capital\n"
    '010101,010101,AMAZONAS,CHACHAPOYAS,CHACHAPOYAS,"Chacha\npoyas"\n'
    "010102,010102,AMAZONAS,CHACHAPOYAS,ASUNCION,Asunción\n"
    "NA,170107,MOQUEGUA,MARISCAL NIETO,SAN ANTONIO,NA\n"
    "150144,NA,LIMA,LIMA,SANTA MARIA DE HUACHIPA,NA\n"
)
CAST_DEP = (
    "inei,reniec,departamento,iso_3166_2,capital\n010000,010000,AMAZONAS,PE-AMA,Chachapoyas\n"
)
CAST_PROV = (
    "inei,reniec,departamento,provincia,capital\n010100,010100,AMAZONAS,CHACHAPOYAS,Chachapoyas\n"
)
RENIEC = "ubigeo;departamento;provincia;distrito\n010101;Amazonas;Chachapoyas;Chachapoyas\n"


def _data_dir(tmp_path: Path) -> Path:
    files = {
        importers.INEI_FILE: INEI,
        importers.CAST_DIST: CAST_DIST,
        importers.CAST_DEP: CAST_DEP,
        importers.CAST_PROV: CAST_PROV,
        importers.RENIEC_FILE: RENIEC,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(text.encode("utf-8"))
    return tmp_path


@pytest.mark.django_db
def test_ubigeo_loads_inei_names_and_population_with_reniec_codes_beside(tmp_path):
    data_dir = _data_dir(tmp_path)
    report = ImportReport(data_dir=data_dir, stream=io.StringIO())
    importers.load_reference_data(data_dir=data_dir, report=report)

    assert District.objects.get(code="010102").name == "Asunción"
    # RENIEC code found by folded names where castagnetto has no INEI code (inei = NA).
    assert District.objects.get(code="180107").reniec_code == "170107"
    assert District.objects.get(code="180107").population is None
    assert Province.objects.get(code="0101").population == 41843 + 269
    amazonas = Department.objects.get(code="01")
    assert (amazonas.iso_code, amazonas.population) == ("PE-AMA", 41843 + 269)
    # The bad code is reported with its line, and castagnetto's extra district is not loaded.
    assert report.files[str(importers.INEI_FILE)].skipped == [(4, "ubigeo inválido: «01010X»")]
    assert not District.objects.filter(code="150144").exists()
    assert any("150144" in line for lines in report.sections.values() for line in lines)


@pytest.mark.django_db
def test_ubigeo_second_load_changes_nothing(tmp_path):
    data_dir = _data_dir(tmp_path)
    importers.load_reference_data(data_dir=data_dir, report=ImportReport(data_dir=data_dir))
    again = ImportReport(data_dir=data_dir, stream=io.StringIO())
    importers.load_reference_data(data_dir=data_dir, report=again)
    assert again.changes == 0
