"""`python manage.py interop_setup`: the Peruvian directory of the information mediator
(members, registry services, access rights), idempotent. Registries answer at
INTEROP_REGISTRY_HOST on INTEROP_REGISTRY_PORTS unless `--url name=http://…` says otherwise."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.interop.models import AccessRight, Member, Service, Subsystem
from ventanilla.interop.services.setup import PROVIDERS, directory_setup

REGISTRY_KEYS = tuple(p.key for p in PROVIDERS)


def registry_urls(overrides: list[str]) -> dict[str, str]:
    """The registries' base URLs: the settings' host and ports, then `name=url` overrides."""
    host = settings.INTEROP_REGISTRY_HOST
    urls = {
        key: f"http://{host}:{port}"
        for key, port in settings.INTEROP_REGISTRY_PORTS.items()
        if key in REGISTRY_KEYS
    }
    for item in overrides:
        key, sep, url = item.partition("=")
        key = key.strip()
        if not sep or key not in REGISTRY_KEYS or not url.strip():
            raise CommandError(
                _(
                    "--url espera nombre=http://…, con nombre entre: %(names)s "
                    "(recibido «%(item)s»)."
                )
                % {"names": ", ".join(REGISTRY_KEYS), "item": item}
            )
        urls[key] = url.strip()
    return urls


class Command(BaseCommand):
    help = _("Crea o actualiza el directorio peruano del mediador de interoperabilidad.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            action="append",
            default=[],
            metavar="NOMBRE=URL",
            help=_("Dirección de un registro (reniec, migraciones, sunat, sunarp, mtc)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        urls = registry_urls(options["url"])
        try:
            directory_setup(registry_urls=urls)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            _(
                "Directorio del mediador: %(members)s miembros, %(subsystems)s subsistemas, "
                "%(services)s servicios, %(rights)s permisos de acceso."
            )
            % {
                "members": Member.objects.count(),
                "subsystems": Subsystem.objects.count(),
                "services": Service.objects.count(),
                "rights": AccessRight.objects.count(),
            }
        )
