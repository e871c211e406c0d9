"""The back office's answer to "may this user see or change this row?", for every admin of
institution-owned records. Officials are staff without Django model permissions: each domain's
permissions.py decides, and an official's lists hold only the rows of their institutions."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.core.backoffice import ServiceBackedAdmin


class TenantScopedAdmin[M: Model](ServiceBackedAdmin[M]):
    """Set the five rules with staticmethod(...) from the domain's permissions.py."""

    can_view_list: Callable[[Any], bool]
    can_edit: Callable[[Any, Any], bool]
    can_create: Callable[[Any], bool]
    can_delete: Callable[[Any, Any], bool]
    scope: Callable[[Any], QuerySet[Any]]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.can_view_list(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.can_view_list(request.user)
        return self.can_edit(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.can_create(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.can_delete(request.user, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        qs = super().get_queryset(request)
        if is_platform_admin(request.user):
            return qs
        return qs.filter(pk__in=self.scope(request.user).values("pk"))
