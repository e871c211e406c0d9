"""gunicorn for Ventanilla: one stateless WSGI host behind nginx (deploy/nginx/ventanilla.conf).

Sync workers: a page render is CPU-bound Python, nginx buffers slow clients, so a worker never
waits on a phone's connection and threads would only contend for the GIL. Every value can be
overridden from the environment (deploy/ventanilla.env.example) or the command line.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "sync"
# One worker per core plus one to cover the moments a worker waits on PostgreSQL or Redis.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
# Recycle workers now and then so a slow leak never becomes an outage; jitter avoids all
# workers restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 2
# Only nginx may tell us the client's address and scheme (X-Forwarded-For / -Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Header names with an underscore: gunicorn drops them (header_map "drop", the default kept
# here: "dangerous" would let `X_Forwarded_Proto` pose as `X-Forwarded-Proto`). GovStack
# Messaging clients send their key as `api_key`, so that one name, and only it, is taken from
# the trusted proxy above (nginx: `underscores_in_headers on`); it reaches Django as
# HTTP_API_KEY. Listing it replaces gunicorn's default SCRIPT_NAME,PATH_INFO, which nginx now
# passes from clients and must not be trusted.
header_map = "drop"
forwarder_headers = "API_KEY"
# Load the application once in the master: workers fork with templates and URLconf ready.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
proc_name = "ventanilla"


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    # Connections opened while preloading must not be shared between processes.
    from django.db import connections

    connections.close_all()
