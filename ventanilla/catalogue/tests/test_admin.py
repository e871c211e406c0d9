"""The catalogue in the back office (/gestion/): tenancy, saves through the services, and
the issue's guarantee that the public page changes on the next request."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.backoffice import admin_form_data, official, platform_admin
from ventanilla.audit.models import AuditEvent
from ventanilla.catalogue.models import Procedure
from ventanilla.catalogue.tests.factories import ChannelFactory, ProcedureFactory
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:catalogue_procedure_changelist")
ADD = reverse("admin:catalogue_procedure_add")


def _change_url(procedure):
    return reverse("admin:catalogue_procedure_change", args=[procedure.pk])


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tenancy():
    """Two institutions, a procedure in each, and an editor of the first."""
    own = InstitutionFactory(name="Registro Nacional", slug="reniec")
    other = InstitutionFactory(name="Superintendencia Ajena", slug="ajena")
    mine = ProcedureFactory(institution=own, title="Obtener el DNI", number=101, slug="dni")
    theirs = ProcedureFactory(institution=other, title="Pagar la tasa ajena", number=202)
    editor = official("editora", institution=own, role=Role.EDITOR)
    return own, other, mine, theirs, editor


def test_the_public_page_changes_on_the_next_request_after_an_editor_saves(
    client, tenancy, django_capture_on_commit_callbacks
):
    own, _other, procedure, _theirs, editor = tenancy
    url = procedure.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200
    assert "Obtener el DNI" in first.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"

    back_office = _client(editor)
    form_page = back_office.get(_change_url(procedure))
    data = admin_form_data(form_page, title="Obtener el DNI electrónico")
    with django_capture_on_commit_callbacks(execute=True):
        response = back_office.post(_change_url(procedure), data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    after = client.get(url)
    assert after.status_code == 200
    assert after.get("X-Page-Cache") != "hit"
    assert "Obtener el DNI electrónico" in after.content.decode()
    event = AuditEvent.objects.get(action="procedure.updated")
    assert event.actor == editor
    assert event.institution_id == own.pk
    assert event.data["changed"]["title"] == ["Obtener el DNI", "Obtener el DNI electrónico"]


def test_changelist_shows_an_official_only_their_institutions_procedures(tenancy):
    _own, _other, mine, theirs, editor = tenancy
    response = _client(editor).get(CHANGELIST)
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed == [mine]
    assert theirs.title not in response.content.decode()
    # Searching by another institution's words or number finds nothing either.
    found = _client(editor).get(CHANGELIST, {"q": "202"}).context["cl"].result_list
    assert list(found) == []


def test_an_official_cannot_open_or_post_another_institutions_procedure(tenancy):
    _own, _other, _mine, theirs, editor = tenancy
    client = _client(editor)
    response = client.get(_change_url(theirs))
    assert response.status_code == 302  # "does not exist": nothing about it is shown
    assert theirs.title not in client.get(response.url).content.decode()
    client.post(_change_url(theirs), {"title": "Cambiado", "kind": "procedure"})
    assert Procedure.objects.get(pk=theirs.pk).title == "Pagar la tasa ajena"
    assert not AuditEvent.objects.exists()


def test_institution_choices_of_a_procedure_are_the_officials_own(tenancy):
    own, other, _mine, _theirs, editor = tenancy
    client = _client(editor)
    add_page = client.get(ADD)
    field = add_page.context["adminform"].form.fields["institution"]
    assert list(field.queryset) == [own]
    assert field.required
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalogue", "model_name": "procedure", "field_name": "institution"},
    )
    ids = [row["id"] for row in json.loads(autocomplete.content)["results"]]
    assert ids == [str(own.pk)]
    # Posting another institution's id is a form error, not a procedure.
    data = admin_form_data(add_page, title="Solicitar algo", institution=str(other.pk))
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "institution" in response.context["adminform"].form.errors
    assert not Procedure.objects.filter(title="Solicitar algo").exists()


def test_an_editor_adds_a_procedure_as_a_draft_of_their_institution(tenancy):
    own, _other, _mine, _theirs, editor = tenancy
    client = _client(editor)
    data = admin_form_data(
        client.get(ADD), title="Solicitar un certificado", kind="procedure", institution=own.pk
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Procedure.objects.get(title="Solicitar un certificado")
    assert (created.institution, created.is_published) == (own, False)
    assert AuditEvent.objects.filter(action="procedure.created", target_id=created.pk).exists()


def test_an_editor_sees_publication_read_only_and_a_publisher_can_change_it(tenancy):
    own, _other, mine, _theirs, editor = tenancy
    form = _client(editor).get(_change_url(mine)).context["adminform"].form
    assert "is_published" not in form.fields
    publisher = official("publicador", institution=own, role=Role.PUBLISHER)
    client = _client(publisher)
    page = client.get(_change_url(mine))
    assert "is_published" in page.context["adminform"].form.fields
    client.post(_change_url(mine), admin_form_data(page, is_published=None))
    assert not Procedure.objects.get(pk=mine.pk).is_published
    assert AuditEvent.objects.get(action="procedure.updated").data["changed"] == {
        "is_published": [True, False]
    }


def test_saving_requirements_inline_audits_the_content_change(tenancy):
    _own, _other, mine, _theirs, editor = tenancy
    client = _client(editor)
    data = admin_form_data(client.get(_change_url(mine)))
    data.update(
        {
            "requirements-TOTAL_FORMS": "1",
            "requirements-0-position": "1",
            "requirements-0-text": "Copia simple del DNI",
        }
    )
    response = client.post(_change_url(mine), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert mine.requirements.get().text == "Copia simple del DNI"
    event = AuditEvent.objects.get(action="procedure.content_changed")
    assert event.data == {"requirement": {"added": ["Copia simple del DNI"]}}


def test_channel_steps_are_edited_on_the_channel_page_and_audited(tenancy):
    _own, _other, mine, theirs, editor = tenancy
    channel = ChannelFactory(procedure=mine)
    client = _client(editor)
    url = reverse("admin:catalogue_channel_change", args=[channel.pk])
    data = admin_form_data(client.get(url))
    data.update({"steps-0-position": "1", "steps-0-text": "Acércate a una agencia"})
    response = client.post(url, data)
    assert response.status_code == 302
    assert channel.steps.get().text == "Acércate a una agencia"
    event = AuditEvent.objects.get(action="procedure.content_changed")
    assert event.target_id == str(mine.pk)
    assert event.data["channelstep"] == {"added": ["Acércate a una agencia"]}
    foreign = ChannelFactory(procedure=theirs)
    other_url = reverse("admin:catalogue_channel_change", args=[foreign.pk])
    assert client.get(other_url).status_code == 302


def test_procedure_changelist_query_count_does_not_grow_with_rows(
    tenancy, django_assert_max_num_queries
):
    admin = _client(platform_admin())
    admin.get(CHANGELIST)  # warm the session and content types
    for n in range(40):
        ProcedureFactory(institution=InstitutionFactory(), number=5000 + n)
    with django_assert_max_num_queries(8):
        response = admin.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 42


def test_a_staff_user_without_membership_reaches_nothing():
    ProcedureFactory()
    client = _client(official("nadie"))
    # Staff without a role in any institution is not let into the back office at all: sent to
    # the login, which tells them the back office is not for their account.
    response = client.get(CHANGELIST, follow=True)
    assert response.status_code == 403
    assert "no tiene acceso a la gestión" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_deleting_procedures_in_the_admin_goes_through_the_service(tenancy):
    _own, _other, mine, theirs, _editor = tenancy
    admin = _client(platform_admin())
    admin.post(reverse("admin:catalogue_procedure_delete", args=[mine.pk]), {"post": "yes"})
    bulk = {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"}
    admin.post(CHANGELIST, bulk)
    assert not Procedure.objects.filter(pk__in=[mine.pk, theirs.pk]).exists()
    deleted = AuditEvent.objects.filter(action="procedure.deleted")
    assert sorted(int(e.target_id) for e in deleted) == sorted([mine.pk, theirs.pk])
