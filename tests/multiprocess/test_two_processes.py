"""Two application processes, one database, one shared cache: an edit made anywhere is what
both processes serve on the next request (the guarantee of issue 2, as deployed).

Runs two gunicorn processes (one sync worker each, production settings) on a throwaway
PostgreSQL database and Redis database 15. Skipped only when PostgreSQL or Redis is not
reachable; CI starts both, so there it runs."""

import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import override_settings

from config.settings.base import database_from_url
from ventanilla.catalogue import services
from ventanilla.catalogue.tests.factories import ProcedureFactory

from .conftest import PYTHON, ROOT, base_env, fetch, free_port, wait_until_serving

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
def _this_process_uses(database_url: str, cache_url: str) -> Iterator[None]:
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


def test_an_edit_is_served_by_both_processes_on_their_next_request(
    throwaway_database, shared_cache, static_root, processes, django_db_blocker, tmp_path
):
    env = base_env(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        VENTANILLA_DATABASE_URL=throwaway_database,
        VENTANILLA_CACHE_URL=shared_cache,
        VENTANILLA_STATIC_ROOT=str(static_root),
        VENTANILLA_VAR_DIR=str(tmp_path),
    )
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    servers = []
    for _name in ("A", "B"):
        port = free_port()
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env))
        servers.append(f"http://127.0.0.1:{port}")

    with django_db_blocker.unblock(), _this_process_uses(throwaway_database, shared_cache):
        procedure = ProcedureFactory(title="Obtener el certificado de antecedentes")
        for server, process in zip(servers, processes, strict=True):
            wait_until_serving(f"{server}/", process)
        url = procedure.get_absolute_url()
        a, b = (f"{server}{url}" for server in servers)

        status, _headers, body = fetch(a)
        assert status == 200
        assert "Obtener el certificado de antecedentes" in body
        assert fetch(a)[1].get("X-Page-Cache") == "hit"
        assert fetch(b)[1].get("X-Page-Cache") == "hit"  # one cache for every process

        from django.contrib.auth import get_user_model

        admin = get_user_model().objects.create_superuser(username="plataforma", password="x")
        services.procedure_update(
            procedure=procedure, data={"title": "Obtener el certificado en línea"}, by=admin
        )

        # A renders the new page (the old copy is gone for every process); B then gets A's new
        # copy from the shared cache. Either way, nobody sees the old title.
        first = fetch(a)
        assert first[1].get("X-Page-Cache") == "miss"
        for status, _headers, body in (first, fetch(b)):
            assert status == 200
            assert "Obtener el certificado en línea" in body
            assert "Obtener el certificado de antecedentes" not in body
