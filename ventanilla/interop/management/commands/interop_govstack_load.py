"""`python manage.py interop_govstack_load`: the GovStack reference directory (the Information
Mediator fixtures and the Digital Registries reference registry as a provider), idempotent."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.interop.services.setup import GOVSTACK_REGISTRIES, govstack_directory_load


class Command(BaseCommand):
    help = _("Carga (o restablece) el directorio de referencia de GovStack en el mediador.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default="",
            help=_("Dirección del registro de referencia GovStack (por defecto, la de settings)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"] or (
            f"http://{settings.INTEROP_REGISTRY_HOST}:{settings.INTEROP_REGISTRY_PORTS['govstack']}"
        )
        try:
            govstack_directory_load(registry_url=url)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            _("Directorio GovStack cargado; los registros de referencia son %(id)s → %(url)s.")
            % {"id": GOVSTACK_REGISTRIES, "url": url}
        )
