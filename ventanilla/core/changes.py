"""Applying a dict of field values to a model instance and saying what really changed.

Services use it so their audit rows list exactly the fields that changed, compared with the
stored row (a form may already have changed the instance in memory)."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext as _

# Long texts are cut in the audit trail; the record itself keeps the whole value.
AUDIT_VALUE_MAX = 500
_ENCODER = DjangoJSONEncoder()


def audit_value(value: Any) -> Any:
    """A value as the audit trail stores it (JSON-safe, long texts cut)."""
    if isinstance(value, models.Model):
        value = value.pk
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else _ENCODER.default(value)
    if isinstance(text, str) and len(text) > AUDIT_VALUE_MAX:
        return text[:AUDIT_VALUE_MAX] + "…"
    return text


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if (
        not isinstance(field, models.Field)
        or field.primary_key
        or field.many_to_many
        or not field.editable
        or not field.concrete
    ):
        raise ValidationError(_("El campo «%(name)s» no se puede modificar.") % {"name": name})
    return field


def changes_apply(instance: models.Model, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set `data` on `instance`, validate those fields, and return {field: [old, new]} for
    the fields whose value differs from the stored row. Raises ValidationError (Spanish)."""
    model = type(instance)
    fields = {name: _field(model, name) for name in data}
    stored: dict[str, Any] = {}
    if instance.pk is not None and fields:
        attnames = [f.attname for f in fields.values()]
        stored = model._default_manager.filter(pk=instance.pk).values(*attnames).first() or {}
    changed: dict[str, list[Any]] = {}
    for name, value in data.items():
        field = fields[name]
        old = stored[field.attname] if field.attname in stored else getattr(instance, field.attname)
        setattr(instance, name, value)
        new = getattr(instance, field.attname)
        if old != new:
            changed[name] = [audit_value(old), audit_value(new)]
    if fields:
        others = [f.name for f in model._meta.concrete_fields if f.name not in fields]
        instance.full_clean(exclude=others, validate_unique=True, validate_constraints=False)
    return changed
