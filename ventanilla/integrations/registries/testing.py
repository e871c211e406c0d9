"""pytest plugin: the fake registries as their own processes, started lazily, one per registry
name per xdist worker, stopped at the end of the session.

    pytest_plugins = ["ventanilla.integrations.registries.testing"]

    def test_prefill_reads_reniec(registry_processes):
        url = registry_processes.url("reniec")          # starts it on first use
        with registry_processes.misbehaving("sunat", "slow", delay=3):
            ...                                         # SUNAT answers after 3 s, then behaves
        registry_processes.reset()                      # every started fake: seed again, mode ok
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from .data import REGISTRIES

START_TIMEOUT = 20


class RegistryProcesses:
    """The fake registries of this test session."""

    def __init__(self) -> None:
        self._processes: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
        self._lock = threading.Lock()

    def url(self, name: str) -> str:
        """The base URL of the fake `name` (reniec, migraciones, sunat, sunarp, mtc, govstack),
        started now if it is not running yet."""
        if name not in REGISTRIES:
            raise KeyError(f"no fake registry named {name!r}")
        with self._lock:
            running = self._processes.get(name)
            if running is not None and running[0].poll() is None:
                return running[1]
            process, url = _start(name)
            self._processes[name] = (process, url)
            return url

    @contextmanager
    def misbehaving(self, name: str, mode: str, delay: float | None = None) -> Iterator[str]:
        """slow (answers after `delay` s), error (HTTP 500), garbage (HTML), drop (hangs up);
        back to ok afterwards. Yields the fake's URL."""
        url = self.url(name)
        _control(url, "mode", {"mode": mode} | ({"delay": delay} if delay is not None else {}))
        try:
            yield url
        finally:
            _control(url, "mode", {"mode": "ok", "delay": 5.0})

    def reset(self) -> None:
        """Every running fake back to its seed (writes and usage log gone) and behaving."""
        with self._lock:
            urls = [url for process, url in self._processes.values() if process.poll() is None]
        for url in urls:
            _control(url, "mode", {"mode": "ok", "delay": 5.0})
            _control(url, "reseed", {})

    def stop(self) -> None:
        with self._lock:
            processes = [process for process, _url in self._processes.values()]
            self._processes.clear()
        for process in processes:
            _stop(process)


def _start(name: str) -> tuple[subprocess.Popen[bytes], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ventanilla.integrations.registries.fake",
            "--registry",
            name,
            "--port",
            "0",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    # EOF (an empty line) if the fake dies before it binds: a clear failure, no hang.
    timer = threading.Timer(START_TIMEOUT, process.kill)
    timer.start()
    try:
        first = process.stdout.readline().decode().strip()
    finally:
        timer.cancel()
    if not first.startswith("Registro simulado") or "http://" not in first:
        _stop(process)
        raise RuntimeError(f"the fake registry {name} did not start: {first!r}")
    return process, first.rsplit(" ", 1)[-1].rstrip("/")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _control(url: str, what: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own fake's http URL
        f"{url}/_fake/{what}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our fake
        response.read()


@pytest.fixture(scope="session")
def registry_processes() -> Iterator[RegistryProcesses]:
    """The fake registries of this session (of this xdist worker); see the module docstring."""
    processes = RegistryProcesses()
    try:
        yield processes
    finally:
        processes.stop()
