"""The HTTP step: the product under gunicorn on loopback, loaded by wrk with 50 connections.

wrk is a C program driving all 50 connections from one thread with epoll, so on these two
shared cores it costs a few per cent of one core at the rates measured here; the step
reports the CPU wrk actually used next to the machine's total, so that anyone can check
the load generator was not the bottleneck.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.measure import cpu_times, peak_rss_mb, rss_mb, run_process

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def ensure_wrk() -> str:
    """The path of wrk; installed from Debian's archive when missing and we may (as .ci/run does for chromium)."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        print("wrk is missing: installing Debian's package.", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = [apt, "install", "-y", "-qq", "wrk"]
        if subprocess.run(install, env=env, check=False).returncode != 0:  # noqa: S603 - fixed arguments
            subprocess.run([apt, "update", "-qq"], env=env, check=True)  # noqa: S603 - fixed arguments
            subprocess.run(install, env=env, check=True)  # noqa: S603 - fixed arguments
        found = shutil.which("wrk")
    if not found:
        raise RuntimeError("The HTTP step needs wrk (Debian: apt-get install wrk).")
    return found


def urls(manifest: Mapping[str, Any]) -> dict[str, str]:
    """The three questions as API paths."""
    overview, ranking, trend = manifest["overview"], manifest["ranking"], manifest["trend"]
    return {
        "overview": "/api/v1/analytics?"
        + urlencode(
            {
                "indicator": ",".join(overview["indicators"]),
                "org_unit": overview["org_unit"],
                "period": overview["period"],
            }
        ),
        "ranking": "/api/v1/analytics/ranking?"
        + urlencode(
            {
                "indicator": ranking["indicator"],
                "org_unit": ranking["org_unit"],
                "period": ranking["period"],
                "depth": ranking["depth"],
            }
        ),
        "trend": "/api/v1/analytics?"
        + urlencode(
            {"indicator": trend["indicator"], "org_unit": trend["org_unit"], "period": ",".join(trend["periods"])}
        ),
    }


# The HTML pages under load (issue 15), and the baseline measured in the same run: the status
# palette's stylesheet, a Django view that reads nothing (the ceiling of the stack, from the
# socket through the middleware to the response).
PAGES = {
    "baseline": "/palette.css",
    "page": "/",
    "wall": "/wall/",
}

# The question of the probe in issue 15: 73 indicators × 122 units × 60 months, anonymous. The
# product refuses it before looking a code up, so codes that exist or not cost the same.
OVERSIZED = "/api/v1/analytics?" + urlencode(
    {
        "indicator": ",".join(f"IND{i:03d}" for i in range(73)),
        "org_unit": ",".join(f"U{u:05d}" for u in range(122)),
        "period": ",".join(f"{2020 + m // 12}{m % 12 + 1:02d}" for m in range(60)),
    }
)


def timed_get(server: Server, path: str) -> tuple[int, float]:
    """One anonymous GET on a new connection: its status and milliseconds to the last byte."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(server.base + path, timeout=120) as response:  # noqa: S310 - our own loopback server
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, (time.perf_counter() - start) * 1000


def refusal(server: Server, *, baseline: str, repeats: int) -> dict[str, Any]:
    """The oversized question against an ordinary one, asked in turns, one at a time: the median
    and the p95 of each (ms), their ratio, and whether every oversized one was refused (400)."""
    timings: dict[str, list[float]] = {"oversized": [], "baseline": []}
    statuses: dict[str, set[int]] = {"oversized": set(), "baseline": set()}
    for _ in range(repeats):
        for name, path in (("baseline", baseline), ("oversized", OVERSIZED)):
            status, ms = timed_get(server, path)
            timings[name].append(ms)
            statuses[name].add(status)
    out: dict[str, Any] = {"repeats": repeats, "cells": 73 * 122 * 60}
    for name, values in timings.items():
        ordered = sorted(values)
        out[name] = {
            "median_ms": statistics.median(ordered),
            "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
            "statuses": sorted(statuses[name]),
        }
    out["ratio"] = out["oversized"]["median_ms"] / max(out["baseline"]["median_ms"], 1e-9)
    out["refused"] = statuses["oversized"] == {400}
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    workers: int
    threads: int

    def pids(self) -> list[int]:
        """The master and its workers (found by parent pid in /proc)."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The field after the parenthesised command name is the state, then the parent pid.
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                children.append(int(entry.name))
        return [self.process.pid, *sorted(children)]


