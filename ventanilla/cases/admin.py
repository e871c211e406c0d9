"""Webhooks in the back office. An institution's administrators see and configure only their
institutions' webhooks; every save goes through ventanilla.cases.services.webhooks. The secret
is generated when left blank and shown once, in the message after saving; the form never
shows it again (it can only be replaced)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.backoffice import TenantScopedAdmin
from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.cases.models import Webhook, WebhookDelivery
from ventanilla.cases.services import webhooks as services
from ventanilla.core.backoffice import adopt, form_changes
from ventanilla.formbuilder.models import DigitalService
from ventanilla.institutions.models import Institution


class WebhookForm(forms.ModelForm[Webhook]):
    secret = forms.CharField(
        label=_("Secreto"),
        required=False,
        max_length=128,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Déjelo vacío para generar uno seguro. Se muestra una sola vez, al guardar: "
            "cópielo en el sistema de la institución."
        ),
    )
    secret_rotate = forms.BooleanField(
        label=_("Generar un secreto nuevo"),
        required=False,
        help_text=_("El secreto actual deja de valer en cuanto guarde."),
    )

    class Meta:
        model = Webhook
        fields = ("institution", "service", "url", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        institution, service = data.get("institution"), data.get("service")
        if self.instance.pk and institution is None:
            institution = self.instance.institution
        if (
            service is not None
            and institution is not None
            and service.institution_id != institution.pk
        ):
            self.add_error("service", _t("El servicio no es de la institución elegida."))
        return data


def _can_view_list(user: Any) -> bool:
    return is_platform_admin(user) or bool(services.webhook_institution_ids(user))


def _can_edit(user: Any, obj: Webhook) -> bool:
    return services.webhook_can_manage(user, obj.institution_id)


def _can_delete(user: Any, obj: Webhook | None) -> bool:
    return _can_view_list(user) if obj is None else _can_edit(user, obj)


def _scope(user: Any) -> QuerySet[Webhook]:
    return services.webhooks_for_user(user=user)


@admin.register(Webhook)
class WebhookAdmin(TenantScopedAdmin[Webhook]):
    form = WebhookForm
    list_display = ("url", "institution", "service", "active")
    list_filter = ("active",)
    list_select_related = ("institution", "service")
    search_fields = ("url",)

    can_view_list = staticmethod(_can_view_list)
    can_edit = staticmethod(_can_edit)
    can_create = staticmethod(_can_view_list)
    can_delete = staticmethod(_can_delete)
    scope = staticmethod(_scope)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["institution", "service", "url", "active"]
        return [*fields, "secret_rotate"] if obj is not None else [*fields, "secret"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Moving a webhook to another institution would hand it that institution's cases.
        return ("institution",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not is_platform_admin(request.user):
            ids = services.webhook_institution_ids(request.user)
            if db_field.name == "institution":
                kwargs["queryset"] = Institution.objects.filter(pk__in=ids).order_by("name")
            elif db_field.name == "service":
                kwargs["queryset"] = DigitalService.objects.filter(institution_id__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            _hook, secret = services.webhook_update(
                webhook=obj,
                by=request.user,
                changes=form_changes(form, exclude=("institution",)),
                secret_rotate=bool(data.get("secret_rotate")),
            )
        else:
            created, secret = services.webhook_create(
                institution=data["institution"],
                service=data.get("service"),
                url=data["url"],
                active=bool(data.get("active")),
                secret=data.get("secret") or "",
                by=request.user,
            )
            adopt(obj, created)
        if secret:
            messages.warning(
                request,
                _t(
                    "Secreto del webhook: %(secret)s — cópielo ahora en el sistema de la "
                    "institución; no se volverá a mostrar."
                )
                % {"secret": secret},
            )

    def delete_through_service(self, *, obj: Webhook, by: Any) -> None:
        services.webhook_delete(webhook=obj, by=by)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Webhook]:
        return super().get_queryset(request).select_related("institution", "service")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    """Read-only: what was sent, how often, and the receiver's last answer."""

    list_display = (
        "event",
        "webhook",
        "created_at",
        "attempts",
        "delivered_at",
        "failed_at",
        "last_status",
    )
    list_filter = ("event",)
    list_select_related = ("webhook",)
    readonly_fields = (
        "webhook", "event_id", "event", "payload", "attempts", "next_attempt_at", "delivered_at",
        "failed_at", "last_status", "last_error", "created_at",
    )  # fmt: skip

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _can_view_list(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return services.webhook_can_manage(request.user, obj.webhook.institution_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        qs = super().get_queryset(request)
        if is_platform_admin(request.user):
            return qs
        return qs.filter(webhook__institution_id__in=services.webhook_institution_ids(request.user))
