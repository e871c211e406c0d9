"""Notifications in the Django admin: read-only tables to look things up. Templates and API
keys are written at /gestion/avisos/ (through the services, which check the text, keep
versions and leave audit rows); casilla items, messages and their events are never changed by
hand. Officials see only the rows of the institutions they manage (casilla items: of the
institutions whose casilla items they read); citizens' choices only platform admins."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.permissions import is_platform_admin, manageable_institution_ids
from ventanilla.notifications.backoffice.common import managed_institution_ids
from ventanilla.notifications.models import (
    ApiKey,
    ClientCallback,
    InboxItem,
    Message,
    MessageEvent,
    Preference,
    Sender,
    SendRequest,
    Template,
    TemplateVersion,
)
from ventanilla.notifications.permissions import inbox_institution_ids


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    """Nobody adds, changes or deletes here. `institution_field` scopes an official's rows
    (None: platform administrators only); `reader` says which institutions they may read."""

    institution_field: str | None = "institution_id"
    show_full_result_count = False

    @staticmethod
    def reader(user: Any) -> set[int]:
        return managed_institution_ids(user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude_fields()]

    def exclude_fields(self) -> tuple[str, ...]:
        return tuple(self.exclude or ())

    def readable_ids(self, user: Any) -> set[int]:
        # The admin's tables are for institution administrators; designers and case officers
        # have their own screens (/gestion/avisos/, the case page).
        return self.reader(user) & manageable_institution_ids(user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        if is_platform_admin(request.user):
            return True
        return self.institution_field is not None and bool(self.readable_ids(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        qs = super().get_queryset(request)
        if is_platform_admin(request.user):
            return qs
        if self.institution_field is None:
            return qs.none()
        return qs.filter(**{f"{self.institution_field}__in": self.readable_ids(request.user)})


class TemplateVersionInline(admin.TabularInline[TemplateVersion, Template]):
    model = TemplateVersion
    extra = 0
    fields = ("version", "subject", "body", "created_at", "created_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdmin[Template]):
    list_display = ("name", "institution", "channel", "event", "version", "archived_at", "edit")
    list_filter = ("channel", "event")
    list_select_related = ("institution",)
    search_fields = ("name",)
    inlines = (TemplateVersionInline,)

    @admin.display(description=_("Editar"))
    def edit(self, obj: Template) -> str:
        return format_html('<a href="/gestion/avisos/plantillas/{}/">{}</a>', obj.pk, _("Editar"))


@admin.register(Sender)
class SenderAdmin(ReadOnlyAdmin[Sender]):
    list_display = ("name", "institution", "email_reply_to", "sms_sender", "id")
    list_select_related = ("institution",)
    search_fields = ("name",)


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin[ApiKey]):
    institution_field = "sender__institution_id"
    exclude = ("secret", "key_hash")
    list_display = ("name", "sender", "protocol", "kind", "created_at", "last_used_at",
                    "revoked_at")  # fmt: skip
    list_filter = ("protocol", "kind")
    list_select_related = ("sender",)
    search_fields = ("name",)


@admin.register(SendRequest)
class SendRequestAdmin(ReadOnlyAdmin[SendRequest]):
    institution_field = "sender__institution_id"
    list_display = ("uid", "sender", "created_at")
    list_select_related = ("sender",)
    search_fields = ("uid",)


@admin.register(ClientCallback)
class ClientCallbackAdmin(ReadOnlyAdmin[ClientCallback]):
    institution_field = "request__sender__institution_id"
    list_display = ("request", "received_at")
    list_select_related = ("request",)


@admin.register(InboxItem)
class InboxItemAdmin(ReadOnlyAdmin[InboxItem]):
    """Casilla items: never edited or deleted (the database refuses it too)."""

    list_display = ("subject", "recipient_document", "institution", "reference", "deposited_at",
                    "first_opened_at")  # fmt: skip
    list_select_related = ("institution",)
    search_fields = ("reference", "recipient_document", "code")
    raw_id_fields = ("recipient", "corrects", "template")

    @staticmethod
    def reader(user: Any) -> set[int]:
        return inbox_institution_ids(user)


class MessageEventInline(admin.TabularInline[MessageEvent, Message]):
    model = MessageEvent
    extra = 0
    fields = ("at", "status", "reason", "source")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin[Message]):
    list_display = ("created_at", "channel", "recipient", "status", "status_reason", "reference",
                    "institution")  # fmt: skip
    list_filter = ("channel", "status")
    list_select_related = ("institution",)
    search_fields = ("reference", "recipient", "provider_ref")
    raw_id_fields = ("inbox_item", "template", "request", "api_key", "sender")
    inlines = (MessageEventInline,)


@admin.register(MessageEvent)
class MessageEventAdmin(ReadOnlyAdmin[MessageEvent]):
    institution_field = "message__institution_id"
    list_display = ("message", "at", "status", "reason", "source")
    list_filter = ("status", "source")
    raw_id_fields = ("message",)


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin[Preference]):
    """A citizen's choices: platform administrators only."""

    institution_field = None
    list_display = ("user", "email_enabled", "sms_enabled", "phone_verified_at", "updated_at")
    raw_id_fields = ("user",)
