"""Helpers for tests that run the application in separate processes, as it is deployed."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, timeout: float = 5) -> tuple[int, dict[str, str], str]:
    """GET without cookies, as an anonymous citizen: (status, headers, body)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def wait_until_serving(url: str, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the server exited with {process.returncode}")
        try:
            fetch(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen[bytes], seconds: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def static_root(tmp_path: Path) -> Path:
    """A STATIC_ROOT with the project's own files and their manifest, as collectstatic
    would leave it (without the admin's files and compression, which take ~40 s of CPU)."""
    root = tmp_path / "static"
    shutil.copytree(ROOT / "static", root)
    names = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    manifest = {"version": "1.1", "paths": {n: n for n in names}, "hash": "test"}
    (root / "staticfiles.json").write_text(json.dumps(manifest))
    return root


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes started by the test; each is stopped (TERM, then KILL) at the end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop(process)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
    env.update(extra)
    return env
