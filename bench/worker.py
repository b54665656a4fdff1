"""One measured step, run in a process of its own (``python -m bench.worker STEP …``), so that its
peak memory is its own; it writes its figures as JSON to ``--out``.

Steps that drive the product set Django up from the environment the suite gives them
(``DATABASE_URL``, ``DIEUHANH_HOME``), exactly as the ``dieuhanh`` command does.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import importlib
import io
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.reference import run_reference, timed

COPY_CHUNK = 1 << 20


def copy_baseline(dsn: str, values: Path, *, unique: bool) -> dict[str, Any]:
    """Raw PostgreSQL: ``COPY … FROM STDIN`` of the CSV, streamed from this client as an import is."""
    import psycopg  # noqa: PLC0415 - only this step needs the driver itself

    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute("CREATE TABLE bench_copy (indicator text, org_unit text, period text, value numeric(24, 6))")
        if unique:
            conn.execute("CREATE UNIQUE INDEX bench_copy_key ON bench_copy (indicator, org_unit, period)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy, values.open("rb") as f:
                while chunk := f.read(COPY_CHUNK):
                    copy.write(chunk)
            rows = cur.rowcount
        conn.commit()
        seconds = time.perf_counter() - started
        size = conn.execute("SELECT pg_total_relation_size('bench_copy')").fetchone()
        conn.execute("DROP TABLE bench_copy")
        conn.commit()
    return {"seconds": seconds, "rows": rows, "table_bytes": size[0] if size else None}


def sqlite_baseline(path: Path, values: Path, *, unique: bool) -> dict[str, Any]:
    """Raw SQLite: one ``executemany`` INSERT of the CSV's rows in one transaction (SQLite has no COPY),
    with the product's pragmas (WAL, synchronous=NORMAL)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE bench_insert (indicator text, org_unit text, period text, value decimal)")
    if unique:
        conn.execute("CREATE UNIQUE INDEX bench_insert_key ON bench_insert (indicator, org_unit, period)")
    conn.commit()
    started = time.perf_counter()
    with values.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        conn.executemany("INSERT INTO bench_insert VALUES (?, ?, ?, ?)", reader)
    conn.commit()
    seconds = time.perf_counter() - started
    row = conn.execute("SELECT count(*) FROM bench_insert").fetchone()
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return {"seconds": seconds, "rows": row[0] if row else 0}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django  # noqa: PLC0415 - Django starts only in the steps that drive the product

    django.setup()


_TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def _switch_rollups_off(selectors: Any) -> None:
    """Make the selectors see the rollups as not in use, as when they are invalid: they then compute
    from the stored figures (the straightforward design) and keep no answers (nothing to key them on)."""
    if hasattr(selectors, "rollups_ready"):
        selectors.rollups_ready = lambda: False
    if hasattr(selectors, "rollups_stamp"):
        selectors.rollups_stamp = lambda: None


