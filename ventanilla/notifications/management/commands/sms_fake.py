"""Serve the fake SMS gateway (Infobip SMS API v2) where the settings send SMS (demo_serve runs
the same module with these settings), accepting the settings' API key."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ventanilla.integrations.sms import fake


class Command(BaseCommand):
    help = "Sirve la pasarela de SMS simulada (API de SMS v2 de Infobip)."

    def add_arguments(self, parser: CommandParser) -> None:
        fake.add_arguments(parser)
        where = urlsplit(settings.NOTIFICATIONS_SMS_URL)
        parser.set_defaults(
            host=where.hostname or fake.DEFAULT_HOST,
            port=where.port or fake.DEFAULT_PORT,
            api_key=settings.NOTIFICATIONS_SMS_API_KEY,
            store=str(settings.NOTIFICATIONS_FAKES_DIR / "sms"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fake.serve_from_options(options)
