"""Faults the delivery pipeline survives, with real `manage.py db_worker` processes on this
run's database (SQLite or PostgreSQL) and the real fake relay and gateway: a worker SIGKILLed
in the middle of a batch loses nothing and duplicates nothing, and the per-provider rate limit
holds across two workers at the gateway."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from ventanilla.institutions.tests.factories import InstitutionFactory
from ventanilla.notifications.models import Message
from ventanilla.notifications.services.messages import messages_create_many

ROOT = Path(__file__).resolve().parents[3]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REDIS = "redis://127.0.0.1:6379/12"

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """This test run's database, as the worker processes must reach it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}?conn_max_age=0"
    )


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `manage.py db_worker` processes on this test's database; all killed at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> subprocess.Popen[bytes]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
        environment.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            VENTANILLA_DATABASE_URL=database_url(),
            VENTANILLA_VAR_DIR=str(tmp_path),
            VENTANILLA_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            # Reports go nowhere: these tests count what reached the providers.
            VENTANILLA_NOTIFY_CALLBACK_BASE_URL="http://127.0.0.1:1",
            VENTANILLA_NOTIFY_LEASE="2",
            VENTANILLA_NOTIFY_BATCH="20",
            **env,
        )
        command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay"]
        command += ["--interval", "0.2", "-v", "0"]
        process = subprocess.Popen(command, cwd=ROOT, env=environment)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def wait(condition: Callable[[], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the workers did not get there in time")
        time.sleep(0.05)


def queue(channel: str, recipients: list[str], settings) -> list[Message]:
    settings.TASKS = DB_TASKS  # the workers run the deliveries, not this process
    institution = InstitutionFactory()
    return messages_create_many(
        items=[
            {
                "channel": channel,
                "recipient": r,
                "institution": institution,
                "subject": "Aviso",
                "body": f"Aviso número {n}",
            }
            for n, r in enumerate(recipients)
        ]
    )


def in_flight() -> bool:
    """Messages a worker has claimed and not yet handed over."""
    return Message.objects.filter(status="sending", sent_at__isnull=True).exists()


def test_a_worker_killed_mid_batch_loses_no_email_and_resends_at_most_the_one_in_flight(
    mail_relay, workers, settings
):
    total = 100
    messages = queue("email", [f"vecino{n}@correo.pe" for n in range(total)], settings)
    env = {
        "VENTANILLA_SMTP_HOST": mail_relay.host,
        "VENTANILLA_SMTP_PORT": str(mail_relay.port),
        "VENTANILLA_EMAIL_RATE": "30",  # slow enough to be killed in the middle
    }
    first = workers(**env)
    wait(lambda: len(mail_relay.received(content=False)) >= 30 and in_flight())
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert in_flight()  # it died holding a claimed batch, and nobody took it since
    workers(**env)
    unsent = Message.objects.filter(sent_at__isnull=True)
    wait(lambda: not unsent.exists())

    arrived = Counter(r["message_id"] for r in mail_relay.received(content=False))
    domain = settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN
    assert set(arrived) == {f"{m.pk}@{domain}" for m in messages}  # nothing lost
    assert sum(arrived.values()) <= total + 1  # only the one in flight may come twice
    assert set(Message.objects.values_list("status", flat=True)) == {"sending"}


def test_a_worker_killed_mid_batch_loses_no_sms_and_the_gateway_gets_each_once(
    sms_gateway, workers, settings
):
    total = 60
    messages = queue("sms", [f"98765{n:04d}" for n in range(1, total + 1)], settings)
    env = {
        "VENTANILLA_SMS_URL": sms_gateway.url,
        "VENTANILLA_SMS_API_KEY": sms_gateway.api_key,
        "VENTANILLA_SMS_RATE": "10",
    }
    first = workers(**env)
    wait(lambda: len(sms_gateway.received()) >= 15 and in_flight())
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert in_flight()
    workers(**env)
    unsent = Message.objects.filter(sent_at__isnull=True)
    wait(lambda: not unsent.exists())

    arrived = Counter(r["messageId"] for r in sms_gateway.received())
    assert set(arrived) == {str(m.pk) for m in messages}
    assert set(arrived.values()) == {1}


def test_two_workers_keep_to_the_gateways_rate_limit(sms_gateway, workers, settings):
    import redis

    redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    total, limit = 90, 15
    queue("sms", [f"98765{n:04d}" for n in range(1, total + 1)], settings)
    env = {
        "VENTANILLA_SMS_URL": sms_gateway.url,
        "VENTANILLA_SMS_API_KEY": sms_gateway.api_key,
        "VENTANILLA_SMS_RATE": str(limit),
        "VENTANILLA_CACHE_URL": REDIS,  # one count for both processes
    }
    workers(**env)
    workers(**env)
    unsent = Message.objects.filter(sent_at__isnull=True)
    wait(lambda: not unsent.exists())

    received = sms_gateway.received()
    assert len(received) == total
    per_second = Counter(int(r["received_at"]) for r in received)
    assert max(per_second.values()) <= limit
