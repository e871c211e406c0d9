"""Answers to "¿Te fue útil esta página?": a read-only list for platform administrators."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.feedback.models import PageFeedback


@admin.register(PageFeedback)
class PageFeedbackAdmin(admin.ModelAdmin):
    list_display = ("created_at", "path", "useful", "comment", "language")
    list_filter = ("useful", "language", "created_at")
    search_fields = ("path", "comment")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ("created_at", "path", "useful", "comment", "language")
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)

    # Comments arrive masked from citizens; nobody edits or invents them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
