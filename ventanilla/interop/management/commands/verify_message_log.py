"""`python manage.py verify_message_log`: checks the mediator's whole message log (every hash
and link, the signatures, the head) and names the first altered or missing entry. Exit 0 when
the chain is whole, 1 when it is broken."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ventanilla.interop.services.messagelog import message_log_verify


class Command(BaseCommand):
    help = "Verifica la cadena del registro de mensajes del mediador (hashes, enlaces y firmas)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--procesos",
            type=int,
            default=None,
            help="Procesos que verifican en paralelo (por omisión, uno por CPU en registros "
            "grandes).",
        )
        parser.add_argument(
            "--progreso", action="store_true", help="Muestra el avance cada 100 000 entradas."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        step = 100_000
        shown = [0]

        def progress(checked: int) -> None:
            if options["progreso"] and checked - shown[0] >= step:
                shown[0] = checked
                self.stderr.write(f"  {checked:,} entradas verificadas…".replace(",", " "))

        check = message_log_verify(progress=progress, workers=options["procesos"])
        seconds = time.perf_counter() - started
        count = f"{check.checked:,}".replace(",", " ")
        if check.ok:
            self.stdout.write(
                f"Registro de mensajes íntegro: {count} entradas verificadas "
                f"(enlaces, hashes y firmas) en {seconds:.1f} s."
            )
            return
        self.stdout.write(f"Registro de mensajes ROTO en la entrada n.º {check.first_bad_seq}.")
        self.stdout.write(check.problem)
        self.stdout.write(f"Entradas correctas antes del problema: {count}.")
        sys.exit(1)