def start_gunicorn(*, env: Mapping[str, str], workers: int, threads: int, log_dir: Path, probe: str) -> Server:
    """gunicorn with ``workers`` processes of ``threads`` threads each; returns once ``probe`` answers 200."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "dieuhanh.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "75",
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log_dir / "gunicorn.err"),
    ]
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "gunicorn.out").open("wb") as out:
        # Our own interpreter running gunicorn with arguments built here.
        process = subprocess.Popen(  # noqa: S603
            command, env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, f"http://127.0.0.1:{port}", workers, threads)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_dir / 'gunicorn.err'}")
        try:
            with urllib.request.urlopen(server.base + probe, timeout=30) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise RuntimeError("gunicorn did not answer within 90 s")


def fetch_text(server: Server, path: str, *, headers: Mapping[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(server.base + path, headers=dict(headers or {}))  # noqa: S310 - our own loopback server
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - our own loopback server
        return response.status, response.read().decode()


def fetch_json(server: Server, path: str) -> Any:
    with urllib.request.urlopen(server.base + path, timeout=120) as response:  # noqa: S310 - our own loopback server
        return json.loads(response.read())


def stop(server: Server) -> dict[str, Any]:
    """Memory of the master and each worker — resident now (``VmRSS``: what a worker keeps after the
    load) and at its peak (``VmHWM``) — then a graceful stop (the process group we started)."""
    pids = server.pids()
    peaks = {pid: peak_rss_mb(pid) for pid in pids}
    now = {pid: rss_mb(pid) for pid in pids}
    master = peaks.pop(server.process.pid, None)
    now.pop(server.process.pid, None)
    workers = [p for p in peaks.values() if p is not None]
    after = [p for p in now.values() if p is not None]
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
    return {
        "master_rss_mb": master,
        "worker_rss_mb_max": max(workers) if workers else None,
        "workers_rss_mb_total": sum(workers),
        "workers_rss_mb_after": after,
    }


def load(
    *,
    wrk: str,
    server: Server,
    path: str,
    clients: int,
    seconds: float,
    log_dir: Path,
    name: str,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One wrk run: requests/s, latency percentiles (ms), errors, and the CPU wrk and the machine used.
    ``headers``: sent with every request (a session cookie, for a signed-in user's page)."""
    script = log_dir / "report.lua"
    script.write_text(WRK_SCRIPT)
    busy0, total0 = cpu_times()
    result = run_process(
        [
            wrk,
            "-t1",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            *(arg for key, value in (headers or {}).items() for arg in ("-H", f"{key}: {value}")),
            server.base + path,
        ],
        env=os.environ,
        log_dir=log_dir,
        name=name,
        timeout=seconds + 60,
    )
    busy1, total1 = cpu_times()
    if not result.ok:
        raise RuntimeError(result.failure())
    line = next(x for x in reversed(result.stdout.splitlines()) if x.startswith("{"))
    data = json.loads(line)
    duration = data["duration_us"] / 1e6
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    return {
        "clients": clients,
        "seconds": duration,
        "requests": data["requests"],
        "rps": data["requests"] / duration if duration else 0.0,
        "errors": errors,
        "error_detail": {k: data[k] for k in ("connect", "read", "write", "status", "timeout")},
        "p50_ms": data["p50_us"] / 1000,
        "p90_ms": data["p90_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "max_ms": data["max_us"] / 1000,
        "loadgen_cpu_pct": 100 * (result.cpu_user + result.cpu_system) / result.wall,
        "loadgen_rss_mb": result.max_rss_mb,
        "machine_cpu_busy_pct": 100 * (busy1 - busy0) / max(1, total1 - total0),
    }
