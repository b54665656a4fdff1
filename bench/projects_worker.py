"""The measured steps of the public-investment sets, each run in a process of its own by
``python -m bench.worker projects-… --out FILE …`` (see ``worker.py``)."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import inspect
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.reference import timed

COPY_CHUNK = 1 << 20
PAGE_SIZE = 50  # the project list page's (projects.views.PAGE_SIZE)


def copy_baseline(dsn: str, path: Path, *, unique: bool) -> dict[str, Any]:
    """Raw PostgreSQL: ``COPY … FROM STDIN`` of the disbursement CSV into a table of its five columns."""
    import psycopg  # noqa: PLC0415 - only this step needs the driver itself

    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_disbursement")
        conn.execute(
            "CREATE TABLE bench_disbursement (project text, plan_year integer, source text, period text,"
            " amount numeric(18, 3))"
        )
        if unique:
            conn.execute(
                "CREATE UNIQUE INDEX bench_disbursement_key ON bench_disbursement (project, plan_year, source, period)"
            )
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy("COPY bench_disbursement FROM STDIN (FORMAT csv, HEADER true)") as copy, path.open("rb") as f:
                while chunk := f.read(COPY_CHUNK):
                    copy.write(chunk)
            rows = cur.rowcount
        conn.commit()
        seconds = time.perf_counter() - started
        size = conn.execute("SELECT pg_total_relation_size('bench_disbursement')").fetchone()
        conn.execute("DROP TABLE bench_disbursement")
        conn.commit()
    return {"seconds": seconds, "rows": rows, "table_bytes": size[0] if size else None}


def _django() -> None:
    from bench.worker import _django as setup  # noqa: PLC0415 - one way to start Django for every step

    setup()


def load_register(directory: Path) -> dict[str, Any]:
    """The register and its capital plans, written straight into the product's tables by COPY:
    the set-up of the measured import, not a measure (the register's own import checks each
    project through the services, about a thousand a second)."""
    _django()
    from django.db import connection, transaction  # noqa: PLC0415

    from dieuhanh.orgunits.models import OrgUnit  # noqa: PLC0415
    from dieuhanh.projects.models import CapitalAllocation, Project, ProjectLocation  # noqa: PLC0415

    started = time.perf_counter()
    # The set's units have no validity dates: each code names one unit.
    units = dict(OrgUnit.objects.values_list("code", "id"))
    now = dt.datetime.now(dt.UTC)
    projects = locations = plans = 0
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        with (
            (directory / "register.csv").open(encoding="utf-8", newline="") as f,
            raw.copy(
                f'COPY {Project._meta.db_table} (code, name, investor_id, "group", sector, stage, sources,'
                " total_investment, geometry, start_on, planned_completion_on, description, sample, created_at,"
                " updated_at) FROM STDIN"
            ) as copy,
        ):
            communes: dict[str, list[str]] = {}
            for row in csv.DictReader(f):
                geometry = {"type": "Point", "coordinates": [float(row["longitude"]), float(row["latitude"])]}
                copy.write_row(
                    (
                        row["code"],
                        row["name"],
                        units[row["investor"]],
                        row["group"],
                        row["sector"],
                        row["stage"],
                        json.dumps(row["sources"].split(";")),
                        row["total_investment"],
                        json.dumps(geometry),
                        row["start"],
                        row["planned_completion"],
                        "",
                        False,
                        now,
                        now,
                    )
                )
                communes[row["code"]] = row["communes"].split(";")
                projects += 1
        ids = dict(Project.objects.values_list("code", "id"))
        with raw.copy(f"COPY {ProjectLocation._meta.db_table} (project_id, org_unit_id) FROM STDIN") as copy:
            for code, located in communes.items():
                for commune in located:
                    copy.write_row((ids[code], units[commune]))
                    locations += 1
        with (
            (directory / "plans.csv").open(encoding="utf-8", newline="") as f,
            raw.copy(
                f"COPY {CapitalAllocation._meta.db_table} (project_id, year, source, kind, amount, effective_on,"
                " decision_number, note) FROM STDIN"
            ) as copy,
        ):
            for row in csv.DictReader(f):
                copy.write_row(
                    (
                        ids[row["project"]],
                        row["year"],
                        row["source"],
                        "initial",
                        row["amount"],
                        row["effective_on"],
                        "",
                        "",
                    )
                )
                plans += 1
        for model in (Project, ProjectLocation, CapitalAllocation):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return {"seconds": time.perf_counter() - started, "projects": projects, "locations": locations, "plans": plans}


def import_disbursement(path: Path) -> dict[str, Any]:
    """The product's import of the Treasury's file, timed in this process (Django started before)."""
    _django()
    from django.db import connection  # noqa: PLC0415

    from dieuhanh.projects.bulk import disbursement_import_postgres  # noqa: PLC0415
    from dieuhanh.projects.models import Disbursement  # noqa: PLC0415

    statements: list[dict[str, Any]] = []

    def timing(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append({"sql": " ".join(sql.split())[:90], "seconds": round(time.perf_counter() - t0, 3)})

    started = time.perf_counter()
    with path.open("rb") as stream, connection.execute_wrapper(timing):
        counts = disbursement_import_postgres(stream=stream)
    seconds = time.perf_counter() - started
    if counts is None:
        raise RuntimeError("the file was sent to the Python path: the benchmark's file must be read by COPY")
    # The disbursement to date of the years written, as the import command's figures refresh
    # makes it (``projects.todate``): timed apart, since the import's ratio to COPY is of the rows.
    from dieuhanh.projects import todate  # noqa: PLC0415

    started = time.perf_counter()
    todate.refresh(counts.plan_years)
    todate_seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "todate_seconds": todate_seconds,
        "todate_years": len(counts.plan_years),
        "rows": counts.total,
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "stored": Disbursement.objects.count(),
        "path": "projects.bulk.disbursement_import_postgres",
        # Where the time went: the statements of a second or more (COPY is timed with the one that follows it).
        "statements": [st for st in statements if st["seconds"] >= 1],
    }


# The questions: (kind, scope). A province's questions ask about its projects (those located in its
# communes); the national ones about all.
QUESTIONS = (
    ("baseline", "national"),
    ("project_list", "province"),
    ("investor_ranking", "province"),
    ("projects_geojson", "province"),
    ("project_list", "national"),
    ("investor_ranking", "national"),
    ("projects_geojson", "national"),
)


def _calls(manifest: dict[str, Any]) -> tuple[dict[tuple[str, str], Callable[[], int | bytes]], dict[str, str]]:
    """Each question as a call returning how many rows (or features) its answer has, and the
    questions that cannot be asked (with why)."""
    from dieuhanh.orgunits.models import OrgUnit  # noqa: PLC0415
    from dieuhanh.orgunits.tree import in_subtrees  # noqa: PLC0415
    from dieuhanh.projects import selectors  # noqa: PLC0415
    from dieuhanh.projects.models import Project, ProjectLocation  # noqa: PLC0415

    year, on = manifest["year"], dt.date.fromisoformat(manifest["on"])
    # The set's units have no validity dates: the code names one unit.
    province = OrgUnit.objects.get(code=manifest["province"])
    first = Project.objects.order_by("code").values_list("code", flat=True)[0]
    located = ProjectLocation.objects.filter(in_subtrees([province], through="org_unit")).values("project_id")
    in_province = Project.objects.filter(pk__in=located)

    def baseline() -> int:
        # A trivial question through the same ORM and connection: one project by its code.
        return len(list(Project.objects.filter(code=first).values_list("id", flat=True)))

    calls: dict[tuple[str, str], Callable[[], int | bytes]] = {("baseline", "national"): baseline}
    missing: dict[str, str] = {}
    for kind, scope in QUESTIONS[1:]:
        # The map is asked as the API answers it: the collection's JSON text (on PostgreSQL written
        # from the query's rows), not Python objects that would still have to be serialised.
        function = selectors.projects_geojson_utf8 if kind == "projects_geojson" else getattr(selectors, kind)
        kwargs: dict[str, Any] = {}
        if scope == "province":
            parameters = inspect.signature(function).parameters
            if "province" in parameters:
                kwargs = {"province": province}  # the projects lying in the province on the day asked
            elif "commune" in parameters:
                kwargs = {"commune": province}  # its subtree: the projects located in the province
            elif "projects" in parameters:
                kwargs = {"projects": in_province}
            else:
                missing[f"{kind}:{scope}"] = f"selectors.{kind} asks about the whole register only"
                continue

        def call(function: Any = function, kwargs: dict[str, Any] = kwargs) -> int | bytes:
            answer = function(year=year, on=on, **kwargs)
            if isinstance(answer, bytes):
                return answer  # its features are counted once, after the timing
            if isinstance(answer, list):
                return len(answer)
            # A list read when used (the project list): what its page asks (as a Paginator does), how
            # many, then the first page.
            total = len(answer)
            first = answer[:PAGE_SIZE]
            return max(total, len(first))

        calls[(kind, scope)] = call
    return calls, missing


def query_projects(manifest: dict[str, Any], *, warmup: int, runs: int, seconds: float) -> dict[str, Any]:
    """Each question in-process, repeated: its timings and the size of its answer."""
    _django()
    gc.freeze()
    out: dict[str, Any] = {}
    calls, missing = _calls(manifest)
    out["not_asked"] = missing
    for (kind, scope), call in calls.items():
        result = timed(call, warmup=warmup, runs=runs, seconds=seconds, min_runs=runs)
        answer = result.pop("result")
        result["rows"] = len(json.loads(answer)["features"]) if isinstance(answer, bytes) else answer
        out[f"{kind}:{scope}"] = result
    return out


def refresh_figures(manifest: dict[str, Any], *, runs: int) -> dict[str, Any]:
    """The register's figures of the set's plan year refreshed after the import, in-process, as the
    import's end does (``projects_figures_refresh``): every month of the year computed and written
    through the figures service. Each run is rolled back, so each writes the year's figures anew."""
    _django()
    from django.db import transaction  # noqa: PLC0415

    from dieuhanh.figures.models import DataValue  # noqa: PLC0415
    from dieuhanh.projects.services import projects_figures_refresh  # noqa: PLC0415

    year = manifest["year"]
    times: list[float] = []
    written = 0
    for _run in range(runs):
        with transaction.atomic():
            started = time.perf_counter()
            projects_figures_refresh(years=[year])
            times.append(time.perf_counter() - started)
            written = DataValue.objects.count()
            transaction.set_rollback(True)
    return {"times": times, "year": year, "figures": written}
