"""Accounts in the back office.

Users as such (names, passwords, flags) are the platform administrators'. The officials of an
institution (memberships) and its invitations are also its institution administrators': they
see only their institutions' rows, invite, revoke, change roles and remove, each through
ventanilla.accounts.services.officials. Nobody deletes a membership or an invitation by hand:
removing and revoking leave their audit rows."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.models import Invitation, Membership, User
from ventanilla.accounts.permissions import (
    can_manage_accounts,
    can_manage_officials,
    can_manage_officials_somewhere,
    invitation_scope,
    is_platform_admin,
    manageable_institution_ids,
    membership_scope,
)
from ventanilla.accounts.services import officials
from ventanilla.accounts.services.login import account_unlock
from ventanilla.audit.services import record
from ventanilla.core.backoffice import adopt
from ventanilla.institutions.models import Institution

# Bulk actions touch at most this many rows per click.
_ACTION_MAX = 500


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
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_superuser",
                    "locked_at")  # fmt: skip
    list_filter = (
        "is_staff",
        "is_superuser",
        "is_active",
        ("locked_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("username", "email", "first_name", "last_name", "document_number")
    inlines = (MembershipInline,)
    actions = ("unlock_selected",)

    @admin.action(description=_("Desbloquear las cuentas elegidas"))
    def unlock_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Lift the lock left by too many failed logins (accounts.services.login)."""
        _run_each(
            self,
            request,
            queryset.filter(locked_at__isnull=False),
            lambda user: account_unlock(user=user, by=request.user),
            _t("Cuentas desbloqueadas: %(n)d."),
        )

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


def _add_errors(
    form: forms.BaseForm, error: ValidationError | PermissionDenied, field: str
) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(field, str(error))
    elif hasattr(error, "error_dict"):
        form.add_error(None, error)
    else:
        form.add_error(field, error)


def _run_each(
    admin_obj: admin.ModelAdmin[Any], request: HttpRequest, rows: Any, service: Any, done_msg: str
) -> None:
    """Call `service(row)` for each row, then say how many went through and why others not."""
    done, refused = 0, []
    for row in rows[:_ACTION_MAX]:
        try:
            service(row)
            done += 1
        except (ValidationError, PermissionDenied) as error:
            reason = " ".join(getattr(error, "messages", [str(error)]))
            refused.append(f"{row}: {reason}")
    admin_obj.message_user(request, done_msg % {"n": done})
    for line in refused:
        admin_obj.message_user(request, line, level=messages.ERROR)


class MembershipForm(forms.ModelForm):
    """Checks a role change with the same rules the service applies, so a refusal shows
    beside the field (the service checks again under lock when saving)."""

    request: HttpRequest

    class Meta:
        model = Membership
        fields = ("user", "institution", "role")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk and data.get("role"):
            current = Membership.objects.get(pk=self.instance.pk)
            try:
                officials.membership_role_change_check(
                    membership=current, role=data["role"], by=self.request.user
                )
            except (ValidationError, PermissionDenied) as error:
                _add_errors(self, error, "role")
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    """The officials of an institution, one row per role."""

    form = MembershipForm
    list_display = ("user", "full_name", "email", "institution", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "institution")
    search_fields = ("user__username", "user__email", "institution__name", "institution__acronym")
    show_full_result_count = False
    list_per_page = 50
    actions = ("remove_selected",)

    @admin.display(description=_("nombre"), ordering="user__last_name")
    def full_name(self, obj: Membership) -> str:
        return obj.user.get_full_name()

    @admin.display(description=_("correo"), ordering="user__email")
    def email(self, obj: Membership) -> str:
        return obj.user.email

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_officials_somewhere(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return can_manage_officials_somewhere(request.user)
        return can_manage_officials(request.user, obj.institution_id)

    has_change_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Institution administrators invite; only platform administrators grant directly.
        return is_platform_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # "Retirar de la institución" (remove_selected) goes through the service

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        qs = super().get_queryset(request)
        if is_platform_admin(request.user):
            return qs
        return qs.filter(pk__in=membership_scope(request.user).values("pk"))

    def get_autocomplete_fields(self, request: HttpRequest) -> tuple[str, ...]:
        return ("user", "institution")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("user", "institution") if obj is not None else ()

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # The form's checks ask the services on behalf of this request's user.
        return type(form.__name__, (form,), {"request": request})

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        if change:
            officials.membership_role_change(
                membership=obj, role=form.cleaned_data["role"], by=request.user
            )
        else:
            granted = officials.membership_grant(
                user=form.cleaned_data["user"],
                institution=form.cleaned_data["institution"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
            adopt(obj, granted)

    @admin.action(description=_("Retirar de la institución a los seleccionados"))
    def remove_selected(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        _run_each(
            self,
            request,
            queryset.select_related("user", "institution"),
            lambda m: officials.official_remove(membership=m, by=request.user),
            _t("%(n)d funcionarios retirados."),
        )


class InvitationForm(forms.ModelForm):
    request: HttpRequest

    class Meta:
        model = Invitation
        fields = ("institution", "email", "role")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("institution") and data.get("email") and data.get("role"):
            try:
                data["email"] = officials.official_invite_check(
                    institution=data["institution"],
                    email=data["email"],
                    role=data["role"],
                    by=self.request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                _add_errors(self, error, "institution")
        return data


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    """Invitations of an institution: sent here, accepted on /cuenta/invitacion/<token>/."""

    form = InvitationForm
    list_display = ("email", "institution", "role", "status", "invited_by", "expires_at")
    list_filter = ("role",)
    list_select_related = ("institution", "invited_by")
    search_fields = ("email", "institution__name", "institution__acronym")
    show_full_result_count = False
    list_per_page = 50
    actions = ("revoke_selected",)
    readonly_fields = (
        "institution",
        "email",
        "role",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )

    @admin.display(description=_("estado"))
    def status(self, obj: Invitation) -> str:
        if obj.accepted_at:
            return _t("Aceptada")
        if obj.revoked_at:
            return _t("Anulada")
        if obj.expires_at <= timezone.now():
            return _t("Vencida")
        return _t("Pendiente")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_officials_somewhere(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return can_manage_officials_somewhere(request.user)
        return can_manage_officials(request.user, obj.institution_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_officials_somewhere(request.user)

    # An invitation is sent, then only revoked (an action): never edited or deleted by hand.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        qs = super().get_queryset(request)
        if is_platform_admin(request.user):
            return qs
        return qs.filter(pk__in=invitation_scope(request.user).values("pk"))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("institution", "email", "role")
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_autocomplete_fields(self, request: HttpRequest) -> tuple[str, ...]:
        return ("institution",) if is_platform_admin(request.user) else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "institution" and not is_platform_admin(request.user):
            # An institution administrator invites into their own institutions only.
            ids = manageable_institution_ids(request.user)
            kwargs["queryset"] = Institution.objects.filter(pk__in=ids).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # The form's checks ask the services on behalf of this request's user.
        return type(form.__name__, (form,), {"request": request})

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        invitation = officials.official_invite(
            institution=form.cleaned_data["institution"],
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            by=request.user,
            site_url=request.build_absolute_uri("/"),
        )
        adopt(obj, invitation)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        response = super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            _t("Se envió la invitación a %(email)s; el enlace vence en %(days)d días.")
            % {"email": obj.email, "days": officials.INVITATION_DAYS},
        )
        return response

    @admin.action(description=_("Anular las invitaciones seleccionadas"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        _run_each(
            self,
            request,
            queryset.select_related("institution"),
            lambda i: officials.invitation_revoke(invitation=i, by=request.user),
            _t("%(n)d invitaciones anuladas."),
        )
