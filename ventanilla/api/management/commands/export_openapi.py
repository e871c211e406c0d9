"""Write the API's OpenAPI document to docs/api/openapi.json, or check that it is up to date."""

import difflib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.api.openapi import DOCUMENT_PATH, openapi_document


class Command(BaseCommand):
    help = "Escribe docs/api/openapi.json con el esquema de la API; con --check solo lo compara."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="No escribe nada: falla si el archivo no coincide con el esquema actual.",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=DOCUMENT_PATH,
            help="Archivo de destino (por defecto docs/api/openapi.json).",
        )

    def handle(self, *args: Any, check: bool, output: Path, **options: Any) -> None:
        live = openapi_document()
        if check:
            committed = output.read_text(encoding="utf-8") if output.exists() else ""
            if committed != live:
                diff = difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    live.splitlines(keepends=True),
                    fromfile=f"{output} (guardado)",
                    tofile="esquema actual",
                    n=1,
                )
                self.stderr.write("".join(list(diff)[:80]))
                raise CommandError(
                    f"{output} no coincide con el esquema actual de la API. "
                    "Ejecute `python manage.py export_openapi` y confirme el archivo."
                )
            self.stdout.write(f"{output} está al día.")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(live, encoding="utf-8")
        self.stdout.write(f"Escrito {output} ({len(live):,} caracteres).")
