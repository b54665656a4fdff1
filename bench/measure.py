"""Timing and memory: statistics over repeated runs, and child processes measured one by one."""

from __future__ import annotations

import math
import os
import resource
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least ``fraction`` of them at or below it."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(samples: Sequence[float]) -> float:
    if not samples:
        return math.nan
    ordered = sorted(samples)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summary(samples: Sequence[float]) -> dict[str, Any]:
    """Median, p95, min, max and count of timings in seconds."""
    return {
        "n": len(samples),
        "median": median(samples),
        "p95": percentile(samples, 0.95),
        "min": min(samples) if samples else math.nan,
        "max": max(samples) if samples else math.nan,
    }


@dataclass
class ProcessResult:
    """A finished (or killed) child process: wall time, peak memory, CPU and its output files."""

    command: list[str]
    returncode: int
    wall: float
    max_rss_mb: float
    cpu_user: float
    cpu_system: float
    timed_out: bool
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def failure(self) -> str:
        # The command without the interpreter's path: the message ends up in docs/performance.md.
        what = " ".join([Path(self.command[0]).name, *self.command[1:4]])
        if self.timed_out:
            return f"timed out after {self.wall:.0f} s: {what}"
        tail = (self.stderr or self.stdout).strip().splitlines()[-5:]
        return f"exit {self.returncode}: {what}: " + " | ".join(tail)


def run_process(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    log_dir: Path,
    name: str,
    timeout: float | None = None,
    cwd: Path | None = None,
    memory_limit: int | None = None,
) -> ProcessResult:
    """Run ``command`` in its own session and wait for it with ``wait4``, which gives this child's own
    peak resident memory (``ru_maxrss``) and CPU times; output goes to log files, not pipes.

    ``memory_limit`` (bytes of address space) makes a runaway step fail with MemoryError instead of
    waking the kernel's OOM killer, which on a shared machine could pick someone else's process.
    """

    def limit() -> None:
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        # The suite's own commands (the product, its workers, wrk), never text from outside; the suite
        # starts no threads, so preexec_fn is safe here.
        process = subprocess.Popen(  # noqa: S603
            list(command),
            stdout=out,
            stderr=err,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
            preexec_fn=limit,  # noqa: PLW1509
        )
        timed_out = False
        try:
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if timeout is not None and time.perf_counter() - started > timeout:
                    timed_out = True
                    # Only the process group this call started.
                    os.killpg(process.pid, signal.SIGKILL)
                    pid, status, usage = os.wait4(process.pid, 0)
                    break
                time.sleep(0.05)
        except BaseException:
            # Interrupted (the suite is being stopped): take the child down with us.
            os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            raise
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return ProcessResult(
        command=list(command),
        returncode=process.returncode,
        wall=wall,
        max_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        cpu_user=usage.ru_utime,
        cpu_system=usage.ru_stime,
        timed_out=timed_out,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


def peak_rss_mb(pid: int) -> float | None:
    """A running process's peak resident memory so far (VmHWM), for processes that are not our children."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss_mb(pid: int) -> float | None:
    """A running process's resident memory now (VmRSS): what it keeps after a load, not its peak."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])
    return total - idle, total
