"""The HTML pages under load (issue 15): wrk's report parsed, a session's cookie sent, each worker's
memory read after the run, and the page's goals judged in the report."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from bench import httpload
from bench.measure import rss_mb
from bench.report import goals_table, memory_table, results_table

WRK_REPORT = (
    '{"requests": 6000, "duration_us": 30000000, "bytes": 1, "connect": 0, "read": 0, "write": 0, '
    '"status": 2, "timeout": 0, "p50_us": 120000, "p90_us": 300000, "p95_us": 450000, "p99_us": 900000, '
    '"max_us": 1200000}'
)


def fake_wrk(directory: Path) -> Path:
    """A stand-in for wrk that records its arguments and prints the report our Lua script writes."""
    path = directory / "wrk"
    path.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{directory}/args"\necho \'{WRK_REPORT}\'\n')
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_a_load_run_reports_rates_percentiles_and_errors_and_sends_the_session_cookie(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    server = httpload.Server(process=None, base="http://127.0.0.1:9", workers=4, threads=2)  # type: ignore[arg-type]

    measured = httpload.load(
        wrk=str(fake_wrk(tmp_path)),
        server=server,
        path="/",
        clients=50,
        seconds=1,
        log_dir=tmp_path / "logs",
        name="page",
        headers={"Cookie": "sessionid=abc"},
    )

    assert measured["rps"] == 200
    assert [measured["p50_ms"], measured["p95_ms"], measured["p99_ms"]] == [120, 450, 900]
    assert measured["errors"] == 2
    args = (tmp_path / "args").read_text().splitlines()
    assert args[args.index("-H") + 1] == "Cookie: sessionid=abc"
    assert args[-1] == "http://127.0.0.1:9/"


def test_a_workers_memory_after_the_run_is_what_it_holds_now() -> None:
    now = rss_mb(os.getpid())

    assert now is not None
    assert now > 1
    assert rss_mb(2**22 + 12345) is None  # a process that is not there


@pytest.mark.django_db
def test_the_session_step_signs_in_an_ordinary_user_whose_cookie_opens_their_page() -> None:
    pytest.importorskip("duckdb", reason="DuckDB (the bench extra, which bench.worker imports) is not installed")
    from bench.worker import session_cookie

    session = session_cookie()

    name, value = session["cookie"].split("=", 1)
    client = Client()
    client.cookies[name] = value
    html = client.get("/").content.decode()
    assert f'<span class="site-tools__user">{session["username"]}</span>' in html
    assert 'href="/admin/"' not in html
    assert 'href="/imports/"' not in html


def page_result(rps: float, p95: float, errors: int = 0) -> dict[str, Any]:
    def run(rps: float, p95: float, errors: int) -> dict[str, Any]:
        return {"rps": rps, "p50_ms": p95 / 3, "p95_ms": p95, "p99_ms": p95 * 2, "errors": errors}

    return {
        "set": "province",
        "db": "postgres",
        "dataset": {"values": 1_857_620},
        "steps": {
            "http_pages": {
                "baseline": run(1000, 80, 0),
                "page": {**run(rps, p95, errors), "rps_to_baseline": rps / 1000, "bytes_per_response": 312_000},
                "page_signed_in": run(rps / 2, p95 * 2, 0),
                "memory": {"workers_rss_mb_after": [101.5, 98.25], "worker_rss_mb_max": 130.0},
            }
        },
    }


def test_the_report_judges_the_page_against_its_goals() -> None:
    results = {("province", "postgres"): page_result(rps=180, p95=400)}

    table = "\n".join(goals_table(results))

    assert "| ≥ 100 req/s, 0 errors, p95 ≤ 500 ms | province · PostgreSQL, anonymous | 180 req/s" in table
    anonymous = next(line for line in table.splitlines() if "PostgreSQL, anonymous" in line)
    signed_in = next(line for line in table.splitlines() if "PostgreSQL, signed in" in line)
    assert anonymous.endswith("| met |")
    assert signed_in.endswith("| **not met** |")  # 90 req/s, p95 800 ms


def test_an_error_under_load_misses_the_pages_goal() -> None:
    results = {("province", "postgres"): page_result(rps=500, p95=100, errors=3)}

    anonymous = next(line for line in goals_table(results) if "PostgreSQL, anonymous" in line)

    assert anonymous.endswith("| **not met** |")


def test_the_report_shows_the_pages_percentiles_the_ratio_to_the_baseline_and_each_workers_memory() -> None:
    results = {("province", "postgres"): page_result(rps=180, p95=400)}

    text = "\n".join(results_table(results) + memory_table(results))

    assert "180 req/s · p50 133 · p95 400 · p99 800 ms · 0 errors · 0.180 × the baseline's req/s" in text
    assert "| gunicorn, each worker after the pages' load (resident now) | 102, 98.2 |" in text
    assert "312,000" in text
