"""The public-investment register at scale (issue 16's measures), on PostgreSQL.

python -m bench.bench_projects                          # a province: 2,000 projects, 3 years of months
python -m bench.bench_projects --projects 50000 --years 10 --sources 2   # the national register
python -m bench.bench_projects --projects 40 --years 1 --runs 3          # the smoke run's size

1. The import: a register file of N projects, then the State Treasury's file of their monthly
   disbursement (N × years × 12 months × sources rows), each through ``projects.imports`` as an
   operator's upload is (read, every row checked, written through the services, the register's
   figures refreshed at the end), against the baseline of the same run: PostgreSQL's ``COPY`` of the
   same disbursement rows into a bare table. The ratio is COPY's time over the import's (goal
   ≥ 0.2: the import takes at most five times as long as the raw load). Median of ``--runs`` runs,
   each on a fresh register.
2. The pages' questions at the scale of the register: the project list (slowest first), the
   investor ranking and the map's GeoJSON for the last year, each asked ``--queries`` times after a
   warm-up; median and p95 (goal p95 ≤ 100 ms for a province, ≤ 300 ms nationally).

The suite's own conventions: its databases are named ``bench_*`` (created and dropped here, never
another), the measured step runs in a process of its own with Django set up from the environment,
the data are a pure function of the seed. Exit status 1 when a step fails; a goal missed is
reported, not failed (a smoke run's sizes say nothing of the goals).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.databases import PostgresServer, database_name
from bench.measure import median, summary

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("provincial", "central", "oda", "land_use")
SECTORS = ("transport", "health", "education", "irrigation", "urban", "environment")
GROUPS = ("A", "B", "C")
COPY_GOAL = 0.2
P95_GOAL_PROVINCE = 0.100
P95_GOAL_NATIONAL = 0.300


# ---- the data ------------------------------------------------------------------------------------


def register_rows(n: int, *, communes: int, investors: int, seed: int) -> list[list[str]]:
    """N projects of one province: code, name, investor, group, sector, sources, total, communes, point."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        lon, lat = 106.4 + rng.random() * 0.5, 10.9 + rng.random() * 0.5
        rows.append(
            [
                f"P{i:06d}",
                f"Dự án số {i}",
                f"INV{rng.randrange(investors):03d}",
                rng.choice(GROUPS),
                rng.choice(SECTORS),
                "provincial;central",
                str(rng.randrange(5_000, 2_000_000)),
                ";".join(f"C{rng.randrange(communes):04d}" for _ in range(rng.randrange(1, 3))),
                f"{lon:.5f}".replace(".", ","),
                f"{lat:.5f}".replace(".", ","),
            ]
        )
    return rows


REGISTER_HEADER = [
    "code",
    "name",
    "investor",
    "group",
    "sector",
    "sources",
    "total_investment",
    "communes",
    "longitude",
    "latitude",
]
DISBURSEMENT_HEADER = ["project", "plan_year", "source", "period", "amount"]


def disbursement_rows(n: int, *, years: list[int], sources: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed + 1)
    rows = []
    for i in range(n):
        for year in years:
            for source in SOURCES[:sources]:
                for month in range(1, 13):
                    rows.append([f"P{i:06d}", str(year), source, f"{year}{month:02d}", str(rng.randrange(1, 500))])
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


# ---- the measured step (a process of its own) ----------------------------------------------------


def _setup_province(communes: int, investors: int) -> None:
    """The province's units: one province, its communes and the investors (agencies)."""
    from dieuhanh.orgunits.models import OrgUnit  # noqa: PLC0415 - Django is set up by now

    province = OrgUnit.objects.create(code="B74", name="Tỉnh mẫu", kind="province")
    for i in range(communes):
        OrgUnit.objects.create(code=f"C{i:04d}", name=f"Xã {i}", kind="commune", parent=province)
    for i in range(investors):
        OrgUnit.objects.create(code=f"INV{i:03d}", name=f"Ban quản lý dự án {i}", kind="agency")


