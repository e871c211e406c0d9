#!/usr/bin/env python3
"""Check the rendered nginx config against its promises, on loopback, in a few seconds.

Starts nginx (deploy/render_nginx.py --standalone) and a stand-in application that answers like
Ventanilla's citizen pages (X-Accel-Expires + Cache-Control: no-cache), then checks: cache key by
language, only requests without a query string stored, bypass for personal or unsafe requests,
/api/ and /gestion/ never stored, exact purges that drop that page in that language and nothing
else (also through ventanilla.core.tasks.purge_front_caches, thousands over one connection),
purges refused from other addresses, stale pages while the application is down, and /static/
precompressed and immutable. Exits 1 when a promise is broken, 2 when nginx or Debian's
cache-purge module is missing (deploy/scripts/ensure-nginx.sh installs them).

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
PURGE_MODULE = "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so"
BULK_PAGES = 2500  # × 2 languages: the purges of a big publish, through the task


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
    if not shutil.which("nginx") or not Path(PURGE_MODULE).exists():
        print(
            "needs nginx and Debian's libnginx-mod-http-cache-purge: deploy/scripts/ensure-nginx.sh"
        )
        return 2
    work = Path(tempfile.mkdtemp(prefix="ventanilla-nginx-check-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    app_port, nginx_port = free_port(), free_port()
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
            "--workers",
            "1",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Debian's own nginx.conf keeps the default keepalive_requests (1000): so does this check.
    conf = work / "nginx.conf"
    conf.write_text(conf.read_text().replace("\n    keepalive_requests 100000;\n", "\n"))
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(work)])
    try:
        for _ in range(50):
            try:
                request(nginx_port, "/static/css/app.abc123.css")
                break
            except OSError:
                if nginx.poll() is not None:
                    raise SystemExit("nginx did not start: see the error above") from None
                time.sleep(0.1)
        run_checks(nginx_port, app)
    finally:
        app.server_close()
        nginx.terminate()
        nginx.wait(timeout=10)
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
    for query in ("?page=2", "?utm_source=boletin", "?q=dni&page=3"):
        path = "/tramites/1-a/" + query
        statuses = [cache_status(port, path) for _ in range(2)]
        check(
            f"query string {query!r} goes to the application every time",
            statuses == ["BYPASS", "BYPASS"] and App.renders.get(path) == 2,
            (statuses, App.renders.get(path)),
        )
    check(
        "a query string never replaces the stored page",
        request(port, "/tramites/1-a/")[2].startswith(b"/tramites/1-a/ render=1 "),
    )
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

    print("exact purges")
    en = {"Cookie": "lang=en"}
    for path in ("/tramites/1-a/", "/tramites/1-b/", "/tramites/", "/"):
        request(port, path)
    request(port, "/tramites/1-a/", headers=en)
    status = request(port, "/_purge/es/tramites/1-a/", method="PURGE")[0]
    check("exact purge answers 200", status == 200, status)
    check("exact purge drops that page", cache_status(port, "/tramites/1-a/") == "MISS")
    check(
        "exact purge keeps the page in the other language",
        cache_status(port, "/tramites/1-a/", headers=en) == "HIT",
    )
    check(
        "exact purge keeps every other page",
        [cache_status(port, p) for p in ("/tramites/1-b/", "/tramites/", "/")] == ["HIT"] * 3,
    )
    status = request(port, "/_purge/es/tramites/nunca-visto/", method="PURGE")[0]
    check("purge of a page not in the cache answers 404", status == 404, status)
    status = request(port, "/_purge/es/tramites/*", method="PURGE")[0]
    check(
        "a wildcard is just a key nobody stored: 404, nothing dropped",
        status == 404 and cache_status(port, "/tramites/1-b/") == "HIT",
        status,
    )
    for method in ("PURGE", "GET"):
        status = request(port, "/_purge/es/tramites/1-b/", method=method, source="127.0.0.2")[0]
        check(f"{method} /_purge/ from another address is refused (403)", status == 403, status)
    check("refused purge dropped nothing", cache_status(port, "/tramites/1-b/") == "HIT")
    one_connection_purges(port)

    print("the application's own purge task")
    task_purges(port)

    print("stale pages while the application is down")
    request(port, "/short/page/")
    # The stand-in gives /short/ pages one second of life; nginx counts whole seconds and a
    # page is stale only once the clock is past its last valid second: wait over two.
    time.sleep(2.5)
    app.shutdown()
    app.server_close()  # connections are now refused: nginx sees an error
    status, headers, _ = request(port, "/short/page/")
    check(
        "expired page is served STALE when the application is down",
        status == 200 and headers.get("x-cache") == "STALE",
        (status, headers.get("x-cache")),
    )
    check("a stored page is still a HIT", cache_status(port, "/tramites/1-b/") == "HIT")

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


def one_connection_purges(port: int, count: int = 1500) -> None:
    """More purges than nginx's default keepalive_requests (1000) over one connection."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.connect()
    sock, statuses = conn.sock, set()
    for n in range(count):
        conn.request("PURGE", f"/_purge/es/tramites/{n}-nunca/")
        response = conn.getresponse()
        response.read()
        statuses.add(response.status)
    same = conn.sock is sock and not response.will_close
    conn.close()
    check(f"{count} purges over one kept-alive connection", same and statuses == {404}, statuses)


def task_purges(port: int) -> None:
    """Run ventanilla.core.tasks.purge_front_caches against this nginx, as a worker would."""
    en = {"Cookie": "lang=en"}
    request(port, "/tramites/9-z/")
    request(port, "/tramites/9-z/", headers=en)
    request(port, "/tramites/9-y/")
    request(port, "/institucion/municipalidad-de-anc%C3%B3n/")
    bulk = [f"/tramites/{n}-masivo/" for n in range(BULK_PAGES)]
    for path in bulk[::10]:  # every tenth is stored; the rest answer 404
        request(port, path)
    code = (
        "import time;from ventanilla.core.tasks import purge_front_caches as t;"
        "print(t.call(paths=['/tramites/9-z/', '/institucion/municipalidad-de-ancón/',"
        " '/tramites/*']));"
        "import sys;bulk=sys.stdin.read().split();s=time.perf_counter();"
        "print(t.call(paths=bulk));print(time.perf_counter()-s)"
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
        input="\n".join(bulk),
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = out.stdout.split()
    check(
        "task answers every page × language (wildcard skipped)",
        lines[:1] == ["4"],
        out.stdout + out.stderr[-2000:],
    )
    check("task purge dropped the Spanish page", cache_status(port, "/tramites/9-z/") == "MISS")
    check(
        "task purge dropped the English page",
        cache_status(port, "/tramites/9-z/", headers=en) == "MISS",
    )
    check(
        "task purge dropped a page with a non-ASCII address",
        cache_status(port, "/institucion/municipalidad-de-anc%C3%B3n/") == "MISS",
    )
    check("task purge kept the page beside it", cache_status(port, "/tramites/9-y/") == "HIT")
    took = float(lines[2]) if len(lines) > 2 else float("inf")
    purges = BULK_PAGES * 2
    check(
        f"task sends {purges} purges ({BULK_PAGES} pages × 2 languages) in seconds "
        f"({took:.2f} s, {purges / took:.0f}/s)",
        lines[1:2] == [str(purges)] and took < 30,
        out.stdout,
    )
    check(
        "bulk purge dropped every stored page",
        all(cache_status(port, path) == "MISS" for path in bulk[::10]),
    )


if __name__ == "__main__":
    sys.exit(main())
