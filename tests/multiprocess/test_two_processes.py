"""Two application processes, one database, one shared cache: an edit made anywhere is what
both processes serve on the next request (the guarantee of issue 2, as deployed).

Runs two gunicorn processes (one sync worker each, production settings) on a throwaway
PostgreSQL database and Redis database 15. Skipped only when PostgreSQL or Redis is not
reachable; CI starts both, so there it runs."""

import subprocess

from ventanilla.catalogue import services
from ventanilla.catalogue.tests.factories import ProcedureFactory

from .conftest import (
    PYTHON,
    ROOT,
    base_env,
    fetch,
    free_port,
    this_process_uses,
    wait_until_serving,
)


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

    with django_db_blocker.unblock(), this_process_uses(throwaway_database, shared_cache):
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
