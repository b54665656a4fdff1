"""The suite: for one data set and one database, every step in its own process, in this order —
raw-load baselines, the product's import, rollup rebuilds, the three questions in-process (with
rollups, then computed straight from the figures), the same over HTTP, then the monthly refresh.
The DuckDB reference runs once per data set and every answer is checked against it."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench import httpload
from bench.databases import PostgresServer, database_name, sqlite_url
from bench.datasets import SPECS, DataSetSpec, Files, generate
from bench.machine import describe_machine
from bench.measure import ProcessResult, run_process, summary
from bench.projects import PROJECT_SPECS
from bench.reference import compare
from bench.reform import REFORM_QUERIES, REFORM_SPECS, ReformSpec, generate_reform


@dataclass(frozen=True)
class Budget:
    """How many repetitions and how long each step runs, per data set."""

    query_warmup: int
    query_runs: int
    query_seconds: float
    direct_warmup: int
    direct_runs: int
    duckdb_warmup: int
    duckdb_runs: int
    http_seconds: float
    http_warmup_seconds: float
    copy_runs: int
    rebuild_runs: int  # after the first rebuild, which makes the rollups current (the warm-up)
    step_timeout: float


BUDGETS = {
    # Seconds, for CI: every step once or twice; the HTTP warm-up is the API answer fetched for the check.
    "tiny": Budget(
        query_warmup=1,
        query_runs=5,
        query_seconds=2.0,
        direct_warmup=0,
        direct_runs=2,
        duckdb_warmup=1,
        duckdb_runs=5,
        http_seconds=1.0,
        http_warmup_seconds=0.0,
        copy_runs=1,
        rebuild_runs=0,
        step_timeout=600,
    ),
    "province": Budget(
        query_warmup=5,
        query_runs=60,
        query_seconds=30.0,
        direct_warmup=1,
        direct_runs=5,
        duckdb_warmup=5,
        duckdb_runs=60,
        http_seconds=60.0,
        http_warmup_seconds=5.0,
        copy_runs=3,
        rebuild_runs=3,
        step_timeout=3600,
    ),
    # National: the import, the raw COPY and the first rebuild are measured once (minutes each);
    # a step of more than an hour is stopped and reported as missing by that much.
    "national": Budget(
        query_warmup=3,
        query_runs=40,
        query_seconds=60.0,
        direct_warmup=0,
        direct_runs=3,
        duckdb_warmup=3,
        duckdb_runs=40,
        http_seconds=60.0,
        http_warmup_seconds=5.0,
        copy_runs=1,
        rebuild_runs=0,
        step_timeout=3600,
    ),
    # The reform scenario (issue 14): the queries only, re-based; its import and rebuild once, and
    # each question without rollups once (re-basing 10,000 old communes from the figures takes minutes).
    "reform-tiny": Budget(
        query_warmup=1,
        query_runs=5,
        query_seconds=2.0,
        direct_warmup=0,
        direct_runs=2,
        duckdb_warmup=1,
        duckdb_runs=5,
        http_seconds=0.0,
        http_warmup_seconds=0.0,
        copy_runs=0,
        rebuild_runs=0,
        step_timeout=600,
    ),
    "reform": Budget(
        query_warmup=3,
        query_runs=40,
        query_seconds=60.0,
        direct_warmup=0,
        direct_runs=1,
        duckdb_warmup=3,
        duckdb_runs=40,
        http_seconds=0.0,
        http_warmup_seconds=0.0,
        copy_runs=0,
        rebuild_runs=0,
        step_timeout=3600,
    ),
    # Issue 16's public-investment sets (projects_run.py): the raw COPY, the import once, and each
    # question 30 times after a warm-up (only the query and COPY fields apply).
    "projects-tiny": Budget(
        query_warmup=2,
        query_runs=30,
        query_seconds=60.0,
        direct_warmup=0,
        direct_runs=0,
        duckdb_warmup=0,
        duckdb_runs=0,
        http_seconds=0.0,
        http_warmup_seconds=0.0,
        copy_runs=3,
        rebuild_runs=0,
        step_timeout=600,
    ),
    "projects": Budget(
        query_warmup=3,
        query_runs=30,
        query_seconds=600.0,
        direct_warmup=0,
        direct_runs=0,
        duckdb_warmup=0,
        duckdb_runs=0,
        http_seconds=0.0,
        http_warmup_seconds=0.0,
        copy_runs=2,
        rebuild_runs=0,
        step_timeout=3600,
    ),
}
HTTP_CLIENTS = 50
# Issue 15: how many times the oversized question (and the ordinary one beside it) is asked.
REFUSAL_REPEATS = 50
# The most address space a product step may take: a step that would need more fails (MemoryError)
# rather than drive the shared machine into the OOM killer.
MEMORY_LIMIT = min(16 << 30, int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.7))
QUERIES = ("overview", "ranking", "trend")
# The product keeps answers while nothing changes (DIEUHANH_ANALYTICS_CACHE_SECONDS); 0 turns that off,
# so that a step times the computation of an answer, not a lookup.
NO_ANSWER_CACHE = {"DIEUHANH_ANALYTICS_CACHE_SECONDS": "0"}


@dataclass(frozen=True)
class Options:
    workdir: Path
    results_dir: Path
    server: PostgresServer
    http_workers: int = 4
    http_threads: int = 2
    keep: bool = False


def log(message: str) -> None:
    print(f"[{dt.datetime.now().astimezone().strftime('%H:%M:%S')}] {message}", flush=True)


def product_version() -> dict[str, Any]:
    """Which dieuhanh is measured: the commit of the checkout it is imported from, and whether src/ differs."""
    spec = importlib.util.find_spec("dieuhanh")
    origin = Path(spec.origin).resolve() if spec and spec.origin else Path.cwd()
    root = origin.parents[2]
    git = shutil.which("git")
    if git is None:
        return {"commit": None, "src_modified": None}
    try:
        commit = subprocess.run(  # noqa: S603 - fixed arguments
            [git, "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603 - fixed arguments
            [git, "-C", str(root), "status", "--porcelain", "--", "src"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "src_modified": None}
    return {"commit": commit, "src_modified": bool(dirty)}


class SetRun:
    """One data set on one database: runs the steps and collects a result document."""

    def __init__(
        self, spec: DataSetSpec | ReformSpec, db: str, files: Files, manifest: dict[str, Any], options: Options
    ) -> None:
        self.spec, self.db, self.files, self.manifest, self.options = spec, db, files, manifest, options
        self.budget = BUDGETS[spec.name]
        self.logs = options.workdir / "logs" / f"{spec.name}-{db}"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.home = options.workdir / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.result: dict[str, Any] = {
            "set": spec.name,
            "db": db,
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "product": product_version(),
            "budget": asdict(self.budget),
            "steps": {},
            "failures": [],
        }
        self.database_url = ""
        self.pg_name = ""

    # --- plumbing -------------------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="dieuhanh.settings",
            DIEUHANH_HOME=str(self.home),
            # The whole national file in one import (the default limit is meant for uploads).
            DIEUHANH_IMPORT_MAX_BYTES=str(1 << 40),
            # wrk's 50 connections come from one address: the API's request limits would answer
            # most of them 429 (docs/deployment.md); the benchmark measures capacity, not the limit.
            DIEUHANH_THROTTLE_ANON="off",
            DIEUHANH_THROTTLE_USER="off",
            PYTHONUNBUFFERED="1",
        )
        env.pop("DIEUHANH_DEBUG", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(extra)
        return env

    def product(self, name: str, *args: str, timeout: float | None = None) -> ProcessResult:
        """``dieuhanh ARGS`` (as ``python -m dieuhanh``, the same entry point) in its own process."""
        return run_process(
            [sys.executable, "-m", "dieuhanh", *args],
            env=self.env(),
            log_dir=self.logs,
            name=name,
            timeout=timeout or self.budget.step_timeout,
            memory_limit=MEMORY_LIMIT,
        )

    def worker(
        self, name: str, step: str, *args: str, timeout: float | None = None, env: dict[str, str] | None = None
    ) -> tuple[dict[str, Any], ProcessResult]:
        out = self.logs / f"{name}.json"
        result = run_process(
            [sys.executable, "-m", "bench.worker", step, "--out", str(out), *args],
            env=self.env(**(env or {})),
            log_dir=self.logs,
            name=name,
            timeout=timeout or self.budget.step_timeout,
            cwd=Path(__file__).resolve().parents[1],
            memory_limit=MEMORY_LIMIT,
        )
        if not result.ok:
            raise StepError(result.failure())
        return json.loads(out.read_text(encoding="utf-8")), result

    def step(self, name: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        log(f"{self.spec.name}/{self.db}: {name}")
        started = time.perf_counter()
        try:
            data = action()
        except Exception as exc:  # a failed step is recorded, and the suite goes on
            self.result["failures"].append(f"{name}: {exc}")
            (self.logs / f"{name}.traceback").write_text(traceback.format_exc())
            log(f"  FAILED: {exc}")
            return None
        data["step_seconds"] = time.perf_counter() - started
        self.result["steps"][name] = data
        self.save()
        return data

    def save(self) -> None:
        self.options.results_dir.mkdir(parents=True, exist_ok=True)
        path = self.options.results_dir / f"{self.spec.name}-{self.db}.json"
        path.write_text(json.dumps(self.result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")

    # --- steps ----------------------------------------------------------------------------------

    def baselines(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        values = self.manifest["values"]
        if self.db == "postgres":
            name = database_name(self.spec.name, "copy")
            dsn = self.options.server.create(name)
            try:
                for variant in ("bare", "unique"):
                    runs, rss = [], []
                    for n in range(self.budget.copy_runs):
                        args = ["--dsn", dsn, "--file", str(self.files.values)] + (
                            ["--unique"] if variant == "unique" else []
                        )
                        data, process = self.worker(f"copy-{variant}-{n}", "copy", *args)
                        if data["rows"] != values:
                            raise StepError(f"COPY loaded {data['rows']} rows, the file has {values}")
                        runs.append(data["seconds"])
                        rss.append(process.max_rss_mb)
                        out[f"{variant}_table_bytes"] = data["table_bytes"]
                    out[variant] = {
                        "times": runs,
                        "stats": summary(runs),
                        "values_per_s": values / summary(runs)["median"],
                        "rss_mb": max(rss),
                    }
            finally:
                self.options.server.drop(name)
            out["method"] = (
                "PostgreSQL COPY FROM STDIN (CSV) streamed by psycopg, into (text, text, text, numeric(24,6))"
            )
        else:
            for variant in ("bare", "unique"):
                runs, rss = [], []
                for n in range(self.budget.copy_runs):
                    args = ["--file", str(self.files.values)] + (["--unique"] if variant == "unique" else [])
                    data, process = self.worker(f"insert-{variant}-{n}", "sqlite-insert", *args)
                    runs.append(data["seconds"])
                    rss.append(process.max_rss_mb)
                out[variant] = {
                    "times": runs,
                    "stats": summary(runs),
                    "values_per_s": values / summary(runs)["median"],
                    "rss_mb": max(rss),
                }
            out["method"] = "SQLite executemany INSERT of the CSV rows in one transaction (WAL, synchronous=NORMAL)"
        return out

    def create_database(self) -> dict[str, Any]:
        if self.db == "postgres":
            name = database_name(self.spec.name)
            self.database_url = self.options.server.create(name)
            self.pg_name = name
        else:
            path = self.options.workdir / f"{self.spec.name}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.database_url = sqlite_url(path)
        init = self.product("init", "init")
        if not init.ok:
            raise StepError(init.failure())
        load = self.product("load-metadata", "load-metadata", str(self.files.catalogue))
        if not load.ok:
            raise StepError(load.failure())
        return {"init_seconds": init.wall, "load_metadata_seconds": load.wall, "load_metadata_rss_mb": load.max_rss_mb}

    def product_import(self) -> dict[str, Any]:
        values = self.manifest["values"]
        # Approved figures: the answers (and the rollups) count those by default (docs/analytics.md, "The basis").
        process = self.product("import", "import", str(self.files.values), "--status", "approved")
        out = {
            "values": values,
            "seconds": process.wall,
            "rss_mb": process.max_rss_mb,
            "cpu_seconds": process.cpu_user + process.cpu_system,
            "ok": process.ok,
            "output": process.stdout.strip()[-500:],
        }
        if process.ok:
            out["values_per_s"] = values / process.wall
            return out
        out["failure"] = process.failure()
        out["lower_bound_note"] = (
            f"did not finish: at most {values / process.wall:,.0f} values/s" if process.timed_out else "failed"
        )
        self.result["steps"]["import"] = out
        self.save()
        raise StepError(out["failure"])

    def rebuild(self) -> dict[str, Any]:
        runs: list[float] = []
        product_seconds: list[str] = []
        rss: list[float] = []
        first: float | None = None
        for n in range(1 + self.budget.rebuild_runs):
            process = self.product(f"rebuild-{n}", "rollups", "rebuild")
            if not process.ok:
                raise StepError(process.failure())
            if n == 0 and self.budget.rebuild_runs:
                first = process.wall
            else:
                runs.append(process.wall)
            rss.append(process.max_rss_mb)
            product_seconds.append(process.stdout.strip())
        status = self.product("rollups-status", "rollups", "status")
        # The questions that follow are timed on a server at rest, as the DuckDB reference was: the
        # gigabytes the import and the rebuild changed are written out first, not while they run.
        settled = self.options.server.checkpoint() if self.db == "postgres" else None
        return {
            "checkpoint_seconds": settled,
            "warmup": first,
            "times": runs,
            "stats": summary(runs),
            "rss_mb": max(rss),
            "output": product_seconds[-1],
            "status": status.stdout.strip(),
        }

    def query(self, kind: str, mode: str) -> dict[str, Any]:
        """One question in-process: ``computed`` from the rollups with the product's answer cache
        off, ``cached`` as configured by default (a repeated question), or ``direct`` from the
        figures with the rollups switched off."""
        b = self.budget
        direct = mode == "direct"
        warmup, runs, seconds = (
            (b.direct_warmup, b.direct_runs, b.query_seconds)
            if direct
            else (b.query_warmup, b.query_runs, b.query_seconds)
        )
        data, process = self.worker(
            f"{kind}-{mode}",
            "query",
            "--kind",
            kind,
            "--manifest",
            str(self.files.manifest),
            "--warmup",
            str(warmup),
            "--runs",
            str(runs),
            "--seconds",
            str(seconds),
            *(["--direct"] if direct else []),
            env={} if mode == "cached" else NO_ANSWER_CACHE,
        )
        data["rss_mb"] = process.max_rss_mb
        data["mode"] = mode
        computed = bool({"ingest_datavalue", "analytics_rollup"} & set(data["tables"]))
        if mode != "cached" and not computed:
            self.result["failures"].append(f"{kind} ({mode}): answered without reading figures or rollups")
        if direct and "analytics_rollup" in data["tables"]:
            self.result["failures"].append(f"{kind} ({mode}): read the rollups although they were switched off")
        return data

    def http(self, reference: dict[str, Any], *, cache: bool) -> dict[str, Any]:
        """The three questions under load, with the product's answer cache as configured by default
        (as deployed), or off (every request computes its answer)."""
        wrk = httpload.ensure_wrk()
        paths = httpload.urls(self.manifest)
        tag = "" if cache else "-uncached"
        server = httpload.start_gunicorn(
            env=self.env() if cache else self.env(**NO_ANSWER_CACHE),
            workers=self.options.http_workers,
            threads=self.options.http_threads,
            log_dir=self.logs,
            probe=paths["overview"],
        )
        out: dict[str, Any] = {
            "server": f"gunicorn, {server.workers} workers × {server.threads} threads (gthread), loopback",
            "clients": HTTP_CLIENTS,
            "answer_cache": cache,
        }
        try:
            for kind in QUERIES:
                answer = httpload.fetch_json(server, paths[kind])
                if kind == "ranking":
                    answer = [{"org_unit": r["org_unit"], "rank": r["rank"], "value": r["value"]} for r in answer]
                check = compare(kind, answer, reference[kind]["rows"])
                if not check["agree"]:
                    self.result["failures"].append(f"http{tag} {kind}: the API's answer differs from DuckDB's")
                if self.budget.http_warmup_seconds:
                    httpload.load(
                        wrk=wrk,
                        server=server,
                        path=paths[kind],
                        clients=HTTP_CLIENTS,
                        seconds=self.budget.http_warmup_seconds,
                        log_dir=self.logs,
                        name=f"http{tag}-{kind}-warmup",
                    )
                measured = httpload.load(
                    wrk=wrk,
                    server=server,
                    path=paths[kind],
                    clients=HTTP_CLIENTS,
                    seconds=self.budget.http_seconds,
                    log_dir=self.logs,
                    name=f"http{tag}-{kind}",
                )
                measured["answer_agrees"] = check["agree"]
                out[kind] = measured
                rps, p95, errors = measured["rps"], measured["p95_ms"], measured["errors"]
                log(f"  {kind}{tag}: {rps:.1f} req/s, p95 {p95:.0f} ms, {errors} errors")
            if cache:
                # Issue 15: the anonymous oversized question is refused cheaply (goal ≤ 50 ms), timed
                # beside the ordinary overview (answered from the cache) on the same server.
                refused = httpload.refusal(server, baseline=paths["overview"], repeats=REFUSAL_REPEATS)
                out["refusal"] = refused
                if not refused["refused"]:
                    self.result["failures"].append("http: the oversized question was not refused with a 400")
                log(
                    f"  oversized question refused: median {refused['oversized']['median_ms']:.1f} ms "
                    f"({refused['ratio']:.2f} × the overview's {refused['baseline']['median_ms']:.1f} ms)"
                )
        finally:
            out["memory"] = httpload.stop(server)
        return out

    def http_pages(self, *, cache: bool) -> dict[str, Any]:
        """The HTML overview page (``/``) under load, anonymous and signed in as an ordinary user, the
        wall screen, and a baseline request through the same stack in the same run; then each
        worker's memory. As deployed (the caches on) the goals apply; with the caches off, the page
        and the baseline only, to show what computing every page costs."""
        wrk = httpload.ensure_wrk()
        session, _process = self.worker("http-session", "session")
        signed_in = {"Cookie": session["cookie"]}
        tag = "" if cache else "-uncached"
        server = httpload.start_gunicorn(
            env=self.env() if cache else self.env(**NO_ANSWER_CACHE),
            workers=self.options.http_workers,
            threads=self.options.http_threads,
            log_dir=self.logs,
            probe=httpload.PAGES["baseline"],
        )
        out: dict[str, Any] = {
            "server": f"gunicorn, {server.workers} workers × {server.threads} threads (gthread), loopback",
            "clients": HTTP_CLIENTS,
            "caches": cache,
        }
        runs: list[tuple[str, str, dict[str, str]]] = [
            ("baseline", httpload.PAGES["baseline"], {}),
            ("page", httpload.PAGES["page"], {}),
            ("page_signed_in", httpload.PAGES["page"], signed_in),
            ("wall", httpload.PAGES["wall"], {}),
        ]
        if not cache:
            runs = runs[:2]
        try:
            for kind, path, headers in runs:
                status, body = httpload.fetch_text(server, path, headers=headers)
                if status != 200:
                    self.result["failures"].append(f"http pages{tag} {kind}: answered {status}")
                if kind.startswith("page"):
                    shows_name = f">{session['username']}<" in body
                    if '<table class="figures">' not in body or shows_name != (kind == "page_signed_in"):
                        self.result["failures"].append(f"http pages{tag} {kind}: not the overview of this visitor")
                if self.budget.http_warmup_seconds:
                    httpload.load(
                        wrk=wrk,
                        server=server,
                        path=path,
                        clients=HTTP_CLIENTS,
                        seconds=self.budget.http_warmup_seconds,
                        log_dir=self.logs,
                        name=f"http-pages{tag}-{kind}-warmup",
                        headers=headers,
                    )
                measured = httpload.load(
                    wrk=wrk,
                    server=server,
                    path=path,
                    clients=HTTP_CLIENTS,
                    seconds=self.budget.http_seconds,
                    log_dir=self.logs,
                    name=f"http-pages{tag}-{kind}",
                    headers=headers,
                )
                measured["path"] = path
                measured["signed_in"] = bool(headers)
                measured["bytes_per_response"] = len(body.encode())
                out[kind] = measured
                rps, p95, errors = measured["rps"], measured["p95_ms"], measured["errors"]
                log(f"  {kind}{tag}: {rps:.1f} req/s, p95 {p95:.0f} ms, {errors} errors")
        finally:
            out["memory"] = httpload.stop(server)
        baseline = out.get("baseline", {}).get("rps")
        for kind, _path, _headers in runs[1:]:
            if baseline and kind in out:
                out[kind]["rps_to_baseline"] = out[kind]["rps"] / baseline
        after = out["memory"]["workers_rss_mb_after"]
        log(f"  workers after the load{tag}: " + ", ".join(f"{m:.0f}" for m in after) + " MiB")
        return out

    def refresh(self) -> dict[str, Any]:
        months = self.manifest["refresh"]["months"]
        runs = []
        for n, month in enumerate(months):
            data, process = self.worker(
                f"refresh-{month['period']}", "import-month", "--file", str(self.files.directory / month["file"])
            )
            runs.append(
                {
                    "period": month["period"],
                    "values": month["values"],
                    "warmup": n == 0,
                    "process_seconds": process.wall,
                    "command_seconds": data["command_seconds"],
                    "refresh_seconds": data["refresh_seconds"],
                    "calls": data["calls"],
                    "rollups_ready": data["rollups_ready"],
                    "rss_mb": process.max_rss_mb,
                }
            )
        measured = [r for r in runs if not r["warmup"]]
        check, _process = self.worker(
            "refresh-check", "check-refresh", "--manifest", str(self.files.manifest), "--period", months[-1]["period"]
        )
        if not check["rollups_ready"] or check["differing"]:
            self.result["failures"].append("refresh: rollups not current, or not equal to computing from the figures")
        return {
            "province": self.manifest["refresh"]["province"],
            "runs": runs,
            "process": summary([r["process_seconds"] for r in measured]),
            "command": summary([r["command_seconds"] for r in measured]),
            "refresh": summary([r["refresh_seconds"] for r in measured]),
            "rss_mb": max(r["rss_mb"] for r in runs),
            "check": check,
        }

    def footprint(self) -> dict[str, Any]:
        if self.db == "postgres":
            return {"database_bytes": self.options.server.size_bytes(self.pg_name)}
        path = Path(self.database_url.removeprefix("sqlite:///"))
        return {
            "database_bytes": sum(
                Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()
            )
        }

    def cleanup(self) -> None:
        if self.options.keep:
            return
        if self.db == "postgres" and self.pg_name:
            try:
                self.options.server.drop(self.pg_name)
            except psycopg.Error as exc:
                self.result["failures"].append(f"could not drop {self.pg_name}: {exc}")
        elif self.db == "sqlite" and self.database_url:
            path = self.database_url.removeprefix("sqlite:///")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    def run(self, reference: dict[str, Any] | None) -> dict[str, Any]:
        self.result["machine"] = describe_machine(self.options.server if self.db == "postgres" else None)
        if self.manifest.get("scenario") == "reform":
            return self.run_reform(reference)
        try:
            self.step("baselines", self.baselines)
            if self.step("database", self.create_database) is None:
                return self.finish()
            # An import that fails or runs out of time stops the set: the figures it measured are kept.
            if self.step("import", self.product_import) is None:
                return self.finish()
            if self.step("rebuild", self.rebuild) is None:
                return self.finish()
            # Every answer, however it was made, is checked against the reference.
            for mode, suffix in (("computed", ""), ("cached", "_cached"), ("direct", "_direct")):
                for kind in QUERIES:
                    data = self.step(kind + suffix, functools.partial(self.query, kind, mode))
                    if data is None:
                        continue
                    if reference is not None:
                        data["check"] = compare(kind, data["rows"], reference[kind]["rows"])
                        if not data["check"]["agree"]:
                            self.result["failures"].append(f"{kind} ({mode}): our answer differs from DuckDB's")
                    data.pop("rows")
                    self.save()
            if reference is not None:
                self.step("http", functools.partial(self.http, reference, cache=True))
                self.step("http_uncached", functools.partial(self.http, reference, cache=False))
            if self.budget.http_seconds:
                self.step("http_pages", functools.partial(self.http_pages, cache=True))
                self.step("http_pages_uncached", functools.partial(self.http_pages, cache=False))
            self.step("refresh", self.refresh)
            self.step("footprint", self.footprint)
        finally:
            self.cleanup()
        return self.finish()

    def run_reform(self, reference: dict[str, Any] | None) -> dict[str, Any]:
        """The reform scenario: both maps and their successions loaded, the figures imported, the
        rollups rebuilt; then the ranking of the new communes by the change on a re-based last year
        and the overviews of the country and of a merged province, each checked against DuckDB."""
        try:
            if self.step("database", self.create_database) is None:
                return self.finish()
            if self.step("import", self.product_import) is None:
                return self.finish()
            if self.step("rebuild", self.rebuild) is None:
                return self.finish()
            for mode, suffix in (("computed", ""), ("cached", "_cached"), ("direct", "_direct")):
                for kind in REFORM_QUERIES:
                    data = self.step(kind + suffix, functools.partial(self.query, kind, mode))
                    if data is None:
                        continue
                    if kind == "overview_province" and not data.get("rebased_rows"):
                        self.result["failures"].append(f"{kind} ({mode}): no answer says it is re-based")
                    if reference is not None:
                        data["check"] = compare(kind, data["rows"], reference[kind]["rows"])
                        if not data["check"]["agree"]:
                            self.result["failures"].append(f"{kind} ({mode}): our answer differs from DuckDB's")
                            log(f"  DIFFERS from DuckDB: {data['check']['mismatches'][:3]}")
                    data.pop("rows")
                    self.save()
            self.step("footprint", self.footprint)
        finally:
            self.cleanup()
        return self.finish()

    def finish(self) -> dict[str, Any]:
        self.result["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.save()
        return self.result


class StepError(RuntimeError):
    """A step that could not be measured (its process failed, or its answer was wrong)."""


def run_sets(names: list[str], dbs: list[str], options: Options, *, reuse_data: bool = False) -> list[dict[str, Any]]:
    """Every requested set on every requested database; the DuckDB reference once per set."""
    results = []
    for name in names:
        if name in PROJECT_SPECS:
            # Imported here: the public-investment run builds on this module's SetRun.
            from bench.projects_run import run_projects_set  # noqa: PLC0415

            results.append(run_projects_set(name, options, reuse_data=reuse_data))
            continue
        spec: DataSetSpec | ReformSpec = REFORM_SPECS[name] if name in REFORM_SPECS else SPECS[name]
        files = Files(options.workdir / name)
        started = time.perf_counter()
        if reuse_data and files.manifest.exists():
            manifest = json.loads(files.manifest.read_text(encoding="utf-8"))
            generated = None
        else:
            log(f"{name}: generating the data set")
            if isinstance(spec, ReformSpec):
                manifest = generate_reform(spec, files.directory)
            else:
                manifest = generate(spec, files.directory)
            generated = time.perf_counter() - started
        log(f"{name}: {manifest['values']:,} values, {manifest['values_bytes'] / 2**20:,.0f} MiB of CSV")
        reference = None
        reference_failure = None
        budget = BUDGETS[name]
        duck_out = options.workdir / "logs" / f"{name}-duckdb.json"
        log(f"{name}: DuckDB reference")
        process = run_process(
            [
                sys.executable,
                "-m",
                "bench.worker",
                "duckdb",
                "--out",
                str(duck_out),
                "--manifest",
                str(files.manifest),
                "--parquet",
                str(files.directory / "values.parquet"),
                "--warmup",
                str(budget.duckdb_warmup),
                "--runs",
                str(budget.duckdb_runs),
                "--seconds",
                str(budget.query_seconds),
            ],
            env=os.environ,
            log_dir=options.workdir / "logs",
            name=f"{name}-duckdb",
            timeout=budget.step_timeout,
            cwd=Path(__file__).resolve().parents[1],
        )
        if process.ok:
            reference = json.loads(duck_out.read_text(encoding="utf-8"))
            reference["rss_mb"] = process.max_rss_mb
            if reference["assumptions"]:
                reference_failure = "the data set breaks the reference's assumptions: " + "; ".join(
                    reference["assumptions"]
                )
        else:
            reference_failure = "DuckDB reference: " + process.failure()
        for db in dbs:
            if db == "sqlite" and not spec.sqlite:
                continue
            run = SetRun(spec, db, files, manifest, options)
            run.result["dataset"] = {k: v for k, v in manifest.items() if k not in ("trend",)}
            run.result["dataset"]["generate_seconds"] = generated
            run.result["duckdb"] = reference
            if reference_failure:
                run.result["failures"].append(reference_failure)
            results.append(run.run(reference if not reference_failure else None))
    return results
