"""The search engine, on whichever database the suite runs on (SQLite FTS5 locally, PostgreSQL
in CI's second pass): Spanish as typed, synonyms, typos, ranking, facets, indexing on save."""

import pytest
from django.core.management import call_command

from ventanilla.accounts.tests.backoffice import platform_admin
from ventanilla.catalogue.models import Procedure
from ventanilla.catalogue.services import procedure_update
from ventanilla.catalogue.tests.factories import CatalogueEntryFactory, ProcedureFactory
from ventanilla.institutions.models import Institution, Level
from ventanilla.institutions.services import institution_update
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.search.analysis import analyze, stem, terms
from ventanilla.search.indexing import index_changed, search_index_drop
from ventanilla.search.models import (
    SearchDocument,
    SearchGroupPrecomputed,
    SearchLog,
    SearchTerm,
    Synonym,
)
from ventanilla.search.selectors import search, search_suggest
from ventanilla.search.services import synonym_save
from ventanilla.ubigeo.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def titles(results):
    return [h.title for h in results.hits]


@pytest.fixture
def catalogue(reindex):
    reniec = InstitutionFactory(
        name="Registro Nacional de Identificación y Estado Civil", acronym="RENIEC"
    )
    mtc = InstitutionFactory(name="Ministerio de Transportes y Comunicaciones", acronym="MTC")
    ProcedureFactory(title="Solicitar duplicado de DNI", code="P001", institution=reniec)
    ProcedureFactory(title="Renovar DNI por caducidad", code="P002", institution=reniec)
    ProcedureFactory(
        title="Obtener licencia de conducir por primera vez", code="P004", institution=mtc
    )
    ProcedureFactory(title="Obtener certificado de antecedentes penales", code="P013")
    ProcedureFactory(title="Consultar y pagar papeletas de tránsito", code="P012")
    ProcedureFactory(title="Obtener copia certificada de acta de nacimiento", code="P003")
    CatalogueEntryFactory(title="Licencias de funcionamiento en Lima")
    reindex()
    return {"reniec": reniec, "mtc": mtc}


def test_analyzer_folds_accents_and_case_and_stems_plurals():
    assert analyze("TRÁMITE") == analyze("tramite")
    assert stem("licencias") == stem("licencia")
    assert stem("actas") == stem("acta")
    assert stem("certificaciones") == stem("certificación")
    assert analyze("de la y el") == []


def test_accents_case_and_plurals_find_the_same_page(catalogue):
    for q in ("LICENCIA conducir", "licencias de conducir", "licéncia condúcir"):
        assert titles(search(q=q))[0] == "Obtener licencia de conducir por primera vez", q


def test_every_word_must_match_unless_nothing_does(catalogue):
    strict = search(q="licencia conducir")
    assert "Licencias de funcionamiento en Lima" not in titles(strict)
    assert not strict.relaxed
    loose = search(q="licencia helicoptero")
    assert loose.relaxed
    assert loose.total >= 2


def test_a_misspelled_word_is_corrected_and_offered(catalogue):
    results = search(q="antesedentes penales")
    assert results.corrected == "antecedentes penales"
    assert results.corrected_applied
    assert titles(results)[0] == "Obtener certificado de antecedentes penales"
    assert titles(search(q="dupicado dni"))[0] == "Solicitar duplicado de DNI"


def test_synonyms_editors_add_apply_to_the_next_search(
    catalogue, django_capture_on_commit_callbacks
):
    assert search(q="brevete").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        synonym_save(by=platform_admin(), term="Brevete", expansions="licencia de conducir")
    assert Synonym.objects.get().term == "brevete"
    assert titles(search(q="sacar brevete"))[0] == "Obtener licencia de conducir por primera vez"


def test_intent_words_rank_but_never_exclude(catalogue):
    assert (
        titles(search(q="como saco mi dni"))[:2]
        == [
            "Solicitar duplicado de DNI",
            "Renovar DNI por caducidad",
        ]
        or "Solicitar duplicado de DNI" in titles(search(q="como saco mi dni"))[:2]
    )
    assert titles(search(q="tramite renovar dni"))[0] == "Renovar DNI por caducidad"


def test_code_and_acronym_are_recognised(catalogue):
    assert search(q="P012").hits[0].code == "P012"
    first = search(q="reniec").hits[0]
    assert first.type == "institution"
    assert first.title.startswith("Registro Nacional")
    # The acronym narrows to the institution's procedures.
    assert titles(search(q="dni reniec"))[0] in {
        "Solicitar duplicado de DNI",
        "Renovar DNI por caducidad",
    }


