#!/usr/bin/env python3
"""Render deploy/nginx/ventanilla.conf for one machine.

Production (an http{}-level include for Debian's nginx):
    deploy/render_nginx.py --listen 80 --upstream 10.0.1.11:8000 --upstream 10.0.1.12:8000 \
        --purge-allow 10.0.2.0/24 > /etc/nginx/conf.d/ventanilla.conf

Standalone (a whole nginx.conf that runs unprivileged from one folder; the bench and
deploy/scripts/check_nginx_cache.py use it):
    deploy/render_nginx.py --standalone /tmp/ng --listen 127.0.0.1:8080 --upstream 127.0.0.1:8001
    nginx -c /tmp/ng/nginx.conf -p /tmp/ng
"""

import argparse
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "ventanilla.conf"
PURGE_MODULE = "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so"


def render(args: argparse.Namespace) -> str:
    fields = {
        "listen": args.listen,
        "server_name": args.server_name,
        "upstream_servers": "\n".join(
            f"    server {u} max_fails=3 fail_timeout=10s;" for u in args.upstream
        ),
        "cache_dir": args.cache_dir,
        "cache_max_size": args.cache_max_size,
        "static_root": args.static_root.rstrip("/"),
        "purge_allow": "\n".join(f"        allow {a};" for a in args.purge_allow),
    }
    text = TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise SystemExit(f"unfilled field in {TEMPLATE}: {text[text.index('{{') :][:40]}")
    return text


def standalone(site: str, prefix: Path, workers: str) -> str:
    """A complete nginx.conf that keeps its pid, logs and temp files under `prefix`."""
    temp = "\n".join(
        f"    {name}_temp_path {prefix / ('tmp-' + name)};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    indented = "\n".join(("    " + line) if line else "" for line in site.splitlines())
    return f"""load_module {PURGE_MODULE};
worker_processes {workers};
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
daemon off;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
{temp}
{indented}
}}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="80", help="nginx `listen` value (default 80)")
    parser.add_argument("--server-name", default="_")
    parser.add_argument(
        "--upstream", action="append", default=[], help="host:port of a gunicorn (repeatable)"
    )
    parser.add_argument("--cache-dir", default="/var/cache/nginx/ventanilla")
    parser.add_argument("--cache-max-size", default="2g")
    parser.add_argument("--static-root", default="/srv/ventanilla/static")
    parser.add_argument(
        "--purge-allow",
        action="append",
        default=[],
        help="address or CIDR allowed to purge (repeatable; default 127.0.0.1)",
    )
    parser.add_argument("--standalone", metavar="PREFIX", help="write PREFIX/nginx.conf")
    parser.add_argument("--workers", default="auto", help="worker_processes (standalone only)")
    args = parser.parse_args(argv)
    args.upstream = args.upstream or ["127.0.0.1:8000"]
    args.purge_allow = args.purge_allow or ["127.0.0.1"]

    site = render(args)
    if not args.standalone:
        sys.stdout.write(site)
        return 0
    prefix = Path(args.standalone).resolve()
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "nginx.conf").write_text(standalone(site, prefix, args.workers))
    print(prefix / "nginx.conf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
