"""institution_* services: saved state, the audit row, and the public pages they drop."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.backoffice import official, platform_admin
from ventanilla.audit.models import AuditEvent
from ventanilla.core import pagecache
from ventanilla.institutions import services
from ventanilla.institutions.models import Institution
from ventanilla.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bumped(monkeypatch):
    """The paths each invalidate() call names, as the page cache receives them."""
    seen: list[str] = []
    real = pagecache.invalidate

    def spy(paths):
        paths = list(paths)
        seen.extend(paths)
        real(paths)

    monkeypatch.setattr(services, "invalidate", spy)
    return seen


def test_institution_update_saves_audits_changed_fields_and_reindexes(
    django_capture_on_commit_callbacks,
):
    institution = InstitutionFactory(name="Ministerio de Salud", acronym="MINSA")
    editor = official("editora", institution=institution, role=Role.EDITOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.institution_update(
            institution=institution,
            data={"name": "Ministerio de Salud Pública", "description": "Cuida la salud."},
            by=editor,
        )
    saved = Institution.objects.get(pk=institution.pk)
    assert saved.name == "Ministerio de Salud Pública"
    assert saved.search_text == "ministerio de salud publica minsa"
    assert saved.initial == "m"
    event = AuditEvent.objects.get(action="institution.updated")
    assert event.actor == editor
    assert event.institution_id == institution.pk
    assert event.data["changed"] == {
        "name": ["Ministerio de Salud", "Ministerio de Salud Pública"],
        "description": ["", "Cuida la salud."],
    }


def test_institution_update_with_nothing_changed_writes_no_audit_row():
    institution = InstitutionFactory(name="Ministerio de Cultura")
    services.institution_update(
        institution=institution, data={"name": "Ministerio de Cultura"}, by=platform_admin()
    )
    assert not AuditEvent.objects.exists()


def test_institution_update_refuses_unknown_fields_and_bad_values_in_spanish():
    institution = InstitutionFactory()
    admin = platform_admin()
    with pytest.raises(ValidationError, match="no se puede modificar"):
        services.institution_update(institution=institution, data={"nada": 1}, by=admin)
    with pytest.raises(ValidationError):
        services.institution_update(institution=institution, data={"level": "galactic"}, by=admin)
    assert not AuditEvent.objects.exists()


def test_institution_update_drops_its_page_and_the_lists(
    bumped, django_capture_on_commit_callbacks
):
    institution = InstitutionFactory(slug="minsa")
    with django_capture_on_commit_callbacks(execute=True):
        services.institution_update(
            institution=institution, data={"ruc": "20131373237"}, by=platform_admin()
        )
    assert "/institucion/minsa/" in bumped
    assert {"/", "/instituciones/", "/tramites/", "/buscar/"} <= set(bumped)
    assert not any(path.startswith("/tramites/") and path != "/tramites/" for path in bumped)
    assert cache.get(pagecache._generation_keys("/institucion/minsa/")[0]) is not None


def test_institution_rename_also_drops_its_procedures_pages(bumped):
    institution = InstitutionFactory(slug="reniec", name="RENIEC")
    # Through the reverse relation: the directory's tests do not import the catalogue layer.
    procedure = institution.procedures.create(number=123, slug="dni", title="DNI", kind="procedure")
    services.institution_update(
        institution=institution, data={"name": "Registro Nacional"}, by=platform_admin()
    )
    assert procedure.get_absolute_url() in bumped


def test_institution_slug_change_drops_the_old_and_the_new_address(bumped):
    institution = InstitutionFactory(slug="viejo")
    services.institution_update(
        institution=institution, data={"slug": "nuevo"}, by=platform_admin()
    )
    assert {"/institucion/viejo/", "/institucion/nuevo/"} <= set(bumped)


def test_institution_create_is_for_platform_administrators_and_is_audited():
    data = {
        "name": "Autoridad Nueva",
        "slug": "autoridad-nueva",
        "level": "national",
        "kind": "public_agency",
    }
    with pytest.raises(PermissionDenied):
        services.institution_create(
            data=data,
            by=official("x", institution=InstitutionFactory(), role=Role.INSTITUTION_ADMIN),
        )
    institution = services.institution_create(data=data, by=platform_admin())
    assert institution.source == Institution.Source.MANUAL
    assert institution.initial == "a"
    assert AuditEvent.objects.filter(
        action="institution.created", target_id=institution.pk
    ).exists()


def test_institution_contacts_changed_audits_the_summary():
    institution = InstitutionFactory()
    admin = official("admin", institution=institution, role=Role.INSTITUTION_ADMIN)
    summary = {"contactchannel": {"added": ["Teléfono: 315-6600"]}}
    services.institution_contacts_changed(institution=institution, by=admin, summary=summary)
    event = AuditEvent.objects.get(action="institution.contacts_changed")
    assert event.data == summary
