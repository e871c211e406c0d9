"""Scaffolding the Django benches share (login_load.py, submissions.py, interop.py): a throwaway
PostgreSQL database migrated, static files, Redis flushed, gunicorn as deployed started and
always stopped, the bench file's own Django half run in a child process, client threads released
together, percentiles, results written. Standard library only (the bench side never imports
Django: the application runs in its own processes, with its own settings)."""

import json
import math
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from harness import Processes, Refused, wait_http  # noqa: E402

CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
HOST = "127.0.0.1"
SECRET_KEY = "bench-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
PG = ["-h", HOST, "-U", "postgres"]


# ---- The application's environment and its Django half ----------------------------------


def app_env(
    *,
    database: str,
    redis_db: int,
    port: int,
    workers: int,
    settings: str = "config.settings.prod",
    **extra: str,
) -> dict[str, str]:
    """Production settings on the bench's own PostgreSQL database and Redis db, this checkout's
    code whatever the venv was installed from, gunicorn never recycling a worker mid-run.
    `extra` adds or overrides variables (VENTANILLA_MEDIA_ROOT=…)."""
    return {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{BENCH}",
        "DJANGO_SETTINGS_MODULE": settings,
        "VENTANILLA_DATABASE_URL": (
            database if "://" in database else f"postgres://postgres@{HOST}:5432/{database}"
        ),
        "VENTANILLA_CACHE_URL": f"redis://{HOST}:6379/{redis_db}",
        "VENTANILLA_STATIC_ROOT": str(CACHE / "static"),
        "VENTANILLA_ALLOWED_HOSTS": f"{HOST},localhost",
        "VENTANILLA_PURGE_URLS": "",
        "VENTANILLA_SECRET_KEY": SECRET_KEY,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling mid-run
        **extra,
    }


def manage(env: dict[str, str], *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def django_side(
    script: str, env: dict[str, str], command: str, *args: str, timeout: int = 1800
) -> dict[str, Any]:
    """Run `script`'s Django half (`script command args…`, which prints one JSON line last)
    with the application's settings; its answer."""
    done = subprocess.run(
        [PY, script, command, *args],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
    )
    if done.returncode:
        raise SystemExit(f"bench: {command} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def django_boot() -> None:
    """In a bench file's Django half: this checkout's code, the settings of the environment."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ---- Database, static files, Redis ---------------------------------------------------------


def database_fresh(name: str) -> None:
    """Drop `name` (whoever is connected) and make it again, empty."""
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=True, timeout=120)
    subprocess.run(["createdb", *PG, name], check=True, timeout=60)


def database_ensure(name: str) -> None:
    """Make `name` when it does not exist; keep it (and what it holds) when it does."""
    exists = subprocess.run(
        ["psql", *PG, "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],  # noqa: S608
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.strip()
    if not exists:
        print(f"  creating database {name}")
        subprocess.run(["createdb", *PG, name], check=True, timeout=60)


def migrate(env: dict[str, str]) -> None:
    done = manage(env, "migrate", "--noinput")
    if done.returncode:
        raise SystemExit(f"bench: migrate failed:\n{done.stdout}{done.stderr}")


def static_collected(env: dict[str, str]) -> None:
    """collectstatic into bench/.cache/static, when a file under static/ is newer than it."""
    manifest = CACHE / "static" / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        print("  collecting static files (manage.py collectstatic)…")
        done = manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        if done.returncode:
            raise SystemExit(f"bench: collectstatic failed:\n{done.stderr[-1500:]}")


def redis_flush(db: int) -> None:
    subprocess.run(
        ["redis-cli", "-n", str(db), "FLUSHDB"], check=True, timeout=30, stdout=subprocess.DEVNULL
    )


# ---- gunicorn ----------------------------------------------------------------------------


def gunicorn_start(
    procs: Processes, env: dict[str, str], *, log: str, ready_path: str
) -> "subprocess.Popen[bytes]":
    """gunicorn as deployed (deploy/gunicorn.conf.py) with `env`; returns once `ready_path`
    answers. Its output goes to bench/.cache/logs/`log`."""
    (CACHE / "logs").mkdir(parents=True, exist_ok=True)
    server = procs.start(
        "gunicorn",
        [GUNICORN, "--config", "deploy/gunicorn.conf.py"],
        log=CACHE / "logs" / log,
        cwd=ROOT,
        env=env,
    )
    wait_http(f"http://{env['GUNICORN_BIND']}{ready_path}", server, "gunicorn")
    return server


# ---- Load: client threads released together ----------------------------------------------


@dataclass
class Series:
    """Latencies of one kind of request across all clients, and the failures."""

    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def run_clients(
    clients: int, task: Callable[[int], dict[str, Any]], per_client: int
) -> tuple[dict[str, Series], float]:
    """`clients` threads released together, each calling task(client) per_client times; a
    task returns {series name: seconds or [seconds…]}. A failure is kept under "failed".
    Returns the series by name and the wall time."""
    series: dict[str, Series] = {}
    lock = threading.Lock()
    gate = threading.Barrier(clients + 1)

    def worker(number: int) -> None:
        gate.wait()
        for _ in range(per_client):
            try:
                timings = task(number)
            except Exception as error:  # every failure is counted and shown
                with lock:
                    series.setdefault("failed", Series()).failures.append(str(error)[:300])
                continue
            with lock:
                for name, value in timings.items():
                    values = value if isinstance(value, list) else [value]
                    series.setdefault(name, Series()).seconds.extend(values)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return series, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0.5 → p50); 0.0 for no values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else 0.0


def median(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# ---- Running and reporting ---------------------------------------------------------------


def bench_main(
    run: Callable[[Processes], dict[str, Any]],
    report: Callable[[dict[str, Any]], int],
    *,
    time_limit: int,
) -> int:
    """run(procs) then report(result), stopping every process the bench started whatever
    happens; SIGTERM or SIGALRM (the time limit, armed by the bench with signal.alarm) stop the
    run. Exit code: report's, 3 when the bench refused to measure, 130 when interrupted."""
    procs = Processes()

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(f"bench: stopped by signal {signum} (time limit {time_limit}s or TERM)")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, stop)
    try:
        return report(run(procs))
    except Refused as refused:
        print(refused.code, file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("bench: interrupted; stopping everything it started", file=sys.stderr)
        return 130
    finally:
        procs.stop_all()


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count() or 1,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def results_write(name: str, result: dict[str, Any]) -> Path:
    """bench/results/<name>-<date>.json; the path, relative to the checkout."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{datetime.now():%Y-%m-%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return path.relative_to(ROOT)
