"""Serve the demo: Django's server (no autoreload, static files through WhiteNoise), the tasks
worker, the fake registries behind the information mediator (RENIEC, Migraciones, SUNAT,
SUNARP, MTC and GovStack's reference one), and the fake mail relay and SMS gateway the
notifications go out through, each its own process. Ctrl+C or SIGTERM stops them all."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.core.devserver import runserver_command

WORKER_STOP_SECONDS = 10
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Where the fake relay posts its delivery events (ventanilla/notifications/urls_providers.py).
EMAIL_EVENTS_PATH = "/notificaciones/proveedores/correo/eventos"


class Command(BaseCommand):
    help = "Sirve la demo: el servidor web de Django y el proceso de tareas en segundo plano."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="dirección:puerto")
        parser.add_argument(
            "--no-worker", action="store_true", help="no iniciar el proceso de tareas"
        )
        parser.add_argument(
            "--collectstatic",
            action="store_true",
            help="recopilar los archivos estáticos aunque ya estén recopilados",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        addrport: str = options["addrport"]
        self._check_free(addrport)
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if options["collectstatic"] or not manifest.exists():
            # WhiteNoise serves STATIC_ROOT, and {% static %} needs its manifest. Compressing
            # takes a while (~40 s of CPU), so `make demo` does it once, not every start.
            self.stdout.write(_("Recopilando archivos estáticos…"))
            call_command("collectstatic", interactive=False, verbosity=0)
        callback_base = self._callback_base(addrport)
        worker = None if options["no_worker"] else self._start_worker(callback_base)
        registries = self._start_registries() + self._start_providers(callback_base)
        previous = signal.signal(signal.SIGTERM, self._terminate)
        base = f"http://{addrport}"
        self.stdout.write(_("Portal:          %(url)s/") % {"url": base})
        self.stdout.write(_("Gestión (admin): %(url)s/gestion/") % {"url": base})
        self.stdout.write(_("API:             %(url)s/api/v1/docs") % {"url": base})
        if settings.NOTIFICATIONS_DEMO_MAILBOX:
            self.stdout.write(
                _("Buzón (correos y SMS de la demo): %(url)s/demo/buzon/") % {"url": base}
            )
        self.stdout.write(_("Detener: Ctrl+C"))
        try:
            # Django's runserver, keeping the `api_key` header GovStack clients send.
            call_command(
                runserver_command(),
                addrport,
                use_reloader=False,
                use_threading=True,
                skip_checks=True,
            )
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            for registry in registries:  # all told at once: they stop side by side
                if registry.poll() is None:
                    registry.terminate()
            if worker is not None:
                self._stop_worker(worker)
            for registry in registries:
                self._stop_registry(registry)
            self.stdout.write(_("Servidor detenido."))

    @staticmethod
    def _check_free(addrport: str) -> None:
        # runserver ends the process with os._exit() when the port is taken, which would
        # leave the worker running: find out before starting it.
        host, _sep, port = addrport.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, int(port)))
            except (OSError, ValueError) as error:
                raise CommandError(
                    _("No se puede usar %(addr)s: %(error)s") % {"addr": addrport, "error": error}
                ) from None

    def _terminate(self, signum: int, frame: FrameType | None) -> None:
        # SIGTERM ends the server like Ctrl+C does, so the worker is stopped too.
        raise KeyboardInterrupt

    @staticmethod
    def _callback_base(addrport: str) -> str:
        """This server as the fakes on this machine reach it (0.0.0.0 is no address to call)."""
        host, _sep, port = addrport.rpartition(":")
        host = host.strip("[]")
        if host in ("", "0.0.0.0"):  # noqa: S104 - a bind-all address, not a bind
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def _start_worker(self, callback_base: str) -> subprocess.Popen[bytes]:
        manage = Path(settings.BASE_DIR) / "manage.py"
        command = [sys.executable, str(manage), "db_worker", "--interval", "1"]
        self.stdout.write(_("Proceso de tareas iniciado (%(cmd)s).") % {"cmd": "db_worker"})
        env = os.environ.copy()
        # The SMS it hands over carry notifyUrl = this server's address, unless set otherwise.
        env.setdefault("VENTANILLA_NOTIFY_CALLBACK_BASE_URL", callback_base)
        # Its own process group: a Ctrl+C in the terminal reaches it once, through us.
        return subprocess.Popen(command, env=env, start_new_session=True)

    def _start_providers(self, callback_base: str) -> list[subprocess.Popen[bytes]]:
        # The fake mail relay and SMS gateway on the ports the settings send to, when those
        # point at this machine; their stores (what /demo/buzon/ shows) under FAKES_DIR. Run
        # as plain modules (what `manage.py mail_fake` / `sms_fake` run): they need no Django,
        # and a dozen processes importing it at once slow the demo's start.
        fakes_dir = Path(settings.NOTIFICATIONS_FAKES_DIR)
        started = []
        if settings.NOTIFICATIONS_SMTP_HOST in LOCAL_HOSTS:
            command = [sys.executable, "-m", "ventanilla.integrations.email.fake"]
            command += ["--port", str(settings.NOTIFICATIONS_SMTP_PORT)]
            command += ["--host", settings.NOTIFICATIONS_SMTP_HOST]
            command += ["--webhook-url", callback_base + EMAIL_EVENTS_PATH]
            command += ["--webhook-key", settings.NOTIFICATIONS_EMAIL_WEBHOOK_KEY]
            command += ["--store", str(fakes_dir / "mail")]
            started.append(self._start_fake(command))
        sms = urlsplit(settings.NOTIFICATIONS_SMS_URL)
        if sms.hostname in LOCAL_HOSTS and sms.port:
            command = [sys.executable, "-m", "ventanilla.integrations.sms.fake"]
            command += ["--port", str(sms.port), "--host", sms.hostname or "127.0.0.1"]
            command += ["--api-key", settings.NOTIFICATIONS_SMS_API_KEY]
            command += ["--store", str(fakes_dir / "sms"), "--quiet"]
            started.append(self._start_fake(command))
        return started

    @staticmethod
    def _start_fake(command: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=os.environ.copy(), start_new_session=True
        )

    def _start_registries(self) -> list[subprocess.Popen[bytes]]:
        # The fake registries the mediator forwards to, one process each on the ports the
        # settings name, when they point at this machine; real registries are left alone.
        if settings.INTEROP_REGISTRY_HOST not in LOCAL_HOSTS:
            return []
        manage = Path(settings.BASE_DIR) / "manage.py"
        started = []
        for name, port in settings.INTEROP_REGISTRY_PORTS.items():
            command = [sys.executable, str(manage), "registry_fake", "--registry", name]
            command += ["--port", str(port)]
            # Each prints its address itself once it listens.
            started.append(subprocess.Popen(command, env=os.environ.copy(), start_new_session=True))
        return started

    def _stop_registry(self, registry: subprocess.Popen[bytes]) -> None:
        if registry.poll() is None:
            registry.terminate()
            try:
                registry.wait(timeout=WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                registry.kill()
                registry.wait()

    def _stop_worker(self, worker: subprocess.Popen[bytes]) -> None:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self.stdout.write(_("Proceso de tareas detenido."))
