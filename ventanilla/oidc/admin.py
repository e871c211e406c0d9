"""Registered applications in the back office (/gestion/): platform administrators only.
django-oauth-toolkit registers this class for its Application model (APPLICATION_ADMIN_CLASS
in the settings); every save goes through services.py, which keeps the audit trail. The
secret is shown once, when it is made; only its hash is kept."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication, get_application_model

from ventanilla.core.backoffice import adopt
from ventanilla.oidc import services
from ventanilla.oidc.models import ClientPolicy
from ventanilla.oidc.permissions import can_manage_clients

SCOPE_CHOICES = [
    ("openid", _("openid: identificador de la persona (siempre)")),
    ("profile", _("profile: nombres, apellidos y documento")),
    ("email", _("email: correo electrónico")),
    ("phone", _("phone: celular")),
]


class ApplicationForm(forms.ModelForm[Any]):
    allowed_scopes = forms.MultipleChoiceField(
        label=_("Datos que puede pedir"),
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["openid"],
    )

    class Meta:
        model = get_application_model()
        fields = ("name", "client_type", "redirect_uris", "post_logout_redirect_uris")
        labels = {
            "name": _("Nombre de la aplicación"),
            "client_type": _("Tipo de cliente"),
            "redirect_uris": _("Direcciones de regreso (redirect URI), separadas por espacios"),
            "post_logout_redirect_uris": _(
                "Direcciones tras cerrar sesión, separadas por espacios (opcional)"
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.authorization_grant_type = AbstractApplication.GRANT_AUTHORIZATION_CODE
        self.instance.algorithm = AbstractApplication.RS256_ALGORITHM
        self.fields["redirect_uris"].required = True
        if self.instance.pk:
            policy = ClientPolicy.objects.filter(application=self.instance).first()
            self.fields["allowed_scopes"].initial = policy.scopes if policy else ["openid"]
            # A public client has no secret to hash; changing the type means a new client.
            self.fields.pop("client_type", None)


class ApplicationAdmin(admin.ModelAdmin[Any]):
    form = ApplicationForm
    list_display = ("name", "client_id", "client_type", "redirect_uris", "created")
    search_fields = ("name", "client_id")
    readonly_fields = ("client_id",)
    actions = ("reset_secret",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_clients(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_clients(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_clients(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_clients(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_clients(request.user)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        base = ["name", "redirect_uris", "post_logout_redirect_uris", "allowed_scopes"]
        return ["client_id", *base] if obj else ["name", "client_type", *base[1:]]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        common = {
            "by": request.user,
            "name": data["name"],
            "redirect_uris": data["redirect_uris"].split(),
            "post_logout_redirect_uris": data.get("post_logout_redirect_uris", "").split(),
            "allowed_scopes": data["allowed_scopes"],
        }
        if change:
            services.client_update(application=obj, **common)
            return
        application, secret = services.client_register(
            confidential=data["client_type"] == AbstractApplication.CLIENT_CONFIDENTIAL, **common
        )
        adopt(obj, application)
        self._show_secret(request, application, secret)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.client_delete(by=request.user, application=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for application in queryset:
            self.delete_model(request, application)

    @admin.action(description=_("Generar un secreto nuevo (el anterior deja de servir)"))
    def reset_secret(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for application in queryset.filter(client_type=AbstractApplication.CLIENT_CONFIDENTIAL):
            secret = services.client_secret_reset(by=request.user, application=application)
            self._show_secret(request, application, secret)

    @staticmethod
    def _show_secret(request: HttpRequest, application: Any, secret: str) -> None:
        if not secret:
            return
        messages.warning(
            request,
            gettext(
                "Secreto de «%(name)s» (client_id %(client_id)s): %(secret)s — cópialo ahora: "
                "no se vuelve a mostrar."
            )
            % {"name": application.name, "client_id": application.client_id, "secret": secret},
        )