def _plans(years: list[int], sources: int) -> None:
    """Each project's plan of each year and source (the capital plan the register file does not carry)."""
    import datetime as dt  # noqa: PLC0415
    from decimal import Decimal  # noqa: PLC0415

    from dieuhanh.projects.models import CapitalAllocation, Project  # noqa: PLC0415

    allocations = [
        CapitalAllocation(
            project_id=pk,
            year=year,
            source=source,
            kind="initial",
            amount=Decimal(8_000),
            effective_on=dt.date(year, 1, 1),
        )
        for pk in Project.objects.values_list("pk", flat=True)
        for year in years
        for source in SOURCES[:sources]
    ]
    CapitalAllocation.objects.bulk_create(allocations, batch_size=5_000)


def _copy_baseline(rows_file: Path) -> float:
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_projects_copy")
        cursor.execute(
            "CREATE TABLE bench_projects_copy (project text, plan_year int, source text, period text, "
            "amount numeric(18, 3))"
        )
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_projects_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:  # type: ignore[attr-defined]
            copy.write(rows_file.read_bytes())
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_projects_copy")
    return seconds


def _fresh_register() -> None:
    from dieuhanh.figures.models import DataValue  # noqa: PLC0415
    from dieuhanh.projects.models import CapitalAllocation, Disbursement, Project, ProjectLocation  # noqa: PLC0415

    Disbursement.objects.all().delete()
    CapitalAllocation.objects.all().delete()
    ProjectLocation.objects.all().delete()
    Project.objects.all().delete()
    DataValue.objects.filter(indicator__code__startswith="PI_").delete()


