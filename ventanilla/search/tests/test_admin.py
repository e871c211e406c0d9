"""The synonym list in the back office (/gestion/): who may keep it, that every change goes
through the services (audited, applied on the next search), and Spanish validation."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.backoffice import admin_form_data, official, platform_admin
from ventanilla.audit.models import AuditEvent
from ventanilla.catalogue.tests.factories import ProcedureFactory
from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.search.models import Synonym
from ventanilla.search.selectors import search

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:search_synonym_changelist")
ADD = reverse("admin:search_synonym_add")
ANALYTICS = reverse("admin:search_searchlog_changelist")
INDEX = reverse("admin:index")


def _change_url(synonym: Synonym) -> str:
    return reverse("admin:search_synonym_change", args=[synonym.pk])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _titles(q: str) -> list[str]:
    return [hit.title for hit in search(q=q).hits]


@pytest.fixture
def people():
    """Who might open the synonym list: a platform admin, an editor of an institution, an
    official whose role edits nothing, and a citizen."""
    institution = InstitutionFactory(name="Ministerio de Trabajo", slug="mintra")
    citizen = get_user_model().objects.create_user(username="ciudadana", password="x")
    return {
        "admin": platform_admin(),
        "editor": official("editora", institution=institution, role=Role.EDITOR),
        "case_officer": official("gestor", institution=institution, role=Role.CASE_OFFICER),
        "citizen": citizen,
    }


@pytest.fixture
def employment(reindex):
    ProcedureFactory(title="Bolsa de empleo", summary="Ofertas de trabajo para jóvenes.")
    ProcedureFactory(title="Solicitar certificado de antecedentes policiales")
    reindex()


# --- Who may see and change it ------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor"])
def test_platform_admins_and_editors_keep_the_synonym_list(people, who):
    synonym = Synonym.objects.create(term="brevete", expansions="licencia de conducir")
    client = _client(people[who])

    assert client.get(CHANGELIST).status_code == 200
    assert client.get(ADD).status_code == 200
    assert client.get(_change_url(synonym)).status_code == 200
    assert client.get(ANALYTICS).status_code == 200
    index = client.get(INDEX).content.decode()
    assert CHANGELIST in index
    assert ANALYTICS in index


def test_an_official_without_an_editing_role_is_refused(people):
    synonym = Synonym.objects.create(term="brevete", expansions="licencia de conducir")
    client = _client(people["case_officer"])

    for url in (CHANGELIST, ADD, _change_url(synonym), ANALYTICS):
        assert client.get(url).status_code == 403, url
    response = client.post(ADD, {"term": "chamba", "expansions": "empleo", "is_active": "on"})
    assert response.status_code == 403
    assert not Synonym.objects.filter(term="chamba").exists()
    assert CHANGELIST not in client.get(INDEX).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_visitors_and_citizens_are_sent_to_the_login(people, who):
    client = Client()
    if who == "citizen":
        client.force_login(people["citizen"])

    for url in (CHANGELIST, ADD, ANALYTICS):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login"))
    client.post(ADD, {"term": "chamba", "expansions": "empleo", "is_active": "on"})
    assert not Synonym.objects.exists()


# --- Changes go through the services ------------------------------------------------------


def test_a_synonym_created_in_the_admin_is_audited_and_applies_to_the_next_search(
    people, employment, django_capture_on_commit_callbacks
):
    assert "Bolsa de empleo" not in _titles("chamba")
    client = _client(people["editor"])
    data = admin_form_data(client.get(ADD), term="Chamba", expansions="empleo\n", is_active="on")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    synonym = Synonym.objects.get()
    assert (synonym.term, synonym.expansions, synonym.is_active) == ("chamba", "empleo", True)
    event = AuditEvent.objects.get(action="search.synonym_created")
    assert event.actor == people["editor"]
    assert event.target_id == str(synonym.pk)
    assert event.data == {"term": "chamba", "expansions": ["empleo"]}
    assert _titles("chamba")[0] == "Bolsa de empleo"


@pytest.mark.django_db(transaction=True)
def test_saving_a_synonym_shows_what_the_search_now_returns_first():
    ProcedureFactory(title="Bolsa de empleo")
    ProcedureFactory(title="Registrar tu empleo en planilla")
    # Indexing on save runs after each commit: the index already holds both.
    client = _client(platform_admin())
    data = admin_form_data(client.get(ADD), term="chamba", expansions="empleo", is_active="on")

    response = client.post(ADD, data, follow=True)

    shown = [str(m) for m in response.context["messages"]]
    preview = next(m for m in shown if m.startswith("Vista previa"))
    assert preview.startswith("Vista previa: al buscar «chamba» aparecen primero (de 2): 1. ")
    assert "Bolsa de empleo" in preview
    assert "Registrar tu empleo en planilla" in preview


@pytest.mark.django_db(transaction=True)
def test_the_preview_says_when_a_synonym_finds_nothing_or_is_inactive():
    client = _client(platform_admin())
    data = admin_form_data(client.get(ADD), term="cachuelo", expansions="trabajo temporal")
    data.pop("is_active", None)

    response = client.post(ADD, data, follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert any("al buscar «cachuelo» no aparece ningún resultado" in m for m in shown)
    assert "El sinónimo está inactivo: la búsqueda no lo usa." in shown


def test_a_synonym_changed_in_the_admin_is_audited_and_applies_at_once(
    people, employment, django_capture_on_commit_callbacks
):
    synonym = Synonym.objects.create(term="chamba", expansions="antecedentes")
    assert _titles("chamba")[0] == "Solicitar certificado de antecedentes policiales"
    client = _client(people["admin"])
    data = admin_form_data(client.get(_change_url(synonym)), expansions="empleo")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_change_url(synonym), data)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="search.synonym_changed")
    assert event.actor == people["admin"]
    assert event.data["expansions"] == ["empleo"]
    assert _titles("chamba") == ["Bolsa de empleo"]


def test_a_synonym_deleted_in_the_admin_is_audited_and_stops_applying(
    people, employment, django_capture_on_commit_callbacks
):
    synonym = Synonym.objects.create(term="chamba", expansions="empleo")
    assert _titles("chamba") == ["Bolsa de empleo"]
    client = _client(people["editor"])
    url = reverse("admin:search_synonym_delete", args=[synonym.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Synonym.objects.exists()
    event = AuditEvent.objects.get(action="search.synonym_deleted")
    assert (event.actor, event.data) == (people["editor"], {"term": "chamba"})
    assert "Bolsa de empleo" not in _titles("chamba")


def test_deleting_several_synonyms_at_once_audits_each(people):
    rows = [
        Synonym.objects.create(term="chamba", expansions="empleo"),
        Synonym.objects.create(term="brevete", expansions="licencia de conducir"),
    ]
    client = _client(people["admin"])

    response = client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [s.pk for s in rows], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Synonym.objects.exists()
    assert AuditEvent.objects.filter(action="search.synonym_deleted").count() == 2


def test_the_list_shows_term_expansions_state_and_date_and_searches(people):
    Synonym.objects.create(term="brevete", expansions="licencia de conducir\nlicencia")
    Synonym.objects.create(term="partida", expansions="acta", is_active=False)
    client = _client(people["editor"])

    response = client.get(CHANGELIST)
    html = response.content.decode()
    assert "licencia de conducir · licencia" in html
    assert [s.term for s in response.context["cl"].result_list] == ["brevete", "partida"]
    found = client.get(CHANGELIST, {"q": "acta"}).context["cl"].result_list
    assert [s.term for s in found] == ["partida"]


def test_the_synonym_list_query_count_does_not_grow_with_rows(people, django_assert_num_queries):
    for n in range(40):
        Synonym.objects.create(term=f"termino {n}", expansions="uno\ndos")
    client = _client(people["editor"])
    client.get(CHANGELIST)

    # Session, user, memberships, the filtered and full counts, Django's user and group
    # permissions for the sidebar, one page of rows: nothing per row.
    with django_assert_num_queries(8):
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 40


def test_a_zero_result_query_links_to_a_prefilled_synonym(people):
    client = _client(people["editor"])

    response = client.get(ADD, {"term": "cachuelo"})

    assert response.context["adminform"].form.initial["term"] == "cachuelo"


# --- Validation in Spanish ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"expansions": "  \n \n"},
            "expansions",
            "Escriba al menos una palabra o frase que se deba buscar también.",
        ),
        ({"term": "Brevete", "expansions": "brevete"}, "expansions", "no puede expandirse a sí"),
        (
            {"term": "partida", "expansions": "acta\nPARTÍDA"},
            "expansions",
            "«partida» no puede expandirse a sí mismo",
        ),
        ({"expansions": "a" * 121}, "expansions", "La línea 1 tiene 121 caracteres"),
        ({"expansions": "acta\n¿¿??"}, "expansions", "La línea 2 no tiene letras ni números."),
        ({"expansions": "\n".join(f"x{n}" for n in range(31))}, "expansions", "Como máximo 30"),
        ({"term": "¿?"}, "term", "El término debe tener letras o números."),
        ({"term": "  "}, "term", "Escriba la palabra o frase que escribe la gente."),
        ({"term": "Pasaporté"}, "term", "Ya existe un sinónimo para «pasaporté»"),
    ],
)
def test_invalid_synonyms_are_refused_with_a_spanish_message(people, changes, field, message):
    Synonym.objects.create(term="pasaporte", expansions="documento de viaje")
    client = _client(people["editor"])
    data = admin_form_data(
        client.get(ADD), **{"term": "chamba", "expansions": "empleo", "is_active": "on", **changes}
    )

    response = client.post(ADD, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors[field]), errors
    assert Synonym.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_changing_a_synonym_keeps_its_own_term(people):
    synonym = Synonym.objects.create(term="brevete", expansions="licencia")
    client = _client(people["editor"])
    data = admin_form_data(client.get(_change_url(synonym)), expansions="licencia de conducir")

    response = client.post(_change_url(synonym), data)

    assert response.status_code == 302
    synonym.refresh_from_db()
    assert synonym.expansions == "licencia de conducir"
