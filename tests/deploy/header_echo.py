"""A stand-in WSGI application for tests/deploy/test_underscore_headers.py: it answers the
string values of its WSGI environ as JSON."""

import json
from collections.abc import Callable, Iterable
from typing import Any


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = json.dumps({k: v for k, v in environ.items() if isinstance(v, str)}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
