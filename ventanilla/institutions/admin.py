"""The directory in the back office. Officials see and edit only their institutions; every
save goes through ventanilla.institutions.services."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.backoffice import TenantScopedAdmin
from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.core.backoffice import (
    adopt,
    folded_search_terms,
    form_changes,
    form_values,
)
from ventanilla.institutions import services
from ventanilla.institutions.models import ContactChannel, Institution
from ventanilla.institutions.permissions import (
    PLATFORM_ONLY_FIELDS,
    institution_can_create,
    institution_can_delete,
    institution_can_edit,
    institution_can_view_list,
    institution_scope,
)


class ContactChannelInline(admin.TabularInline):
    model = ContactChannel
    fields = ("kind", "value", "label", "position")
    extra = 0

    # The inline follows its institution: whoever edits the institution edits its contacts.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or institution_can_edit(request.user, obj)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission
    has_delete_permission = has_view_permission


@admin.register(Institution)
class InstitutionAdmin(TenantScopedAdmin[Institution]):
    list_display = ("name", "acronym", "level", "kind", "department", "ruc", "updated_at")
    list_filter = ("level", "kind", "branch", "source")
    list_select_related = ("department",)
    search_fields = ("search_text",)
    search_help_text = _("Busque por nombre o siglas (sin importar tildes).")
    show_full_result_count = False
    list_per_page = 50
    raw_id_fields = ("department", "province", "district")
    inlines = (ContactChannelInline,)
    fieldsets = (
        (None, {"fields": ("name", "acronym", "level", "branch", "kind", "sector", "description")}),
        (_("Ubicación"), {"fields": ("department", "province", "district")}),
        (
            _("Identificadores"),
            {"fields": ("ruc", "slug", "source", "transparency_id", "siaf_code")},
        ),
    )

    can_view_list = staticmethod(institution_can_view_list)
    can_edit = staticmethod(institution_can_edit)
    can_create = staticmethod(institution_can_create)
    can_delete = staticmethod(institution_can_delete)
    scope = staticmethod(institution_scope)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if is_platform_admin(request.user):
            return ()
        return tuple(sorted(PLATFORM_ONLY_FIELDS))

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        return {"slug": ("name",)} if is_platform_admin(request.user) and obj is None else {}

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Institution], search_term: str
    ) -> tuple[QuerySet[Institution], bool]:
        for word in folded_search_terms(search_term):
            queryset = queryset.filter(search_text__contains=word)
        return queryset, False

    # Saving: the services check permission, audit and invalidate the public pages.
    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        if change:
            services.institution_update(institution=obj, data=form_changes(form), by=request.user)
        else:
            created = services.institution_create(data=form_values(form), by=request.user)
            adopt(obj, created)

    def inlines_saved(self, *, obj: Institution, by: Any, summary: dict[str, Any]) -> None:
        services.institution_contacts_changed(institution=obj, by=by, summary=summary)

    def delete_through_service(self, *, obj: Institution, by: Any) -> None:
        services.institution_delete(institution=obj, by=by)
