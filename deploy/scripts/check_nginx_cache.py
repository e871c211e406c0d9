#!/usr/bin/env python3
"""Check the rendered nginx config against its promises, on loopback, in a few seconds.

Starts nginx (deploy/render_nginx.py --standalone), a stand-in application that answers like
Ventanilla's citizen pages (X-Accel-Expires + Cache-Control: no-cache) and deploy/purge_helper.py,
then checks: cache key by language, bypass for personal or unsafe requests, /api/ and /gestion/
never stored, exact and wildcard purges (also through ventanilla.core.tasks.purge_front_caches),
purges refused from other addresses, stale pages while the application is down, and /static/
precompressed and immutable. Exits 1 on the first broken promise.

    .venv/bin/python deploy/scripts/check_nginx_cache.py
"""

import gzip
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent
ROOT = DEPLOY.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class App(BaseHTTPRequestHandler):
    """Counts renders per path so a test can tell a cache hit from a render."""

    renders: dict[str, int] = {}
    lock = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            self.renders[self.path] = self.renders.get(self.path, 0) + 1
            n = self.renders[self.path]
        body = f"{self.path} render={n} cookie={self.headers.get('Cookie', '')}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Vary", "Cookie")
        self.send_header("X-Accel-Expires", "1" if self.path.startswith("/short/") else "600")
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


