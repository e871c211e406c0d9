"""The directory in the back office: officials reach only their institutions, and saves go
through institution_update (audit row, page dropped)."""

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.backoffice import admin_form_data, official, platform_admin
from ventanilla.audit.models import AuditEvent
from ventanilla.institutions.models import ContactChannel, Institution
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:institutions_institution_changelist")


def _change_url(institution):
    return reverse("admin:institutions_institution_change", args=[institution.pk])


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two():
    own = InstitutionFactory(name="Municipalidad de Miraflores", slug="miraflores")
    other = InstitutionFactory(name="Municipalidad de Surco", slug="surco")
    return own, other


@pytest.mark.parametrize("role", [Role.INSTITUTION_ADMIN, Role.EDITOR, Role.PUBLISHER])
def test_officials_list_and_open_only_their_institution(two, role):
    own, other = two
    client = _client(official("funcionario", institution=own, role=role))
    response = client.get(CHANGELIST)
    assert list(response.context["cl"].result_list) == [own]
    assert client.get(_change_url(own)).status_code == 200
    assert client.get(_change_url(other)).status_code == 302
    client.post(_change_url(other), {"name": "Tomada", "level": "local", "kind": "other"})
    assert Institution.objects.get(pk=other.pk).name == "Municipalidad de Surco"


@pytest.mark.parametrize("role", [Role.SERVICE_DESIGNER, Role.CASE_OFFICER, Role.CASE_SUPERVISOR])
def test_roles_without_editing_rights_do_not_reach_the_directory(two, role):
    own, _other = two
    client = _client(official("funcionario", institution=own, role=role))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(_change_url(own)).status_code == 403


def test_an_institution_admin_edits_the_record_and_contacts_through_the_services(
    two, django_capture_on_commit_callbacks
):
    own, _other = two
    client = _client(official("admin", institution=own, role=Role.INSTITUTION_ADMIN))
    page = client.get(_change_url(own))
    form = page.context["adminform"].form
    assert "slug" not in form.fields  # identifiers from the sources stay as loaded
    data = admin_form_data(page, description="Gobierno local de Miraflores.")
    data.update(
        {
            "contacts-TOTAL_FORMS": "1",
            "contacts-0-kind": "phone",
            "contacts-0-value": "(01) 617-7272",
            "contacts-0-position": "0",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_change_url(own), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Institution.objects.get(pk=own.pk).description == "Gobierno local de Miraflores."
    assert ContactChannel.objects.get(institution=own).value == "(01) 617-7272"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions == {"institution.updated", "institution.contacts_changed"}


def test_only_platform_administrators_add_or_delete_institutions(two):
    own, _other = two
    client = _client(official("admin", institution=own, role=Role.INSTITUTION_ADMIN))
    assert client.get(reverse("admin:institutions_institution_add")).status_code == 403
    delete = reverse("admin:institutions_institution_delete", args=[own.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Institution.objects.filter(pk=own.pk).exists()

    admin = _client(platform_admin())
    add_page = admin.get(reverse("admin:institutions_institution_add"))
    data = admin_form_data(
        add_page,
        name="Autoridad Nueva",
        slug="autoridad-nueva",
        level="national",
        kind="public_agency",
        source="manual",
    )
    response = admin.post(reverse("admin:institutions_institution_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Institution.objects.get(slug="autoridad-nueva")
    assert created.search_text == "autoridad nueva"
    assert AuditEvent.objects.filter(action="institution.created", target_id=created.pk).exists()
    admin.post(reverse("admin:institutions_institution_delete", args=[created.pk]), {"post": "yes"})
    assert not Institution.objects.filter(pk=created.pk).exists()
    assert AuditEvent.objects.filter(action="institution.deleted").count() == 1


def test_directory_search_ignores_accents(two):
    own, _other = two
    admin = _client(platform_admin())
    found = admin.get(CHANGELIST, {"q": "MIRAFLÓRES"}).context["cl"].result_list
    assert list(found) == [own]