def measure(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django  # noqa: PLC0415

    django.setup()
    import datetime as dt  # noqa: PLC0415

    from dieuhanh.projects import selectors  # noqa: PLC0415
    from dieuhanh.projects.imports import project_import  # noqa: PLC0415

    work = Path(args.workdir)
    years = list(range(args.last_year - args.years + 1, args.last_year + 1))
    register_file, disbursement_file = work / "du-an.csv", work / "giai-ngan.csv"
    write_csv(
        register_file,
        REGISTER_HEADER,
        register_rows(args.projects, communes=args.communes, investors=args.investors, seed=args.seed),
    )
    write_csv(
        disbursement_file,
        DISBURSEMENT_HEADER,
        disbursement_rows(args.projects, years=years, sources=args.sources, seed=args.seed),
    )
    rows = args.projects * len(years) * 12 * args.sources
    _setup_province(args.communes, args.investors)
    copies, registers, disbursements, refreshes = [], [], [], []
    for _run in range(args.runs):
        _fresh_register()
        copies.append(_copy_baseline(disbursement_file))
        started = time.perf_counter()
        result = project_import(kind="register", content=register_file.read_bytes(), filename=register_file.name)
        registers.append(time.perf_counter() - started)
        if not result.ok:
            raise RuntimeError(f"the register was refused: {result.issues[:3]}")
        _plans(years, args.sources)
        from dieuhanh.projects import services  # noqa: PLC0415

        refresh = services.projects_figures_refresh
        spent: list[float] = []

        def timed_refresh(*a: Any, _refresh: Any = refresh, _spent: list[float] = spent, **k: Any) -> Any:
            began = time.perf_counter()
            try:
                return _refresh(*a, **k)
            finally:
                _spent.append(time.perf_counter() - began)

        services.projects_figures_refresh = timed_refresh  # type: ignore[assignment]
        try:
            with disbursement_file.open("rb") as stream:
                started = time.perf_counter()
                result = project_import(kind="disbursement", content=stream, filename=disbursement_file.name)
                disbursements.append(time.perf_counter() - started)
        finally:
            services.projects_figures_refresh = refresh  # type: ignore[assignment]
        if not result.ok or result.record.rows_created != rows:
            raise RuntimeError(f"the disbursement was refused or short: {result.issues[:3]}")
        refreshes.append(sum(spent))
    on = dt.date(args.last_year, 11, 30)
    questions = {
        "project_list": lambda: selectors.project_list(year=args.last_year, on=on),
        "investor_ranking": lambda: selectors.investor_ranking(year=args.last_year, on=on),
        "projects_geojson": lambda: selectors.projects_geojson_utf8(year=args.last_year, on=on),
    }
    timings: dict[str, Any] = {}
    for name, ask in questions.items():
        for _ in range(args.warmup):
            ask()
        samples = []
        for _ in range(args.queries):
            started = time.perf_counter()
            ask()
            samples.append(time.perf_counter() - started)
        timings[name] = summary(samples)
    copy_s, disbursement_s = median(copies), median(disbursements)
    return {
        "projects": args.projects,
        "years": len(years),
        "sources": args.sources,
        "disbursement_rows": rows,
        "runs": args.runs,
        "copy_seconds": copy_s,
        "register_import_seconds": median(registers),
        "disbursement_import_seconds": disbursement_s,
        "refresh_seconds": median(refreshes),
        "ratio_copy_over_import": copy_s / disbursement_s if disbursement_s else None,
        "rows_per_second": rows / disbursement_s if disbursement_s else None,
        "queries": timings,
    }


# ---- the run -------------------------------------------------------------------------------------


def report(result: dict[str, Any], *, national: bool) -> str:
    goal = P95_GOAL_NATIONAL if national else P95_GOAL_PROVINCE
    lines = [
        f"public investment: {result['projects']:,} projects, {result['disbursement_rows']:,} disbursement rows "
        f"({result['years']} years × 12 months × {result['sources']} sources), median of {result['runs']} run(s)",
        f"  register import      {result['register_import_seconds']:8.2f} s",
        f"  disbursement import  {result['disbursement_import_seconds']:8.2f} s "
        f"({result['rows_per_second']:,.0f} rows/s; of which the figures' refresh {result['refresh_seconds']:.2f} s)",
        f"  PostgreSQL COPY      {result['copy_seconds']:8.2f} s   ratio COPY/import "
        f"{result['ratio_copy_over_import']:.3f} (goal ≥ {COPY_GOAL})",
    ]
    for name, timing in result["queries"].items():
        flag = "" if timing["p95"] <= goal else "  (over the goal)"
        lines.append(
            f"  {name:<20} median {timing['median'] * 1000:7.1f} ms  p95 {timing['p95'] * 1000:7.1f} ms "
            f"(goal ≤ {goal * 1000:.0f} ms){flag}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    server = PostgresServer.from_env(args.postgres)
    name = database_name("projects")
    workdir = Path(tempfile.mkdtemp(prefix="dieuhanh-bench-projects-"))
    url = server.create(name)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DIEUHANH_HOME=str(workdir / "home"),
        DIEUHANH_IMPORT_MAX_BYTES=str(1 << 40),
        DJANGO_SETTINGS_MODULE="dieuhanh.settings",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DIEUHANH_DEBUG", None)
    out = workdir / "result.json"
    try:
        subprocess.run([sys.executable, "-m", "dieuhanh", "init"], env=env, check=True, cwd=ROOT)
        command = [
            sys.executable,
            "-m",
            "bench.bench_projects",
            "measure",
            "--out",
            str(out),
            "--workdir",
            str(workdir),
        ]
        for key in ("projects", "years", "sources", "communes", "investors", "runs", "queries", "warmup", "seed"):
            command += [f"--{key}", str(getattr(args, key))]
        command += ["--last-year", str(args.last_year)]
        finished = subprocess.run(command, env=env, cwd=ROOT, check=False)  # noqa: S603
        if finished.returncode != 0:
            print("public investment: the measured step failed", file=sys.stderr)
            return 1
        result = json.loads(out.read_text(encoding="utf-8"))
        print(report(result, national=args.projects > 10_000))
        if args.results:
            Path(args.results).write_text(json.dumps(result, indent=1), encoding="utf-8")
        return 0
    finally:
        if not args.keep:
            server.drop(name)
            shutil.rmtree(workdir, ignore_errors=True)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.bench_projects", description=__doc__.split("\n\n")[0])
    p.add_argument("step", nargs="?", default="run", choices=["run", "measure"])
    p.add_argument("--projects", type=int, default=2_000)
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--sources", type=int, default=2, choices=range(1, len(SOURCES) + 1))
    p.add_argument("--communes", type=int, default=91)
    p.add_argument("--investors", type=int, default=60)
    p.add_argument("--last-year", type=int, default=2024)
    p.add_argument("--runs", type=int, default=1, help="import runs (the median is reported)")
    p.add_argument("--queries", type=int, default=30, help="timed runs of each question")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--postgres", help="server URL (default: $BENCH_POSTGRES_URL or the local server)")
    p.add_argument("--keep", action="store_true", help="keep the database and the files")
    p.add_argument("--results", help="write the result as JSON to this file")
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--workdir", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.step == "measure":
        Path(args.out).write_text(json.dumps(measure(args)), encoding="utf-8")
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
