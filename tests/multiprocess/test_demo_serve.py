"""`manage.py demo_serve`: Django's server with static files through WhiteNoise (DEBUG off)
and the tasks worker and the six fake registries beside it; SIGTERM stops them all."""

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from ventanilla.integrations.civil_registry.fake_people import DEMO_CITIZEN_DNI

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
    # python manage.py <command> ...: the tasks worker and one fake per registry.
    children = {
        pid: Path(f"/proc/{pid}/cmdline").read_text().split("\0")[2:]
        for pid in _children(server.pid)
    }
    commands = {" ".join(argv[:3]): pid for pid, argv in children.items()}
    assert sorted(commands) == sorted(
        ["db_worker --interval 1"] + [f"registry_fake --registry {name}" for name in REGISTRIES]
    )
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

    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate(timeout=20)
    text = output.decode()
    assert server.returncode == 0, text
    assert f"{base}/gestion/" in text
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
