"""Test helpers for the back office: officials with roles, and admin form posts built from
the form the admin rendered (so a test posts exactly what a browser would)."""

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.forms import BoundField

from ventanilla.accounts.models import Membership


def official(username: str, *, institution: Any = None, role: str | None = None) -> Any:
    """A staff user with no Django model permissions and, when given, one membership."""
    user = get_user_model().objects.create_user(username=username, password="x", is_staff=True)
    if institution is not None and role is not None:
        Membership.objects.create(user=user, institution=institution, role=role)
    return user


def platform_admin(username: str = "plataforma") -> Any:
    return get_user_model().objects.create_superuser(username=username, password="x")


def _value(bound: BoundField) -> Any:
    value = bound.value()
    if isinstance(value, bool) or getattr(bound.field.widget, "input_type", "") == "checkbox":
        return "on" if value else None
    if isinstance(value, list | dict):
        return json.dumps(value)
    prepared = bound.field.prepare_value(value)
    return "" if prepared is None else str(prepared)


def _form_data(form: Any, data: dict[str, Any]) -> None:
    for bound in form:
        value = _value(bound)
        if value is not None:
            data[bound.html_name] = value


def admin_form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """POST data for an admin add/change page: its current values, inlines included, with
    `changes` applied to the main form (None removes a field, e.g. an unticked checkbox)."""
    data: dict[str, Any] = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
