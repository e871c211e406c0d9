"""The Wagtail baseline: a throwaway `wagtail start` site with its own venv, its default settings
(SQLite, no cache) in production mode, its default home page, served by gunicorn."""

import os
import subprocess
import sys
from pathlib import Path

from harness import Processes, wait_http

LOCAL_SETTINGS = """SECRET_KEY = "bench-only-wagtail-secret-key-0123456789abcdefghijklmnop"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
"""


def _run(argv: list[str], cwd: Path, timeout: int) -> None:
    done = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=_env()
    )
    if done.returncode:
        raise SystemExit(f"bench: {' '.join(argv)} failed:\n{(done.stdout + done.stderr)[-2000:]}")


def _env() -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "benchsite.settings.production"}


def prepare_wagtail(cache: Path, timeout: int) -> None:
    venv, site = cache / "wagtail-venv", cache / "wagtail"
    python = venv / "bin" / "python"
    if not (venv / "bin" / "gunicorn").exists() or not (venv / "bin" / "wagtail").exists():
        print("  creating the Wagtail venv (pip install 'wagtail>=8,<9' gunicorn)…")
        base = getattr(sys, "_base_executable", sys.executable)
        _run([base, "-m", "venv", str(venv)], cache, timeout)
        _run(
            [str(python), "-m", "pip", "install", "--quiet", "wagtail>=8,<9", "gunicorn"],
            cache,
            timeout,
        )
    if not (site / "manage.py").exists():
        site.mkdir(parents=True, exist_ok=True)
        _run([str(venv / "bin" / "wagtail"), "start", "benchsite", str(site)], cache, timeout)
    (site / "benchsite" / "settings" / "local.py").write_text(LOCAL_SETTINGS)
    _run([str(python), "manage.py", "migrate", "--noinput"], site, timeout)
    _run(
        [str(python), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], site, timeout
    )


def wagtail_version(cache: Path) -> str:
    out = subprocess.run(
        [
            str(cache / "wagtail-venv" / "bin" / "python"),
            "-c",
            "import wagtail, django; print(wagtail.__version__, django.__version__)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.stdout.strip()


def wagtail_server(
    procs: Processes, cache: Path, *, host: str, port: int, workers: int
) -> "subprocess.Popen[bytes]":
    site = cache / "wagtail"
    proc = procs.start(
        "wagtail",
        [
            str(cache / "wagtail-venv" / "bin" / "gunicorn"),
            "benchsite.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"{host}:{port}",
            "--log-level",
            "warning",
        ],
        log=cache / "logs" / "wagtail.log",
        cwd=site,
        env=_env(),
    )
    wait_http(f"http://{host}:{port}/", proc, "Wagtail")
    return proc
