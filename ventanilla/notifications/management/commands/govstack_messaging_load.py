"""`python manage.py govstack_messaging_load`: (re)load the GovStack Messaging reference data —
the API keys reference clients send (abcdef12345, …) and the building block's example requests
with their status counts — on the demo's sender (the PCM's Secretaría de Gobierno y
Transformación Digital). Idempotent.

The keys send for real only when the e-mail relay the settings name is on this machine (the
demo's fake relay); otherwise they are test keys (nothing leaves), so the fixtures' example.com
addresses never reach a real mail server."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ventanilla.notifications.models import ApiKey
from ventanilla.notifications.services.govstack import govstack_reference_load

DEFAULT_FIXTURES = (
    Path(__file__).resolve().parents[2] / "reference" / "govstack_messaging_fixtures.json"
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Command(BaseCommand):
    help = _("Carga (o restablece) las claves y solicitudes de referencia de GovStack Messaging.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--file",
            default=str(DEFAULT_FIXTURES),
            help=_("fixtures.json del bloque Messaging (por defecto, la copia del proyecto)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            fixtures = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(
                _("No se pudo leer %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        local = str(settings.NOTIFICATIONS_SMTP_HOST) in LOCAL_HOSTS
        kind = ApiKey.Kind.NORMAL if local else ApiKey.Kind.TEST
        loaded = govstack_reference_load(fixtures=fixtures, kind=kind)
        self.stdout.write(
            _(
                "GovStack Messaging: %(keys)s claves (%(kind)s) y %(requests)s solicitudes de "
                "ejemplo para «%(sender)s»."
            )
            % {**loaded, "kind": kind}
        )
