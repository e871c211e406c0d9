"""The whole loader on the real data in ../shared/data, twice: the real counts, then no change."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from stdnum.pe import ruc

from ventanilla.audit.models import AuditEvent
from ventanilla.catalogue.models import LOCAL_NUMBER_BASE, LifeEvent, Procedure, Topic
from ventanilla.institutions.models import Institution
from ventanilla.ubigeo.models import Department, District, Province


@pytest.mark.slow
@pytest.mark.django_db
def test_load_reference_data_loads_the_real_counts_and_a_second_run_changes_nothing(tmp_path):
    report_file = tmp_path / "report.txt"
    out, err = io.StringIO(), io.StringIO()
    call_command("load_reference_data", report_file=str(report_file), stdout=out, stderr=err)

    assert "Etapa: UBIGEO" in err.getvalue()  # progress on stderr
    assert (Department.objects.count(), Province.objects.count()) == (25, 196)
    assert District.objects.count() == 1891
    assert Institution.objects.exclude(source=Institution.Source.PTE).count() == 3474
    by_source = dict(
        Institution.objects.values_list("source").annotate(n=Count("pk")).values_list("source", "n")
    )
    assert by_source == {"gobpe+pte": 2741, "gobpe": 733, "pte": 414}
    # Portal rows that are an office, a school or a body gob.pe already lists are not added
    # on their own: Área de Informática (AI - DREUCAYALI), Unidad de Sistemas e Informática
    # (USI - MDSALAVERRY), 0035 Nuestra Señora de la Visitación (merged: gob.pe lists it),
    # I.E.I Hermasia Paget, and Yanahuanca's municipality (Daniel A. Carrión's, paired).
    portal_only = Institution.objects.filter(source=Institution.Source.PTE)
    assert not portal_only.filter(transparency_id__in=[13918, 13634, 17446, 17518, 13682])
    assert not Institution.objects.filter(transparency_id=13682).exists()
    assert Institution.objects.get(slug="regionucayali").transparency_id == 10174
    assert Institution.objects.get(slug="munidac").transparency_id == 12154
    # No truncated siglas left in a name: "Hospital … el Carmen (hrdmi" is "… el Carmen".
    assert not Institution.objects.filter(name__regex=r"\([^)]*$").exists()
    report_text = report_file.read_text(encoding="utf-8")
    assert "Entidades del Portal no añadidas (por motivo):" in report_text
    # Every name with a letter has its A–Z initial (a few portal schools are just numbers).
    no_initial = Institution.objects.filter(initial="").values_list("name", flat=True)
    assert all(not any(c.isalpha() for c in name) for name in no_initial)
    rucs = list(Institution.objects.exclude(ruc="").values_list("slug", "ruc"))
    assert len(rucs) >= 25
    assert all(ruc.is_valid(number) for _slug, number in rucs)
    assert dict(rucs)["reniec"] == "20295613620"

    curated = Procedure.objects.exclude(code=None)
    assert sorted(curated.values_list("code", flat=True)) == [f"P{i:03d}" for i in range(1, 44)]
    assert curated.filter(has_detail=True).count() == 43
    assert Procedure.objects.filter(has_detail=False).count() == 32923 - 20
    with_sections = curated.exclude(summary="").filter(requirements__isnull=False).distinct()
    assert {"P001", "P013", "P016", "P018"} <= set(with_sections.values_list("code", flat=True))
    dni = Procedure.objects.get(code="P001")
    assert (dni.number, dni.slug, dni.institution.slug) == (
        224,
        "solicitar-duplicado-de-dni",
        "reniec",
    )
    assert dni.channels.filter(kind="online").get().steps.exists()
    variant = Procedure.objects.get(code="P028")
    assert (variant.gobpe_id, variant.gobpe_child_id) == (20844, 13598)
    assert variant.number == LOCAL_NUMBER_BASE + 28
    assert (
        Procedure.objects.get(number=20844).code is None
    )  # the parent page stays in the catalogue
    assert Topic.objects.count() >= 8
    assert LifeEvent.objects.filter(slug="tener-un-bebe").exists()
    assert AuditEvent.objects.filter(action="reference_data.loaded").count() == 1
    assert "Total: " in report_text

    again = io.StringIO()
    call_command("load_reference_data", report_file=str(report_file), stdout=again, stderr=err)
    assert "Total: 0 creados, 0 actualizados" in again.getvalue()
    assert AuditEvent.objects.filter(action="reference_data.loaded").count() == 2


def test_the_loader_reads_the_shared_data_directory_by_default():
    assert (settings.SHARED_DATA_DIR / "procedimientos" / "procedimientos.csv").exists()
