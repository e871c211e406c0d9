"""Process, load and CPU helpers for bench/pages.py: start and always stop servers, run wrk,
read /proc. Standard library only."""

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


class Refused(SystemExit):
    """The bench will not report: the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bench: REFUSED: {message}")


class Processes:
    """Every process the bench starts, each in its own session so that stopping it stops its
    children too (gunicorn workers, nginx workers) and nothing else."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(
        self, name: str, argv: list[str], *, log: Path, **kw: object
    ) -> "subprocess.Popen[bytes]":
        handle = log.open("ab")
        proc = subprocess.Popen(  # type: ignore[call-overload]
            argv, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, **kw
        )
        self.running.append((name, proc))
        return proc

    def stop(self, proc: "subprocess.Popen[bytes]", timeout: float = 10) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=timeout)
            except ProcessLookupError:
                pass
        self.running = [(n, p) for n, p in self.running if p is not proc]

    def stop_all(self) -> None:
        for _name, proc in reversed(list(self.running)):
            self.stop(proc)


def wait_http(url: str, proc: "subprocess.Popen[bytes]", name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: {name} exited (code {proc.returncode}); see its log")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers: good enough to know it is up
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"bench: {name} did not answer {url} within {timeout:.0f}s")


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


# ---- CPU: is anyone else busy, and how much CPU did our processes spend -------------------


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]), idle


def busy_fraction(seconds: float = 2.0) -> float:
    total0, idle0 = _cpu_times()
    time.sleep(seconds)
    total1, idle1 = _cpu_times()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def ensure_quiet(limit: float, tries: int = 5, wait: float = 10.0) -> float:
    """Refuse when the machine is busier than `limit` (fraction of all cores) while the bench
    itself is idle: the figures would measure someone else's load."""
    seen = []
    for attempt in range(tries):
        busy = busy_fraction()
        seen.append(busy)
        if busy <= limit:
            return busy
        if attempt < tries - 1:
            print(f"  machine {busy:.0%} busy from other processes; waiting {wait:.0f}s…")
            time.sleep(wait)
    raise Refused(
        f"other processes keep the CPU busy ({', '.join(f'{b:.0%}' for b in seen)} over "
        f"{tries} samples, limit {limit:.0%}); figures would not be this machine's. Try later."
    )


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes, in seconds."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / CLK_TCK


# ---- wrk -----------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    non_2xx: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> WrkResult:
    def grab(pattern: str, default: str = "0") -> str:
        match = re.search(pattern, output)
        return match.group(1) if match else default

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return WrkResult(
        requests=int(grab(r"(\d+) requests in")),
        rps=float(grab(r"Requests/sec:\s+([\d.]+)")),
        p50_ms=_ms(grab(r"\n\s+50%\s+(\S+)", "0us")),
        p99_ms=_ms(grab(r"\n\s+99%\s+(\S+)", "0us")),
        errors=errors,
        non_2xx=int(grab(r"Non-2xx or 3xx responses: (\d+)")),
    )


def run_wrk(url: str, *, threads: int, connections: int, seconds: int) -> WrkResult:
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        url,
    ]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=True)
    return parse_wrk(out.stdout)


# ---- system packages ----------------------------------------------------------------------

PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")


def ensure_system_tools() -> None:
    """nginx, wrk and Debian's cache-purge module; installed with apt-get when we are root."""
    missing = [
        pkg
        for pkg, present in (
            ("nginx-light", shutil.which("nginx")),
            ("wrk", shutil.which("wrk")),
            ("libnginx-mod-http-cache-purge", PURGE_MODULE.exists()),
        )
        if not present
    ]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(
            f"bench: needs {' '.join(missing)} (apt-get install -y {' '.join(missing)})"
        )
    print(f"  installing {' '.join(missing)} with apt-get…")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(
        ["apt-get", "install", "-y", "-q", *missing],
        check=False,
        env=env,
        timeout=600,
        stdout=subprocess.DEVNULL,
    )
    if subprocess.run(["dpkg", "-s", *missing], capture_output=True).returncode != 0:
        subprocess.run(
            ["apt-get", "update", "-q"], check=True, timeout=600, env=env, stdout=subprocess.DEVNULL
        )
        subprocess.run(
            ["apt-get", "install", "-y", "-q", *missing],
            check=True,
            env=env,
            timeout=600,
            stdout=subprocess.DEVNULL,
        )