def query(
    kind: str, manifest: dict[str, Any], *, warmup: int, runs: int, seconds: float, direct: bool
) -> dict[str, Any]:
    """Time one of the three questions in-process, through the product's selectors.

    The product's answer cache follows its settings (the suite turns it off with
    DIEUHANH_ANALYTICS_CACHE_SECONDS=0 to time the computation of an answer).
    """
    _django()
    from django.db import connection  # noqa: PLC0415

    from dieuhanh.analytics import selectors  # noqa: PLC0415

    # Answer as a serving process does: dieuhanh.wsgi freezes what is loaded once it is.
    gc.freeze()

    if direct:
        _switch_rollups_off(selectors)
    call: Callable[[], list[dict[str, Any]]]
    if kind == "ranking":
        spec = manifest["ranking"]
        indicators, units, periods = selectors.resolve_query(
            indicator_codes=[spec["indicator"]],
            org_unit_codes=[spec["org_unit"]],
            period_codes=[spec["period"]],
            public_only=False,
        )

        def call() -> list[dict[str, Any]]:
            rows = selectors.analytics_ranking(
                indicator=indicators[0],
                org_unit=units[0],
                period=periods[0],
                depth=spec["depth"],
                measure=spec.get("measure", "value"),
            )
            return [{"org_unit": r.org_unit, "rank": r.rank, "value": selectors.number_out(r.value)} for r in rows]

    else:
        spec = manifest[kind]
        overview = kind.startswith("overview")
        codes = spec["indicators"] if overview else [spec["indicator"]]
        period_codes = [spec["period"]] if overview else spec["periods"]
        indicators, units, periods = selectors.resolve_query(
            indicator_codes=codes, org_unit_codes=[spec["org_unit"]], period_codes=period_codes, public_only=False
        )

        def call() -> list[dict[str, Any]]:
            measures = selectors.analytics_measures(indicators=indicators, org_units=units, periods=periods)
            return [selectors.measures_as_json(m) for m in measures]

    result = timed(call, warmup=warmup, runs=runs, seconds=seconds, min_runs=min(runs, 5))
    queries: list[str] = []

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    # One more call, untimed, to see what it asks of the database: which tables say how the
    # answer was made (rollups, figures, or a cache that needs neither).
    with connection.execute_wrapper(count):
        call()
    result["rows"] = result.pop("result")
    if kind != "ranking":
        # How many answers draw on re-based months (the reform scenario checks there are some).
        result["rebased_rows"] = sum(1 for r in result["rows"] if r.get("rebased"))
    result["sql_queries"] = len(queries)
    result["tables"] = sorted({t for sql in queries for t in _TABLE.findall(sql)})
    return result


