"""The information mediator in the back office: members, subsystems, services, access rights,
client keys and the message log.

Every change goes through ventanilla.interop.services (audited). A member's records belong to
its institution: platform administrators and that institution's administrators manage them
(permissions.py); only platform administrators add members. Nothing is deleted here but grants
(withdrawn through access_right_revoke): a service is switched off, a key revoked. The
message log is read-only for everyone."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.backoffice import TenantScopedAdmin
from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.core.backoffice import adopt
from ventanilla.interop import permissions
from ventanilla.interop.models import (
    AccessRight,
    ClientKey,
    Member,
    MessageLogEntry,
    Service,
    Subsystem,
)
from ventanilla.interop.services import directory


def _never(user: Any, obj: Any = None) -> bool:
    return False


def _can_edit_member_record(user: Any, obj: Member) -> bool:
    return permissions.can_manage_member(user, obj)


def _can_edit_subsystem(user: Any, obj: Subsystem) -> bool:
    return permissions.can_manage_member(user, obj.member)


def _can_edit_service(user: Any, obj: Service) -> bool:
    return permissions.can_manage_member(user, obj.subsystem.member)


def _can_edit_right(user: Any, obj: AccessRight) -> bool:
    return permissions.can_manage_member(user, obj.service.subsystem.member)


def _can_edit_key(user: Any, obj: ClientKey) -> bool:
    return permissions.can_manage_member(user, obj.subsystem.member)


def _can_revoke_right(user: Any, obj: AccessRight | None) -> bool:
    if obj is None:
        return permissions.can_manage_interop_somewhere(user)
    return _can_edit_right(user, obj)


# Members.


class MemberForm(forms.ModelForm[Member]):
    class Meta:
        model = Member
        fields = ("instance", "member_class", "member_code", "name", "institution")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        labels = {
            "instance": _t("La instancia"),
            "member_class": _t("La clase"),
            "member_code": _t("El código del miembro"),
        }
        for field, label in labels.items():
            if field in self.fields and field in data:
                try:
                    data[field] = directory.identifier_part_clean(data[field], label)
                except ValidationError as error:
                    self.add_error(field, error)
        return data


@admin.register(Member)
class MemberAdmin(TenantScopedAdmin[Member]):
    form = MemberForm
    list_display = ("identifier", "name", "institution")
    list_select_related = ("institution",)
    search_fields = ("member_code", "name")
    raw_id_fields = ("institution",)

    can_view_list = staticmethod(permissions.can_manage_interop_somewhere)
    can_edit = staticmethod(_can_edit_member_record)
    can_create = staticmethod(permissions.can_create_member)
    can_delete = staticmethod(_never)
    scope = staticmethod(permissions.member_scope)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        # The identifier is what clients call; the institution decides who manages it.
        if is_platform_admin(request.user):
            return ("instance", "member_class", "member_code")
        return ("instance", "member_class", "member_code", "institution")

    def save_model(self, request: HttpRequest, obj: Member, form: Any, change: bool) -> None:
        data = form.cleaned_data
        institution = data.get("institution") if "institution" in data else obj.institution
        saved = directory.member_ensure(
            instance=obj.instance if change else data["instance"],
            member_class=obj.member_class if change else data["member_class"],
            member_code=obj.member_code if change else data["member_code"],
            name=data["name"],
            institution=institution,
            actor=request.user,
        )
        adopt(obj, saved)


# Subsystems, with their services.


class ServiceInline(admin.TabularInline[Service, Subsystem]):
    model = Service
    fields = ("code", "title", "version", "url", "personal_data", "enabled")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or permissions.can_manage_member(request.user, obj.member)


class SubsystemForm(forms.ModelForm[Subsystem]):
    class Meta:
        model = Subsystem
        fields = ("member", "code", "name")

    def clean_code(self) -> str:
        return directory.identifier_part_clean(
            self.cleaned_data.get("code", ""), _t("El código del subsistema")
        )


@admin.register(Subsystem)
class SubsystemAdmin(TenantScopedAdmin[Subsystem]):
    form = SubsystemForm
    list_display = ("identifier", "name")
    list_select_related = ("member",)
    search_fields = ("code", "name", "member__member_code", "member__name")
    inlines = (ServiceInline,)

    can_view_list = staticmethod(permissions.can_manage_interop_somewhere)
    can_edit = staticmethod(_can_edit_subsystem)
    can_create = staticmethod(permissions.can_manage_interop_somewhere)
    can_delete = staticmethod(_never)
    scope = staticmethod(permissions.subsystem_scope)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("member", "code") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "member":
            kwargs["queryset"] = permissions.member_scope(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Subsystem, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = directory.subsystem_ensure(
            member=obj.member if change else data["member"],
            code=obj.code if change else data["code"],
            name=data.get("name", ""),
            actor=request.user,
        )
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the services inline is read-only: services are edited on their own page


# Services.


class ServiceForm(forms.ModelForm[Service]):
    class Meta:
        model = Service
        fields = (
            "subsystem", "code", "title", "version", "service_type", "url", "data_description",
            "personal_data", "timeout_seconds", "enabled", "endpoints", "aliases", "openapi",
        )  # fmt: skip

    def clean_code(self) -> str:
        return directory.identifier_part_clean(
            self.cleaned_data.get("code", ""), _t("El código del servicio")
        )

    def clean_url(self) -> str:
        url = (self.cleaned_data.get("url") or "").strip()
        if not directory.provider_url_valid(url):
            raise ValidationError(_t("La dirección del proveedor no es una URL http(s) válida."))
        return url

    def clean_endpoints(self) -> list[dict[str, str]]:
        return directory.endpoints_clean(self.cleaned_data.get("endpoints") or None)

    def clean_aliases(self) -> dict[str, list[str]]:
        return directory.aliases_clean(self.cleaned_data.get("aliases") or None)

    def clean_timeout_seconds(self) -> float:
        value = self.cleaned_data.get("timeout_seconds")
        if value is None or not (0 < value <= 120):
            raise ValidationError(_t("El tiempo de espera debe estar entre 0 y 120 segundos."))
        return float(value)


@admin.register(Service)
class ServiceAdmin(TenantScopedAdmin[Service]):
    form = ServiceForm
    list_display = ("identifier", "title", "version", "personal_data", "enabled")
    list_filter = ("enabled", "personal_data", "service_type")
    list_select_related = ("subsystem__member",)
    search_fields = ("code", "title", "subsystem__code", "subsystem__member__member_code")

    can_view_list = staticmethod(permissions.can_manage_interop_somewhere)
    can_edit = staticmethod(_can_edit_service)
    can_create = staticmethod(permissions.can_manage_interop_somewhere)
    can_delete = staticmethod(_never)
    scope = staticmethod(permissions.service_scope)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("subsystem", "code") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "subsystem":
            kwargs["queryset"] = permissions.subsystem_scope(request.user).select_related("member")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = directory.service_register(
            subsystem=obj.subsystem if change else data["subsystem"],
            code=obj.code if change else data["code"],
            url=data["url"],
            title=data["title"],
            version=data.get("version") or "v1",
            service_type=data.get("service_type") or Service.Type.OPENAPI,
            openapi=data.get("openapi") or "",
            endpoints=data.get("endpoints"),
            data_description=data.get("data_description") or "",
            personal_data=bool(data.get("personal_data")),
            timeout_seconds=data["timeout_seconds"],
            aliases=data.get("aliases"),
            actor=request.user,
        )
        saved = directory.service_set_enabled(
            service=saved, enabled=bool(data.get("enabled")), actor=request.user
        )
        adopt(obj, saved)


# Access rights.


class AccessRightForm(forms.ModelForm[AccessRight]):
    class Meta:
        model = AccessRight
        fields = ("service", "client", "consent_required", "legal_basis")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["legal_basis"] = directory.legal_basis_clean(
                consent_required=bool(data.get("consent_required")),
                legal_basis=data.get("legal_basis") or "",
            )
        except ValidationError as error:
            self.add_error("legal_basis", error)
        service, client = data.get("service"), data.get("client")
        if (
            self.instance.pk is None
            and service is not None
            and client is not None
            and AccessRight.objects.filter(service=service, client=client).exists()
        ):
            self.add_error("client", _t("Este subsistema ya tiene permiso para este servicio."))
        return data


@admin.register(AccessRight)
class AccessRightAdmin(TenantScopedAdmin[AccessRight]):
    form = AccessRightForm
    list_display = ("service", "client", "consent_required", "legal_basis", "granted_by")
    list_filter = ("consent_required",)
    list_select_related = ("service__subsystem__member", "client__member", "granted_by")
    search_fields = ("service__code", "client__code", "client__member__member_code")

    can_view_list = staticmethod(permissions.can_manage_interop_somewhere)
    can_edit = staticmethod(_can_edit_right)
    can_create = staticmethod(permissions.can_manage_interop_somewhere)
    can_delete = staticmethod(_can_revoke_right)
    scope = staticmethod(permissions.access_right_scope)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("service", "client") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "service":
            # A grant is the owner's decision: only the services `user` manages.
            kwargs["queryset"] = permissions.service_scope(request.user).select_related(
                "subsystem__member"
            )
        elif db_field.name == "client":
            # Any subsystem may be the client: the owner decides who calls its services.
            kwargs["queryset"] = Subsystem.objects.select_related("member")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: AccessRight, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = directory.access_right_grant(
            service=obj.service if change else data["service"],
            client=obj.client if change else data["client"],
            actor=request.user,
            consent_required=bool(data.get("consent_required")),
            legal_basis=data.get("legal_basis") or "",
        )
        adopt(obj, saved)

    def delete_through_service(self, *, obj: AccessRight, by: Any) -> None:
        directory.access_right_revoke(access_right=obj, actor=by)


# Client keys.


class ClientKeyForm(forms.ModelForm[ClientKey]):
    class Meta:
        model = ClientKey
        fields = ("subsystem", "label")


@admin.register(ClientKey)
class ClientKeyAdmin(TenantScopedAdmin[ClientKey]):
    """A key is shown once, in the message after it is made; revoke it to replace it."""

    form = ClientKeyForm
    list_display = ("__str__", "subsystem", "label", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("subsystem__member",)
    search_fields = ("prefix", "label", "subsystem__code", "subsystem__member__member_code")
    actions = ("revoke_selected",)

    can_view_list = staticmethod(permissions.can_manage_interop_somewhere)
    can_edit = staticmethod(_can_edit_key)
    can_create = staticmethod(permissions.can_manage_interop_somewhere)
    can_delete = staticmethod(_never)
    scope = staticmethod(permissions.client_key_scope)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("subsystem", "label")
        return ("subsystem", "label", "prefix", "created_at", "created_by", "last_used_at",
                "revoked_at")  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("subsystem", "label", "prefix", "created_at", "created_by", "last_used_at",
                "revoked_at")  # fmt: skip

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "subsystem":
            kwargs["queryset"] = permissions.subsystem_scope(request.user).select_related("member")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ClientKey, form: Any, change: bool) -> None:
        if change:
            return  # nothing of a key changes; it is revoked instead
        from ventanilla.interop.services.keys import client_key_create

        data = form.cleaned_data
        key, raw = client_key_create(
            subsystem=data["subsystem"], actor=request.user, label=data.get("label") or ""
        )
        adopt(obj, key)
        messages.warning(
            request,
            _t(
                "Clave de acceso de %(subsystem)s: %(key)s — cópiela ahora en el sistema de la "
                "institución; no se volverá a mostrar."
            )
            % {"subsystem": key.subsystem.identifier, "key": raw},
        )

    @admin.action(description=_("Revocar las claves seleccionadas"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ClientKey]) -> None:
        from ventanilla.interop.services.keys import client_key_revoke

        count = 0
        for key in queryset.select_related("subsystem__member").filter(revoked_at__isnull=True):
            if _can_edit_key(request.user, key):
                client_key_revoke(key=key, actor=request.user)
                count += 1
        messages.success(request, _t("Claves revocadas: %(count)s.") % {"count": count})


# The message log.


@admin.register(MessageLogEntry)
class MessageLogEntryAdmin(admin.ModelAdmin[MessageLogEntry]):
    """Append-only: nobody adds, changes or deletes an entry here."""

    list_display = ("seq", "created_at", "client", "service", "method", "status", "outcome",
                    "subject", "issue")  # fmt: skip
    list_filter = ("outcome",)
    search_fields = ("x_road_id", "client", "service", "subject", "issue")
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in MessageLogEntry._meta.fields]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_manage_interop_somewhere(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[MessageLogEntry]:
        return permissions.message_log_scope(request.user)
