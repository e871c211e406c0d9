"""`python manage.py govstack_registration_load`: (re)seed the GovStack Registration reference
records so the reference clients start from the fixture values."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ventanilla.cases.services.registration_reference import registration_reference_load

DEFAULT_FIXTURES = (
    Path(__file__).resolve().parents[2] / "reference" / "govstack_registration_fixtures.json"
)


class Command(BaseCommand):
    help = _("Carga (o restablece) los registros de referencia de la API GovStack Registration.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--file",
            default=str(DEFAULT_FIXTURES),
            help=_("fixtures.json del bloque Registration (por defecto, la copia del proyecto)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            fixtures = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(
                _("No se pudo leer %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        counts = registration_reference_load(fixtures=fixtures)
        self.stdout.write(
            _(
                "Registros GovStack cargados: %(services)s servicios, %(eForms)s formularios, "
                "%(applications)s expedientes, %(tasks)s tareas."
            )
            % counts
        )
