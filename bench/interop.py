"""The information mediator, measured in one run on this machine (`make bench-interop`).

1. Added latency: one client, one request at a time, a fresh connection each. A read of the
   fake RENIEC registry straight at its own port (the baseline), the same read through the
   mediator (`POST /r1/PE/GOB/20295613620/padron/personas/read` with the MTC's API key, its
   access right and the citizen's consent: the real path, with the request hash, the signed
   and chained log entry and the forward), and an empty Django view (what gunicorn, the
   middleware and the URL resolver cost before the mediator does anything). The three are
   interleaved in BENCH_LATENCY_ROUNDS rounds so that the machine's noise falls on all alike.
2. Exchanges per second with 2 gunicorn workers: BENCH_CLIENTS concurrent clients for
   BENCH_LOAD_SECONDS through the mediator, beside the registry alone and the empty view (the
   median of BENCH_LOAD_ROUNDS rounds).
3. The message log at BENCH_CHAIN_ENTRIES (1,000,000) entries: signed, chained entries made
   with the mediator's own functions (services/messagelog.py: the canonical form, the hash,
   the signature) and bulk-inserted, then `manage.py verify_message_log` timed on PostgreSQL
   and (BENCH_SQLITE=1, the default) SQLite. The gunicorn run then appends to that chain.
4. After the run: every request the clients sent (each with its own X-Road-Id) is in the log
   exactly once, nothing else is, and verify_message_log passes over the whole chain.

gunicorn as deployed (deploy/gunicorn.conf.py, sync workers) on a throwaway PostgreSQL
database (ventanilla_bench_interop, dropped and made again each run), Redis as the cache,
production settings with one empty view added (bench/submissions_settings.py). The load
generator runs on the same cores as everything else; every row pays it alike.

    .venv/bin/python bench/interop.py
    BENCH_CHAIN_ENTRIES=100000 BENCH_SQLITE=0 .venv/bin/python bench/interop.py   # quicker
"""

import http.client
import json
import multiprocessing
import os
import random
import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _harness import (  # noqa: E402
    CACHE,
    HOST,
    PY,
    ROOT,
    app_env,
    bench_main,
    database_fresh,
    django_boot,
    django_side,
    gunicorn_start,
    machine,
    manage,
    median,
    migrate,
    percentile,
    redis_flush,
    results_write,
    static_collected,
)
from harness import Processes, busy_fraction, wait_http  # noqa: E402

DB_NAME = "ventanilla_bench_interop"
SQLITE_PATH = CACHE / "interop-chain.sqlite3"
CHAIN_FILE = CACHE / "interop-chain.tsv"
VAR_DIR = CACHE / "interop-var"  # the bench's own signing key
REDIS_DB = 13
PORT = 18330
REGISTRY_PORT = 18331
WORKERS = 2
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
LOAD_PROCESSES = int(os.environ.get("BENCH_LOAD_PROCESSES", "2"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "10"))
LOAD_ROUNDS = int(os.environ.get("BENCH_LOAD_ROUNDS", "3"))
LATENCY_ROUNDS = int(os.environ.get("BENCH_LATENCY_ROUNDS", "5"))
LATENCY_SAMPLES = int(os.environ.get("BENCH_LATENCY_SAMPLES", "200"))  # per kind and round
CHAIN_ENTRIES = int(os.environ.get("BENCH_CHAIN_ENTRIES", "1000000"))
SQLITE = os.environ.get("BENCH_SQLITE", "1") not in {"", "0", "no"}
# The fake registry (http.server) writes a response's headers and body in two sends: on a kept-
# alive connection, as the mediator's pool uses it, Nagle's algorithm holds the body until the
# client's delayed ACK (~40 ms). Real registries behind nginx set TCP_NODELAY; so does the
# bench's registry process unless BENCH_REGISTRY_AS_IS=1 (then the fake runs as `make demo`
# runs it). The "kept-alive" baseline row shows which case the run measured.
REGISTRY_AS_IS = os.environ.get("BENCH_REGISTRY_AS_IS", "") not in {"", "0", "no"}
REGISTRY_NODELAY = (
    "import sys\n"
    "from ventanilla.integrations.registries import fake\n"
    "fake._Handler.disable_nagle_algorithm = True\n"
    "fake.RegistryServer.request_queue_size = 128\n"
    "fake.main(sys.argv[1:])\n"
)
TIME_LIMIT = int(os.environ.get("BENCH_TIME_LIMIT", "3600"))

MTC_RUC = "20131379944"
CLIENT = f"PE/GOB/{MTC_RUC}/ventanilla"  # the MTC's digital services: granted, with consent
SERVICE = "PE/GOB/20295613620/padron/personas"
MEDIATOR_PATH = f"/r1/{SERVICE}/read"
REGISTRY_PATH = "/data/personas/1.0/read"
EMPTY_PATH = "/bench/vacia/"  # bench/submissions_urls.py
PURPOSE_KEY = "bench:interop"


