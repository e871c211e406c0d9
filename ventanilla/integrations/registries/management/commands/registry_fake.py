"""Serve one fake registry on the port the settings point the mediator at (`make demo` starts
each of them)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ventanilla.integrations.registries import fake


class Command(BaseCommand):
    help = "Sirve un registro simulado (GovStack Digital Registries) para la demo."

    def add_arguments(self, parser: CommandParser) -> None:
        fake.add_arguments(parser)
        parser.set_defaults(host=getattr(settings, "INTEROP_REGISTRY_HOST", fake.DEFAULT_HOST))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["port"] is None:
            ports = getattr(settings, "INTEROP_REGISTRY_PORTS", fake.DEFAULT_PORTS)
            options["port"] = ports.get(
                options["registry"], fake.DEFAULT_PORTS[options["registry"]]
            )
        fake.serve_from_options(options)
