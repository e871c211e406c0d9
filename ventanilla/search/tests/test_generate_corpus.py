"""The made-up corpus of bench/search_speed.py: shaped by the loaded data, numbered apart from
real procedures, reproducible, and removable."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ventanilla.catalogue.models import Procedure, Requirement
from ventanilla.catalogue.tests.factories import (
    CatalogueEntryFactory,
    ProcedureFactory,
    RequirementFactory,
)
from ventanilla.core.text import fold
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.search.management.commands.search_generate_corpus import GENERATED_NUMBER_BASE

pytestmark = pytest.mark.django_db

TITLES = [
    "solicitar licencia de funcionamiento para establecimientos",
    "obtener certificado de defensa civil",
    "consultar el estado de tu tramite en linea",
    "que hacemos",
    "solicitar duplicado de licencia de conducir",
    "pagar multas de transito en linea",
    "obtener copia certificada de partida de nacimiento",
]


@pytest.fixture
def small_catalogue() -> None:
    muni = InstitutionFactory(name="Municipalidad Distrital de Miraflores", acronym="MDM")
    mtc = InstitutionFactory(name="Ministerio de Transportes", acronym="MTC")
    InstitutionFactory(name="Municipalidad Distrital de Barranco", acronym="")
    for i, title in enumerate(TITLES):
        CatalogueEntryFactory(
            title=f"municipalidad distrital de miraflores {title}", institution=muni
        )
        CatalogueEntryFactory(title=title, number=60_000 + i)
    full = ProcedureFactory(
        title="Obtener licencia de conducir por primera vez",
        institution=mtc,
        summary="La licencia de conducir es un documento necesario. Debes aprobar tres exámenes.",
        fee_detail="S/ 24.50 en el Banco de la Nación",
    )
    RequirementFactory(procedure=full, text="Ser mayor de 18 años")
    RequirementFactory(procedure=full, text="Aprobar el examen médico")


def _generate(count: int, seed: int = 7, **options: object) -> None:
    call_command(
        "search_generate_corpus",
        count=count,
        seed=seed,
        stdout=StringIO(),
        stderr=StringIO(),
        **options,
    )


def _generated() -> list[tuple[object, ...]]:
    return list(
        Procedure.objects.filter(number__gte=GENERATED_NUMBER_BASE)
        .order_by("number")
        .values_list(
            "number", "title", "slug", "kind", "institution_id", "popularity", "search_text"
        )
    )


@pytest.mark.usefixtures("small_catalogue")
def test_generate_corpus_adds_published_rows_numbered_apart_from_real_ones():
    real = Procedure.objects.count()
    _generate(300, detail_share=0.5)
    generated = Procedure.objects.filter(number__gte=GENERATED_NUMBER_BASE)
    assert generated.count() == 300
    assert Procedure.objects.count() == real + 300
    assert not generated.filter(is_published=False).exists()
    assert not generated.exclude(code=None).exists()
    assert all(row[1] and row[2] and row[6] for row in _generated())  # title, slug, search text
    full = generated.filter(has_detail=True)
    assert 100 < full.count() < 200
    assert Requirement.objects.filter(procedure__in=full).exists()
    # The search text is filled as the loader fills it: folded title, then the institution.
    linked = generated.exclude(institution=None).select_related("institution").first()
    assert linked is not None
    inst = linked.institution
    assert linked.search_text == f"{fold(linked.title)} {fold(inst.acronym)} {fold(inst.name)}"


@pytest.mark.usefixtures("small_catalogue")
def test_generate_corpus_is_the_same_for_the_same_seed_and_differs_for_another():
    _generate(300, seed=7)
    first = _generated()
    _generate(1, delete=True)
    _generate(300, seed=7)
    assert _generated() == first
    _generate(1, delete=True)
    _generate(300, seed=8)
    assert _generated() != first


@pytest.mark.usefixtures("small_catalogue")
def test_generate_corpus_delete_removes_generated_rows_and_keeps_real_ones():
    real = set(Procedure.objects.values_list("pk", flat=True))
    real_requirements = Requirement.objects.count()
    _generate(300, detail_share=0.5)
    _generate(1, delete=True)
    assert set(Procedure.objects.values_list("pk", flat=True)) == real
    assert Requirement.objects.count() == real_requirements


@pytest.mark.usefixtures("small_catalogue")
def test_generate_corpus_refuses_to_add_a_second_corpus_on_top_of_the_first():
    _generate(10)
    with pytest.raises(CommandError, match="--delete"):
        _generate(10)


def test_generate_corpus_without_reference_data_explains_what_to_load_first():
    with pytest.raises(CommandError, match="load_reference_data"):
        _generate(10)
