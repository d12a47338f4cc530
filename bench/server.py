"""Run gunicorn on loopback for the length of a benchmark, and drive it with wrk."""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).resolve().parent / "report.lua"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServerConfig:
    """A gunicorn set-up, written `sync:3` (3 sync workers) or `gthread:2x4` (2 workers of 4 threads)."""

    worker_class: str
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, text: str) -> "ServerConfig":
        match = re.fullmatch(r"(sync|gthread):(\d+)(?:x(\d+))?", text.strip())
        if match is None:
            raise ValueError(f"Server set-up {text!r} is not like sync:3 or gthread:2x4.")
        worker_class, workers, threads = match.groups()
        if worker_class == "sync" and threads:
            raise ValueError("sync workers have no threads; use gthread:NxT.")
        return cls(worker_class=worker_class, workers=int(workers), threads=int(threads or 1))

    @property
    def label(self) -> str:
        if self.worker_class == "sync":
            return f"sync:{self.workers}"
        return f"gthread:{self.workers}x{self.threads}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect must show up as a 3xx, never as the page it leads to


_opener = urllib.request.build_opener(_NoRedirect)


def http_get(url: str, *, cookie: str | None = None, timeout: float = 10.0) -> tuple[int, bytes]:
    """GET without following redirects; return the status and the body."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def git_commit() -> str | None:
    """The commit being measured, for the results file."""
    try:
        completed = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S607
    except (OSError, subprocess.CalledProcessError):
        return None
    return completed.stdout.strip()


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                pids += process_tree(int(child))
    return pids


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU used so far by gunicorn's master and workers (Linux /proc)."""
        total = 0
        for pid in process_tree(self.pid):
            with contextlib.suppress(OSError):
                # Fields after the command name, which sits in parentheses and may hold spaces.
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / _CLOCK_TICKS


@contextlib.contextmanager
def gunicorn_running(*, config: ServerConfig, env: dict[str, str], log_path: Path) -> Iterator[RunningServer]:
    """Start gunicorn on a free loopback port, wait until it answers, yield it, and always stop it."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "portal.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--worker-class", config.worker_class,
        "--workers", str(config.workers),
        "--threads", str(config.threads),
        "--chdir", str(ROOT),
        "--timeout", "30",
        "--graceful-timeout", "5",
        "--log-level", "warning",
        "--error-logfile", str(log_path),
    ]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    process_env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "bench.settings", **env}
    # Its own session, so that stopping it stops its workers too, and a Ctrl-C here reaches us first.
    process = subprocess.Popen(command, env=process_env, cwd=ROOT, start_new_session=True)
    base_url = f"http://{HOST}:{port}"
    try:
        _wait_until_answering(process=process, url=f"{base_url}/bench/bare/", log_path=log_path)
        yield RunningServer(base_url=base_url, pid=process.pid)
    finally:
        _stop(process)


def _wait_until_answering(*, process: subprocess.Popen, url: str, log_path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}; see {log_path}")
        try:
            status, _body = http_get(url, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s; see {log_path}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@dataclass(frozen=True)
class WrkResult:
    requests: int
    requests_per_second: float
    latency_ms: dict[str, float]  # p50, p75, p90, p95, p99, mean, max
    errors: dict[str, int]
    non_2xx_3xx: int
    bytes_per_request: float
    output: str

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "requests_per_second": self.requests_per_second,
            "latency_ms": self.latency_ms,
            "errors": self.errors,
            "non_2xx_3xx": self.non_2xx_3xx,
            "bytes_per_request": self.bytes_per_request,
        }


def wrk_run(
    *, url: str, duration: int, connections: int, threads: int, session_keys: list[str], timeout: int = 10
) -> WrkResult:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}s", "--latency",
        "-s", str(LUA_SCRIPT), url, "--", *session_keys,
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return wrk_parse(completed.stdout)


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _to_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(f"Unreadable wrk latency {value!r}")
    return float(match.group(1)) * _UNIT_MS[match.group(2)]


def wrk_parse(output: str) -> WrkResult:
    """Read wrk's text report (Requests/sec, latency distribution) and the script's BENCH_RESULT line."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    script_line = re.search(r"^BENCH_RESULT (\{.*\})$", output, re.MULTILINE)
    if rate is None or script_line is None:
        raise ValueError(f"Unexpected wrk output:\n{output}")
    summary = json.loads(script_line.group(1))
    latency_ms = {
        f"p{percent}": _to_ms(value)
        for percent, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.MULTILINE)
    }
    # wrk prints no 95th percentile; the script's done() does, and stands in if the text has none.
    for percent in ("p50", "p90", "p95", "p99"):
        latency_ms.setdefault(percent, summary["latency_us"][percent] / 1000)
    latency_ms["mean"] = summary["latency_us"]["mean"] / 1000
    latency_ms["max"] = summary["latency_us"]["max"] / 1000
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    requests = summary["requests"]
    return WrkResult(
        requests=requests,
        requests_per_second=float(rate.group(1)),
        latency_ms={key: round(value, 3) for key, value in sorted(latency_ms.items())},
        errors=summary["errors"],
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        bytes_per_request=summary["bytes"] / requests if requests else 0.0,
        output=output,
    )
