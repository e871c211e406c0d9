"""The audit trail in the back office: read-only. Officials see their institutions' events."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ventanilla.accounts.permissions import (
    audit_institution_ids,
    can_view_audit_event,
    can_view_audit_trail,
    is_platform_admin,
)
from ventanilla.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "target_type", "target_id", "actor", "institution_id")
    list_filter = ("action", "target_type")
    list_select_related = ("actor",)
    search_fields = ("=target_id", "action")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ("created_at", "actor", "action", "target_type", "target_id", "institution_id", "data")
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_view_audit_trail(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return can_view_audit_trail(request.user)
        return can_view_audit_event(request.user, obj.institution_id)

    # Append-only: nobody adds, changes or deletes an event by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        qs = super().get_queryset(request)
        if is_platform_admin(request.user):
            return qs
        return qs.filter(institution_id__in=audit_institution_ids(request.user))