def _wrap_product_function(module_name: str, name: str, log: list[dict[str, Any]]) -> None:
    """Time every call of ``module_name.name``, wherever the product imported it by name."""
    original = getattr(importlib.import_module(module_name), name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = original(*args, **kwargs)
        entry = {"function": name, "seconds": time.perf_counter() - started}
        for field in ("units", "rows", "seconds"):
            if hasattr(result, field):
                entry[f"product_{field}"] = getattr(result, field)
        log.append(entry)
        return result

    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("dieuhanh") and getattr(module, name, None) is original:
            setattr(module, name, wrapper)


def import_month(path: Path) -> dict[str, Any]:
    """``dieuhanh import FILE`` in this process, with the rollup refresh inside it timed separately."""
    _django()
    from django.core.management import call_command  # noqa: PLC0415

    from dieuhanh.analytics.services import rollups_ready  # noqa: PLC0415

    # Load every module that may call the refresh, then wrap it where each one sees it.
    for name in ("dieuhanh.ingest.services", "dieuhanh.ingest.bulk", "dieuhanh.ingest.management.commands.import"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    log: list[dict[str, Any]] = []
    _wrap_product_function("dieuhanh.analytics.services", "rollups_refresh", log)
    _wrap_product_function("dieuhanh.analytics.services", "rollups_rebuild", log)
    out = io.StringIO()
    started = time.perf_counter()
    call_command("import", str(path), stdout=out, status="approved")
    seconds = time.perf_counter() - started
    return {
        "command_seconds": seconds,
        "refresh_seconds": sum(e["seconds"] for e in log),
        "calls": log,
        "rollups_ready": rollups_ready(),
        "output": out.getvalue().strip(),
    }


def check_refresh(manifest: dict[str, Any], period: str) -> dict[str, Any]:
    """After the new months: rollups still current, and reading them gives exactly what computing
    from the figures gives, at the refreshed province, for the overview's indicators."""
    _django()
    from dieuhanh.analytics.selectors import build_engine, resolve_query, spec_of  # noqa: PLC0415
    from dieuhanh.analytics.services import rollups_ready  # noqa: PLC0415

    indicators, units, periods = resolve_query(
        indicator_codes=manifest["overview"]["indicators"],
        org_unit_codes=[manifest["refresh"]["province"]],
        period_codes=[period, period[:4]],
        public_only=False,
    )
    specs = [spec_of(i) for i in indicators]
    answers = []
    for use_rollups in (True, False):
        engine = build_engine(specs=specs, units=units, periods=periods, use_rollups=use_rollups)
        answers.append([engine.measures(s, u.pk, p) for s in specs for u in units for p in periods])
    differing = [str(a) for a, b in zip(*answers, strict=True) if a != b]
    return {"rollups_ready": rollups_ready(), "compared": len(answers[0]), "differing": differing[:10]}


BENCH_READER = "bench-reader"


def session_cookie() -> dict[str, Any]:
    """An ordinary signed-in user (no permission, not staff) and a session of theirs, for the
    signed-in page under load: the ``Cookie`` header to send and the name the page shows."""
    _django()
    from django.conf import settings  # noqa: PLC0415
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415 - force_login: a real session in the product's store

    user, _created = get_user_model().objects.get_or_create(username=BENCH_READER)
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"username": BENCH_READER, "cookie": f"{name}={client.cookies[name].value}"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument(
        "step",
        choices=[
            "copy",
            "sqlite-insert",
            "query",
            "import-month",
            "check-refresh",
            "session",
            "duckdb",
            "projects-copy",
            "projects-register",
            "projects-import",
            "projects-query",
            "projects-refresh",
        ],
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dsn")
    parser.add_argument("--file", type=Path)
    parser.add_argument("--unique", action="store_true")
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--kind", choices=["overview", "overview_province", "ranking", "trend"])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--direct", action="store_true")
    parser.add_argument("--period")
    parser.add_argument("--parquet", type=Path)
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text(encoding="utf-8")) if args.manifest else {}
    result: dict[str, Any]
    if args.step == "copy":
        result = copy_baseline(args.dsn, args.file, unique=args.unique)
    elif args.step == "sqlite-insert":
        result = sqlite_baseline(args.file.with_suffix(".baseline.sqlite3"), args.file, unique=args.unique)
    elif args.step == "query":
        result = query(
            args.kind, manifest, warmup=args.warmup, runs=args.runs, seconds=args.seconds, direct=args.direct
        )
    elif args.step == "import-month":
        result = import_month(args.file)
    elif args.step == "check-refresh":
        result = check_refresh(manifest, args.period)
    elif args.step == "session":
        result = session_cookie()
    elif args.step.startswith("projects-"):
        result = _projects_step(args, manifest)
    elif manifest.get("scenario") == "reform":
        from bench.reform_reference import run_reference as run_reform_reference  # noqa: PLC0415

        result = run_reform_reference(
            args.manifest.parent, args.parquet, manifest, warmup=args.warmup, runs=args.runs, seconds=args.seconds
        )
    else:
        result = run_reference(
            args.manifest.parent, args.parquet, manifest, warmup=args.warmup, runs=args.runs, seconds=args.seconds
        )
    args.out.write_text(json.dumps(result, ensure_ascii=False, default=_json_default), encoding="utf-8")


def _json_default(value: Any) -> Any:
    """A step's result as JSON: a decimal figure (the API's answers keep every digit) as a number,
    compared with DuckDB's doubles to 1e-6 (``bench.reference.close``); anything else as text."""
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _projects_step(args: argparse.Namespace, manifest: dict[str, Any]) -> dict[str, Any]:
    """The public-investment sets' steps (``projects_worker.py``)."""
    from bench import projects_worker  # noqa: PLC0415 - only these steps need it

    if args.step == "projects-copy":
        return projects_worker.copy_baseline(args.dsn, args.file, unique=args.unique)
    if args.step == "projects-register":
        return projects_worker.load_register(args.file)
    if args.step == "projects-import":
        return projects_worker.import_disbursement(args.file)
    if args.step == "projects-refresh":
        return projects_worker.refresh_figures(manifest, runs=args.runs)
    return projects_worker.query_projects(manifest, warmup=args.warmup, runs=args.runs, seconds=args.seconds)


if __name__ == "__main__":
    main()
