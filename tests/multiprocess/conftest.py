"""Helpers for tests that run the application in separate processes, as it is deployed."""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import override_settings

from config.settings.base import database_from_url

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


PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/15"


def _reachable() -> str | None:
    """Why the test cannot run here, or None when PostgreSQL and Redis both answer."""
    import psycopg
    import redis

    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=2).close()
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable on 127.0.0.1:5432 ({error})"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis is not reachable on 127.0.0.1:6379 ({error})"
    return None


@pytest.fixture
def throwaway_database() -> Iterator[str]:
    """A new, empty PostgreSQL database; dropped afterwards."""
    import psycopg

    reason = _reachable()
    if reason:
        pytest.skip(reason)
    name = f"ventanilla_mp_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}?conn_max_age=0"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def shared_cache() -> Iterator[str]:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@contextmanager
def this_process_uses(database_url: str, cache_url: str) -> Iterator[None]:
    """Point this test process's default database and cache at the ones the servers use, so
    the edit below goes through the real service, as the back office would call it."""
    settings_dict = connections.configure_settings({"default": database_from_url(database_url)})
    backend = load_backend(settings_dict["default"]["ENGINE"])
    connection = backend.DatabaseWrapper(settings_dict["default"], "default")
    previous = connections["default"]
    connections["default"] = connection
    try:
        cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}
        with override_settings(CACHES={"default": cache}, PAGE_CACHE_PURGE_URLS=[]):
            yield
    finally:
        connection.close()
        connections["default"] = previous
