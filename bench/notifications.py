"""Notifications at volume, measured in one run on this machine (`make bench-notifications`).

1. Baseline: the same 10,000 e-mails and 10,000 SMS written without sending — through
   `messages_create_many` with a `test` API key (validated, rendered and saved exactly as a real
   send, marked delivered at once, nothing leaves), and as bare rows (`bulk_create` of the same
   rows: the database's own floor). Both are deleted before the run.
2. The run: BENCH_EMAILS e-mails and BENCH_SMS SMS queued with `messages_create_many` (chunks
   of BENCH_CHUNK, as API clients send them), delivered by 2 `manage.py db_worker` processes
   (the systemd unit's command) through the fake SMTP relay and the fake Infobip gateway, each
   its own process; the relay's Mailgun-style events and the gateway's delivery reports come
   back into gunicorn as deployed. A watcher counts the messages' statuses in PostgreSQL every
   BENCH_POLL seconds: the time until 95 % and 100 % are `delivered` (from the start of queueing),
   the send rate (handed to the provider per second) and the delivered rate. The per-provider
   rate limits are the settings' (NOTIFICATIONS_RATE_LIMITS, counted in Redis across both
   workers); their floor (messages / limit) is printed beside the figures.
3. After the run: every message was received by its fake exactly once (by Message-ID /
   messageId), none twice, none missing; statuses by channel.

`--outage 60` takes the SMTP relay down BENCH_OUTAGE_AFTER seconds after the queue is committed
and starts it again on the same port and store a minute later: everything must still be
delivered, nothing twice (a message in flight when the connection drops is the only one SMTP may
deliver twice — RFC 1047 — and the check names it). A real relay keeps the events it owes
across a restart; the fake keeps them in memory, so it first hangs up on every new message (the
worker sees the connection lost), posts what it owes, then stops; connections are refused until
it is back.

PostgreSQL (database ventanilla_bench_notifications, dropped and made again each run), Redis as
the cache (the rate limit's counters), production settings with one empty view added
(bench/submissions_settings.py). The fakes, the workers, gunicorn, the watcher and PostgreSQL
share this machine's cores.

    .venv/bin/python bench/notifications.py
    .venv/bin/python bench/notifications.py --outage 60
    BENCH_EMAILS=2000 BENCH_SMS=2000 .venv/bin/python bench/notifications.py   # quicker
"""

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
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
    migrate,
    redis_flush,
    results_write,
    static_collected,
)
from harness import Processes, busy_fraction  # noqa: E402

DB_NAME = "ventanilla_bench_notifications"
REDIS_DB = 14
PORT = 18340
MAIL_PORT = 18341
SMS_PORT = 18342
MAIL_CONTROL_PORT = 18343
GUNICORN_WORKERS = 2
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
EMAILS = int(os.environ.get("BENCH_EMAILS", "10000"))
SMS = int(os.environ.get("BENCH_SMS", "10000"))
CHUNK = int(os.environ.get("BENCH_CHUNK", "1000"))
POLL = float(os.environ.get("BENCH_POLL", "0.2"))
DEADLINE = float(os.environ.get("BENCH_DEADLINE", "1800"))  # seconds after queueing starts
OUTAGE_AFTER = float(os.environ.get("BENCH_OUTAGE_AFTER", "5"))
# Nothing changed for this long (past the longest retry wait, 300 s): the run is stuck.
STALL = float(os.environ.get("BENCH_STALL", "400"))
TIME_LIMIT = int(os.environ.get("BENCH_TIME_LIMIT", "3600"))
FAKES_DIR = CACHE / "notifications-fakes"
VAR_DIR = CACHE / "notifications-var"
WEBHOOK_KEY = "bench-email-webhook-key"
SMS_API_KEY = "bench-sms-api-key"
SMS_CALLBACK_TOKEN = "bench-sms-callback-token"  # noqa: S105 - a bench's own secret path
RUN_REFERENCE = "BENCH-NOTIF-RUN"
BASELINE_REFERENCE = "BENCH-NOTIF-BASE"
EMPTY_PATH = "/bench/vacia/"  # bench/submissions_urls.py
INSTITUTION_RUC = "20131379944"