def env(database: str = DB_NAME) -> dict[str, str]:
    return app_env(
        database=database,
        redis_db=REDIS_DB,
        port=PORT,
        workers=WORKERS,
        settings="submissions_settings",
        VENTANILLA_VAR_DIR=str(VAR_DIR),
    )


def sqlite_env() -> dict[str, str]:
    return env(f"sqlite:///{SQLITE_PATH}")


# ---- HTTP: one fresh connection per request -----------------------------------------------


@dataclass
class Answer:
    status: int
    seconds: float
    headers: dict[str, str]
    body: bytes


def send(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    return Answer(response.status, elapsed, {k.lower(): v for k, v in response.getheaders()}, data)


@dataclass
class Target:
    """One kind of request the bench sends: where, and how it knows the answer is right."""

    name: str
    port: int
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    logged: bool = False  # each request carries its own X-Road-Id and must be logged once
    keep_alive: bool = False  # one connection, kept open (as the mediator's pool calls)
    _connection: http.client.HTTPConnection | None = None

    def call(self) -> tuple[Answer, str]:
        headers = dict(self.headers)
        x_road_id = ""
        if self.logged:
            x_road_id = str(uuid.uuid4())
            headers["X-Road-Id"] = x_road_id
        if self.keep_alive:
            answer = self._send_kept(headers)
        else:
            answer = send(self.port, self.method, self.path, self.body or None, headers)
        if answer.status != 200:
            raise RuntimeError(f"{self.name}: HTTP {answer.status} {answer.body[:200]!r}")
        if self.logged and answer.headers.get("x-road-id") != x_road_id:
            raise RuntimeError(f"{self.name}: X-Road-Id {answer.headers.get('x-road-id')!r}")
        return answer, x_road_id

    def _send_kept(self, headers: dict[str, str]) -> Answer:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        started = time.perf_counter()
        try:
            self._connection.request(
                self.method, self.path, body=self.body or None, headers={"Host": HOST, **headers}
            )
            response = self._connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self._connection.close()
            self._connection = None
            raise
        elapsed = time.perf_counter() - started
        return Answer(
            response.status, elapsed, {k.lower(): v for k, v in response.getheaders()}, data
        )


def targets(setup: dict[str, Any]) -> dict[str, Target]:
    body = json.dumps({"query": {"content": {"ID": setup["dni"]}}}).encode()
    json_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    return {
        "registry": Target(
            "registry",
            REGISTRY_PORT,
            "POST",
            REGISTRY_PATH,
            body,
            {**json_headers, "Information-Mediator-Client": CLIENT},
        ),
        "registry_kept": Target(
            "registry_kept",
            REGISTRY_PORT,
            "POST",
            REGISTRY_PATH,
            body,
            {**json_headers, "Information-Mediator-Client": CLIENT},
            keep_alive=True,
        ),
        "empty": Target("empty", PORT, "GET", EMPTY_PATH),
        "mediator": Target(
            "mediator",
            PORT,
            "POST",
            MEDIATOR_PATH,
            body,
            {
                **json_headers,
                "X-Road-Client": CLIENT,
                "Authorization": f"Bearer {setup['key']}",
                "X-Ventanilla-Subject": f"DNI:{setup['dni']}",
                "X-Road-UserId": "usuario:gestor.bench",
                "X-Road-Issue": "BENCH-2026-000001",
            },
            logged=True,
        ),
    }


# ---- Latency: one client, interleaved rounds ---------------------------------------------


def latency(kinds: dict[str, Target], sent: list[str]) -> dict[str, Any]:
    """LATENCY_ROUNDS rounds; in each, LATENCY_SAMPLES requests of every kind in turn, the
    order of the kinds shuffled. Pooled seconds by kind, and each round's p50 by kind."""
    pooled: dict[str, list[float]] = {name: [] for name in kinds}
    rounds: list[dict[str, float]] = []
    failures: dict[str, int] = dict.fromkeys(kinds, 0)
    order = list(kinds)
    for number in range(LATENCY_ROUNDS):
        random.shuffle(order)
        this_round: dict[str, float] = {}
        for name in order:
            values = []
            for _ in range(LATENCY_SAMPLES):
                try:
                    answer, x_road_id = kinds[name].call()
                except Exception as error:  # counted; the first few are shown
                    failures[name] += 1
                    if failures[name] <= 3:
                        print(f"  !! {error}")
                    continue
                values.append(answer.seconds)
                if x_road_id:
                    sent.append(x_road_id)
            pooled[name] += values
            this_round[name] = percentile(values, 0.5)
        rounds.append(this_round)
        print(
            f"  round {number + 1}/{LATENCY_ROUNDS}: "
            + "  ".join(f"{n} p50 {1000 * this_round[n]:.2f} ms" for n in kinds)
        )
    return {"pooled": pooled, "rounds": rounds, "failures": failures}


# ---- Load: CLIENTS clients for LOAD_SECONDS, over LOAD_PROCESSES processes ------------------


def _load_child(target: Target, threads: int, start_at: float, seconds: float, out: Any) -> None:
    """In a forked process: `threads` clients looping on target until the deadline."""
    lock = threading.Lock()
    seconds_all: list[float] = []
    ids: list[str] = []
    failures: list[str] = []
    finished: list[float] = []
    end_at = start_at + seconds

    def client() -> None:
        time.sleep(max(0.0, start_at - time.time()))
        mine: list[float] = []
        my_ids: list[str] = []
        my_failures: list[str] = []
        while time.time() < end_at:
            x_road_id = ""
            try:
                answer, x_road_id = target.call()
            except Exception as error:  # counted and shown
                my_failures.append(str(error)[:200])
                continue
            mine.append(answer.seconds)
            if x_road_id:
                my_ids.append(x_road_id)
        with lock:
            seconds_all.extend(mine)
            ids.extend(my_ids)
            failures.extend(my_failures)
            finished.append(time.time())

    pool = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put({"seconds": seconds_all, "ids": ids, "failures": failures, "end": max(finished)})


def load(target: Target, sent: list[str]) -> dict[str, Any]:
    """CLIENTS clients on `target` for LOAD_SECONDS: answers per second, p50/p99."""
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 1.0  # every process forked and its threads waiting
    split = [
        CLIENTS // LOAD_PROCESSES + (1 if n < CLIENTS % LOAD_PROCESSES else 0)
        for n in range(LOAD_PROCESSES)
    ]
    children = [
        context.Process(target=_load_child, args=(target, n, start_at, LOAD_SECONDS, out))
        for n in split
        if n
    ]
    for child in children:
        child.start()
    parts = [out.get(timeout=LOAD_SECONDS + 120) for _ in children]
    for child in children:
        child.join(timeout=30)
    values = [s for p in parts for s in p["seconds"]]
    failures = [f for p in parts for f in p["failures"]]
    sent += [i for p in parts for i in p["ids"]]
    wall = max(p["end"] for p in parts) - start_at
    return {
        "n": len(values),
        "per_s": len(values) / wall if wall > 0 else 0.0,
        "p50": percentile(values, 0.5),
        "p99": percentile(values, 0.99),
        "failures": len(failures),
        "first_failure": failures[0] if failures else "",
    }


# ---- The chain of CHAIN_ENTRIES log entries -----------------------------------------------


def verify_timed(environment: dict[str, str], label: str, *args: str) -> dict[str, Any]:
    """`manage.py verify_message_log`, timed from outside (`seconds`: the process, Django's
    start included) and as it reports itself (`own`: the check alone)."""
    started = time.perf_counter()
    done = manage(environment, "verify_message_log", *args, timeout=3600)
    seconds = time.perf_counter() - started
    text = (done.stdout + done.stderr).strip()
    said = re.search(r"en ([\d.]+) s\.", done.stdout)
    own = float(said.group(1)) if said else seconds
    print(
        f"  verify_message_log {' '.join(args)} on {label}: {own:.1f} s "
        f"({seconds:.1f} s with the process start), exit {done.returncode}"
    )
    if done.returncode:
        print("    " + text[-600:].replace("\n", "\n    "))
    return {"seconds": seconds, "own": own, "ok": done.returncode == 0, "output": text[-2000:]}


def chain(result: dict[str, Any]) -> None:
    print(f"The message log at {CHAIN_ENTRIES:,} entries…")
    made = django_side(__file__, env(), "chain_make", str(CHAIN_ENTRIES), str(CHAIN_FILE))
    print(
        f"  made {made['entries']:,} signed, chained entries with messagelog.py's functions in "
        f"{made['seconds']:.1f} s ({made['entries'] / made['seconds']:,.0f}/s; one process: "
        "each hash covers the previous signature)"
    )
    result["chain_make"] = made
    loaded = django_side(__file__, env(), "chain_load", str(CHAIN_FILE))
    print(f"  PostgreSQL: COPY {loaded['entries']:,} rows in {loaded['seconds']:.1f} s")
    result["chain_load_postgres"] = loaded
    result["verify_postgres"] = {"entries": loaded["entries"], **verify_timed(env(), "PostgreSQL")}
    result["verify_postgres_1"] = {
        "entries": loaded["entries"],
        **verify_timed(env(), "PostgreSQL", "--procesos", "1"),
    }
    if SQLITE:
        SQLITE_PATH.unlink(missing_ok=True)
        print("  SQLite: migrating a fresh database…")
        migrate(sqlite_env())
        loaded = django_side(__file__, sqlite_env(), "chain_load", str(CHAIN_FILE))
        print(f"  SQLite: inserted {loaded['entries']:,} rows in {loaded['seconds']:.1f} s")
        result["chain_load_sqlite"] = loaded
        result["verify_sqlite"] = {
            "entries": loaded["entries"],
            **verify_timed(sqlite_env(), "SQLite"),
        }
        SQLITE_PATH.unlink(missing_ok=True)
    CHAIN_FILE.unlink(missing_ok=True)


# ---- The run -------------------------------------------------------------------------------


def run(procs: Processes) -> dict[str, Any]:
    result: dict[str, Any] = {"started": datetime.now().isoformat(timespec="seconds")}
    signal.alarm(TIME_LIMIT)
    print(f"Preparing (PostgreSQL {DB_NAME}, Redis db {REDIS_DB})…")
    CACHE.mkdir(parents=True, exist_ok=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    database_fresh(DB_NAME)
    migrate(env())
    static_collected(env())
    redis_flush(REDIS_DB)
    if CHAIN_ENTRIES:
        chain(result)

    print("Starting the fake RENIEC registry and gunicorn…")
    registry = procs.start(
        "registry",
        [
            PY,
            *(["-m", "ventanilla.integrations.registries.fake"] if REGISTRY_AS_IS else []),
            *([] if REGISTRY_AS_IS else ["-c", REGISTRY_NODELAY]),
            "--registry",
            "reniec",
            "--port",
            str(REGISTRY_PORT),
            "--quiet",
        ],
        log=CACHE / "logs" / "interop_registry.log",
        cwd=ROOT,
        env=env(),
    )
    wait_http(f"http://{HOST}:{REGISTRY_PORT}/", registry, "registry")
    setup = django_side(__file__, env(), "setup", f"http://{HOST}:{REGISTRY_PORT}")
    server = gunicorn_start(procs, env(), log="interop_app.log", ready_path=EMPTY_PATH)
    kinds = targets(setup)
    sent: list[str] = []

    direct, _ = kinds["registry"].call()
    mediated, x_road_id = kinds["mediator"].call()
    sent.append(x_road_id)
    if json.loads(mediated.body) != json.loads(direct.body):
        raise SystemExit(
            f"bench: the mediator's answer differs from the registry's:\n{mediated.body[:400]!r}"
            f"\n{direct.body[:400]!r}"
        )
    print(
        f"  the same record both ways (DNI {setup['dni']}), "
        f"X-Road-Request-Hash {mediated.headers.get('x-road-request-hash', '')[:16]}…"
    )
    for _ in range(50):  # warm every worker and the registry
        for target in kinds.values():
            _answer, x_road_id = target.call()
            if x_road_id:
                sent.append(x_road_id)

    print(f"Latency: 1 client, {LATENCY_ROUNDS} rounds of {LATENCY_SAMPLES} requests a kind…")
    result["busy_before_latency"] = busy_fraction(1.0)
    result["latency"] = latency(kinds, sent)

    print(
        f"Load: {CLIENTS} clients for {LOAD_SECONDS:.0f} s, {LOAD_ROUNDS} rounds, "
        f"{WORKERS} gunicorn workers…"
    )
    result["busy_before_load"] = busy_fraction(1.0)
    loaded = {name: kinds[name] for name in ("registry", "empty", "mediator")}
    loads: dict[str, list[dict[str, Any]]] = {name: [] for name in loaded}
    for number in range(LOAD_ROUNDS):
        for name, target in loaded.items():
            one = load(target, sent)
            loads[name].append(one)
            flag = (
                f"  !! {one['failures']} failed: {one['first_failure']}" if one["failures"] else ""
            )
            print(
                f"  round {number + 1}: {name:<9} {one['per_s']:8.1f}/s  p50 "
                f"{1000 * one['p50']:7.2f} ms  p99 {1000 * one['p99']:7.2f} ms{flag}"
            )
    result["load"] = loads
    procs.stop(server)  # every answer written; nothing more will be logged
    procs.stop(registry)
    signal.alarm(0)

    print("Checking the log: every request sent is logged exactly once, and the chain verifies…")
    ids_file = CACHE / "interop-sent-ids.json"
    ids_file.write_text(json.dumps(sent))
    result["check"] = django_side(__file__, env(), "check", str(ids_file))
    ids_file.unlink(missing_ok=True)
    result["verify_after"] = verify_timed(env(), "PostgreSQL after the run")
    result["setup"] = setup
    return result


# ---- The report ----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.2f}"


def report(result: dict[str, Any]) -> int:
    cores = os.cpu_count() or 1
    lat = result["latency"]
    pooled: dict[str, list[float]] = lat["pooled"]
    p50 = {n: percentile(v, 0.5) for n, v in pooled.items()}
    p99 = {n: percentile(v, 0.99) for n, v in pooled.items()}
    paired = [r["mediator"] - r["registry"] for r in lat["rounds"]]
    print(
        f"\nVentanilla information mediator — {result['started']} — {cores} cores, {WORKERS} "
        f"gunicorn workers, PostgreSQL, Redis cache; machine "
        f"{result['busy_before_latency']:.0%} busy before the latency rows, "
        f"{result['busy_before_load']:.0%} before the load rows"
    )
    head = f"{'':<52} {'n':>7} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'fail':>5}"
    line = "-" * len(head)
    print(
        f"\n1 client, one request at a time ({LATENCY_ROUNDS} interleaved rounds)\n{head}\n{line}"
    )
    labels = {
        "registry": "registry read, direct (fake RENIEC) — baseline",
        "registry_kept": "  the same on one kept-alive connection",
        "empty": "empty Django view (gunicorn, middleware)",
        "mediator": "registry read through the mediator (key, grant,",
    }
    for name in ("registry", "registry_kept", "empty", "mediator"):
        print(
            f"{labels[name]:<52} {len(pooled[name]):>7} {'':>8} {ms(p50[name]):>8} "
            f"{ms(p99[name]):>8} {lat['failures'][name]:>5}"
        )
        if name == "mediator":
            print("  consent, request hash, signed chained log entry)")
    added50 = p50["mediator"] - p50["registry"]
    added99 = p99["mediator"] - p99["registry"]
    ratio50 = p50["mediator"] / p50["registry"] if p50["registry"] else 0.0
    ratio99 = p99["mediator"] / p99["registry"] if p99["registry"] else 0.0
    over_empty = p50["mediator"] - p50["empty"] - p50["registry"]
    print(
        f"{'added by the mediator':<52} {'':>7} {'':>8} {'+' + ms(added50):>8} "
        f"{'+' + ms(added99):>8}\n"
        f"{'  ratio mediator / direct':<52} {'':>7} {'':>8} {ratio50:>7.1f}× {ratio99:>7.1f}×\n"
        f"  added p50, paired by round: median {1000 * median(paired):.2f} ms "
        f"(rounds {', '.join(f'{1000 * p:.2f}' for p in paired)})\n"
        f"  the mediator's own work beyond an empty view and the registry: p50 "
        f"{1000 * over_empty:.2f} ms"
    )

    loads: dict[str, list[dict[str, Any]]] = result["load"]
    print(
        f"\n{CLIENTS} clients for {LOAD_SECONDS:.0f} s, {WORKERS} gunicorn workers "
        f"(median of {LOAD_ROUNDS} rounds)\n{head}\n{line}"
    )
    load_labels = {
        "registry": "registry alone (fake RENIEC)",
        "empty": "empty Django view",
        "mediator": "exchanges through the mediator",
    }
    summary_load: dict[str, dict[str, float]] = {}
    for name in ("registry", "empty", "mediator"):
        rounds = loads[name]
        shown = {
            "n": sum(r["n"] for r in rounds),
            "per_s": median([r["per_s"] for r in rounds]),
            "p50": median([r["p50"] for r in rounds]),
            "p99": median([r["p99"] for r in rounds]),
            "failures": sum(r["failures"] for r in rounds),
        }
        summary_load[name] = shown
        print(
            f"{load_labels[name]:<52} {shown['n']:>7} {shown['per_s']:>8.1f} "
            f"{ms(shown['p50']):>8} {ms(shown['p99']):>8} {shown['failures']:>5}"
        )
    rate_ratio = (
        summary_load["mediator"]["per_s"] / summary_load["registry"]["per_s"]
        if summary_load["registry"]["per_s"]
        else 0.0
    )
    print(f"  mediator exchanges/s over the registry's own: {rate_ratio:.2f}")

    if "verify_postgres" in result:
        print(f"\nThe message log at {CHAIN_ENTRIES:,} entries\n{line}")
        made = result["chain_make"]
        print(
            f"{'made with messagelog.py (hash, sign), 1 process':<52}"
            f" {made['entries']:>7} {made['entries'] / made['seconds']:>8.0f} "
            f"{made['seconds']:>7.1f}s"
        )
        for key, label in (
            ("chain_load_postgres", "bulk insert, PostgreSQL (COPY)"),
            ("chain_load_sqlite", "bulk insert, SQLite"),
        ):
            if key in result:
                r = result[key]
                print(
                    f"{label:<52} {r['entries']:>7} {r['entries'] / r['seconds']:>8.0f} "
                    f"{r['seconds']:>7.1f}s"
                )
        for key, label in (
            ("verify_postgres", f"verify_message_log, PostgreSQL ({cores} processes)"),
            ("verify_postgres_1", "verify_message_log, PostgreSQL (--procesos 1)"),
            ("verify_sqlite", f"verify_message_log, SQLite ({cores} processes)"),
        ):
            if key in result:
                r = result[key]
                print(
                    f"{label:<52} {r['entries']:>7} {r['entries'] / r['own']:>8.0f} "
                    f"{r['own']:>7.1f}s  {'ok' if r['ok'] else '!! FAILED'} "
                    f"({r['seconds']:.1f} s with Django's start)"
                )

    check = result["check"]
    after = result["verify_after"]
    print(f"\nAfter the run\n{line}")
    print(
        f"requests sent through the mediator {check['sent']:,}; log entries of the run "
        f"{check['run_entries']:,}; sent and logged once {check['logged_once']:,}; "
        f"missing {check['missing']}, twice or more {check['repeated']}, not sent "
        f"{check['unexpected']}; outcomes {check['outcomes']}"
    )
    print(
        f"verify_message_log over all {check['total_entries']:,} entries: "
        f"{'ok' if after['ok'] else '!! FAILED'} in {after['own']:.1f} s "
        f"({check['total_entries'] / after['own']:,.0f} entries/s)"
    )
    exactly_once = (
        check["missing"] == 0
        and check["repeated"] == 0
        and check["unexpected"] == 0
        and check["logged_once"] == check["sent"] == check["run_entries"]
    )
    chain_ok = all(
        result[k]["ok"]
        for k in ("verify_postgres", "verify_postgres_1", "verify_sqlite")
        if k in result
    )
    summary = {
        "direct_p50_ms": round(1000 * p50["registry"], 2),
        "direct_p99_ms": round(1000 * p99["registry"], 2),
        "mediator_p50_ms": round(1000 * p50["mediator"], 2),
        "mediator_p99_ms": round(1000 * p99["mediator"], 2),
        "empty_view_p50_ms": round(1000 * p50["empty"], 2),
        "direct_kept_alive_p50_ms": round(1000 * p50["registry_kept"], 2),
        "registry_as_is": REGISTRY_AS_IS,
        "added_p50_ms": round(1000 * added50, 2),
        "added_p99_ms": round(1000 * added99, 2),
        "ratio_p50": round(ratio50, 2),
        "ratio_p99": round(ratio99, 2),
        "exchanges_per_second": round(summary_load["mediator"]["per_s"], 1),
        "registry_alone_per_second": round(summary_load["registry"]["per_s"], 1),
        "verify_entries_per_second_postgres": (
            round(result["verify_postgres"]["entries"] / result["verify_postgres"]["own"])
            if "verify_postgres" in result
            else None
        ),
        "verify_entries_per_second_sqlite": (
            round(result["verify_sqlite"]["entries"] / result["verify_sqlite"]["own"])
            if "verify_sqlite" in result
            else None
        ),
        "logged_exactly_once": exactly_once,
        "chain_verifies_after": after["ok"],
    }
    print(
        f"\nThe mediator adds {summary['added_p50_ms']} ms at p50 and {summary['added_p99_ms']} "
        f"ms at p99 to a registry read ({ratio50:.1f}× the direct call); "
        f"{summary['exchanges_per_second']} exchanges/s with {WORKERS} workers "
        f"(the registry alone {summary['registry_alone_per_second']}/s); "
        + (
            f"{CHAIN_ENTRIES:,} entries verify at "
            f"{summary['verify_entries_per_second_postgres']:,}/s on PostgreSQL; "
            if summary["verify_entries_per_second_postgres"]
            else ""
        )
        + f"every exchange logged exactly once: {'yes' if exactly_once else 'NO'}."
    )
    failures = sum(lat["failures"].values()) + sum(s["failures"] for s in summary_load.values())
    if failures:
        print(f"!! {failures} requests failed — those figures are not a clean run")
    pooled_out = {n: [round(1000 * s, 3) for s in v] for n, v in pooled.items()}
    result["latency"] = {**lat, "pooled": None, "pooled_ms": pooled_out}
    result["summary"] = summary
    result["machine"] = machine()
    result["settings"] = {
        "clients": CLIENTS,
        "load_seconds": LOAD_SECONDS,
        "load_rounds": LOAD_ROUNDS,
        "latency_rounds": LATENCY_ROUNDS,
        "latency_samples": LATENCY_SAMPLES,
        "chain_entries": CHAIN_ENTRIES,
        "gunicorn_workers": WORKERS,
    }
    print(f"\nwritten {results_write('interop', result)}")
    ok = exactly_once and after["ok"] and chain_ok and not failures
    return 0 if ok else 1


def main() -> int:
    return bench_main(run, report, time_limit=TIME_LIMIT)


# ---- The Django half, run in a child process with the application's settings ---------------


def django_setup_directory(registry_url: str) -> dict[str, Any]:
    """The Peruvian directory pointing at the bench's RENIEC, an API key of the MTC's
    subsystem, and the demo citizen's consent to the MTC reading their RENIEC record."""
    from django.contrib.auth import get_user_model

    from ventanilla.institutions.models import Institution
    from ventanilla.integrations.civil_registry.fake_people import DEMO_CITIZEN_DNI
    from ventanilla.interop.selectors import service_by_id, subsystem_by_id
    from ventanilla.interop.services.consent import agreement_ensure, consent_give
    from ventanilla.interop.services.keys import client_key_create
    from ventanilla.interop.services.setup import directory_setup

    # directory_setup grants the MTC's subsystem when the institution is there (make data
    # loads it; the bench database is bare).
    Institution.objects.get_or_create(
        ruc=MTC_RUC,
        defaults={
            "slug": "mtc",
            "name": "Ministerio de Transportes y Comunicaciones",
            "acronym": "MTC",
            "kind": "ministry",
        },
    )
    directory_setup(registry_urls={"reniec": registry_url})
    client = subsystem_by_id(CLIENT)
    service = service_by_id(SERVICE)
    if client is None or service is None:
        raise SystemExit(f"bench: directory_setup made no {CLIENT} or {SERVICE}")
    _key, raw = client_key_create(subsystem=client, actor=None, label="bench/interop.py")
    citizen, _ = get_user_model().objects.get_or_create(
        username=f"dni-{DEMO_CITIZEN_DNI}",
        defaults={
            "document_type": "dni",
            "document_number": DEMO_CITIZEN_DNI,
            "first_name": "CIUDADANA",
            "last_name": "DEMO",
        },
    )
    agreement = agreement_ensure(
        client=client,
        service=service,
        purpose_key=PURPOSE_KEY,
        purpose="Medir el mediador (bench/interop.py)",
        attributes=[{"name": "Prenombres", "sensitivity": "personal", "category": "identidad"}],
    )
    consent_give(user=citizen, agreement=agreement)
    return {"key": raw, "dni": DEMO_CITIZEN_DNI, "client": CLIENT, "service": SERVICE}


# The synthetic exchanges: who asks whom, as the demo's directory would see them.
_CHAIN_CALLS = (
    ("PE/GOB/20131379944/ventanilla", "PE/GOB/20295613620/padron/personas", "/read"),
    ("PE/GOB/20131379944/ventanilla", "PE/GOB/20267073580/registros/vehiculos", "/read"),
    ("PE/GOB/20131379944/ventanilla", "PE/GOB/20131379944/licencias/licencias", "/read"),
    ("PE/GOB/20168999926/ventanilla", "PE/GOB/20295613620/padron/personas", "/read"),
    ("PE/GOB/20168999926/ventanilla", "PE/GOB/20551239692/padron/extranjeros", "/read"),
    ("PE/GOB/ENT42/ventanilla", "PE/GOB/20131312955/padron/contribuyentes", "/read"),
)
_CHAIN_OUTCOMES = (
    (200, "ok"),
    (200, "ok"),
    (200, "ok"),
    (200, "ok"),
    (200, "ok"),
    (200, "ok"),
    (404, "ok"),
    (403, "Server.ConsentMissing"),
    (504, "Server.ServiceTimeout"),
)


def django_chain_make(count: str, path: str) -> dict[str, Any]:
    """`count` entries chained from the genesis, each hashed with messagelog.entry_hash_compute
    (its canonical form) and signed with signing.sign (the platform key), written as CSV
    (columns CHAIN_COLUMNS) for chain_load. Sequential: each hash covers the previous
    signature. Synthetic exchanges of several clients and services, refused ones too."""
    import base64
    import csv
    import hashlib
    from datetime import UTC, timedelta

    from ventanilla.interop.services import messagelog, signing

    total = int(count)
    rng = random.Random(6)  # synthetic data, the same each run
    key_id = signing.platform_key().key_id
    prev_hash, prev_signature = messagelog.GENESIS_HASH, ""
    moment = datetime.now(UTC) - timedelta(seconds=3 * total)
    columns = (*messagelog.CANONICAL_FIELDS, "prev_hash", "entry_hash", "signature")
    started = time.perf_counter()
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, quoting=csv.QUOTE_ALL)  # "" is text, not NULL, to COPY
        for seq in range(1, total + 1):
            client, service, route = _CHAIN_CALLS[seq % len(_CHAIN_CALLS)]
            status, outcome = _CHAIN_OUTCOMES[rng.randrange(len(_CHAIN_OUTCOMES))]
            moment += timedelta(microseconds=rng.randrange(1, 6_000_000))
            dni = f"{rng.randrange(10_000_000, 99_999_999)}"
            request = hashlib.sha512(f"{seq}:{dni}".encode()).digest()
            response = (
                hashlib.sha512(f"{seq}:{dni}:respuesta".encode()).digest()
                if (outcome == "ok")
                else b""
            )
            fields: dict[str, Any] = {
                "seq": seq,
                "x_road_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "created_at": moment,
                "client": client,
                "service": service,
                "method": "POST",
                "path": route,
                "user_id": f"DNI:{dni}" if seq % 3 else "usuario:gestor.mtc",
                "subject": f"DNI:{dni}",
                "issue": f"MTC-2026-{seq % 1_000_000:06d}" if seq % 2 else "",
                "status": status,
                "outcome": outcome,
                "request_hash": base64.b64encode(request).decode(),
                "response_hash": base64.b64encode(response).decode() if response else "",
                "duration_ms": rng.randrange(3, 250),
                "consent_record": str(uuid.UUID(int=seq, version=4)) if seq % 4 == 0 else "",
                "key_id": key_id,
            }
            values = [fields[name] for name in messagelog.CANONICAL_FIELDS]
            entry_hash = messagelog.entry_hash_compute(
                prev_hash=prev_hash, prev_signature=prev_signature, values=values
            )
            signature, _kid = signing.sign(entry_hash.encode("ascii"))
            fields["created_at"] = moment.isoformat()
            out.writerow(
                [
                    *(fields[name] for name in messagelog.CANONICAL_FIELDS),
                    prev_hash,
                    entry_hash,
                    signature,
                ]
            )
            prev_hash, prev_signature = entry_hash, signature
    seconds = time.perf_counter() - started
    return {"entries": total, "seconds": seconds, "columns": list(columns)}


def django_chain_load(path: str) -> dict[str, Any]:
    """The CSV of chain_make into the message log table (PostgreSQL: COPY; SQLite: one
    executemany), and the head moved to its last entry, in one transaction."""
    import csv

    from django.db import connection, transaction

    from ventanilla.interop.models import MessageLogEntry, MessageLogHead
    from ventanilla.interop.services import messagelog

    columns = (*messagelog.CANONICAL_FIELDS, "prev_hash", "entry_hash", "signature")
    table = MessageLogEntry._meta.db_table
    names = ", ".join(columns)  # the model's field names are its column names
    started = time.perf_counter()
    last: list[str] = []
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if MessageLogEntry.objects.exists():
            raise SystemExit("bench: the message log is not empty; the chain starts at genesis")
        if connection.vendor == "postgresql":
            copy_sql = f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)"
            with Path(path).open("rb") as handle, cursor.cursor.copy(copy_sql) as copy:
                while block := handle.read(1 << 20):
                    copy.write(block)
            with Path(path).open(encoding="utf-8") as handle:
                for row in csv.reader(handle):
                    count += 1
                    last = row
        else:
            created = columns.index("created_at")
            adapt = connection.ops.adapt_datetimefield_value
            marks = ", ".join(["%s"] * len(columns))
            insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - constants
            batch: list[list[Any]] = []
            with Path(path).open(encoding="utf-8") as handle:
                for row in csv.reader(handle):
                    values: list[Any] = list(row)
                    values[created] = adapt(datetime.fromisoformat(row[created]))
                    batch.append(values)
                    count += 1
                    last = row
                    if len(batch) == 20_000:
                        cursor.executemany(insert, batch)
                        batch = []
            if batch:
                cursor.executemany(insert, batch)
        MessageLogHead.objects.update_or_create(
            pk=1,
            defaults={"seq": int(last[0]), "entry_hash": last[columns.index("entry_hash")]},
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return {"entries": count, "seconds": time.perf_counter() - started}


def django_check(ids_path: str) -> dict[str, Any]:
    """How the requests the clients sent were logged: the run's entries are those whose
    X-Road-Id the bench made (the chain's synthetic entries have their own)."""
    from django.db.models import Count

    from ventanilla.interop.models import MessageLogEntry

    sent = json.loads(Path(ids_path).read_text())
    sent_set = set(sent)
    run = MessageLogEntry.objects.filter(client=CLIENT, issue="BENCH-2026-000001")
    logged = dict(run.values_list("x_road_id").annotate(n=Count("pk")))
    outcomes = dict(run.values_list("outcome").annotate(n=Count("pk")))
    return {
        "sent": len(sent),
        "sent_distinct": len(sent_set),
        "run_entries": run.count(),
        "logged_once": sum(1 for i in sent_set if logged.get(i) == 1),
        "missing": sum(1 for i in sent_set if i not in logged),
        "repeated": sum(1 for n in logged.values() if n > 1),
        "unexpected": sum(1 for i in logged if i not in sent_set),
        "outcomes": outcomes,
        "total_entries": MessageLogEntry.objects.count(),
    }


DJANGO_COMMANDS: dict[str, Callable[..., dict[str, Any]]] = {
    "setup": django_setup_directory,
    "chain_make": django_chain_make,
    "chain_load": django_chain_load,
    "check": django_check,
}


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] in DJANGO_COMMANDS:
        django_boot()
        print(json.dumps(DJANGO_COMMANDS[sys.argv[1]](*sys.argv[2:]), default=str))
    else:
        sys.exit(main())
