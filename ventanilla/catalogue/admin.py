"""The catalogue in the back office. Officials see and edit only their institutions'
procedures; every save goes through ventanilla.catalogue.services."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.backoffice import TenantScopedAdmin
from ventanilla.accounts.permissions import is_platform_admin
from ventanilla.catalogue import services
from ventanilla.catalogue.models import (
    Channel,
    ChannelStep,
    LifeEvent,
    LifeEventStep,
    Procedure,
    ProcedureSection,
    Requirement,
    Topic,
)
from ventanilla.catalogue.permissions import (
    PLATFORM_ONLY_FIELDS,
    life_event_can_edit,
    procedure_can_create_any,
    procedure_can_delete,
    procedure_can_edit,
    procedure_can_publish,
    procedure_can_view_list,
    procedure_scope,
    topic_can_edit,
)
from ventanilla.core.backoffice import (
    ServiceBackedAdmin,
    adopt,
    folded_search_terms,
    form_changes,
    form_values,
    formset_summary,
)
from ventanilla.institutions.permissions import institution_scope


class _ProcedureContentInline(admin.TabularInline):
    """Rows that belong to a procedure: whoever edits the procedure edits them."""

    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or procedure_can_edit(request.user, obj)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission
    has_delete_permission = has_view_permission


class RequirementInline(_ProcedureContentInline):
    model = Requirement
    fields = ("position", "text")


class ChannelInline(_ProcedureContentInline):
    model = Channel
    fields = ("position", "kind", "description", "url")
    # Steps are edited on the channel's own page (Django admin does not nest inlines).
    show_change_link = True


class ProcedureSectionInline(_ProcedureContentInline):
    model = ProcedureSection
    fields = ("position", "heading", "items")


@admin.register(Procedure)
class ProcedureAdmin(TenantScopedAdmin[Procedure]):
    list_display = ("number", "title", "kind", "institution", "is_published", "has_detail")
    list_display_links = ("number", "title")
    list_filter = ("is_published", "kind", "has_detail", "institution__level")
    # ~33,000 rows: one joined query per page, no full count, no institution dropdown.
    list_select_related = ("institution",)
    show_full_result_count = False
    list_per_page = 50
    search_fields = ("search_text",)
    search_help_text = _("Busque por palabras del título, código o número.")
    autocomplete_fields = ("institution",)
    inlines = (RequirementInline, ChannelInline, ProcedureSectionInline)
    actions = ("publish_selected", "unpublish_selected")
    fieldsets = (
        (None, {"fields": ("title", "kind", "institution", "is_published")}),
        (
            _("Contenido"),
            {"fields": ("summary", "audience", "fee_amount", "fee_detail", "time_limit")},
        ),
        (None, {"fields": ("validity", "tupa_code", "online_url", "min_assurance", "notes")}),
        (_("Fuente"), {"fields": ("source_url", "source_type", "source_checked_on")}),
        (
            _("Identificadores"),
            {"fields": ("number", "slug", "code", "gobpe_id", "has_detail", "popularity")},
        ),
    )

    can_view_list = staticmethod(procedure_can_view_list)
    can_edit = staticmethod(procedure_can_edit)
    can_create = staticmethod(procedure_can_create_any)
    can_delete = staticmethod(procedure_can_delete)
    scope = staticmethod(procedure_scope)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not is_platform_admin(request.user):
            # Numbers and slugs are given by the service; publishing is decided by the role.
            hidden = {*PLATFORM_ONLY_FIELDS, "is_published"}
            fieldsets = [
                (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
                for name, opts in fieldsets
            ]
            fieldsets = [fs for fs in fieldsets if fs[1]["fields"]]
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if is_platform_admin(request.user):
            return ()
        readonly = set(PLATFORM_ONLY_FIELDS)
        if obj is not None and not procedure_can_publish(request.user, obj):
            readonly.add("is_published")
        return tuple(sorted(readonly))

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if not is_platform_admin(request.user) and "institution" in form.base_fields:
            form.base_fields["institution"].required = True
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "institution":
            # Officials can only choose among their own institutions.
            kwargs["queryset"] = institution_scope(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Procedure], search_term: str
    ) -> tuple[QuerySet[Procedure], bool]:
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(number=int(term)), False
        for word in folded_search_terms(term):
            queryset = queryset.filter(search_text__contains=word)
        return queryset, False

    # Saving: the services check permission, audit and invalidate the public pages.
    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        if change:
            services.procedure_update(procedure=obj, data=form_changes(form), by=request.user)
        else:
            created = services.procedure_create(
                institution=form.cleaned_data.get("institution"),
                data=form_values(form, exclude=["institution"]),
                by=request.user,
            )
            adopt(obj, created)

    def inlines_saved(self, *, obj: Procedure, by: Any, summary: dict[str, Any]) -> None:
        services.procedure_content_changed(procedure=obj, by=by, summary=summary)

    def delete_through_service(self, *, obj: Procedure, by: Any) -> None:
        services.procedure_delete(procedure=obj, by=by)

    def _set_published(self, request: HttpRequest, queryset: Any, published: bool) -> None:
        service = services.procedure_publish if published else services.procedure_unpublish
        done, refused = 0, 0
        for procedure in queryset.select_related("institution")[:500]:
            try:
                service(procedure=procedure, by=request.user)
                done += 1
            except PermissionDenied:
                refused += 1
        self.message_user(request, _t("%(n)d trámites actualizados.") % {"n": done})
        if refused:
            self.message_user(
                request,
                _t("%(n)d trámites no se cambiaron: su rol no permite publicarlos.")
                % {"n": refused},
                level=messages.WARNING,
            )

    @admin.action(description=_("Publicar los trámites seleccionados"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        self._set_published(request, queryset, True)

    @admin.action(description=_("Retirar de la web los trámites seleccionados"))
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        self._set_published(request, queryset, False)


class ChannelStepInline(admin.TabularInline):
    model = ChannelStep
    fields = ("position", "text")
    extra = 1

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or procedure_can_edit(request.user, obj.procedure)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission
    has_delete_permission = has_view_permission


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """A procedure's channel with its steps; reached from the procedure's page, not the index."""

    fields = ("procedure", "kind", "description", "url", "position")
    readonly_fields = ("procedure",)
    inlines = (ChannelStepInline,)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return procedure_can_view_list(request.user)
        return procedure_can_edit(request.user, obj.procedure)

    has_change_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a channel is added on its procedure's page

    has_delete_permission = has_view_permission

    def get_queryset(self, request: HttpRequest) -> QuerySet[Channel]:
        qs = super().get_queryset(request).select_related("procedure")
        if is_platform_admin(request.user):
            return qs
        return qs.filter(procedure__in=procedure_scope(request.user).values("pk"))

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        obj.save()  # a content row, like an inline; the service below audits and invalidates

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        summary = formset_summary(formsets)
        if form.changed_data:
            summary["channel"] = {"changed": [f"{form.instance}: {', '.join(form.changed_data)}"]}
        if summary:
            services.procedure_content_changed(
                procedure=form.instance.procedure, by=request.user, summary=summary
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        procedure = obj.procedure
        obj.delete()
        summary = {"channel": {"deleted": [str(obj)]}}
        services.procedure_content_changed(procedure=procedure, by=request.user, summary=summary)


@admin.register(Topic)
class TopicAdmin(ServiceBackedAdmin[Topic]):
    list_display = ("name", "slug", "position")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("procedures",)
    fields = ("name", "slug", "description", "position", "procedures")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return topic_can_edit(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return topic_can_edit(request.user)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return topic_can_edit(request.user)

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        data: dict[str, Any] = form_changes(form) if change else form_values(form)
        if not change or "procedures" in form.changed_data:
            data["procedures"] = list(form.cleaned_data["procedures"])
        services.topic_save(topic=obj, data=data, by=request.user)

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        pass  # the procedures were set by topic_save; a topic has no inlines

    def delete_through_service(self, *, obj: Topic, by: Any) -> None:
        services.topic_delete(topic=obj, by=by)


class LifeEventStepInline(admin.TabularInline):
    model = LifeEventStep
    fields = ("position", "title", "description", "procedure")
    autocomplete_fields = ("procedure",)
    extra = 0


@admin.register(LifeEvent)
class LifeEventAdmin(ServiceBackedAdmin[LifeEvent]):
    list_display = ("title", "slug", "position")
    search_fields = ("title",)
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "summary", "position")
    inlines = (LifeEventStepInline,)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return life_event_can_edit(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return life_event_can_edit(request.user)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return life_event_can_edit(request.user)

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        data = form_changes(form) if change else form_values(form)
        services.life_event_save(life_event=obj, data=data, by=request.user)

    def inlines_saved(self, *, obj: LifeEvent, by: Any, summary: dict[str, Any]) -> None:
        services.life_event_steps_changed(life_event=obj, by=by, summary=summary)

    def delete_through_service(self, *, obj: LifeEvent, by: Any) -> None:
        services.life_event_delete(life_event=obj, by=by)