def env() -> dict[str, str]:
    return app_env(
        database=DB_NAME,
        redis_db=REDIS_DB,
        port=PORT,
        workers=GUNICORN_WORKERS,
        settings="submissions_settings",
        VENTANILLA_VAR_DIR=str(VAR_DIR),
        VENTANILLA_SMTP_HOST=HOST,
        VENTANILLA_SMTP_PORT=str(MAIL_PORT),
        VENTANILLA_EMAIL_WEBHOOK_KEY=WEBHOOK_KEY,
        VENTANILLA_SMS_URL=f"http://{HOST}:{SMS_PORT}",
        VENTANILLA_SMS_API_KEY=SMS_API_KEY,
        VENTANILLA_SMS_CALLBACK_TOKEN=SMS_CALLBACK_TOKEN,
        VENTANILLA_NOTIFY_CALLBACK_BASE_URL=f"http://{HOST}:{PORT}",
        VENTANILLA_MESSAGE_ID_DOMAIN="bench.ventanilla.gob.pe",
        VENTANILLA_LOG_LEVEL="WARNING",
    )


# ---- The fakes: each its own process, as `make demo` runs them ------------------------------


def mail_fake_argv() -> list[str]:
    return [
        PY,
        "manage.py",
        "mail_fake",
        "--port",
        str(MAIL_PORT),
        "--webhook-url",
        f"http://{HOST}:{PORT}/notificaciones/proveedores/correo/eventos",
        "--webhook-key",
        WEBHOOK_KEY,
        "--store",
        str(FAKES_DIR / "mail"),
        "--control-port",
        str(MAIL_CONTROL_PORT),
        "--quiet",
    ]


def sms_fake_argv(rate: int) -> list[str]:
    return [
        PY,
        "manage.py",
        "sms_fake",
        "--port",
        str(SMS_PORT),
        "--api-key",
        SMS_API_KEY,
        "--rate",
        str(rate),
        "--store",
        str(FAKES_DIR / "sms"),
        "--quiet",
    ]


def wait_port(port: int, proc: "subprocess.Popen[bytes]", name: str, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: {name} exited (code {proc.returncode}); see its log")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: {name} did not listen on {port} within {timeout:.0f}s")


