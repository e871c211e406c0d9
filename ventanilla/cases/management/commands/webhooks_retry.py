"""Deliver every webhook delivery that is due (first attempts the queue missed, and retries).
Run it from cron every minute in production: `manage.py webhooks_retry`."""

from typing import Any

from django.core.management.base import BaseCommand

from ventanilla.cases.services.webhooks import RETRY_BATCH, webhooks_retry


class Command(BaseCommand):
    help = "Entrega los webhooks pendientes cuyo intento ya corresponde."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=RETRY_BATCH, help="máximo por ejecución")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = webhooks_retry(limit=options["limit"])
        self.stdout.write(
            "entregados {delivered}, por reintentar {retry}, abandonados {failed}, "
            "omitidos {skipped}".format(**counts)
        )
