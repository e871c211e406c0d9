"""`manage.py demo_serve`: Django's server with static files through WhiteNoise (DEBUG off)
and the tasks worker, the six fake registries, the fake mail relay and SMS gateway beside it
(what those two receive shows at /demo/buzon/); SIGTERM stops them all."""

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from ventanilla.integrations.civil_registry.fake_people import DEMO_CITIZEN_DNI
from ventanilla.integrations.email.client import OutgoingEmail, SmtpClient
from ventanilla.integrations.sms.client import OutgoingSms, SmsClient

from .conftest import PYTHON, ROOT, base_env, fetch, free_port, stop, wait_until_serving


def post_json(url: str, body: dict[str, Any]) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 - the fake's http URL
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _eventually_shows(url: str, text: str) -> bool:
    """The fakes flush their stores every fraction of a second: look again for a while."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if text in fetch(url)[2]:
            return True
        time.sleep(0.2)
    return False


# In the order of their ports, from VENTANILLA_INTEROP_REGISTRY_PORT_BASE.
REGISTRIES = ["reniec", "migraciones", "sunat", "sunarp", "mtc", "govstack"]


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports."""
    for _attempt in range(50):
        first = free_port()
        probes = []
        try:
            for port in range(first, first + count):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
        return first
    raise AssertionError(f"no {count} consecutive free ports")


def test_demo_serve_serves_pages_and_static_files_and_stops_with_its_helpers(
    tmp_path, static_root, processes
):
    env = base_env(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        VENTANILLA_VAR_DIR=str(tmp_path),
        VENTANILLA_STATIC_ROOT=str(static_root),
        VENTANILLA_DEBUG="0",
        VENTANILLA_INTEROP_REGISTRY_HOST="127.0.0.1",
        VENTANILLA_INTEROP_REGISTRY_PORT_BASE=str(free_ports(len(REGISTRIES))),
        VENTANILLA_SMTP_PORT=str(free_port()),
        VENTANILLA_SMS_URL=f"http://127.0.0.1:{free_port()}",
    )
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "manage.py", "demo_serve", "--addrport", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    processes.append(server)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(f"{base}/", server)

    status, headers, body = fetch(f"{base}/static/css/ventanilla.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert body == (ROOT / "static" / "css" / "ventanilla.css").read_text()
    assert fetch(f"{base}/")[0] == 200
    # python manage.py <command> ... (the worker, one fake per registry) and python -m <module>
    # ... (the relay and the gateway).
    children = {
        pid: Path(f"/proc/{pid}/cmdline").read_text().split("\0")[2:]
        for pid in _children(server.pid)
    }
    commands = {" ".join(argv[:3]): pid for pid, argv in children.items()}
    smtp_port, sms_url = int(env["VENTANILLA_SMTP_PORT"]), env["VENTANILLA_SMS_URL"]
    assert sorted(commands) == sorted(
        ["db_worker --interval 1"]
        + [f"registry_fake --registry {name}" for name in REGISTRIES]
        + [
            f"ventanilla.integrations.email.fake --port {smtp_port}",
            f"ventanilla.integrations.sms.fake --port {sms_url.rsplit(':', 1)[1]}",
        ]
    )
    worker_env = Path(f"/proc/{commands['db_worker --interval 1']}/environ").read_bytes()
    assert f"VENTANILLA_NOTIFY_CALLBACK_BASE_URL={base}".encode() in worker_env.split(b"\0")
    first = int(env["VENTANILLA_INTEROP_REGISTRY_PORT_BASE"])
    registries = {name: f"http://127.0.0.1:{first + i}" for i, name in enumerate(REGISTRIES)}
    for url in registries.values():
        wait_until_serving(f"{url}/_fake/health", server)
        assert fetch(f"{url}/_fake/health")[0] == 200
    # RENIEC answers a DNI read on its own port, as the mediator will forward it.
    status, body = post_json(
        f"{registries['reniec']}/data/personas/1.0/read",
        {"query": {"content": {"ID": DEMO_CITIZEN_DNI}}},
    )
    assert status == 200, body
    assert DEMO_CITIZEN_DNI in body

    # What the relay and the gateway receive shows in the demo's mailbox.
    wait_until_serving(f"{sms_url}/_fake/health", server)
    with SmtpClient(host="127.0.0.1", port=smtp_port, timeout=5) as client:
        client.send(
            OutgoingEmail(
                message_id=f"{uuid.uuid4()}@ventanilla.gob.pe",
                from_email="no-responder@ventanilla.gob.pe",
                to=["rosa@example.pe"],
                subject="Aviso de la demo",
                text="Hola.",
            )
        )
    sms = SmsClient(base_url=sms_url, api_key="demo-sms-key", timeout=5)
    [taken] = sms.send_many(
        [
            OutgoingSms(
                message_id=str(uuid.uuid4()),
                to="+51987654321",
                text="SMS de la demo",
                sender="GOBPE",
            )
        ],
        notify_url="",
    )
    sms.close()
    assert taken.accepted
    assert _eventually_shows(f"{base}/demo/buzon/", "Aviso de la demo")
    assert _eventually_shows(f"{base}/demo/buzon/sms/", "SMS de la demo")

    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate(timeout=20)
    text = output.decode()
    assert server.returncode == 0, text
    assert f"{base}/gestion/" in text
    assert f"{base}/demo/buzon/" in text
    assert f"smtp://127.0.0.1:{smtp_port}" in text
    assert sms_url in text
    assert "Proceso de tareas detenido." in text
    for url in registries.values():
        assert url in text, f"{url} not announced"  # each fake says where it listens
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        Path(f"/proc/{pid}").exists() for pid in commands.values()
    ):
        time.sleep(0.1)
    for command, pid in commands.items():
        assert not Path(f"/proc/{pid}").exists(), f"{command} outlived demo_serve"
    stop(server)
