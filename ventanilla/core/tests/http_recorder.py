"""A real HTTP server in a thread that records the requests it gets: the stand-in for an
nginx in front, for tests of the front-cache purge (no mocks)."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, status: int) -> None:
        self.status = status
        self.requests: list[tuple[str, str]] = []
        self.connections: list[tuple[str, int]] = []  # one entry per TCP connection accepted
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self, method: str = "PURGE") -> list[str]:
        return [unquote(p) for m, p in self.requests if m == method]


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps a connection open for the next request, as nginx does.
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.server.connections.append(self.client_address)  # type: ignore[attr-defined]

    def do_PURGE(self) -> None:
        self.server.requests.append(("PURGE", self.path))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def recording_servers() -> Iterator[Callable[[int], RecordingServer]]:
    """Yields start(status) -> a running RecordingServer; all are shut down on exit."""
    started: list[RecordingServer] = []

    def start(status: int = 200) -> RecordingServer:
        server = RecordingServer(status)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.shutdown()
            server.server_close()