def test_title_match_beats_a_body_mention(reindex):
    CatalogueEntryFactory(title="Pasaporte electrónico")
    ProcedureFactory(
        title="Obtener certificado de movimiento migratorio",
        summary="Necesitas tu pasaporte o tu DNI para pedirlo.",
    )
    reindex()
    assert titles(search(q="pasaporte"))[0] == "Pasaporte electrónico"


def test_facets_count_and_filters_narrow(catalogue):
    lima = DepartmentFactory(code="15", name="Lima")
    municipality = InstitutionFactory(
        name="Municipalidad de Lima", acronym="MML", level=Level.LOCAL, department=lima
    )
    ProcedureFactory(title="Licencia de edificación", institution=municipality)
    call_command("search_rebuild", verbosity=0)
    results = search(q="licencia")
    facets = {name: {f.value: f.count for f in values} for name, values in results.facets.items()}
    assert facets["type"]["procedure"] == results.total == 3
    assert facets["level"] == {"national": 1, "local": 1}
    assert facets["department"] == {"15": 1}
    assert facets["institution"] == {catalogue["mtc"].slug: 1, municipality.slug: 1}
    assert titles(search(q="licencia", level="local")) == ["Licencia de edificación"]
    assert titles(search(q="licencia", department="15")) == ["Licencia de edificación"]
    assert titles(search(q="licencia", institution=catalogue["mtc"].slug)) == [
        "Obtener licencia de conducir por primera vez"
    ]
    assert search(q="reniec", types=["institution"]).total == 1


def test_unknown_filters_are_ignored_with_a_spanish_message(catalogue):
    results = search(
        q="dni", types=["xyz"], institution="nope", level="x", department="99", sort="x"
    )
    assert results.total == 2
    assert len(results.filter_problems) == 5
    assert all(isinstance(m, str) and m for m in results.filter_problems)


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "NEAR",
        "dni NEAR/2 duplicado",
        "title_terms: dni",
        "'",
        "' OR 1=1 --",
        "dni AND OR NOT",
        "(dni",
        "^dni",
        "-dni",
        "dni:*",
        "\x00dni",
        "<script>alert(1)</script>",
        "ñandú " * 30,
    ],
)
def test_query_syntax_of_either_engine_is_inert(catalogue, q):
    results = search(q=q)
    assert results.query.problem or results.total >= 0


def test_pathological_queries_get_a_message_not_an_error(catalogue):
    assert "larga" in search(q="dni " * 500).query.problem
    assert search(q="").query.problem
    assert search(q="¿¡?!...").query.problem
    past = search(q="dni", page=99999)
    assert past.hits == []
    assert past.total == 2
    assert past.pages == 1
    assert search(q="dni", page="abc").page == 1
    assert search(q="dni", page=-4).page == 1


def test_snippets_highlight_query_words_and_escape_the_rest(reindex):
    ProcedureFactory(
        title="Solicitar duplicado de DNI",
        summary="Si perdiste tu DNI <b>o</b> te lo robaron, pide un duplicado.",
    )
    reindex()
    snippet = str(search(q="duplicados").hits[0].snippet)
    assert "<mark>duplicado</mark>" in snippet
    assert "&lt;b&gt;" in snippet
    assert "<b>" not in snippet


def test_suggestions_complete_the_word_being_typed(catalogue):
    assert [s.title for s in search_suggest("licen")] == [
        "Obtener licencia de conducir por primera vez",
        "Licencias de funcionamiento en Lima",
    ] or {s.title for s in search_suggest("licen")} == {
        "Obtener licencia de conducir por primera vez",
        "Licencias de funcionamiento en Lima",
    }
    assert search_suggest("") == []
    assert search_suggest('"*') == []


def test_logged_searches_keep_no_personal_data(catalogue):
    search(q="Duplicado DNI 45678912 juan@example.com", log=True)
    log = SearchLog.objects.get()
    assert "45678912" not in log.query
    assert "juan" not in log.query
    assert log.query.startswith("duplicado dni")


def test_saving_a_procedure_indexes_it_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        procedure = ProcedureFactory(title="Inscribir una mascota en el registro municipal")
    assert titles(search(q="mascota")) == ["Inscribir una mascota en el registro municipal"]
    with django_capture_on_commit_callbacks(execute=True):
        procedure_update(procedure=procedure, data={"is_published": False}, by=platform_admin())
    assert search(q="mascota").total == 0
    assert not SearchDocument.objects.filter(kind="procedure", object_id=procedure.pk).exists()


