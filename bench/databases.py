"""The databases the suite creates: PostgreSQL databases named ``bench_*`` (dropped afterwards)
and SQLite files in the work directory."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
_NAME = re.compile(r"^bench_[a-z0-9_]{1,50}$")


@dataclass(frozen=True)
class PostgresServer:
    """A PostgreSQL server the suite may create its own ``bench_*`` databases on."""

    url: str

    @classmethod
    def from_env(cls, url: str | None = None) -> PostgresServer:
        return cls(url or os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_SERVER)

    def url_for(self, database: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))

    def _admin(self) -> psycopg.Connection[Any]:
        # The maintenance database: the URL's own may be one that does not exist yet (CI names one).
        return psycopg.connect(self.url_for("postgres"), autocommit=True)

    def create(self, name: str) -> str:
        """Create an empty database ``name`` (dropping a leftover of the same name); return its URL."""
        _check(name)
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def drop(self, name: str) -> None:
        _check(name)
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def checkpoint(self) -> float:
        """Write every changed page to disk now (``CHECKPOINT``); return how long it took. After a
        load of millions of rows the server otherwise writes them out for minutes in the background
        (``checkpoint_completion_target``), while the questions that follow are timed."""
        started = time.perf_counter()
        with self._admin() as conn:
            conn.execute("CHECKPOINT")
        return time.perf_counter() - started

    def size_bytes(self, name: str) -> int:
        with self._admin() as conn:
            row = conn.execute("SELECT pg_database_size(%s)", [name]).fetchone()
        return int(row[0]) if row else 0

    def describe(self) -> dict[str, str]:
        """Version and the settings that matter for these measurements."""
        names = [
            "server_version",
            "shared_buffers",
            "work_mem",
            "maintenance_work_mem",
            "effective_cache_size",
            "max_wal_size",
            "synchronous_commit",
            "fsync",
            "max_parallel_workers_per_gather",
        ]
        with self._admin() as conn:
            return {n: str(conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(n))).fetchone()[0]) for n in names}  # type: ignore[index]


def _check(name: str) -> None:
    # The suite shares the server with others: it touches databases of its own name only.
    if not _NAME.match(name):
        raise ValueError(f"refusing to touch database {name!r}: the suite's databases are named bench_*")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def database_name(*parts: str) -> str:
    """``bench_<parts>_<pid>``: unique to this run, so two runs on one server never collide."""
    return "_".join(["bench", *parts, str(os.getpid())]).lower().replace("-", "_")