def request(
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    source: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(
        HOST, port, timeout=10, source_address=(source, 0) if source else None
    )
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


FAILURES: list[str] = []


def check(label: str, ok: bool, detail: object = "") -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {label}" + (f"  ({detail})" if not ok else ""))
    if not ok:
        FAILURES.append(label)


def cache_status(port: int, path: str, **kw: object) -> str:
    return request(port, path, **kw)[1].get("x-cache", "-")  # type: ignore[arg-type]


def main() -> int:
    if not Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so").exists():
        print("needs Debian's libnginx-mod-http-cache-purge (apt-get install -y ...)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="ventanilla-nginx-check-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    app_port, nginx_port, helper_port = free_port(), free_port(), free_port()
    static = work / "static"
    (static / "css").mkdir(parents=True)
    css = b"body{margin:0}\n" * 200
    (static / "css" / "app.abc123.css").write_bytes(css)
    (static / "css" / "app.abc123.css.gz").write_bytes(gzip.compress(css))

    app = ThreadingHTTPServer((HOST, app_port), App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    subprocess.run(
        [
            sys.executable,
            str(DEPLOY / "render_nginx.py"),
            "--standalone",
            str(work),
            "--listen",
            f"{HOST}:{nginx_port}",
            "--upstream",
            f"{HOST}:{app_port}",
            "--cache-dir",
            str(work / "cache"),
            "--static-root",
            str(static),
            "--purge-helper",
            f"{HOST}:{helper_port}",
            "--workers",
            "1",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    procs = [
        subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)]),
        subprocess.Popen(
            [
                sys.executable,
                str(DEPLOY / "purge_helper.py"),
                "--cache-dir",
                str(work / "cache"),
                "--listen",
                f"{HOST}:{helper_port}",
            ],
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        for _ in range(50):
            try:
                request(nginx_port, "/static/css/app.abc123.css")
                request(helper_port, "/", headers={"X-Purge-Prefix": "es:/nothing/"})
                break
            except OSError:
                if procs[0].poll() is not None:
                    raise SystemExit("nginx did not start: see the error above") from None
                time.sleep(0.1)
        run_checks(nginx_port, app)
    finally:
        app.server_close()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        if not FAILURES:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work} for a look")
    print(f"{'all promises kept' if not FAILURES else str(len(FAILURES)) + ' broken'}")
    return 1 if FAILURES else 0


def run_checks(port: int, app: ThreadingHTTPServer) -> None:
    print("cache key and bypass")
    check("first visit renders", cache_status(port, "/tramites/1-a/") == "MISS")
    check("second visit is a hit", cache_status(port, "/tramites/1-a/") == "HIT")
    check("query string is its own page", cache_status(port, "/tramites/1-a/?p=2") == "MISS")
    check(
        "lang=en is its own page",
        cache_status(port, "/tramites/1-a/", headers={"Cookie": "lang=en"}) == "MISS",
    )
    check(
        "unknown lang shares the Spanish page",
        cache_status(port, "/tramites/1-a/", headers={"Cookie": "lang=fr; _ga=1"}) == "HIT",
    )
    for cookie in ("sessionid=abc", "lang=en; messages=x", "a=1;sessionid=abc"):
        check(
            f"cookie {cookie!r} bypasses",
            cache_status(port, "/tramites/1-a/", headers={"Cookie": cookie}) == "BYPASS",
        )
    check(
        "a personal page was not stored",
        cache_status(port, "/personal/", headers={"Cookie": "sessionid=1"}) == "BYPASS"
        and cache_status(port, "/personal/") == "MISS",
    )
    before = App.renders["/tramites/1-a/"]
    check(
        "POST always reaches the application",
        cache_status(port, "/tramites/1-a/", method="POST") in {"-", "BYPASS"}
        and App.renders["/tramites/1-a/"] == before + 1,
    )
    check("a HEAD after GET is a hit", cache_status(port, "/tramites/1-a/", method="HEAD") == "HIT")
    for path in ("/api/v1/procedures", "/gestion/"):
        request(port, path)
        request(port, path)
        check(f"{path} never cached", App.renders.get(path) == 2, App.renders.get(path))

    print("purges")
    for path in ("/tramites/2-b/", "/tramites/2-b/?p=2", "/instituciones/"):
        request(port, path)
        request(port, path, headers={"Cookie": "lang=en"})
    status = request(port, "/_purge/es/tramites/1-a/", method="PURGE")[0]
    check("exact purge answers 200", status == 200, status)
    check("exact purge drops that page", cache_status(port, "/tramites/1-a/") == "MISS")
    check("exact purge leaves its query variant", cache_status(port, "/tramites/1-a/?p=2") == "HIT")
    status = request(port, "/_purge/es/tramites/2-b/*", method="PURGE")[0]
    check("page wildcard answers 200", status == 200, status)
    check("page wildcard drops the page", cache_status(port, "/tramites/2-b/") == "MISS")
    check(
        "page wildcard drops its query variants", cache_status(port, "/tramites/2-b/?p=2") == "MISS"
    )
    check(
        "page wildcard keeps the English page",
        cache_status(port, "/tramites/2-b/", headers={"Cookie": "lang=en"}) == "HIT",
    )
    check("page wildcard keeps other pages", cache_status(port, "/tramites/1-a/") == "HIT")
    status = request(port, "/_purge/en/tramites/*", method="PURGE")[0]
    check("section wildcard (en) answers 200", status == 200, status)
    check(
        "section wildcard drops the section",
        cache_status(port, "/tramites/2-b/", headers={"Cookie": "lang=en"}) == "MISS",
    )
    check(
        "section wildcard keeps other sections",
        cache_status(port, "/instituciones/", headers={"Cookie": "lang=en"}) == "HIT",
    )
    check("section wildcard keeps Spanish pages", cache_status(port, "/tramites/1-a/") == "HIT")
    status = request(port, "/_purge/es/nada/*", method="PURGE")[0]
    check("wildcard with nothing stored answers 404", status == 404, status)
    status = request(port, "/_purge/es/tramites/1-a/", method="PURGE", source="127.0.0.2")[0]
    check("purge from another address is refused (403)", status == 403, status)
    status = request(port, "/_purge/es/tramites/*", method="PURGE", source="127.0.0.2")[0]
    check("wildcard purge from another address is refused (403)", status == 403, status)
    check("refused purge dropped nothing", cache_status(port, "/tramites/1-a/") == "HIT")

    print("the application's own purge task")
    task_purges(port)

    print("stale pages while the application is down")
    request(port, "/short/page/")
    time.sleep(1.5)  # the stand-in gives /short/ pages one second of life
    app.shutdown()
    app.server_close()  # connections are now refused: nginx sees an error
    status, headers, _ = request(port, "/short/page/")
    check(
        "expired page is served STALE when the application is down",
        status == 200 and headers.get("x-cache") == "STALE",
        (status, headers.get("x-cache")),
    )

    print("static files")
    status, headers, body = request(
        port, "/static/css/app.abc123.css", headers={"Accept-Encoding": "gzip"}
    )
    check(
        "precompressed .gz is served",
        headers.get("content-encoding") == "gzip" and gzip.decompress(body).startswith(b"body{"),
        headers,
    )
    check("immutable for a year", "immutable" in headers.get("cache-control", ""), headers)


def task_purges(port: int) -> None:
    """Run ventanilla.core.tasks.purge_front_caches against this nginx, as a worker would."""
    request(port, "/tramites/9-z/")
    request(port, "/tramites/9-z/?p=3", headers={"Cookie": "lang=en"})
    code = (
        "from ventanilla.core.tasks import purge_front_caches as t;"
        "print(t.call(paths=['/tramites/9-z/']))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "VENTANILLA_PURGE_URLS": f"http://{HOST}:{port}",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    check("task reports every purge answered", out.stdout.strip() == "2", out.stdout + out.stderr)
    check("task purge dropped the Spanish page", cache_status(port, "/tramites/9-z/") == "MISS")
    check(
        "task purge dropped the English query variant",
        cache_status(port, "/tramites/9-z/?p=3", headers={"Cookie": "lang=en"}) == "MISS",
    )


if __name__ == "__main__":
    sys.exit(main())
