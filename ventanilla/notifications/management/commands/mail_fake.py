"""Serve the fake mail relay on the port the settings send e-mail to (demo_serve runs the same
module with these settings); its delivery events go to --webhook-url, signed with the settings'
key."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ventanilla.integrations.email import fake


class Command(BaseCommand):
    help = "Sirve el relé de correo simulado (SMTP, con eventos de entrega como Mailgun)."

    def add_arguments(self, parser: CommandParser) -> None:
        fake.add_arguments(parser)
        parser.set_defaults(
            host=settings.NOTIFICATIONS_SMTP_HOST,
            port=settings.NOTIFICATIONS_SMTP_PORT,
            webhook_key=settings.NOTIFICATIONS_EMAIL_WEBHOOK_KEY,
            store=str(settings.NOTIFICATIONS_FAKES_DIR / "mail"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fake.serve_from_options(options)
