"""Django's development server, letting through the request headers with an underscore that
public APIs need (GovStack Messaging's `api_key`).

Django's WSGIRequestHandler drops every header whose name holds an underscore, because `X_Foo`
and `X-Foo` would both become HTTP_X_FOO (one could spoof the other). Only the names in
UNDERSCORE_HEADERS are kept here, and one never overrides the same header sent with a dash.
The production stack does the same with nginx (`underscores_in_headers on`) and gunicorn
(`forwarder_headers`, deploy/gunicorn.conf.py).

- `runserver_command()`: the runserver command with this handler (demo_serve uses it).
- `RequestHandler` / `QuietRequestHandler`: for any server built on django.core.servers.basehttp
  (the tests' live server uses the quiet one).
"""

from typing import Any

from django.core.management.commands import runserver
from django.core.servers import basehttp

UNDERSCORE_HEADERS = frozenset({"api_key"})


class RequestHandler(basehttp.WSGIRequestHandler):
    def get_environ(self) -> dict[str, str]:
        kept = [
            (name, value)
            for name, value in self.headers.items()
            if name.lower() in UNDERSCORE_HEADERS
        ]
        environ: dict[str, str] = super().get_environ()  # drops every underscore header
        for name, value in kept:
            environ.setdefault("HTTP_" + name.upper(), value)
        return environ


class QuietRequestHandler(RequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Server(basehttp.WSGIServer):
    """basehttp.run() hard-codes its handler class; this server swaps it for RequestHandler."""

    def __init__(self, server_address: Any, handler: Any, *args: Any, **kwargs: Any) -> None:
        if handler is basehttp.WSGIRequestHandler:
            handler = RequestHandler
        super().__init__(server_address, handler, *args, **kwargs)


def runserver_command() -> runserver.Command:
    """Django's runserver, serving with RequestHandler (for call_command)."""
    command = runserver.Command()
    command.server_cls = Server
    return command
