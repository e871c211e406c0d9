"""How fast citizens get their pages, measured in one run on this machine (`make bench`).

For home, the directory, an institution and a procedure page, wrk at 50 connections measures
requests/s and p50/p99 (a) through the deployed nginx page cache, warm, and (b) rendered by the
application with no cache (gunicorn, VENTANILLA_PAGE_CACHE=0, VENTANILLA_COMPRESS=0) — beside
nginx serving a static file of the procedure page's size and a default Wagtail page (gunicorn,
same worker count, no cache). Prints a table with the ratios and the CPU time per request, and
writes bench/results/pages-<date>.json. Refuses to report when other processes use the CPU.

    .venv/bin/python bench/pages.py            # BENCH_SECONDS=10 per run by default
"""

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    Processes,
    Refused,
    children,
    cpu_seconds,
    ensure_quiet,
    ensure_system_tools,
    fetch,
    run_wrk,
    wait_http,
)
from wagtail_site import prepare_wagtail, wagtail_server

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"
PORTS = {"nginx": 18300, "app": 18301, "wagtail": 18302}
DB_NAME = "ventanilla_bench"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
THREADS, CONNECTIONS = 2, 50
BUSY_LIMIT = 0.15
WORKERS = (os.cpu_count() or 1) + 1  # deploy/gunicorn.conf.py's default
TIME_LIMIT = int(os.environ.get("BENCH_TIME_LIMIT", "900"))  # the measuring part, in seconds
PAGES = ("home", "directory", "institution", "procedure")


def app_env(*, page_cache: bool = False) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "VENTANILLA_DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DB_NAME}",
        "VENTANILLA_CACHE_URL": f"redis://{HOST}:6379/14",
        "VENTANILLA_PAGE_CACHE": "1" if page_cache else "0",
        "VENTANILLA_COMPRESS": "0",
        "VENTANILLA_STATIC_ROOT": str(CACHE / "static"),
        "VENTANILLA_ALLOWED_HOSTS": f"{HOST},localhost",
        "VENTANILLA_PURGE_URLS": "",
        "VENTANILLA_SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "GUNICORN_BIND": f"{HOST}:{PORTS['app']}",
        "GUNICORN_WORKERS": str(WORKERS),
        # No worker recycling mid-run: Wagtail's gunicorn has none either.
        "GUNICORN_MAX_REQUESTS": "0",
    }


