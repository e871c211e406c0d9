"""python manage.py search_rebuild [--kind procedure ...]: rebuild the search index."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ventanilla.search.indexing import search_index_rebuild
from ventanilla.search.registry import kinds
from ventanilla.search.services import synonym_seed


class Command(BaseCommand):
    help = "Reconstruye el índice de búsqueda (todo, o los tipos indicados)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind", action="append", choices=sorted(kinds()), help="Solo este tipo (repetible)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        show = options["verbosity"] > 0
        last = [0.0]

        tty = sys.stderr.isatty()

        def progress(kind: str, done: int, total: int) -> None:
            now = time.monotonic()
            # On a terminal the bar redraws in place; in a log, one line every few seconds.
            if not show or (now - last[0] < (0.2 if tty else 5.0) and done < total):
                return
            last[0] = now
            width = 30
            filled = int(width * done / total) if total else width
            bar = "█" * filled + "·" * (width - filled)
            line = f"  {kind:<12} [{bar}] {done:>7,}/{total:,}"
            sys.stderr.write(f"\r{line}" if tty else f"{line}\n")
            if tty and done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

        seeded = synonym_seed()
        if seeded and show:
            self.stdout.write(f"Sinónimos cargados de la lista de referencia: {seeded}.")
        count = search_index_rebuild(progress=progress, kind_names=options["kind"])
        if show:
            self.stdout.write(
                f"Índice de búsqueda: {count:,} documentos en {time.monotonic() - started:.1f} s."
            )
