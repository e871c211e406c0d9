"""`python manage.py load_reference_data`: load UBIGEO, institutions and procedures from
../shared/data. Each app that has reference data ships an `importers` module with
`REFERENCE_DATA_ORDER` and `load_reference_data(*, data_dir, report)`; they are discovered like
admin modules, so core names no business domain."""

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from ventanilla.audit.models import AuditEvent
from ventanilla.core.importing import ImportReport


def discover_importers() -> list[ModuleType]:
    """The `<app>.importers` modules of installed apps, in REFERENCE_DATA_ORDER."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.importers"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        if hasattr(module, "load_reference_data"):
            found.append(module)
    return sorted(found, key=lambda m: getattr(m, "REFERENCE_DATA_ORDER", 100))


def run_reference_load(*, data_dir: Path, report: ImportReport) -> ImportReport:
    """Run every importer in one transaction and leave one audit row with the counts."""
    with transaction.atomic():
        for module in discover_importers():
            with report.stage(getattr(module, "STAGE_NAME", module.__name__)):
                module.load_reference_data(data_dir=data_dir, report=report)
        # No single row is the target of a whole load: the audit row names the data set.
        AuditEvent.objects.create(
            action="reference_data.loaded",
            target_type="core.reference_data",
            target_id=str(data_dir)[-64:],
            data={
                "counts": report.counts_data(),
                "skipped": {k: len(v.skipped) for k, v in report.files.items()},
                "seconds": round(report.total_seconds, 2),
            },
        )
    return report


def refresh_planner_statistics() -> None:
    """ANALYZE after a bulk load: without statistics SQLite picks the wrong index for filtered
    lists (/tramites/?institucion=reniec took 52 ms instead of a few). On PostgreSQL, VACUUM
    too: a load rewrites rows, and counts stay slow until the visibility map is set (the home
    page's count of procedures took 24 ms instead of 5). Runs outside any transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.get_autocommit():
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")


class Command(BaseCommand):
    help = _("Carga UBIGEO, instituciones y trámites desde los datos de referencia.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--data-dir", default=None, help=_("Carpeta de datos (por defecto SHARED_DATA_DIR).")
        )
        parser.add_argument(
            "--report-file",
            default=None,
            help=_("Dónde escribir el informe (por defecto var/reference_data_report.txt)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"] or settings.SHARED_DATA_DIR).resolve()
        if not data_dir.is_dir():
            raise CommandError(_("No existe la carpeta de datos %(d)s") % {"d": data_dir})
        report = ImportReport(data_dir=data_dir, stream=self.stderr)
        run_reference_load(data_dir=data_dir, report=report)
        refresh_planner_statistics()
        text = report.render()
        target = Path(
            options["report_file"] or Path(settings.VAR_DIR) / "reference_data_report.txt"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.stdout.write(text)
        self.stdout.write(_("Informe guardado en %(p)s") % {"p": target})
        # The search index is another app's; its command is called by name, so core keeps
        # depending on no domain app.
        if "search_rebuild" in get_commands():
            call_command("search_rebuild", verbosity=options["verbosity"])
