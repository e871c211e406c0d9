"""Changes to the directory. Each function checks permission, writes in one transaction,
leaves an audit row and drops the cached public pages that showed the old data."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.audit.services import record
from ventanilla.core.changes import changes_apply
from ventanilla.core.pagecache import invalidate
from ventanilla.core.text import fold_words
from ventanilla.institutions.models import Institution
from ventanilla.institutions.permissions import (
    institution_can_create,
    institution_can_delete,
    institution_can_edit,
    institution_can_edit_field,
)

# Pages that list institutions or show their names next to procedures.
LIST_PATHS = ("/", "/instituciones/", "/tramites/", "/buscar/")
# Fields whose change shows on every page of the institution's procedures.
_NAME_FIELDS = frozenset({"name", "acronym", "slug"})


# Run inside institution_update's transaction when a name, acronym or slug changes. The catalogue
# (a layer above, which this app may not import) registers its documents' rebuild here at ready():
# an explicit, named call in the service rather than a signal, so no caller can skip it.
# A hook returns the public pages it changed, so the caches in front drop exactly those.
_RENAME_HOOKS: list[Callable[[Institution], Iterable[str]]] = []


def institution_on_rename(hook: Callable[[Institution], Iterable[str]]) -> None:
    """Have `hook(institution)` run in the same transaction as every rename; it returns the
    paths of the pages it changed."""
    if hook not in _RENAME_HOOKS:
        _RENAME_HOOKS.append(hook)


def institution_index_fields(*, name: str, acronym: str) -> tuple[str, str]:
    """(search_text, initial) as the directory's simple search and A–Z filter read them."""
    search_text = fold_words(f"{name} {acronym}")
    initial = search_text[:1] if search_text[:1].isalpha() else ""
    return search_text, initial


def _index(institution: Institution) -> None:
    institution.search_text, institution.initial = institution_index_fields(
        name=institution.name, acronym=institution.acronym
    )


def institution_paths(*, institution: Institution) -> list[str]:
    """The public pages that show this institution's record (a rename adds the pages the
    rename hooks report)."""
    return [institution.get_absolute_url(), *LIST_PATHS]


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


@transaction.atomic
def institution_create(*, data: Mapping[str, Any], by: Any) -> Institution:
    """Register a new institution (platform administrators only)."""
    if not institution_can_create(by):
        raise _deny(_("Solo los administradores de la plataforma pueden registrar instituciones."))
    institution = Institution(source=Institution.Source.MANUAL)
    changes_apply(institution, data)
    _index(institution)
    institution.save()
    record(
        actor=by,
        action="institution.created",
        target=institution,
        institution_id=institution.pk,
        data={"name": institution.name, "slug": institution.slug},
    )
    invalidate(institution_paths(institution=institution))
    return institution


@transaction.atomic
def institution_update(
    *, institution: Institution, data: Mapping[str, Any], by: Any
) -> Institution:
    """Change the record's fields given in `data`; returns the saved institution.

    Raises PermissionDenied (Spanish) unless `by` is a platform administrator or holds an
    editing role in this institution, and ValidationError for values the record refuses."""
    if not institution_can_edit(by, institution):
        raise _deny(_("No tiene permiso para editar «%(name)s».") % {"name": institution.name})
    refused = sorted(name for name in data if not institution_can_edit_field(by, name))
    if refused:
        raise _deny(
            _("Solo los administradores de la plataforma pueden cambiar: %(fields)s.")
            % {"fields": ", ".join(refused)}
        )
    # Lock the row so two editors' changes are compared and recorded one after the other.
    old_url = Institution.objects.select_for_update().get(pk=institution.pk).get_absolute_url()
    changed = changes_apply(institution, data)
    if not changed:
        return institution
    _index(institution)
    institution.save()
    record(
        actor=by,
        action="institution.updated",
        target=institution,
        institution_id=institution.pk,
        data={"changed": changed},
    )
    paths = [old_url, *institution_paths(institution=institution)]
    if _NAME_FIELDS & changed.keys():
        for hook in _RENAME_HOOKS:
            paths += hook(institution)
    invalidate(paths)
    return institution


@transaction.atomic
def institution_contacts_changed(
    *, institution: Institution, by: Any, summary: Mapping[str, Any]
) -> None:
    """Record that the institution's contact channels were added, changed or removed (the
    back office saves those rows), and drop the pages that show them."""
    if not institution_can_edit(by, institution):
        raise _deny(_("No tiene permiso para editar «%(name)s».") % {"name": institution.name})
    institution.save(update_fields=["updated_at"])  # Last-Modified of its page moves on
    record(
        actor=by,
        action="institution.contacts_changed",
        target=institution,
        institution_id=institution.pk,
        data=dict(summary),
    )
    invalidate(institution_paths(institution=institution))


@transaction.atomic
def institution_delete(*, institution: Institution, by: Any) -> None:
    """Delete an institution with no procedures (platform administrators only)."""
    if not institution_can_delete(by, institution):
        raise _deny(_("Solo los administradores de la plataforma pueden eliminar instituciones."))
    paths = institution_paths(institution=institution)
    target_pk = institution.pk
    record(
        actor=by,
        action="institution.deleted",
        target=institution,
        institution_id=target_pk,
        data={"name": institution.name, "slug": institution.slug},
    )
    institution.delete()
    invalidate(paths)
