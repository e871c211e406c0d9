"""Users and their institution memberships: platform administrators only."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from ventanilla.accounts.models import Membership, User
from ventanilla.accounts.permissions import can_manage_accounts
from ventanilla.audit.services import record


class _PlatformOnly:
    """Every permission is the platform administrators' (officials are staff too)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_accounts(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_accounts(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_accounts(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_accounts(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_accounts(request.user)


def _record_membership(request: HttpRequest, membership: Membership, action: str) -> None:
    # Who gave which role where is the tenancy's own audit trail.
    record(
        actor=request.user,
        action=action,
        target=membership,
        institution_id=membership.institution_id,
        data={"user": membership.user_id, "role": membership.role},
    )


class MembershipInline(_PlatformOnly, admin.TabularInline):
    model = Membership
    fields = ("institution", "role")
    autocomplete_fields = ("institution",)
    extra = 0


@admin.register(User)
class UserAdmin(_PlatformOnly, DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_superuser")
    list_filter = ("is_staff", "is_superuser", "is_active")
    inlines = (MembershipInline,)

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: Any, change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects:
            _record_membership(request, membership, "membership.created")
        for membership, _fields in formset.changed_objects:
            _record_membership(request, membership, "membership.changed")
        for membership in formset.deleted_objects:
            _record_membership(request, membership, "membership.deleted")


@admin.register(Membership)
class MembershipAdmin(_PlatformOnly, admin.ModelAdmin):
    list_display = ("user", "institution", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "institution")
    search_fields = ("user__username", "user__email", "institution__name", "institution__acronym")
    autocomplete_fields = ("user", "institution")
    show_full_result_count = False

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        _record_membership(request, obj, "membership.changed" if change else "membership.created")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record_membership(request, obj, "membership.deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            self.delete_model(request, membership)