def test_renaming_an_institution_reindexes_its_procedures(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        institution = InstitutionFactory(name="Autoridad de Transporte", acronym="ATU")
        ProcedureFactory(title="Obtener tarjeta de transporte", institution=institution)
    with django_capture_on_commit_callbacks(execute=True):
        institution_update(institution=institution, data={"acronym": "ATUX"}, by=platform_admin())
    assert titles(search(q="tarjeta atux"))[0] == "Obtener tarjeta de transporte"


def test_rebuild_command_reports_and_is_repeatable(catalogue, capsys):
    call_command("search_rebuild")
    first = SearchDocument.objects.count()
    rows = set(SearchDocument.objects.values_list("pk", "digest"))
    call_command("search_rebuild")
    # Nothing changed, so nothing was rewritten (no dead rows left for a vacuum).
    assert set(SearchDocument.objects.values_list("pk", "digest")) == rows
    expected = Procedure.objects.count() + Institution.objects.count()
    assert SearchDocument.objects.count() == first == expected
    captured = capsys.readouterr()
    assert "documentos" in captured.out
    assert "procedure" in captured.err


@pytest.fixture
def broad_at_three(monkeypatch):
    """A term in three documents counts as broad, as one in thousands does in production."""
    monkeypatch.setattr("ventanilla.search.backends.base.BROAD_MATCHES", 3)
    monkeypatch.setattr("ventanilla.search.selectors.BROAD_MATCHES", 3)
    monkeypatch.setattr("ventanilla.search.backends.base.PRECOMPUTED_MATCHES", 3)
    monkeypatch.setattr("ventanilla.search.selectors.PRECOMPUTED_MATCHES", 3)


def test_broad_terms_answer_from_what_the_index_worked_out(
    broad_at_three, reindex, django_capture_on_commit_callbacks
):
    for title in ("Licencia de conducir", "Licencia de funcionamiento", "Licencia de obra"):
        ProcedureFactory(title=title)
    reindex()
    term = SearchTerm.objects.get(term=stem("licencia"))
    assert term.precomputed["names_top"]
    results = search(q="licencias")
    assert results.total == 3
    assert {f.value: f.count for f in results.facets["type"]} == {"procedure": 3}
    # A new page with the term refreshes what was worked out, after its commit.
    with django_capture_on_commit_callbacks(execute=True):
        ProcedureFactory(title="Licencia de pesca")
    results = search(q="licencia")
    assert results.total == 4
    assert "Licencia de pesca" in titles(results)


def test_a_broad_word_with_synonyms_answers_from_what_the_index_worked_out(
    broad_at_three, reindex, django_capture_on_commit_callbacks
):
    admin = platform_admin()
    with django_capture_on_commit_callbacks(execute=True):
        synonym_save(by=admin, term="brevete", expansions="licencia de conducir")
    for title in ("Licencia de conducir A1", "Licencia de conducir A2", "Brevete para motos"):
        ProcedureFactory(title=title)
    reindex()
    stored = SearchGroupPrecomputed.objects.get()
    assert stored.key == "brevet|licenci conduc"
    results = search(q="sacar brevete")
    assert results.total == 3
    assert {f.value: f.count for f in results.facets["type"]} == {"procedure": 3}
    # A page that stops holding the words refreshes it.
    procedure = Procedure.objects.get(title="Brevete para motos")
    with django_capture_on_commit_callbacks(execute=True):
        procedure_update(by=admin, procedure=procedure, data={"title": "Permiso"})
    assert search(q="brevete").total == 2
    # An editor's change makes another group: it is worked out at once, the old one dropped.
    with django_capture_on_commit_callbacks(execute=True):
        synonym_save(
            by=admin,
            term="brevete",
            expansions="licencia de conducir\npermiso",
            synonym=Synonym.objects.get(),
        )
    assert SearchGroupPrecomputed.objects.get().key == "brevet|licenci conduc|permis"
    assert search(q="brevete").total == 3
    # A page that leaves the index refreshes it too.
    with django_capture_on_commit_callbacks(execute=True):
        search_index_drop(kind_name="procedure", ids=[procedure.pk])
    assert search(q="brevete").total == 2


def test_the_engine_index_follows_every_write_after_all_migrations(reindex):
    """A migration that rebuilds the documents table on SQLite must not leave the full-text
    index without its triggers: insert, change and delete all reach it."""
    procedure = ProcedureFactory(title="Registrar una embarcación pesquera")
    reindex()
    assert search(q="embarcacion").total == 1
    SearchDocument.objects.filter(object_id=procedure.pk, kind="procedure").update(
        title_terms=terms("Registrar canoa")
    )
    index_changed()  # what the indexing functions do after their writes (facets are cached)
    assert search(q="embarcacion").total == 0
    assert search(q="canoa").total == 1
    SearchDocument.objects.filter(object_id=procedure.pk, kind="procedure").delete()
    index_changed()
    assert search(q="canoa").total == 0