def mail_control(command: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /_fake/<command> on the relay's control port (config, settle)."""
    import urllib.request

    request = urllib.request.Request(
        f"http://{HOST}:{MAIL_CONTROL_PORT}/_fake/{command}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        result: dict[str, Any] = json.loads(answer.read())
    return result


def mail_start(procs: Processes) -> "subprocess.Popen[bytes]":
    proc = procs.start(
        "mail_fake", mail_fake_argv(), log=CACHE / "logs" / "notif_mail.log", cwd=ROOT, env=env()
    )
    wait_port(MAIL_PORT, proc, "mail_fake")
    return proc


def sms_start(procs: Processes, rate: int) -> "subprocess.Popen[bytes]":
    proc = procs.start(
        "sms_fake", sms_fake_argv(rate), log=CACHE / "logs" / "notif_sms.log", cwd=ROOT, env=env()
    )
    wait_port(SMS_PORT, proc, "sms_fake")
    return proc


def _json_lines(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.rglob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    return rows


def fakes_received() -> dict[str, Counter[str]]:
    """How many times each Message-ID reached the relay and each messageId the gateway (what
    the fakes stored under FAKES_DIR)."""
    mail = Counter(
        str(row.get("message_id", "")).strip("<>").split("@")[0]
        for row in _json_lines(FAKES_DIR / "mail")
    )
    sms = Counter(str(row.get("messageId", "")) for row in _json_lines(FAKES_DIR / "sms"))
    return {"email": mail, "sms": sms}


# ---- The watcher's stream: progress lines, then one JSON line ------------------------------


def django_stream(
    env_: dict[str, str], command: str, *args: str, on_line: Callable[[str], None]
) -> dict[str, Any]:
    """Like _harness.django_side, but each line the Django half prints is passed to on_line as
    it comes (the parent acts on «queued» and shows progress); the last line is the answer."""
    proc = subprocess.Popen(
        [PY, __file__, command, *args],
        cwd=ROOT,
        env=env_,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=1,
    )
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.extend(proc.stderr or []), daemon=True)
    reader.start()
    last = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        if line.startswith("{"):
            last = line
        else:
            on_line(line)
    proc.wait()
    reader.join(timeout=5)
    if proc.returncode or not last:
        raise SystemExit(f"bench: {command} failed:\n{''.join(errors)[-3000:]}")
    answer: dict[str, Any] = json.loads(last)
    return answer


# ---- The run -------------------------------------------------------------------------------


def run(procs: Processes, outage: float) -> dict[str, Any]:
    result: dict[str, Any] = {
        "started": datetime.now().isoformat(timespec="seconds"),
        "outage_seconds": outage,
    }
    signal.alarm(TIME_LIMIT)
    print(f"Preparing (PostgreSQL {DB_NAME}, Redis db {REDIS_DB})…")
    (CACHE / "logs").mkdir(parents=True, exist_ok=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(["rm", "-rf", str(FAKES_DIR)], check=True)
    FAKES_DIR.mkdir(parents=True)
    database_fresh(DB_NAME)
    migrate(env())
    static_collected(env())
    redis_flush(REDIS_DB)

    setup = django_side(__file__, env(), "setup")
    result["setup"] = setup
    limits = setup["rate_limits"]
    print(
        f"  institution {setup['institution']}, sender {setup['sender']}; rate limits "
        f"{limits['email']}/s e-mail, {limits['sms']}/s SMS; batch {setup['batch_size']}, "
        f"lease {setup['lease_seconds']} s"
    )

    print(f"Baseline: {EMAILS:,} e-mails and {SMS:,} SMS written without sending…")
    result["baseline"] = django_side(__file__, env(), "baseline", str(EMAILS), str(SMS))
    base = result["baseline"]
    print(
        f"  messages_create_many with a test key: {base['test_key_seconds']:.1f} s; "
        f"bare rows (bulk_create): {base['bulk_seconds']:.1f} s"
    )

    print(
        f"Starting the fake SMTP relay (:{MAIL_PORT}), the fake SMS gateway (:{SMS_PORT}), "
        f"gunicorn (:{PORT}, {GUNICORN_WORKERS} workers) and {WORKERS} db_worker processes…"
    )
    # The gateway answers 429 above its own rate; it is set above ours, so a 429 at the
    # gateway would mean our limit was not kept.
    sms_start(procs, rate=int(limits["sms"]) * 2)
    mail = mail_start(procs)
    gunicorn_start(procs, env(), log="notif_app.log", ready_path=EMPTY_PATH)
    workers = [
        procs.start(
            f"db_worker-{n}",
            [PY, "manage.py", "db_worker", "--worker-id", f"bench-{n}"],
            log=CACHE / "logs" / f"notif_worker_{n}.log",
            cwd=ROOT,
            env=env(),
        )
        for n in range(1, WORKERS + 1)
    ]
    time.sleep(3)  # the workers' start (Django setup, startup delay)
    for number, worker in enumerate(workers, 1):
        if worker.poll() is not None:
            raise SystemExit(f"bench: db_worker {number} exited; see bench/.cache/logs")

    outage_log: dict[str, float] = {}

    def outage_thread(queued_at: float) -> None:
        nonlocal mail
        time.sleep(max(0.0, queued_at + OUTAGE_AFTER - time.time()))
        outage_log["stopped"] = time.time() - queued_at
        print(f"  !! SMTP relay down at +{outage_log['stopped']:.1f} s for {outage:.0f} s")
        # A real relay that goes down keeps what it accepted and reports it when back; the
        # fake keeps its events in memory, so it first hangs up on every new message (the
        # client sees the connection lost) and posts the events it owes, then stops.
        mail_control("config", {"mode": "drop"})
        mail_control("settle", {"timeout": 30})
        procs.stop(mail)
        time.sleep(max(0.0, queued_at + OUTAGE_AFTER + outage - time.time()))
        mail = mail_start(procs)
        outage_log["restarted"] = time.time() - queued_at
        print(f"  SMTP relay back at +{outage_log['restarted']:.1f} s")

    def on_line(line: str) -> None:
        if line.startswith("QUEUED "):
            queued_at = float(line.split()[1])
            if outage:
                threading.Thread(target=outage_thread, args=(queued_at,), daemon=True).start()
        elif line:
            print(f"  {line}")

    result["busy_before_run"] = busy_fraction(1.0)
    print(f"The run: queueing {EMAILS:,} e-mails and {SMS:,} SMS in chunks of {CHUNK}…")
    result["run"] = django_stream(
        env(),
        "queue_and_watch",
        str(EMAILS),
        str(SMS),
        str(CHUNK),
        str(POLL),
        str(DEADLINE + outage),
        on_line=on_line,
    )
    result["outage"] = outage_log
    time.sleep(2)  # late callbacks and the fakes' last writes
    for worker in workers:
        procs.stop(worker)
    procs.stop_all()
    signal.alarm(0)

    print("Checking: every message received by its fake exactly once…")
    received = fakes_received()
    result["check"] = django_side(__file__, env(), "check")
    ids = result["check"]["ids"]
    fakes: dict[str, Any] = {}
    for channel in ("email", "sms"):
        seen = received[channel]
        ours = set(ids[channel])
        fakes[channel] = {
            "messages": len(ours),
            "received_distinct": len([i for i in seen if i in ours]),
            "received_once": sum(1 for i in ours if seen.get(i) == 1),
            "missing": sum(1 for i in ours if i not in seen),
            "twice_or_more": sorted(i for i in ours if seen.get(i, 0) > 1),
            "unexpected": sum(1 for i in seen if i not in ours),
            "stored_rows": sum(seen.values()),
        }
    result["fakes"] = fakes
    result["check"].pop("ids")
    return result


# ---- The report ----------------------------------------------------------------------------


def report(result: dict[str, Any]) -> int:
    cores = os.cpu_count() or 1
    run_ = result["run"]
    base = result["baseline"]
    limits = result["setup"]["rate_limits"]
    outage = result["outage_seconds"]
    total = EMAILS + SMS
    print(
        f"\nVentanilla notifications — {result['started']} — {cores} cores, {WORKERS} db_worker "
        f"processes, gunicorn {GUNICORN_WORKERS} workers, PostgreSQL, Redis; machine "
        f"{result['busy_before_run']:.0%} busy before the run"
        + (f"; SMTP relay down {outage:.0f} s mid-run" if outage else "")
    )
    head = (
        f"{'':<30} {'n':>6} {'95 % sent':>10} {'95 % deliv.':>12} {'100 % deliv.':>13} "
        f"{'sent/s':>7} {'peak/s':>7} {'floor':>6}"
    )
    line = "-" * len(head)
    print(f"\nSeconds from the start of queueing\n{head}\n{line}")
    rows = {"email": "e-mail (SMTP relay, events)", "sms": "SMS (Infobip-style gateway)"}
    summary: dict[str, Any] = {}
    for channel in ("email", "sms", "all"):
        figures = run_["channels"][channel]
        n = figures["n"]
        floor = (
            n / limits[channel]
            if channel != "all"
            else max(EMAILS / limits["email"], SMS / limits["sms"])
        )
        limit = limits.get(channel, "")
        label = rows.get(channel, "both")
        print(
            f"{label:<30} {n:>6} {_s(figures['sent95']):>10} {_s(figures['t95']):>12} "
            f"{_s(figures['t100']):>13} {figures['sent_per_s']:>7.0f} "
            f"{figures['peak_sent_per_s']:>7}{'/' + str(limit) if limit else '':<4} {floor:>5.1f}s"
        )
        summary[channel] = {
            "n": n,
            "sent95_s": _round(figures["sent95"]),
            "t95_s": _round(figures["t95"]),
            "t100_s": _round(figures["t100"]),
            "sent_per_s": round(figures["sent_per_s"], 1),
            "peak_sent_per_s": figures["peak_sent_per_s"],
            "delivered_per_s": round(figures["delivered_per_s"], 1),
            "floor_s": round(floor, 1),
        }
    print(
        "  sent: handed to the provider (sent_at); delivered: its report received (completed_at);"
        "\n  peak/s: most hand-overs in one second, over the rate limit; floor = messages / the"
        f"\n  limit ({limits['email']}/s e-mail, {limits['sms']}/s SMS): no run can be faster"
    )
    print(
        f"  queued in {run_['queue_seconds']:.1f} s "
        f"({run_['chunks']} calls of messages_create_many)"
    )

    print(f"\nBaseline: the same {total:,} rows written without sending\n{line}")
    print(
        f"{'messages_create_many, a test key':<34} {total:>7} {base['test_key_seconds']:>8.1f}s"
        f"   ({total / base['test_key_seconds']:,.0f} messages/s; validated, rendered, saved)"
    )
    print(
        f"{'bare rows (bulk_create)':<34} {total:>7} {base['bulk_seconds']:>8.1f}s"
        f"   ({total / base['bulk_seconds']:,.0f} rows/s)"
    )
    print(
        f"{'the run: queueing (real keys)':<34} {total:>7} {run_['queue_seconds']:>8.1f}s"
        f"   ({total / run_['queue_seconds']:,.0f} messages/s)"
    )

    check = result["check"]
    print(f"\nAfter the run\n{line}")
    print(f"statuses: {json.dumps(check['statuses'], ensure_ascii=False)}")
    print(f"attempts: {json.dumps(check['attempts'])}; events {check['events']:,}")
    clean = True
    for channel, fake in result["fakes"].items():
        twice = fake["twice_or_more"]
        print(
            f"{channel}: {fake['messages']:,} messages; received by the fake "
            f"{fake['received_distinct']:,} ({fake['stored_rows']:,} stored), exactly once "
            f"{fake['received_once']:,}, missing {fake['missing']}, twice or more {len(twice)}"
            f"{' ' + ', '.join(twice[:5]) if twice else ''}, unexpected {fake['unexpected']}"
        )
        clean = clean and not fake["missing"] and not fake["unexpected"]
        if twice:
            clean = False
    if result.get("outage"):
        queued = run_["queue_seconds"]  # the outage is timed from the queue's commit
        print(
            f"outage: relay down at +{queued + result['outage'].get('stopped', 0):.1f} s, back "
            f"at +{queued + result['outage'].get('restarted', 0):.1f} s from the start of queueing"
        )
    delivered_all = run_["channels"]["all"]["t100"] is not None
    summary["baseline_test_key_s"] = round(base["test_key_seconds"], 2)
    summary["baseline_bulk_s"] = round(base["bulk_seconds"], 2)
    summary["queue_s"] = round(run_["queue_seconds"], 2)
    summary["all_delivered"] = delivered_all
    summary["each_received_once"] = clean
    t95 = summary["all"]["t95_s"]
    t100 = summary["all"]["t100_s"]
    print(
        f"\n{total:,} messages: 95 % delivered after {_s(t95)}, 100 % after {_s(t100)} "
        f"(the rate limits' floor {summary['all']['floor_s']} s); writing the same rows without "
        f"sending takes {summary['baseline_test_key_s']} s; every message received exactly once: "
        f"{'yes' if clean else 'NO'}."
    )
    result["summary"] = summary
    result["machine"] = machine()
    result["settings"] = {
        "emails": EMAILS,
        "sms": SMS,
        "chunk": CHUNK,
        "poll_seconds": POLL,
        "db_workers": WORKERS,
        "gunicorn_workers": GUNICORN_WORKERS,
        "rate_limits": limits,
        "batch_size": result["setup"]["batch_size"],
    }
    name = "notifications-outage" if outage else "notifications"
    print(f"\nwritten {results_write(name, result)}")
    return 0 if (delivered_all and clean) else 1


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.1f}s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--outage",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="stop the SMTP relay mid-run for this many seconds (the issue's minute: 60)",
    )
    options = parser.parse_args()
    return bench_main(lambda procs: run(procs, options.outage), report, time_limit=TIME_LIMIT)


# ---- The Django half, run in a child process with the application's settings ---------------

_SUBJECT = "Tu expediente ((referencia)) cambió de estado"
_BODY = (
    "Hola, ((nombre)):\n\n"
    "Tu expediente ((referencia)) del ((institucion)) pasó a «((estado))».\n\n"
    "Puedes ver el detalle y la notificación en tu casilla electrónica:\n((enlace))\n\n"
    "Este mensaje se envió automáticamente; no lo respondas."
)
_SMS = "((institucion)): tu expediente ((referencia)) paso a ((estado)). Detalle en tu casilla."


def _email(number: int) -> str:
    return f"ciudadana.{number:05d}@correo.bench.pe"


def _phone(number: int) -> str:
    """A Peruvian mobile number per message, never ending in 000 (the fake gateway's
    «absent subscriber»)."""
    return f"+51{910_000_000 + number * 1000 + number % 997 + 1}"


def _items(
    *, emails: int, sms: int, reference: str, sender: Any, templates: dict[str, Any], key: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for number in range(emails + sms):
        channel = "email" if number < emails else "sms"
        index = number if channel == "email" else number - emails
        values = {
            "nombre": f"Ciudadana {index:05d}",
            "referencia": f"MTC-2026-{index + 1:06d}",
            "institucion": "MTC",
            "estado": "En evaluación",
            "enlace": f"https://www.gob.pe/casilla/{uuid.UUID(int=index + 1)}",
        }
        items.append(
            {
                "channel": channel,
                "recipient": _email(index) if channel == "email" else _phone(index),
                "institution": sender.institution,
                "sender": sender,
                "template": templates[channel],
                "personalisation": values,
                "reference": reference,
                "api_key": key,
            }
        )
    return items


def _bench_objects() -> tuple[Any, dict[str, Any]]:
    from ventanilla.institutions.models import Institution
    from ventanilla.notifications.models import Sender, Template

    institution = Institution.objects.get(ruc=INSTITUTION_RUC)
    sender = Sender.objects.filter(institution=institution).order_by("created_at").first()
    templates = {
        t.channel: t
        for t in Template.objects.filter(institution=institution, name__startswith="bench:")
    }
    return sender, templates


def django_setup() -> dict[str, Any]:
    """The MTC, its sender, an e-mail and an SMS template, and the settings the run uses."""
    from django.conf import settings

    from ventanilla.institutions.models import Institution
    from ventanilla.notifications.models import Template, TemplateVersion
    from ventanilla.notifications.services.senders import sender_default

    institution, _ = Institution.objects.get_or_create(
        ruc=INSTITUTION_RUC,
        defaults={
            "slug": "mtc",
            "name": "Ministerio de Transportes y Comunicaciones",
            "acronym": "MTC",
            "kind": "ministry",
        },
    )
    sender = sender_default(institution=institution)
    for channel, subject, body in (("email", _SUBJECT, _BODY), ("sms", "", _SMS)):
        template = Template.objects.create(
            institution=institution,
            channel=channel,
            name=f"bench: cambio de estado ({channel})",
            subject=subject,
            body=body,
        )
        TemplateVersion.objects.create(template=template, version=1, subject=subject, body=body)
    return {
        "institution": institution.name,
        "sender": sender.name,
        "rate_limits": dict(settings.NOTIFICATIONS_RATE_LIMITS),
        "batch_size": settings.NOTIFICATIONS_BATCH_SIZE,
        "lease_seconds": settings.NOTIFICATIONS_LEASE_SECONDS,
        "smtp": f"{settings.NOTIFICATIONS_SMTP_HOST}:{settings.NOTIFICATIONS_SMTP_PORT}",
        "sms_url": settings.NOTIFICATIONS_SMS_URL,
        "callback_base_url": settings.NOTIFICATIONS_CALLBACK_BASE_URL,
    }


def django_baseline(emails: str, sms: str) -> dict[str, Any]:
    """The same rows, twice, without sending: through messages_create_many with a test key
    (nothing leaves), then as bare rows (bulk_create of copies); both deleted afterwards."""
    from django.db import transaction

    from ventanilla.notifications.models import Message
    from ventanilla.notifications.services.keys import notify_key_create
    from ventanilla.notifications.services.messages import messages_create_many

    sender, templates = _bench_objects()
    key, _secret = notify_key_create(sender=sender, name="bench: prueba", kind="test", by=None)
    items = _items(
        emails=int(emails),
        sms=int(sms),
        reference=BASELINE_REFERENCE,
        sender=sender,
        templates=templates,
        key=key,
    )
    started = time.perf_counter()
    for start in range(0, len(items), CHUNK):
        messages_create_many(items=items[start : start + CHUNK])
    test_key_seconds = time.perf_counter() - started
    rows = list(Message.objects.filter(reference=BASELINE_REFERENCE))
    leaving = sum(1 for row in rows if row.status != Message.Status.DELIVERED)
    for row in rows:
        row.pk = uuid.uuid4()
        row.reference = BASELINE_REFERENCE + "-BULK"
    started = time.perf_counter()
    with transaction.atomic():
        for start in range(0, len(rows), CHUNK):
            Message.objects.bulk_create(rows[start : start + CHUNK])
    bulk_seconds = time.perf_counter() - started
    Message.objects.filter(reference__startswith=BASELINE_REFERENCE).delete()
    return {
        "messages": len(items),
        "test_key_seconds": test_key_seconds,
        "bulk_seconds": bulk_seconds,
        "not_delivered_at_once": leaving,
    }


def django_queue_and_watch(
    emails: str, sms: str, chunk: str, poll: str, deadline: str
) -> dict[str, Any]:
    """Queue the run's messages (real keys: they leave through the workers), then count their
    statuses every `poll` seconds until none is queued or sending, or `deadline`."""
    from django.db.models import Count

    from ventanilla.notifications.models import Message
    from ventanilla.notifications.services.messages import messages_create_many

    sender, templates = _bench_objects()
    items = _items(
        emails=int(emails),
        sms=int(sms),
        reference=RUN_REFERENCE,
        sender=sender,
        templates=templates,
        key=None,
    )
    size = int(chunk)
    started = time.time()
    chunks = 0
    for start in range(0, len(items), size):
        messages_create_many(items=items[start : start + size])
        chunks += 1
    queued = time.time()
    print(f"QUEUED {queued:.6f}", flush=True)
    totals = {"email": int(emails), "sms": int(sms)}
    totals["all"] = totals["email"] + totals["sms"]
    run = Message.objects.filter(reference=RUN_REFERENCE)
    timeline: list[dict[str, Any]] = []
    first: dict[str, dict[str, float | None]] = {c: {"t95": None, "t100": None} for c in totals}
    open_states = {Message.Status.QUEUED, Message.Status.SENDING}
    last_print = 0.0
    last_counts: Counter[tuple[str, str]] = Counter()
    changed_at = time.time()
    while True:
        now = time.time()
        counts = Counter[tuple[str, str]]()
        for row in run.values("channel", "status").annotate(n=Count("pk")):
            counts[(row["channel"], row["status"])] = row["n"]
        delivered = {
            c: sum(n for (ch, st), n in counts.items() if st == "delivered" and c in (ch, "all"))
            for c in totals
        }
        pending = sum(n for (_ch, st), n in counts.items() if st in open_states)
        at = now - started
        timeline.append({"t": round(at, 3), "delivered": delivered, "pending": pending})
        for channel, total in totals.items():
            if first[channel]["t95"] is None and delivered[channel] >= 0.95 * total:
                first[channel]["t95"] = at
            if first[channel]["t100"] is None and delivered[channel] >= total:
                first[channel]["t100"] = at
        if now - last_print >= 5:
            last_print = now
            print(
                f"+{at:5.1f} s  delivered {delivered['email']:>6} e-mail {delivered['sms']:>6} SMS"
                f"  queued or sending {pending}",
                flush=True,
            )
        if pending == 0 and sum(counts.values()) >= totals["all"]:
            break
        if counts != last_counts:
            last_counts, changed_at = counts, now
        elif now - changed_at > STALL:
            print(f"nothing changed for {STALL:.0f} s with {pending} open: stopping", flush=True)
            break
        if at > float(deadline):
            print(f"deadline of {float(deadline):.0f} s reached with {pending} open", flush=True)
            break
        time.sleep(max(0.0, float(poll) - (time.time() - now)))
    # Exact figures from the rows: when each message was handed over (sent_at, the worker's
    # clock) and when its provider's report made it final (completed_at, the web process's).
    channels: dict[str, Any] = {}
    for channel, total in totals.items():
        chosen = run if channel == "all" else run.filter(channel=channel)
        sent = sorted(
            at.timestamp() - started
            for at in chosen.exclude(sent_at=None).values_list("sent_at", flat=True)
            if at is not None
        )
        done = sorted(
            at.timestamp() - started
            for at in chosen.filter(status="delivered").values_list("completed_at", flat=True)
            if at is not None
        )
        per_second = Counter(int(started + at) for at in sent)
        channels[channel] = {
            "n": total,
            "sent": len(sent),
            "delivered": len(done),
            "sent95": _rank(sent, total, 0.95),
            "t95": _rank(done, total, 0.95),
            "t100": _rank(done, total, 1.0),
            "sent_per_s": len(sent) / sent[-1] if sent else 0.0,
            "peak_sent_per_s": max(per_second.values()) if per_second else 0,
            "delivered_per_s": len(done) / done[-1] if done else 0.0,
            "poll_t95": first[channel]["t95"],
            "poll_t100": first[channel]["t100"],
        }
    return {
        "queue_seconds": queued - started,
        "chunks": chunks,
        "channels": channels,
        "timeline": timeline,
    }


def _rank(times: list[float], total: int, fraction: float) -> float | None:
    """When the ceil(fraction·total)-th message got there (None: not that many did)."""
    k = max(1, math.ceil(fraction * total))
    return times[k - 1] if len(times) >= k else None


def django_check() -> dict[str, Any]:
    """Statuses, attempts and events of the run's messages, and their ids by channel (to
    compare with what the fakes received)."""
    from django.db.models import Count

    from ventanilla.notifications.models import Message, MessageEvent

    run = Message.objects.filter(reference=RUN_REFERENCE)
    statuses: dict[str, dict[str, int]] = {}
    for row in run.values("channel", "status").annotate(n=Count("pk")):
        statuses.setdefault(row["channel"], {})[row["status"]] = row["n"]
    attempts = {
        str(row["attempts"]): row["n"]
        for row in run.values("attempts").annotate(n=Count("pk")).order_by("attempts")
    }
    return {
        "statuses": statuses,
        "attempts": attempts,
        "events": MessageEvent.objects.filter(message__reference=RUN_REFERENCE).count(),
        "ids": {
            channel: [str(i) for i in run.filter(channel=channel).values_list("pk", flat=True)]
            for channel in ("email", "sms")
        },
    }


DJANGO_COMMANDS: dict[str, Callable[..., dict[str, Any]]] = {
    "setup": django_setup,
    "baseline": django_baseline,
    "queue_and_watch": django_queue_and_watch,
    "check": django_check,
}


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] in DJANGO_COMMANDS:
        django_boot()
        print(json.dumps(DJANGO_COMMANDS[sys.argv[1]](*sys.argv[2:]), default=str))
    else:
        sys.exit(main())