def manage(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=app_env(),
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def pick_pages() -> dict[str, str]:
    out = subprocess.run(
        [PY, "bench/appdata.py", "pick"],
        cwd=ROOT,
        env=app_env(),
        text=True,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare_database() -> dict[str, str]:
    """ventanilla_bench on PostgreSQL, migrated and loaded with the real data when possible."""
    exists = subprocess.run(
        [
            "psql",
            "-h",
            HOST,
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'",  # noqa: S608 (a constant)
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.strip()
    if not exists:
        print(f"  creating database {DB_NAME}")
        subprocess.run(["createdb", "-h", HOST, "-U", "postgres", DB_NAME], check=True, timeout=60)
    done = manage("migrate", "--noinput")
    if done.returncode:
        raise SystemExit(f"bench: migrate failed:\n{done.stdout}{done.stderr}")
    # Always (re)load: it is idempotent, brings the bench database to today's data and leaves
    # it vacuumed and analysed, as a deployment after a load would be.
    if "load_reference_data" in manage("help", "--commands").stdout:
        print("  loading the reference data (manage.py load_reference_data)…")
        done = manage("load_reference_data", timeout=1800)
        if done.returncode:
            print(
                f"  load_reference_data failed (exit {done.returncode}):\n"
                f"{(done.stdout + done.stderr)[-1500:]}"
            )
        else:
            print("  " + "\n  ".join(done.stdout.strip().splitlines()[-12:]))
    pages = pick_pages()
    if pages["data"] == "reference":
        subprocess.run(
            [PY, "bench/appdata.py", "unseed"], cwd=ROOT, env=app_env(), check=True, timeout=120
        )
        pages = pick_pages()
    if pages["data"] != "reference":
        print("  no reference data: seeding a few rows through the ORM (figures marked 'seed')")
        subprocess.run(
            [PY, "bench/appdata.py", "seed"], cwd=ROOT, env=app_env(), check=True, timeout=120
        )
        pages = pick_pages()
    done = manage("collectstatic", "--noinput", "--verbosity", "0")
    if done.returncode:
        raise SystemExit(f"bench: collectstatic failed:\n{done.stderr[-1500:]}")
    return pages


def start_app(procs: Processes, *, page_cache: bool) -> "subprocess.Popen[bytes]":
    """gunicorn as deployed (page_cache: the application marks pages for nginx and keeps its
    own Redis page cache) or rendering every request (the (b) rows)."""
    proc = procs.start(
        "gunicorn",
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "deploy/gunicorn.conf.py"],
        log=CACHE / "logs" / "app.log",
        cwd=ROOT,
        env=app_env(page_cache=page_cache),
    )
    wait_http(f"http://{HOST}:{PORTS['app']}/", proc, "gunicorn")
    return proc


def start_nginx(procs: Processes) -> "subprocess.Popen[bytes]":
    prefix = CACHE / "nginx"
    shutil.rmtree(prefix, ignore_errors=True)
    subprocess.run(
        [
            PY,
            "deploy/render_nginx.py",
            "--standalone",
            str(prefix),
            "--listen",
            f"{HOST}:{PORTS['nginx']}",
            "--upstream",
            f"{HOST}:{PORTS['app']}",
            "--cache-dir",
            str(prefix / "cache"),
            "--static-root",
            str(CACHE / "static"),
        ],
        cwd=ROOT,
        check=True,
        timeout=30,
        stdout=subprocess.DEVNULL,
    )
    proc = procs.start(
        "nginx",
        ["nginx", "-c", str(prefix / "nginx.conf"), "-p", str(prefix)],
        log=CACHE / "logs" / "nginx.log",
    )
    wait_http(f"http://{HOST}:{PORTS['nginx']}/static/", proc, "nginx")
    return proc


def measure(
    label: str, url: str, *, server: "subprocess.Popen[bytes] | None" = None, warmup: bool = False
) -> dict[str, object]:
    """One wrk run after a quiet check; with `server`, also its workers' CPU per request."""
    if warmup:
        run_wrk(url, threads=THREADS, connections=CONNECTIONS, seconds=2)
    busy = ensure_quiet(BUSY_LIMIT)
    workers = children(server.pid) if server else []
    cpu0 = cpu_seconds(workers)
    result = run_wrk(url, threads=THREADS, connections=CONNECTIONS, seconds=SECONDS)
    cpu = cpu_seconds(workers) - cpu0
    row: dict[str, object] = {
        "label": label,
        "url": url,
        "busy_before": round(busy, 3),
        **result.__dict__,
    }
    if workers and result.requests:
        row["cpu_ms_per_request"] = round(1000 * cpu / result.requests, 3)
    flag = (
        ""
        if not (result.errors or result.non_2xx)
        else f"  !! {result.errors} socket errors, {result.non_2xx} non-2xx"
    )
    print(
        f"  {label:<34} {result.rps:>9.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms{flag}"
    )
    return row


def run(procs: Processes) -> dict[str, object]:
    started = datetime.now()
    print("Preparing (tools, PostgreSQL ventanilla_bench, Wagtail baseline)…")
    ensure_system_tools()
    (CACHE / "logs").mkdir(parents=True, exist_ok=True)
    pages = prepare_database()
    prepare_wagtail(CACHE, timeout=900)
    urls = {name: pages[name] for name in PAGES}
    print(
        f"  data: {pages['data']} ({pages['institutions']} institutions, "
        f"{pages['procedures']} procedures)"
    )

    signal.alarm(TIME_LIMIT)
    subprocess.run(
        ["redis-cli", "-n", "14", "FLUSHDB"], check=True, timeout=30, stdout=subprocess.DEVNULL
    )
    app = start_app(procs, page_cache=True)
    nginx = start_nginx(procs)
    app_url = f"http://{HOST}:{PORTS['app']}"
    nginx_url = f"http://{HOST}:{PORTS['nginx']}"
    checks: dict[str, dict[str, object]] = {}
    for name, path in urls.items():
        status, _headers, body = fetch(app_url + path)
        fetch(nginx_url + path)
        _s, cached_headers, _b = fetch(nginx_url + path)
        checks[name] = {
            "path": path,
            "status": status,
            "bytes": len(body),
            "nginx_cache": cached_headers.get("x-cache", "-"),
        }
        print(
            f"  {name:<12} {path:<60} {status} {len(body):>7} B  "
            f"nginx {checks[name]['nginx_cache']}"
        )
    same_size = CACHE / "static" / "bench-same-size.html"
    same_size.write_bytes(b"x" * int(checks["procedure"]["bytes"]))  # type: ignore[call-overload]

    print(f"Measuring: wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s, {WORKERS} gunicorn workers")
    rows = [measure("nginx static file (same size)", f"{nginx_url}/static/{same_size.name}")]
    for name, path in urls.items():
        rows.append(measure(f"(a) nginx cache: {name}", nginx_url + path))
    procs.stop(nginx)
    procs.stop(app)
    app = start_app(procs, page_cache=False)
    for name, path in urls.items():
        rows.append(measure(f"(b) app, no cache: {name}", app_url + path, server=app, warmup=True))
    procs.stop(app)
    wagtail = wagtail_server(procs, CACHE, host=HOST, port=PORTS["wagtail"], workers=WORKERS)
    rows.append(
        measure(
            "Wagtail default page, no cache",
            f"http://{HOST}:{PORTS['wagtail']}/",
            server=wagtail,
            warmup=True,
        )
    )
    procs.stop(wagtail)
    signal.alarm(0)
    return {
        "started": started.isoformat(timespec="seconds"),
        "pages": checks,
        "data": pages,
        "rows": rows,
    }


def report(result: dict[str, object]) -> int:
    rows: list[dict[str, object]] = result["rows"]  # type: ignore[assignment]
    static = float(rows[0]["rps"])  # type: ignore[arg-type]
    wagtail = float(rows[-1]["rps"])  # type: ignore[arg-type]
    print(
        f"\nVentanilla pages — {result['started']} — {os.cpu_count()} cores, "
        f"data: {result['data']['data']}"
    )  # type: ignore[index]
    head = (
        f"{'':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'×static':>8} {'×Wagtail':>9} "
        f"{'CPU ms/req':>11}"
    )
    print(head + "\n" + "-" * len(head))
    for row in rows:
        rps = float(row["rps"])  # type: ignore[arg-type]
        row["x_static"] = round(rps / static, 3) if static else None
        row["x_wagtail"] = round(rps / wagtail, 3) if wagtail else None
        cpu = row.get("cpu_ms_per_request")
        print(
            f"{row['label']:<34} {rps:>9.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
            f"{row['x_static']:>8.2f} {row['x_wagtail']:>9.2f} "
            f"{cpu if cpu is not None else '':>11}"
        )
    cached = [r for r in rows if str(r["label"]).startswith("(a)")]
    procedure = next(r for r in rows if r["label"] == "(b) app, no cache: procedure")
    worst_cached = min(float(r["x_static"]) for r in cached)  # type: ignore[arg-type]
    aims = {
        "a_cache_at_least_half_static": worst_cached >= 0.5,
        "b_procedure_at_least_3x_wagtail": float(procedure["x_wagtail"]) >= 3,  # type: ignore[arg-type]
        "b_procedure_cpu_under_3ms": float(procedure.get("cpu_ms_per_request", 99)) < 3,  # type: ignore[arg-type]
    }
    b_met = aims["b_procedure_at_least_3x_wagtail"] and aims["b_procedure_cpu_under_3ms"]
    not_cached = [n for n, c in result["pages"].items() if c["nginx_cache"] != "HIT"]  # type: ignore[union-attr]
    print(
        f"\n(a) slowest cached page = {worst_cached:.2f}× nginx static (aim ≥ 0.5): "
        f"{'met' if aims['a_cache_at_least_half_static'] else 'MISSED'}"
    )
    print(
        f"(b) procedure page = {procedure['x_wagtail']:.2f}× Wagtail (aim ≥ 3), "
        f"{procedure.get('cpu_ms_per_request')} ms CPU/request (aim < 3): "
        f"{'met' if b_met else 'MISSED'}"
    )
    if not_cached:
        print(
            f"!! not served from nginx's cache after warming: {', '.join(not_cached)} "
            "(no X-Accel-Expires, or a Set-Cookie): their (a) rows measure the application"
        )
    result["aims"] = aims
    result["not_cached"] = not_cached
    result["machine"] = {
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
    result["settings"] = {
        "wrk": f"-t{THREADS} -c{CONNECTIONS} -d{SECONDS}s --latency",
        "gunicorn_workers": WORKERS,
        "busy_limit": BUSY_LIMIT,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"pages-{datetime.now():%Y-%m-%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nwritten {path.relative_to(ROOT)}")
    return 0


def main() -> int:
    procs = Processes()

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(f"bench: stopped by signal {signum} (time limit {TIME_LIMIT}s or TERM)")

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


if __name__ == "__main__":
    sys.exit(main())
