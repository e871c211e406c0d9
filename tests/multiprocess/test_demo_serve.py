"""`manage.py demo_serve`: Django's server with static files through WhiteNoise (DEBUG off)
and the tasks worker and the fake civil registry beside it; SIGTERM stops all three."""

import signal
import subprocess
import time
from pathlib import Path

from .conftest import PYTHON, ROOT, base_env, fetch, free_port, stop, wait_until_serving


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


def test_demo_serve_serves_pages_and_static_files_and_stops_with_its_helpers(
    tmp_path, static_root, processes
):
    env = base_env(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        VENTANILLA_VAR_DIR=str(tmp_path),
        VENTANILLA_STATIC_ROOT=str(static_root),
        VENTANILLA_DEBUG="0",
        VENTANILLA_CIVIL_REGISTRY_URL=f"http://127.0.0.1:{free_port()}",
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
    # python manage.py <command> ...: the tasks worker and the fake civil registry.
    commands = {
        Path(f"/proc/{pid}/cmdline").read_text().split("\0")[2]: pid
        for pid in _children(server.pid)
    }
    assert sorted(commands) == ["civil_registry_fake", "db_worker"]
    registry = env["VENTANILLA_CIVIL_REGISTRY_URL"]
    wait_until_serving(f"{registry}/_fake/health", server)
    assert fetch(f"{registry}/_fake/health")[0] == 200

    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate(timeout=20)
    text = output.decode()
    assert server.returncode == 0, text
    assert f"{base}/gestion/" in text
    assert "Proceso de tareas detenido." in text
    assert f"{registry}/" in text  # the fake says where it listens
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        Path(f"/proc/{pid}").exists() for pid in commands.values()
    ):
        time.sleep(0.1)
    for command, pid in commands.items():
        assert not Path(f"/proc/{pid}").exists(), f"{command} outlived demo_serve"
    stop(server)
