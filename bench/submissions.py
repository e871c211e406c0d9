"""50 citizens submitting a 20-question form with a file at once, and an official's inbox at
100,000 cases — measured in one run on this machine (`make bench-submissions`).

gunicorn as deployed (deploy/gunicorn.conf.py, sync workers, one per core plus one) on a
throwaway PostgreSQL database (ventanilla_bench_submissions, dropped and made again each run)
with sessions in Redis. The form is bench/submissions_form.json, published through the form
builder's services. Each of 50 logged-in citizens (the logins happen before the clock starts)
goes the real HTTP path again and again: "Empezar" → for each of the 4 pages GET it and POST
its answers (the last page is multipart with a PDF of BENCH_FILE_KB) → GET the check page →
POST "Enviar solicitud". Each citizen's first submission is sent twice at once (a double
click: two connections, the same key), and both must land on the same case.

Then: every submission stored exactly once (cases == submissions the clients saw, each
idempotency key and each application once, every double click one case); 100,000 cases
bulk-inserted in the same institution; the inbox page over HTTP and the inbox selector alone
(list page + status counts), BENCH_INBOX_SAMPLES times each. Baseline in the same run: an
empty Django view (bench/submissions_urls.py), at 50 clients and at 1.

    .venv/bin/python bench/submissions.py     # BENCH_SUBMISSIONS=500 by default
    BENCH_BUSY_LIMIT=0.6 .venv/bin/python bench/submissions.py   # a shared machine

The load generator is Python threads on the same cores; every row pays it alike.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _harness import (  # noqa: E402
    CACHE,
    HOST,
    Series,
    app_env,
    bench_main,
    database_fresh,
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
from harness import Processes, children, cpu_seconds, ensure_quiet  # noqa: E402

PORT = 18320
DB_NAME = "ventanilla_bench_submissions"
REDIS_DB = 11
CLIENTS = 50
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "500"))
INBOX_CASES = int(os.environ.get("BENCH_INBOX_CASES", "100000"))
INBOX_SAMPLES = int(os.environ.get("BENCH_INBOX_SAMPLES", "200"))
FILE_KB = int(os.environ.get("BENCH_FILE_KB", "300"))
BUSY_LIMIT = float(os.environ.get("BENCH_BUSY_LIMIT", "0.25"))
WORKERS = int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) + 1))
TIME_LIMIT = int(os.environ.get("BENCH_TIME_LIMIT", "1800"))
PASSWORD = "bench-envios-contraseña-larga"  # noqa: S105 - the bench accounts' own
FIRST_DNI = 61_000_000  # bench citizens: DNI 61000000, 61000001, …
OFFICIAL = "gestor.bench"
EMPTY_PATH = "/bench/vacia/"
LOGIN_PATH = "/cuenta/ingresar/"
INBOX_PATH = "/gestion/expedientes/"
FORM_FILE = BENCH / "submissions_form.json"
SLUG = "bench-padron-comerciantes"


def env() -> dict[str, str]:
    return app_env(
        database=DB_NAME,
        redis_db=REDIS_DB,
        port=PORT,
        workers=WORKERS,
        settings="submissions_settings",
        VENTANILLA_MEDIA_ROOT=str(CACHE / "submissions-media"),
    )


def prepare() -> dict[str, Any]:
    """A fresh bench database, migrated; static files; the service, the official, the citizens."""
    database_fresh(DB_NAME)
    print(f"  database {DB_NAME} made again; migrating…")
    migrate(env())
    static_collected(env())
    redis_flush(REDIS_DB)
    return django_side(__file__, env(), "setup", str(CLIENTS))


# ---- HTTP: one fresh connection per request, a cookie jar per client ----------------------


@dataclass
class Answer:
    status: int
    location: str
    body: bytes
    seconds: float


class Browser:
    """One citizen's (or official's) cookies and the last CSRF token a page gave."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.token = ""

    def send(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, Any] | None = None,
        files: dict[str, tuple[str, str, bytes]] | None = None,
    ) -> Answer:
        headers = {"Host": HOST, "User-Agent": "ventanilla-bench-submissions"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body: bytes | None = None
        if files is not None:
            boundary = uuid.uuid4().hex
            body = multipart(form or {}, files, boundary)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None:
            headers["Referer"] = f"http://{HOST}:{PORT}{path}"
        connection = http.client.HTTPConnection(HOST, PORT, timeout=120)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        for line in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "max-age=0" in line.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        match = _TOKEN.search(data)
        if match:
            self.token = (match.group(1) or match.group(2)).decode()
        location = response.getheader("Location") or ""
        return Answer(response.status, location, data, elapsed)


_TOKEN = re.compile(
    rb'name="csrfmiddlewaretoken"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrfmiddlewaretoken"'
)
_KEY = re.compile(rb'name="clave"\s+value="([^"]+)"|value="([^"]+)"\s+name="clave"')


def multipart(
    form: dict[str, Any], files: dict[str, tuple[str, str, bytes]], boundary: str
) -> bytes:
    parts: list[bytes] = []
    for name, value in form.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    for name, (filename, content_type, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def login(browser: Browser, username: str) -> None:
    form = browser.send("GET", LOGIN_PATH)
    if form.status != 200 or not browser.token:
        raise RuntimeError(f"login form: HTTP {form.status}")
    posted = browser.send(
        "POST",
        LOGIN_PATH,
        form={"csrfmiddlewaretoken": browser.token, "documento": username, "password": PASSWORD},
    )
    if posted.status != 302 or "ingresar" in posted.location:
        raise RuntimeError(f"login of {username}: HTTP {posted.status} → {posted.location!r}")


def local(location: str) -> str:
    return re.sub(r"^https?://[^/]+", "", location)


# ---- One submission ------------------------------------------------------------------------


def pdf_bytes(kb: int) -> bytes:
    """A PDF of about `kb` KB (a real one-page document, padded with a comment block)."""
    head = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    )
    padding = b"".join(b"% " + os.urandom(30).hex().encode() + b"\n" for _ in range(kb * 16))
    tail = b"trailer<</Root 1 0 R>>\n%%EOF\n"
    return head + padding[: max(0, kb * 1024 - len(head) - len(tail))] + tail


def answers_for(dni: str, n: int) -> dict[str, dict[str, Any]]:
    """What a citizen types on each page of bench/submissions_form.json."""
    return {
        "titular": {
            "q-dni_titular": dni,
            "q-nombre_titular": f"Ciudadana Bench {n}",
            "q-nacimiento": "1990-05-17",
            "q-celular": "987654321",
            "q-correo": f"bench-{dni}@example.org",
        },
        "negocio": {
            "q-ruc": "20131312955",
            "q-nombre_comercial": f"Bodega Bench {n}",
            "q-giro": "abarrotes",
            "q-dias": ["lun", "mar", "mie", "jue", "vie", "sab"],
            "q-trabajadores": str(1 + n % 7),
        },
        "local": {
            "q-direccion_local-department": "15",
            "q-direccion_local-province": "1501",
            "q-direccion_local-district": "150122",
            "q-direccion_local-street": f"Av. Larco {100 + n}",
            "q-direccion_local-reference": "Frente al parque",
            "q-distrito_domicilio-department": "15",
            "q-distrito_domicilio-province": "1501",
            "q-distrito_domicilio-district": "150101",
            "q-area": "45.5",
            "q-ventas": "12500.00",
            "q-propio": "no",
        },
        "cierre": {
            "q-inicio": "2020-03-02",
            "q-descripcion": "Bodega de barrio con venta de abarrotes y productos de limpieza.",
            "q-referencia": f"REF-{n}",
            "q-acepta": "si",
        },
    }


PAGES = ("titular", "negocio", "local", "cierre")


@dataclass
class Client:
    number: int
    dni: str
    browser: Browser
    submitted: int = 0
    references: list[str] = field(default_factory=list)
    doubles: list[tuple[str, str]] = field(default_factory=list)


def submit_pair(client: Client, check_path: str, key: str) -> tuple[Answer, Answer]:
    """Two submits at once with the same key, as a double click sends them."""
    results: list[Answer | Exception] = [RuntimeError("not sent"), RuntimeError("not sent")]
    form = {"csrfmiddlewaretoken": client.browser.token, "clave": key}

    def one(slot: int) -> None:
        twin = Browser()
        twin.cookies = dict(client.browser.cookies)
        try:
            results[slot] = twin.send("POST", check_path, form=form)
        except Exception as error:  # reported by the caller
            results[slot] = error

    threads = [threading.Thread(target=one, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, Exception):
            raise RuntimeError(f"double submit: {result}")
    return results[0], results[1]  # type: ignore[return-value]


def submission(client: Client, file_content: bytes) -> dict[str, Any]:
    """One whole application over HTTP; returns the latency of each kind of request."""
    browser = client.browser
    timings: dict[str, float] = {}
    started = time.perf_counter()
    begin = browser.send("GET", f"/servicios/{SLUG}/empezar/")
    if begin.status != 302:
        raise RuntimeError(f"empezar: HTTP {begin.status}")
    path = local(begin.location)
    answers = answers_for(client.dni, client.number)
    page_posts: list[float] = []
    for page_id in PAGES:
        if f"/{page_id}/" not in path:
            raise RuntimeError(f"expected page {page_id}, got {path}")
        got = browser.send("GET", path)
        if got.status != 200:
            raise RuntimeError(f"GET {page_id}: HTTP {got.status}")
        form = {"csrfmiddlewaretoken": browser.token, **answers[page_id]}
        if page_id == "cierre":
            posted = browser.send(
                "POST",
                path,
                form=form,
                files={"q-licencia": ("licencia.pdf", "application/pdf", file_content)},
            )
            timings["upload"] = posted.seconds
        else:
            posted = browser.send("POST", path, form=form)
            page_posts.append(posted.seconds)
        if posted.status not in (302, 303):
            hint = re.findall(rb'class="[^"]*error[^"]*"[^>]*>\s*([^<]{3,160})', posted.body)
            raise RuntimeError(f"POST {page_id}: HTTP {posted.status} {hint[:2]}")
        path = local(posted.location)
    if not path.endswith("/revisar/"):
        raise RuntimeError(f"expected the check page, got {path}")
    check = browser.send("GET", path)
    key_match = _KEY.search(check.body)
    if check.status != 200 or not key_match:
        raise RuntimeError(
            f"check page: HTTP {check.status}, key {'found' if key_match else 'missing'}"
        )
    key = (key_match.group(1) or key_match.group(2)).decode()
    if client.submitted == 0:
        first, second = submit_pair(client, path, key)
        for answer in (first, second):
            if answer.status not in (302, 303) or "/mis-tramites/" not in answer.location:
                raise RuntimeError(f"double submit: HTTP {answer.status} → {answer.location!r}")
        refs = (reference_in(first.location), reference_in(second.location))
        client.doubles.append(refs)
        timings["submit_double"] = max(first.seconds, second.seconds)
        sent = first
    else:
        sent = browser.send("POST", path, form={"csrfmiddlewaretoken": browser.token, "clave": key})
        if sent.status not in (302, 303) or "/mis-tramites/" not in sent.location:
            raise RuntimeError(f"submit: HTTP {sent.status} → {sent.location!r}")
        timings["submit"] = sent.seconds
    client.references.append(reference_in(sent.location))
    client.submitted += 1
    timings["whole"] = time.perf_counter() - started
    return {**timings, "page_post": page_posts}


def reference_in(location: str) -> str:
    found = re.search(r"/mis-tramites/([^/]+)/", location)
    return found.group(1) if found else ""


# ---- Load ------------------------------------------------------------------------------------


def row(
    label: str,
    values: list[float],
    wall: float,
    *,
    clients: int,
    cpu: float | None = None,
    failures: int = 0,
    busy: float | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "label": label,
        "clients": clients,
        "n": len(values),
        "per_s": round(len(values) / wall, 1) if wall else 0.0,
        "p50_ms": round(1000 * percentile(values, 0.50), 2),
        "p95_ms": round(1000 * percentile(values, 0.95), 2),
        "p99_ms": round(1000 * percentile(values, 0.99), 2),
        "failures": failures,
    }
    if cpu is not None and values:
        result["cpu_ms_each"] = round(1000 * cpu / len(values), 2)
    if busy is not None:
        result["busy_before"] = round(busy, 3)
    return result


def show(r: dict[str, Any], failed: list[str] | None = None) -> None:
    flag = f"  !! {r['failures']} failed: {failed[0]}" if failed else ""
    print(
        f"  {r['label']:<46} {r['per_s']:>8.1f}/s  p50 {r['p50_ms']:8.1f}  "
        f"p95 {r['p95_ms']:8.1f}  p99 {r['p99_ms']:8.1f} ms{flag}"
    )


def measure(
    server: "subprocess.Popen[bytes]",
    clients: int,
    task: Callable[[int], dict[str, Any]],
    per_client: int,
    keys: dict[str, str],
) -> list[dict[str, Any]]:
    busy = ensure_quiet(BUSY_LIMIT)
    workers = children(server.pid)
    cpu0 = cpu_seconds(workers)
    series, wall = run_clients(clients, task, per_client)
    cpu = cpu_seconds(workers) - cpu0
    failed = series.pop("failed", Series()).failures
    rows: list[dict[str, Any]] = []
    for name, shown in keys.items():
        values = series.get(name, Series()).seconds
        # The workers' CPU covers the whole run: charged to its first row only.
        r = row(
            shown,
            values,
            wall,
            clients=clients,
            cpu=cpu if not rows else None,
            failures=len(failed),
            busy=busy,
        )
        rows.append(r)
        show(r, failed)
    return rows


def run(procs: Processes) -> dict[str, Any]:
    started = datetime.now()
    print(f"Preparing (PostgreSQL {DB_NAME}, Redis db {REDIS_DB}, {CLIENTS} citizens)…")
    setup = prepare()
    signal.alarm(TIME_LIMIT)
    server = gunicorn_start(procs, env(), log="submissions_app.log", ready_path=EMPTY_PATH)
    print(f"  logging in {CLIENTS} citizens (not timed)…")
    clients = [Client(n, dni, Browser()) for n, dni in enumerate(setup["dnis"])]

    def log_in(n: int) -> dict[str, Any]:
        login(clients[n].browser, clients[n].dni)
        return {}

    run_clients(CLIENTS, log_in, 1)
    missing = [c.dni for c in clients if "sessionid" not in c.browser.cookies]
    if missing:
        raise SystemExit(f"bench: {len(missing)} citizens could not log in, e.g. {missing[0]}")
    file_content = pdf_bytes(FILE_KB)
    per_client = max(1, SUBMISSIONS // CLIENTS)
    print(
        f"Measuring: {CLIENTS} concurrent citizens, {per_client * CLIENTS} submissions "
        f"(a {len(file_content) // 1024} KB PDF each), {WORKERS} gunicorn workers"
    )
    # Warm every worker (imports, connections, templates) before the first timed row.
    run_clients(CLIENTS, lambda n: {"get": Browser().send("GET", EMPTY_PATH).seconds}, 2)
    run_clients(
        CLIENTS,
        lambda n: {"get": clients[n].browser.send("GET", f"/servicios/{SLUG}/").seconds},
        1,
    )

    def empty(_n: int) -> dict[str, float]:
        answer = Browser().send("GET", EMPTY_PATH)
        if answer.status != 200:
            raise RuntimeError(f"empty view: HTTP {answer.status}")
        return {"empty": answer.seconds}

    rows = measure(server, CLIENTS, empty, 20, {"empty": "empty Django view (baseline)"})
    rows += measure(
        server,
        CLIENTS,
        lambda n: submission(clients[n], file_content),
        per_client,
        {
            "whole": "whole submission (11 requests)",
            "page_post": "page POST (answers of one page)",
            "upload": "page POST with the PDF (multipart)",
            "submit": "submit POST → case",
            "submit_double": "double-clicked submit (2 at once)",
        },
    )
    seen = sorted(ref for c in clients for ref in c.references)
    doubles = [pair for c in clients for pair in c.doubles]
    print("Checking that every submission is stored exactly once…")
    stored = django_side(__file__, env(), "check", json.dumps({"references": seen}))
    stored["double_clicks"] = len(doubles)
    stored["double_clicks_same_case"] = sum(1 for a, b in doubles if a and a == b)
    stored["references_seen"] = len(seen)
    stored["references_seen_distinct"] = len(set(seen))
    ok = (
        stored["cases"] == len(seen) == len(set(seen))
        and stored["keys_repeated"] == 0
        and stored["keys_missing"] == 0
        and stored["applications_with_two_cases"] == 0
        and stored["unknown_references"] == 0
        and stored["double_clicks_same_case"] == len(doubles)
    )
    stored["exactly_once"] = ok
    print(
        f"  {len(seen)} submissions seen by the clients, {stored['cases']} cases stored, "
        f"{stored['keys_repeated']} keys repeated, {len(doubles)} double clicks → "
        f"{stored['double_clicks_same_case']} landed on one case: "
        f"{'EXACTLY ONCE' if ok else '!! NOT EXACTLY ONCE'}"
    )

    print(f"Inbox: bulk-inserting {INBOX_CASES:,} cases in the institution…")
    bulk = django_side(__file__, env(), "bulk", str(INBOX_CASES))
    print(f"  {bulk['cases']:,} cases in the institution ({bulk['seconds']:.1f} s)")
    official = Browser()
    login(official, OFFICIAL)
    for _ in range(5):  # warm
        official.send("GET", INBOX_PATH)

    def inbox(_n: int) -> dict[str, float]:
        answer = official.send("GET", INBOX_PATH)
        if answer.status != 200:
            raise RuntimeError(f"inbox: HTTP {answer.status}")
        return {"inbox": answer.seconds}

    def empty_one(_n: int) -> dict[str, float]:
        return empty(0)

    rows += measure(server, 1, empty_one, INBOX_SAMPLES, {"empty": "empty Django view, 1 client"})
    rows += measure(
        server, 1, inbox, INBOX_SAMPLES, {"inbox": f"inbox page, {bulk['cases']:,} cases (HTTP)"}
    )
    alone = django_side(__file__, env(), "selector", str(INBOX_SAMPLES))
    for name, label in (
        ("list", "inbox selector alone: first page"),
        ("counts", "inbox selector alone: status counts"),
        ("both", "inbox selectors alone: all the view reads"),
    ):
        r = row(label, alone[name], sum(alone[name]), clients=1)
        rows.append(r)
        show(r)
    procs.stop(server)
    signal.alarm(0)
    return {
        "started": started.isoformat(timespec="seconds"),
        "rows": rows,
        "stored": stored,
        "file_bytes": len(file_content),
        "selector_queries": alone.get("queries"),
    }


def report(result: dict[str, Any]) -> int:
    rows: list[dict[str, Any]] = result["rows"]
    by = {r["label"]: r for r in rows}
    cores = os.cpu_count() or 1
    print(
        f"\nVentanilla: {CLIENTS} citizens submitting at once, and the inbox at "
        f"{INBOX_CASES:,} cases — {result['started']} — {cores} cores, {WORKERS} gunicorn workers"
    )
    head = (
        f"{'':<46} {'clients':>7} {'n':>6} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'CPU ms':>8} {'fail':>5}"
    )
    print(head + "\n" + "-" * len(head))
    for r in rows:
        cpu = r.get("cpu_ms_each")
        print(
            f"{r['label']:<46} {r['clients']:>7} {r['n']:>6} {r['per_s']:>8.1f} "
            f"{r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{cpu if cpu is not None else '':>8} {r['failures']:>5}"
        )
    whole = by["whole submission (11 requests)"]
    submit = by["submit POST → case"]
    empty = by["empty Django view (baseline)"]
    inbox = next(r for r in rows if r["label"].startswith("inbox page"))
    empty_one = by["empty Django view, 1 client"]
    stored = result["stored"]
    summary = {
        "submissions_per_second": whole["per_s"],
        "submit_p50_ms": submit["p50_ms"],
        "submit_p99_ms": submit["p99_ms"],
        "submit_p50_over_empty_p50": round(submit["p50_ms"] / empty["p50_ms"], 1)
        if empty["p50_ms"]
        else None,
        "exactly_once": stored["exactly_once"],
        "inbox_p95_ms": inbox["p95_ms"],
        "inbox_p95_over_empty_p95": round(inbox["p95_ms"] / empty_one["p95_ms"], 1)
        if empty_one["p95_ms"]
        else None,
    }
    print(
        f"\n{whole['per_s']:.1f} submissions/s with {CLIENTS} citizens at once; the submit POST "
        f"p50 {submit['p50_ms']:.0f} ms, p99 {submit['p99_ms']:.0f} ms (the empty view: p50 "
        f"{empty['p50_ms']:.0f} ms, p99 {empty['p99_ms']:.0f} ms at the same concurrency). "
        f"Stored exactly once: {'yes' if stored['exactly_once'] else 'NO'} "
        f"({stored['cases']} cases for {stored['references_seen']} submissions, "
        f"{stored['double_clicks_same_case']}/{stored['double_clicks']} double clicks one case). "
        f"Inbox at {INBOX_CASES:,} cases: p95 {inbox['p95_ms']:.0f} ms over HTTP "
        f"(empty view p95 {empty_one['p95_ms']:.1f} ms)."
    )
    failed = [r["label"] for r in rows if r["failures"]]
    if failed:
        print(f"!! failures in: {', '.join(failed)} — those figures are not a clean run")
    result["summary"] = summary
    result["machine"] = machine()
    result["settings"] = {
        "clients": CLIENTS,
        "submissions": SUBMISSIONS,
        "inbox_cases": INBOX_CASES,
        "inbox_samples": INBOX_SAMPLES,
        "gunicorn_workers": WORKERS,
        "busy_limit": BUSY_LIMIT,
        "sessions": "Redis (config.settings.prod)",
    }
    print(f"\nwritten {results_write('submissions', result)}")
    return 1 if failed or not stored["exactly_once"] else 0


def main() -> int:
    return bench_main(run, report, time_limit=TIME_LIMIT)


# ---- The Django half, run in a child process with the application's settings ---------------


def django_setup(count: int) -> dict[str, Any]:
    """The institution, its designer and case officer, the published 20-question service, the
    UBIGEO rows its answers name, and `count` citizens with PASSWORD (hashed once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import get_hasher, make_password

    from ventanilla.accounts.models import Membership, Role
    from ventanilla.formbuilder.services import (
        digital_service_create,
        digital_service_draft_save,
        digital_service_publish,
    )
    from ventanilla.institutions.models import Institution
    from ventanilla.ubigeo.models import Department, District, Province

    for code, names in {
        "150101": ("Lima", "Lima", "Lima"),
        "150122": ("Lima", "Lima", "Miraflores"),
    }.items():
        department, _ = Department.objects.get_or_create(
            code=code[:2], defaults={"name": names[0], "slug": "lima"}
        )
        province, _ = Province.objects.get_or_create(
            code=code[:4], defaults={"name": names[1], "department": department}
        )
        District.objects.get_or_create(code=code, defaults={"name": names[2], "province": province})
    user_model = get_user_model()
    encoded = make_password(PASSWORD)
    institution, _ = Institution.objects.get_or_create(
        slug="bench-municipalidad",
        defaults={
            "name": "Municipalidad de medición",
            "acronym": "BENCH",
            "kind": "district_municipality",
        },
    )
    designer, _ = user_model.objects.get_or_create(
        username="designer.bench", defaults={"is_staff": True, "password": encoded}
    )
    Membership.objects.get_or_create(
        user=designer, institution=institution, role=Role.SERVICE_DESIGNER
    )
    official, _ = user_model.objects.get_or_create(
        username=OFFICIAL,
        defaults={"is_staff": True, "password": encoded, "first_name": "Gestor"},
    )
    Membership.objects.get_or_create(user=official, institution=institution, role=Role.CASE_OFFICER)
    data = json.loads(FORM_FILE.read_text(encoding="utf-8"))
    meta = data["meta"]
    service = digital_service_create(
        institution=institution,
        name=meta["name"],
        reference_prefix=meta["reference_prefix"],
        by=designer,
        slug=SLUG,
        min_assurance=meta["min_assurance"],
        description=meta["description"],
    )
    service = digital_service_draft_save(
        service=service, by=designer, definition=data["definition"], workflow=data["workflow"]
    )
    digital_service_publish(service=service, by=designer)
    dnis = [str(FIRST_DNI + n) for n in range(count)]
    user_model.objects.bulk_create(
        [
            user_model(
                username=f"dni-{dni}",
                document_type="dni",
                document_number=dni,
                first_name="CIUDADANA",
                last_name=f"BENCH {n:02d}",
                email=f"bench-{dni}@example.org",
                password=encoded,
            )
            for n, dni in enumerate(dnis)
        ]
    )
    hasher = get_hasher()
    return {"dnis": dnis, "hasher": hasher.algorithm, "service": service.pk}


def django_check(payload: str) -> dict[str, Any]:
    """How the clients' submissions were stored."""
    from django.db.models import Count

    from ventanilla.cases.models import Application, Case

    seen = set(json.loads(payload)["references"])
    cases = Case.objects.filter(service__slug=SLUG)
    stored = set(cases.values_list("reference", flat=True))
    repeated = (
        cases.exclude(idempotency_key=None)
        .values("idempotency_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    per_application = (
        Application.objects.filter(service_version__service__slug=SLUG, case__isnull=False)
        .values("case")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "cases": cases.count(),
        "keys_repeated": repeated,
        "keys_missing": cases.filter(idempotency_key=None).count(),
        "applications_with_two_cases": per_application,
        "applications_submitted": Application.objects.filter(
            service_version__service__slug=SLUG, submitted_at__isnull=False
        ).count(),
        "unknown_references": len(seen - stored),
        "stored_not_seen": len(stored - seen),
    }


def django_bulk(count: int) -> dict[str, Any]:
    """`count` cases of the bench service in its institution, as a busy year would leave them:
    every workflow status, a third assigned to the official, deadlines around today."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from ventanilla.cases.models import Case
    from ventanilla.formbuilder.models import DigitalService

    service = DigitalService.objects.select_related("current_version").get(slug=SLUG)
    version = service.current_version
    official = get_user_model().objects.get(username=OFFICIAL)
    statuses = [
        ("recibido", False),
        ("en_revision", False),
        ("observado", False),
        ("aprobado", True),
        ("denegado", True),
    ]
    sample = Case.objects.filter(service=service).values_list("answers", flat=True).first() or {}
    now = timezone.now()
    started = time.perf_counter()
    batch: list[Case] = []
    for n in range(count):
        status, ended = statuses[n % len(statuses)]
        submitted = now - timedelta(minutes=5 * n)
        batch.append(
            Case(
                reference=f"BULK-{submitted.year}-{n:07d}",
                institution_id=service.institution_id,
                service=service,
                service_version=version,
                applicant_ref=str(70_000_000 + n),
                applicant_name=f"Solicitante {n}",
                applicant_document=str(70_000_000 + n),
                answers=sample,
                status=status,
                status_changed_at=submitted,
                assignee=official if n % 3 == 0 else None,
                submitted_at=submitted,
                due_on=(submitted + timedelta(days=14)).date(),
                decided_at=submitted if ended else None,
                ended=ended,
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    if batch:
        Case.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    return {
        "cases": Case.objects.filter(institution_id=service.institution_id).count(),
        "seconds": time.perf_counter() - started,
    }


def django_selector(samples: int) -> dict[str, Any]:
    """The inbox's reads without HTTP or templates: the first page of the list with its
    (capped) count, the status counts, and everything the inbox view selects."""
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries

    from ventanilla.cases.selectors.inbox import (
        cases_for_official,
        inbox_assignees,
        inbox_institutions,
        inbox_page,
        inbox_services,
        inbox_status_counts,
        status_labels,
    )

    official = get_user_model().objects.get(username=OFFICIAL)

    def first_page() -> list[Any]:
        page_of = inbox_page(cases=cases_for_official(user=official), page="1")
        rows = list(page_of.page.object_list)
        _count = page_of.paginator.count
        return rows

    def counts() -> int:
        return len(inbox_status_counts(user=official))

    def rest(rows: list[Any]) -> None:
        status_labels(versions={c.service_version_id for c in rows if c.service_version_id})
        inbox_services(user=official)
        inbox_institutions(user=official)
        inbox_assignees(user=official, institution=None)

    for _ in range(5):  # warm (connection, plan cache)
        rest(first_page())
        counts()
    timings: dict[str, list[float]] = {"list": [], "counts": [], "both": []}
    for _ in range(samples):
        t0 = time.perf_counter()
        rows = first_page()
        t1 = time.perf_counter()
        counts()
        t2 = time.perf_counter()
        rest(rows)
        t3 = time.perf_counter()
        timings["list"].append(t1 - t0)
        timings["counts"].append(t2 - t1)
        timings["both"].append(t3 - t0)
    connection.force_debug_cursor = True
    reset_queries()
    rest(first_page())
    counts()
    queries = [q["sql"][:400] for q in connection.queries]
    return {**timings, "queries": queries}


def django_main(command: str, argument: str) -> None:
    django_boot()
    handlers: dict[str, Callable[..., dict[str, Any]]] = {
        "setup": lambda a: django_setup(int(a)),
        "check": django_check,
        "bulk": lambda a: django_bulk(int(a)),
        "selector": lambda a: django_selector(int(a)),
    }
    print(json.dumps(handlers[command](argument)))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in {"setup", "check", "bulk", "selector"}:
        django_main(sys.argv[1], sys.argv[2])
    else:
        sys.exit(main())
