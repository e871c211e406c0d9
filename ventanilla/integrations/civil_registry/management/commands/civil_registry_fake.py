"""Serve the fake civil registry with the credentials the settings hold, so the client of this
same configuration is accepted by it (`make demo` starts it through demo_serve)."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ventanilla.integrations.civil_registry import fake
from ventanilla.integrations.civil_registry.client import PideCredentials


class Command(BaseCommand):
    help = "Sirve el registro civil simulado (RENIEC y Migraciones vía PIDE) para la demo."

    def add_arguments(self, parser: CommandParser) -> None:
        fake.add_arguments(
            parser,
            PideCredentials(
                user_dni=settings.CIVIL_REGISTRY_USER_DNI,
                user_ruc=settings.CIVIL_REGISTRY_USER_RUC,
                password=settings.CIVIL_REGISTRY_PASSWORD,
                institution=settings.CIVIL_REGISTRY_INSTITUTION,
                mac=settings.CIVIL_REGISTRY_MAC,
                ip=settings.CIVIL_REGISTRY_IP,
            ),
        )
        # The port the settings point the client at, unless told otherwise.
        parser.set_defaults(port=urlsplit(settings.CIVIL_REGISTRY_URL).port or fake.DEFAULT_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        fake.serve_from_options(options)
