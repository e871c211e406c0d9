"""How long a citizen waits to log in when 50 log in at once, measured in one run on this machine.

gunicorn as deployed (deploy/gunicorn.conf.py, sync workers, one per core plus one) on
PostgreSQL (database ventanilla_bench_login) with sessions in Redis, and the password hasher the
settings choose (Argon2id). 50 clients, each with its own citizen account, each: GET
/cuenta/ingresar/ (the CSRF cookie and token), then POST documento + password, which must answer
302 into the account. In the same run, the baselines: the same number of requests, at the same
concurrency and from the same client code, to a static file (WhiteNoise) and to the login form
itself (a dynamic page that hashes nothing); and the hasher's verify alone, one thread, in one
process. Prints requests/s, p50 and p99, CPU ms per request of the gunicorn workers, and writes
bench/results/login_load-<date>.json. Refuses to report when other processes use the CPU.

    .venv/bin/python bench/login_load.py                # BENCH_LOGINS=500 by default
    BENCH_BUSY_LIMIT=0.5 .venv/bin/python bench/login_load.py   # a shared machine

The load generator is Python threads (the login needs a cookie and a token per client, which
wrk cannot carry without a script); its own CPU runs on the same cores, so every row pays it.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    HOST,
    Series,
    app_env,
    bench_main,
    database_ensure,
    django_boot,
    django_side,
    gunicorn_start,
    machine,
    migrate,
    percentile,
    redis_flush,
    results_write,
    run_clients,
    static_collected,
)
from harness import Processes, children, cpu_seconds, ensure_quiet

PORT = 18310
DB_NAME = "ventanilla_bench_login"
REDIS_DB = 12
CLIENTS = 50
LOGINS = int(os.environ.get("BENCH_LOGINS", "500"))
HASH_SAMPLES = int(os.environ.get("BENCH_HASH_SAMPLES", "100"))
BUSY_LIMIT = float(os.environ.get("BENCH_BUSY_LIMIT", "0.25"))
WORKERS = (os.cpu_count() or 1) + 1  # deploy/gunicorn.conf.py's default
TIME_LIMIT = int(os.environ.get("BENCH_TIME_LIMIT", "900"))
LOGIN_PATH = "/cuenta/ingresar/"
STATIC_PATH = "/static/css/ventanilla.css"
PASSWORD = "bench-login-contraseña-larga"  # noqa: S105 - the bench accounts' own
FIRST_DNI = 60_000_000  # bench accounts: DNI 60000000, 60000001, …


def env() -> dict[str, str]:
    return app_env(database=DB_NAME, redis_db=REDIS_DB, port=PORT, workers=WORKERS)


def prepare() -> dict[str, Any]:
    """The bench database migrated, static files collected, CLIENTS citizen accounts."""
    database_ensure(DB_NAME)
    migrate(env())
    static_collected(env())
    redis_flush(REDIS_DB)
    return django_side(__file__, env(), "accounts", str(CLIENTS))


# ---- the load: CLIENTS threads, one fresh connection per request --------------------------


@dataclass
class Answer:
    status: int
    location: str
    cookies: dict[str, str]
    body: bytes
    seconds: float


def send(
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Answer:
    headers = {"Host": HOST, "User-Agent": "ventanilla-bench-login"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(HOST, PORT, timeout=120)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    jar = {}
    for line in response.msg.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return Answer(response.status, response.getheader("Location") or "", jar, data, elapsed)


_TOKEN = re.compile(
    rb'name="csrfmiddlewaretoken"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrfmiddlewaretoken"'
)


def login(dni: str) -> tuple[Answer, Answer]:
    """One citizen logging in: the form, then the password. Raises when it does not succeed."""
    form = send("GET", LOGIN_PATH)
    match = _TOKEN.search(form.body)
    if form.status != 200 or not match:
        raise RuntimeError(
            f"login form: HTTP {form.status}, CSRF token {'found' if match else 'missing'}"
        )
    token = (match.group(1) or match.group(2)).decode()
    posted = send(
        "POST",
        LOGIN_PATH,
        cookies=form.cookies,
        form={"csrfmiddlewaretoken": token, "documento": dni, "password": PASSWORD},
    )
    if posted.status != 302 or "ingresar" in posted.location:
        text = posted.body.decode(errors="replace")
        hint = re.findall(r'role="alert"[^>]*>\s*([^<]+)', text)
        raise RuntimeError(f"login POST: HTTP {posted.status} → {posted.location!r} {hint[:1]}")
    return form, posted


def row(
    label: str,
    values: list[float],
    wall: float,
    *,
    cpu: float | None = None,
    failures: int = 0,
    busy: float | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "label": label,
        "requests": len(values),
        "rps": round(len(values) / wall, 1) if wall else 0.0,
        "p50_ms": round(1000 * percentile(values, 0.50), 2),
        "p99_ms": round(1000 * percentile(values, 0.99), 2),
        "failures": failures,
    }
    if cpu is not None and values:
        result["cpu_ms_per_request"] = round(1000 * cpu / len(values), 2)
    if busy is not None:
        result["busy_before"] = round(busy, 3)
    return result


def measure(
    label: str,
    task: Callable[[int], dict[str, float]],
    server: "subprocess.Popen[bytes]",
    keys: dict[str, str],
) -> list[dict[str, Any]]:
    """One load run; `keys` maps a series name to the row label it reports under."""
    busy = ensure_quiet(BUSY_LIMIT)
    workers = children(server.pid)
    cpu0 = cpu_seconds(workers)
    per_client = max(1, LOGINS // CLIENTS)
    series, wall = run_clients(CLIENTS, task, per_client)
    cpu = cpu_seconds(workers) - cpu0
    failed = series.pop("failed", Series()).failures
    rows: list[dict[str, Any]] = []
    for name, shown in keys.items():
        values = series.get(name, Series()).seconds
        # The workers' CPU covers every request of the run: charged to its first row only
        # (for the login run, the whole login: form and POST).
        rows.append(
            row(shown, values, wall, cpu=cpu if not rows else None, failures=len(failed), busy=busy)
        )
    for r in rows:
        flag = f"  !! {r['failures']} failed: {failed[0]}" if failed else ""
        print(
            f"  {r['label']:<40} {r['rps']:>8.1f} req/s  p50 {r['p50_ms']:8.1f} ms  "
            f"p99 {r['p99_ms']:8.1f} ms{flag}"
        )
    return rows


def run(procs: Processes) -> dict[str, Any]:
    started = datetime.now()
    print(f"Preparing (PostgreSQL {DB_NAME}, Redis db {REDIS_DB}, {CLIENTS} citizen accounts)…")
    accounts = prepare()
    dnis: list[str] = accounts["dnis"]
    print(f"  hasher: {accounts['hasher']}")
    signal.alarm(TIME_LIMIT)

    print(f"Hasher alone: {HASH_SAMPLES} verifies in one thread…")
    busy = ensure_quiet(BUSY_LIMIT)
    alone = django_side(__file__, env(), "verify", str(HASH_SAMPLES))
    hash_row = row(
        "password verify alone (1 thread)", alone["seconds"], sum(alone["seconds"]), busy=busy
    )
    hash_row["cpu_ms_per_request"] = round(1000 * alone["cpu_seconds"] / HASH_SAMPLES, 2)
    print(
        f"  {hash_row['label']:<40} {hash_row['rps']:>8.1f} /s     p50 "
        f"{hash_row['p50_ms']:8.1f} ms  p99 {hash_row['p99_ms']:8.1f} ms"
    )

    server = gunicorn_start(procs, env(), log="login_app.log", ready_path=STATIC_PATH)
    login(dnis[0])  # it works end to end before anything is timed
    print(
        f"Measuring: {CLIENTS} concurrent clients, {LOGINS} requests a row, "
        f"{WORKERS} gunicorn workers"
    )
    # Warm every worker (imports, connections, templates) before the first timed row.
    run_clients(CLIENTS, lambda n: {"get": send("GET", LOGIN_PATH).seconds}, 2)

    def static(_n: int) -> dict[str, float]:
        answer = send("GET", STATIC_PATH)
        if answer.status != 200:
            raise RuntimeError(f"static file: HTTP {answer.status}")
        return {"static": answer.seconds}

    def form(_n: int) -> dict[str, float]:
        answer = send("GET", LOGIN_PATH)
        if answer.status != 200:
            raise RuntimeError(f"login form: HTTP {answer.status}")
        return {"form": answer.seconds}

    def citizen(n: int) -> dict[str, float]:
        got, posted = login(dnis[n])
        return {"post": posted.seconds, "both": got.seconds + posted.seconds}

    rows = [hash_row]
    rows += measure("static", static, server, {"static": "static file (WhiteNoise)"})
    rows += measure("form", form, server, {"form": "login form GET (no hashing)"})
    rows += measure(
        "login",
        citizen,
        server,
        {
            "both": "whole login (GET form + POST)",
            "post": "login POST → 302 (verify + session)",
        },
    )
    procs.stop(server)
    signal.alarm(0)
    return {
        "started": started.isoformat(timespec="seconds"),
        "hasher": accounts["hasher"],
        "rows": rows,
    }


def report(result: dict[str, Any]) -> int:
    rows: list[dict[str, Any]] = result["rows"]
    by = {r["label"]: r for r in rows}
    verify = by["password verify alone (1 thread)"]
    static = by["static file (WhiteNoise)"]
    form = by["login form GET (no hashing)"]
    post = by["login POST → 302 (verify + session)"]
    whole = by["whole login (GET form + POST)"]
    # The POST's CPU: a whole login's less a form's.
    post_cpu = None
    if whole.get("cpu_ms_per_request") and form.get("cpu_ms_per_request"):
        post_cpu = round(whole["cpu_ms_per_request"] - form["cpu_ms_per_request"], 2)
    cores = os.cpu_count() or 1
    print(
        f"\nVentanilla login under {CLIENTS} concurrent logins — {result['started']} — "
        f"{cores} cores, {WORKERS} gunicorn workers, hasher {result['hasher']}"
    )
    head = (
        f"{'':<40} {'n':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11} {'fail':>5}"
    )
    print(head + "\n" + "-" * len(head))
    for r in rows:
        cpu = r.get("cpu_ms_per_request")
        print(
            f"{r['label']:<40} {r['requests']:>5} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} "
            f"{r['p99_ms']:>8.1f} {cpu if cpu is not None else '':>11} {r['failures']:>5}"
        )
    # CPU, not wall time: on a shared machine the wall time also holds other processes' turns.
    # Every login spends at least the verify's CPU, so the cores allow at most `bound` a second;
    # and a whole login's CPU says what an idle machine would do (`idle_*`, an estimate).
    verify_cpu = float(verify.get("cpu_ms_per_request") or 0)
    bound = cores / (verify_cpu / 1000) if verify_cpu else 0
    whole_cpu = float(whole.get("cpu_ms_per_request") or 0)
    idle_rate = cores / (whole_cpu / 1000) if whole_cpu else 0
    summary = {
        "login_p50_ms": post["p50_ms"],
        "login_p99_ms": post["p99_ms"],
        "logins_per_second": post["rps"],
        "verify_alone_p50_ms": verify["p50_ms"],
        "login_post_cpu_ms": post_cpu,
        "verify_share_of_login_post_cpu": (
            round(verify["cpu_ms_per_request"] / post_cpu, 2) if post_cpu else None
        ),
        "logins_per_second_bound_by_verify": round(bound, 1),
        # 50 clients looping on an idle machine: each waits for the 49 others' logins.
        "idle_estimate_logins_per_second": round(idle_rate, 1),
        "idle_estimate_whole_login_ms": round(1000 * CLIENTS / idle_rate) if idle_rate else None,
        "login_p50_over_form_p50": round(post["p50_ms"] / form["p50_ms"], 1)
        if form["p50_ms"]
        else None,
        "login_p50_over_static_p50": (
            round(post["p50_ms"] / static["p50_ms"], 1) if static["p50_ms"] else None
        ),
    }
    print(
        f"\nlogin p50 {post['p50_ms']:.0f} ms, p99 {post['p99_ms']:.0f} ms at {CLIENTS} at once; "
        f"{post['rps']:.0f} logins/s (the verify's CPU allows ≈{bound:.0f}/s on {cores} cores; "
        f"a whole login's CPU ≈{idle_rate:.0f}/s on an idle machine); "
        f"the POST costs {post_cpu} ms CPU, "
        f"{summary['verify_share_of_login_post_cpu']} of it the verify"
    )
    failed = [r["label"] for r in rows if r["failures"]]
    if failed:
        print(f"!! failures in: {', '.join(failed)} — those figures are not a clean run")
    result["summary"] = summary
    result["machine"] = machine()
    result["settings"] = {
        "clients": CLIENTS,
        "requests_per_row": LOGINS,
        "gunicorn_workers": WORKERS,
        "busy_limit": BUSY_LIMIT,
        "sessions": "Redis (config.settings.prod)",
    }
    print(f"\nwritten {results_write('login_load', result)}")
    return 1 if failed else 0


def main() -> int:
    return bench_main(run, report, time_limit=TIME_LIMIT)


# ---- the Django half, run in a child process with the application's settings ---------------


def django_accounts(count: int) -> dict[str, Any]:
    """`count` citizen accounts with PASSWORD, hashed by the settings' hasher; no second factor
    (a login ends at the password). Idempotent; also lifts locks and throttles."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import get_hasher

    from ventanilla.accounts.models import LoginThrottle

    user_model = get_user_model()
    dnis = [str(FIRST_DNI + n) for n in range(count)]
    for n, dni in enumerate(dnis):
        user, _created = user_model.objects.get_or_create(
            username=f"dni-{dni}",
            defaults={
                "document_type": "dni",
                "document_number": dni,
                "first_name": "CIUDADANA",
                "last_name": f"BENCH {n:02d}",
                "email": f"bench-{dni}@example.org",
            },
        )
        user.set_password(PASSWORD)
        user.locked_at = None
        user.is_active = True
        user.save()
    LoginThrottle.objects.all().delete()
    hasher = get_hasher()
    params = {
        k: getattr(hasher, k)
        for k in ("time_cost", "memory_cost", "parallelism")
        if hasattr(hasher, k)
    }
    described = f"{hasher.algorithm} " + " ".join(f"{k}={v}" for k, v in params.items())
    return {"dnis": dnis, "hasher": described}


def django_verify(samples: int) -> dict[str, Any]:
    """The settings' hasher verifying the right password, `samples` times in this thread."""
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password(PASSWORD)
    check_password(PASSWORD, encoded)  # warm (imports, first allocation)
    seconds = []
    cpu0 = time.process_time()
    for _ in range(samples):
        started = time.perf_counter()
        assert check_password(PASSWORD, encoded)
        seconds.append(time.perf_counter() - started)
    return {"seconds": seconds, "cpu_seconds": time.process_time() - cpu0}


def django_main(command: str, argument: str) -> None:
    django_boot()
    handler = {"accounts": django_accounts, "verify": django_verify}[command]
    print(json.dumps(handler(int(argument))))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in {"accounts", "verify"}:
        django_main(sys.argv[1], sys.argv[2])
    else:
        sys.exit(main())
