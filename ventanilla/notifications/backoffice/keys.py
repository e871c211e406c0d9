"""Issuing and revoking API keys from the back office: the permission check, the Spanish
checks of the form, and one live key per name and sender, so a double-clicked «Crear clave»
makes one key, not two. The keys themselves are made by services/keys.py."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.institutions.models import Institution
from ventanilla.notifications.models import ApiKey, Sender
from ventanilla.notifications.permissions import can_manage_notifications
from ventanilla.notifications.services.keys import (
    api_key_revoke,
    govstack_key_create,
    notify_key_create,
)
from ventanilla.notifications.services.senders import sender_default

NAME_MAX = 200


def api_key_issue(
    *, institution: Institution, protocol: str, kind: str, name: str, by: Any
) -> tuple[ApiKey, str]:
    """A new key of `institution`'s default sender: (the row, the whole key, shown once).
    ValidationError by field ("name", "protocol", "kind") with Spanish messages."""
    if not can_manage_notifications(by, institution.pk):
        raise PermissionDenied(_("Tu rol no te permite crear claves de esa institución."))
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Escribe un nombre para reconocer la clave (por ejemplo, el sistema).")
    elif len(name) > NAME_MAX:
        errors["name"] = _("El nombre tiene más de %(max)s caracteres.") % {"max": NAME_MAX}
    if protocol not in ApiKey.Protocol.values:
        errors["protocol"] = _("Elige la API: compatible con GOV.UK Notify o GovStack Messaging.")
    if kind not in ApiKey.Kind.values:
        errors["kind"] = _("Elige si la clave envía de verdad o es de prueba.")
    elif protocol == ApiKey.Protocol.GOVSTACK and kind != ApiKey.Kind.NORMAL:
        errors["kind"] = _("Las claves de GovStack Messaging siempre envían de verdad.")
    if errors:
        raise ValidationError(errors)
    sender = sender_default(institution=institution)
    with transaction.atomic():
        # One issuing at a time per sender: a second click waits, then finds the first key.
        Sender.objects.select_for_update().filter(pk=sender.pk).first()
        taken = ApiKey.objects.filter(
            sender=sender, protocol=protocol, name=name[:NAME_MAX], revoked_at__isnull=True
        ).exists()
        if taken:
            raise ValidationError(
                {
                    "name": _(
                        "Ya hay una clave activa llamada «%(n)s». Si acabas de crearla y no "
                        "la copiaste, revócala y crea otra: por seguridad se muestra una "
                        "sola vez."
                    )
                    % {"n": name}
                }
            )
        if protocol == ApiKey.Protocol.NOTIFY:
            return notify_key_create(sender=sender, name=name, by=by, kind=kind)
        return govstack_key_create(sender=sender, name=name, by=by)


def api_key_withdraw(*, key: ApiKey, by: Any) -> ApiKey:
    """Revoke `key` (from now on it authenticates nothing); revoking twice changes nothing."""
    if not can_manage_notifications(by, key.sender.institution_id):
        raise PermissionDenied(_("Tu rol no te permite revocar claves de esa institución."))
    return api_key_revoke(key=key, by=by)
