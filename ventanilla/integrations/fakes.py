"""What the fake providers (the mail relay, the SMS gateway) share: posting their reports back
(JSON POSTs from a small pool of threads, each keeping its connections alive, retried a few times
with a growing pause when the receiver is down or answers 5xx/429) and reading their JSON-lines
stores newest first. Standard library only."""

from __future__ import annotations

import http.client
import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
TIMEOUT = 10.0


@dataclass
class _Post:
    url: str
    body: bytes
    attempt: int = 0
    generation: int = 0


class CallbackPoster:
    """post(url, payload) returns at once; `threads` workers deliver in the background."""

    def __init__(self, *, threads: int = 4, name: str = "fake", quiet: bool = True) -> None:
        self._queue: queue.Queue[_Post | None] = queue.Queue()
        self._name = name
        self._quiet = quiet
        self._generation = 0
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._stopped = False
        self.posted = 0  # accepted (2xx) posts, for the fakes' health answer
        self._workers = [
            threading.Thread(target=self._work, name=f"{name}-callbacks-{n}", daemon=True)
            for n in range(threads)
        ]
        for worker in self._workers:
            worker.start()

    def post(self, url: str, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        with self._lock:
            self._pending += 1
            post = _Post(url, body, generation=self._generation)
        self._queue.put(post)

    def forget(self) -> None:
        """Drop every post not delivered yet (a test's reset)."""
        with self._lock:
            self._generation += 1

    def wait_idle(self, timeout: float) -> bool:
        """Until nothing is waiting to be posted (or retried); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def stop(self, *, drain_seconds: float = 2.0) -> None:
        self.wait_idle(drain_seconds)
        self._stopped = True
        for _worker in self._workers:
            self._queue.put(None)

    # --- the workers -------------------------------------------------------------------------

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            if self._pending <= 0:
                self._pending = 0
                self._idle.notify_all()

    def _work(self) -> None:
        connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}
        while True:
            post = self._queue.get()
            if post is None:
                break
            with self._lock:
                stale = post.generation != self._generation
            if stale or self._stopped:
                self._done()
                continue
            status = _send(connections, post.url, post.body)
            if 200 <= status < 300 or (400 <= status < 500 and status not in (408, 429)):
                # A 4xx other than "later" will not change by trying again.
                if status >= 300 and not self._quiet:
                    sys.stderr.write(f"{self._name}: {post.url} answered {status}\n")
                if status < 300:
                    self.posted += 1
                self._done()
                continue
            if post.attempt >= len(RETRY_PAUSES):
                if not self._quiet:
                    sys.stderr.write(f"{self._name}: gave up posting to {post.url}\n")
                self._done()
                continue
            pause = RETRY_PAUSES[post.attempt]
            post.attempt += 1
            _later(pause, lambda post=post: self._queue.put(post))  # type: ignore[misc]
        for connection in connections.values():
            connection.close()


def _later(seconds: float, action: Callable[[], None]) -> None:
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()


def _send(
    connections: dict[tuple[str, str, int], http.client.HTTPConnection], url: str, body: bytes
) -> int:
    """The HTTP status, or 0 when the receiver could not be reached."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    key = (parts.scheme, parts.hostname or "127.0.0.1", port)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {"Content-Type": "application/json", "User-Agent": "ventanilla-fake-provider"}
    for attempt in (1, 2):  # a kept-alive connection the server closed: once more, fresh
        connection = connections.get(key)
        if connection is None:
            factory = http.client.HTTPSConnection if https else http.client.HTTPConnection
            connection = factory(key[1], port, timeout=TIMEOUT)
            connections[key] = connection
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.will_close:
                connection.close()
                del connections[key]
            return response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connections.pop(key, None)
            if attempt == 2:
                return 0
    return 0


_BLOCK = 64 * 1024


def lines_newest_first(path: Path) -> Iterator[bytes]:
    """The file's non-empty lines from the last to the first, reading blocks from the end."""
    try:
        handle = path.open("rb")
    except OSError:
        return
    with handle:
        handle.seek(0, os.SEEK_END)
        position = handle.tell()
        rest = b""
        while position > 0:
            step = min(_BLOCK, position)
            position -= step
            handle.seek(position)
            lines = (handle.read(step) + rest).split(b"\n")
            rest = lines[0]
            for line in reversed(lines[1:]):
                if line.strip():
                    yield line
        if rest.strip():
            yield rest


def jsonl_page(path: Path, *, offset: int, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` JSON objects of a JSON-lines file, newest first, skipping `offset`."""
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines_newest_first(path)):
        if number < offset:
            continue
        if len(records) >= limit:
            break
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut short by a killed fake
        if isinstance(record, dict):
            records.append(record)
    return records


def count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return 0


# --- the fakes as processes (the tests' fixtures) ----------------------------------------------

START_TIMEOUT = 20


def start_process(command: list[str], *, banner: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start a fake and wait for its first stdout line (which names its addresses)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    # EOF (an empty line) if the fake dies before it binds: a clear failure, no hang.
    timer = threading.Timer(START_TIMEOUT, process.kill)
    timer.start()
    try:
        first = process.stdout.readline().decode().strip()
    finally:
        timer.cancel()
    if not first.startswith(banner):
        stop_process(process)
        raise RuntimeError(f"{banner!r} did not start: {first!r}")
    return process, first


def stop_process(process: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    """SIGTERM (the fake flushes its store) or, with kill, SIGKILL (a crash); then reap it."""
    if process.poll() is None:
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def control(url: str, *, body: dict[str, Any] | None = None, timeout: float = 30) -> Any:
    """GET (no body) or POST JSON to a fake's control URL; its JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - our own fake's http URL
        url, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - our fake
        return json.loads(response.read())


class CallbackCollector:
    """A small HTTP server that keeps every JSON body POSTed to it (what a fake reported), for
    the fakes' own tests. `status` is what it answers (set 500 to make the fake retry)."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []
        self.paths: list[str] = []
        self.status = 200
        self._lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = collector.status
                if status == 200:
                    with collector._lock:
                        collector.bodies.append(json.loads(raw))
                        collector.paths.append(self.path)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,))
        self._thread.daemon = True
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def received(self) -> list[Any]:
        with self._lock:
            return list(self.bodies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
