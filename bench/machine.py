"""What the figures were measured on: CPU, cores, memory, OS, versions, load and the date."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg

from bench.databases import PostgresServer


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _wrk_version() -> str | None:
    wrk = shutil.which("wrk")
    if not wrk:
        return None
    # wrk prints its version with the usage text ("wrk debian/4.1.0-3+b2 [epoll] …") and exits non-zero.
    text = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    words = text.split()
    return f"wrk {words[1]}" if len(words) > 1 else None


def describe_machine(server: PostgresServer | None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": _os_name(),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "django": _version("Django"),
        "duckdb": _version("duckdb"),
        "gunicorn": _version("gunicorn"),
        "psycopg": _version("psycopg"),
        "wrk": _wrk_version(),
        "load_average": os.getloadavg(),
        "disk_free_gib": shutil.disk_usage(tempfile.gettempdir()).free / 2**30,
    }
    if server is not None:
        try:
            info["postgres"] = server.describe()
        except psycopg.Error as exc:  # the steps that need the server will fail and say so
            info["postgres_error"] = str(exc)
    return info
