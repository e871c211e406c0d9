"""Logins spread over two application processes, as behind a load balancer: a session opened
on one is valid on the other, failed tries on both add up to one delay, and a session closed
from one is gone on the other. Same set-up as test_two_processes (PostgreSQL + Redis)."""

import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from django.contrib.auth.hashers import make_password

from ventanilla.accounts.hashers import VentanillaArgon2Hasher

from .conftest import PYTHON, ROOT, base_env, free_port, this_process_uses, wait_until_serving

PASSWORD = "una-clave-larga-2026"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Browser:
    """A cookie jar shared across servers, like one browser behind one load balancer."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        try:
            with self.opener.open(req, timeout=20) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def login(self, server: str, password: str) -> tuple[int, str, str]:
        _status, _loc, page = self.request(f"{server}/cuenta/ingresar/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "the login page carries a CSRF token"
        form = {"csrfmiddlewaretoken": token.group(1), "documento": "45678912",
                "password": password}  # fmt: skip
        return self.request(f"{server}/cuenta/ingresar/", form)


def test_a_login_holds_across_processes_and_failures_add_up(
    throwaway_database, shared_cache, static_root, processes, django_db_blocker, tmp_path
):
    env = base_env(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        VENTANILLA_DATABASE_URL=throwaway_database,
        VENTANILLA_CACHE_URL=shared_cache,
        VENTANILLA_STATIC_ROOT=str(static_root),
        VENTANILLA_VAR_DIR=str(tmp_path),
        VENTANILLA_LOGIN_DELAY_AFTER="4",
    )
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env,
                   check=True, timeout=180)  # fmt: skip
    servers = []
    for _name in ("A", "B"):
        port = free_port()
        command = [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--workers", "1",
                   "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env))
        servers.append(f"http://127.0.0.1:{port}")
    a, b = servers

    with django_db_blocker.unblock(), this_process_uses(throwaway_database, shared_cache):
        from django.contrib.auth import get_user_model

        from ventanilla.accounts.models import UserSession

        user = get_user_model().objects.create(
            username="dni-45678912", document_type="dni", document_number="45678912",
            first_name="Rosa María", last_name="Quispe Huamán",
            password=make_password(PASSWORD, hasher=VentanillaArgon2Hasher()),
        )  # fmt: skip
        for server, process in zip(servers, processes, strict=True):
            wait_until_serving(f"{server}/", process)

        browser = Browser()
        status, location, _body = browser.login(a, PASSWORD)
        assert (status, location) == (302, "/cuenta/")
        status, _loc, body = browser.request(f"{b}/cuenta/")
        assert status == 200, "the session opened on A is valid on B"
        assert "Rosa María" in body

        # Closing the session (as "close this session" on another device does) logs it out on
        # both processes.
        UserSession.objects.filter(user=user).delete()
        assert browser.request(f"{a}/cuenta/")[0] == 302
        assert browser.request(f"{b}/cuenta/")[0] == 302

        # Failures on either process count for the one account: the fourth (the limit set
        # above) starts the delay, and then even the right password waits.
        attacker = Browser()
        answers = [attacker.login(server, "equivocada")[0] for server in (a, b, a, b)]
        assert answers == [400, 400, 400, 429]
        status, _loc, body = Browser().login(b, PASSWORD)
        assert status == 429
        assert "Demasiados intentos fallidos" in body
