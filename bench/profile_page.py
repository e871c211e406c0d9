"""Where a page's CPU goes when the application renders it with no cache.

Calls the WSGI application in-process (no test-client instrumentation), as gunicorn would,
against the bench database (bench/pages.py prepares it), and prints CPU ms per request, the
queries it runs, and a cProfile breakdown: templates, SQL, middleware.

    .venv/bin/python bench/profile_page.py /tramites/196-rendir-examen.../ [-n 300]
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "VENTANILLA_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ventanilla_bench",
        "VENTANILLA_CACHE_URL": "redis://127.0.0.1:6379/14",
        "VENTANILLA_PAGE_CACHE": "0",
        "VENTANILLA_COMPRESS": "0",
        "VENTANILLA_STATIC_ROOT": str(ROOT / "bench" / ".cache" / "static"),
        "VENTANILLA_ALLOWED_HOSTS": "127.0.0.1",
    }
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

application = get_wsgi_application()


def call(path: str) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    status: list[str] = []
    body = b"".join(application(environ, lambda s, h, *a: status.append(s)))
    return status[0], body


GROUPS = {
    "templates (Template.render)": ("django/template/base.py", "render"),
    "SQL (CursorWrapper.execute)": ("django/db/backends/utils.py", "execute"),
    "ORM → objects (ModelIterable)": ("django/db/models/query.py", "__iter__"),
    "URL reverse": ("django/urls/resolvers.py", "_reverse_with_prefix"),
    "gettext": ("django/utils/translation/trans_real.py", "gettext"),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    status, body = call(args.path)
    print(f"{args.path}: {status}, {len(body)} bytes")
    for _ in range(30):
        call(args.path)
    with CaptureQueriesContext(connection) as queries:
        call(args.path)
    print(f"{len(queries)} queries:")
    for q in queries.captured_queries:
        print(f"  {q['time']}s  {q['sql'][:150]}")
    t0 = time.process_time()
    for _ in range(args.n):
        call(args.path)
    cpu_ms = 1000 * (time.process_time() - t0) / args.n
    print(f"\nCPU per request (in-process, no profiler): {cpu_ms:.2f} ms")

    profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
    profiler.enable()
    for _ in range(args.n):
        call(args.path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        f"\nUnder cProfile ({total / args.n * 1000:.2f} ms CPU/request with its overhead); "
        "cumulative share of:"
    )
    for label, (file_end, func) in GROUPS.items():
        cum = max(
            (
                v[3]
                for (f, _l, fn), v in stats.stats.items()  # type: ignore[attr-defined]
                if f.endswith(file_end) and fn == func
            ),
            default=0.0,
        )
        print(f"  {label:<32} {100 * cum / total:5.1f} %")
    view = max(
        (
            v[3]
            for (f, _l, _fn), v in stats.stats.items()  # type: ignore[attr-defined]
            if "/ventanilla/" in f and f.endswith("views.py")
        ),
        default=0.0,
    )
    print(f"  {'the view (parse, query, render)':<32} {100 * view / total:5.1f} %")
    print(f"  {'middleware + handler (the rest)':<32} {100 * (total - view) / total:5.1f} %")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print("\nTop functions by own time:\n" + "\n".join(out.getvalue().splitlines()[6:40]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
