"""Small helpers the back office (Django admin) uses to hand a saved form to a service."""

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest

from ventanilla.core.text import fold_words

_SUMMARY_MAX_ITEMS = 20


def form_changes(form: ModelForm[Any], *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The model fields the editor changed, with their cleaned values (many-to-many excluded)."""
    model = form._meta.model
    concrete = {f.name for f in model._meta.concrete_fields}
    skip = set(exclude)
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name in concrete and name not in skip
    }


def form_values(form: ModelForm[Any], *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every concrete model field of the form with its cleaned value (for a creation)."""
    model = form._meta.model
    concrete = {f.name for f in model._meta.concrete_fields}
    skip = set(exclude)
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name in concrete and name not in skip
    }


def adopt(target: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved instance the row a service created, so inlines, the admin
    log and the redirect that follow point at it."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def formset_summary(formsets: Iterable[BaseFormSet[Any]]) -> dict[str, dict[str, list[str]]]:
    """{model name: {"added"|"changed"|"deleted": [row labels]}} for the inlines just saved."""
    summary: dict[str, dict[str, list[str]]] = {}
    for formset in formsets:
        model = getattr(formset, "model", None)
        if model is None:
            continue
        entry = {
            "added": [str(o) for o in getattr(formset, "new_objects", [])],
            "changed": [str(o) for o, _f in getattr(formset, "changed_objects", [])],
            "deleted": [str(o) for o in getattr(formset, "deleted_objects", [])],
        }
        entry = {k: v[:_SUMMARY_MAX_ITEMS] for k, v in entry.items() if v}
        if entry:
            summary.setdefault(model._meta.model_name, {}).update(entry)
    return summary


def folded_search_terms(term: str, max_words: int = 8) -> list[str]:
    """The words of a back-office search, folded as `search_text` columns are."""
    return fold_words(term).split()[:max_words]


class ServiceBackedAdmin[M: models.Model](admin.ModelAdmin[M]):
    """An admin whose deletions and inline saves go through the domain's services, so each
    leaves its audit row and drops the public pages. Subclasses name the two services."""

    def delete_through_service(self, *, obj: M, by: Any) -> None:
        raise NotImplementedError

    def inlines_saved(self, *, obj: M, by: Any, summary: dict[str, dict[str, list[str]]]) -> None:
        """Called after inline rows were added, changed or deleted (nothing by default)."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        summary = formset_summary(formsets)
        if summary:
            self.inlines_saved(obj=form.instance, by=request.user, summary=summary)

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        self.delete_through_service(obj=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        for obj in queryset:
            self.delete_through_service(obj=obj, by=request.user)
