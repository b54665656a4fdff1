"""The public-investment sets on PostgreSQL (issue 16): the raw ``COPY`` of the Treasury's file
(the baseline), a fresh database with the set's units, the register and its plans, the product's
import of the same file, then the project list, the investor ranking and the map for one
province and nationally, in-process, beside a trivial question asked the same way."""

from __future__ import annotations

import json
import time
from typing import Any

import psycopg

from bench.databases import database_name
from bench.machine import describe_machine
from bench.measure import summary
from bench.projects import PROJECT_SPECS, ProjectFiles, ProjectsSpec, generate_projects
from bench.suite import Options, SetRun, StepError, log

# The goals of issue 16.
IMPORT_GOAL = 0.2  # × PostgreSQL COPY of the same rows
PROVINCE_GOAL_MS = 100
NATIONAL_GOAL_MS = 300
QUESTION_KINDS = ("project_list", "investor_ranking", "projects_geojson")
# The register's figures of the plan year, refreshed after the import: a measure, no goal.
REFRESH_RUNS = 3


class ProjectsRun(SetRun):
    """One public-investment set on PostgreSQL."""

    files: ProjectFiles  # type: ignore[assignment]

    def baselines(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        rows = self.manifest["values"]
        name = database_name(self.spec.name, "copy")
        dsn = self.options.server.create(name)
        try:
            for variant, runs in (("bare", self.budget.copy_runs), ("unique", 1)):
                times, rss = [], []
                for n in range(runs):
                    args = ["--dsn", dsn, "--file", str(self.files.disbursement)]
                    data, process = self.worker(
                        f"copy-{variant}-{n}", "projects-copy", *args, *(["--unique"] if variant == "unique" else [])
                    )
                    if data["rows"] != rows:
                        raise StepError(f"COPY loaded {data['rows']} rows, the file has {rows}")
                    times.append(data["seconds"])
                    rss.append(process.max_rss_mb)
                out[variant] = {
                    "times": times,
                    "stats": summary(times),
                    "values_per_s": rows / summary(times)["median"],
                    "rss_mb": max(rss),
                }
        finally:
            self.options.server.drop(name)
        out["method"] = (
            "PostgreSQL COPY FROM STDIN (CSV) streamed by psycopg, into (text, integer, text, text, numeric(18,3))"
        )
        return out

    def register(self) -> dict[str, Any]:
        data, process = self.worker("register", "projects-register", "--file", str(self.files.directory))
        data["rss_mb"] = process.max_rss_mb
        return data

    def product_import(self) -> dict[str, Any]:
        rows = self.manifest["values"]
        data, process = self.worker("import", "projects-import", "--file", str(self.files.disbursement))
        if data["stored"] != rows or data["created"] != rows:
            raise StepError(f"the import stored {data['stored']} rows ({data['created']} created), the file has {rows}")
        data.update(
            values=rows,
            values_per_s=rows / data["seconds"],
            process_seconds=process.wall,
            rss_mb=process.max_rss_mb,
            cpu_seconds=process.cpu_user + process.cpu_system,
            ok=True,
        )
        return data

    def settle(self) -> dict[str, Any]:
        """VACUUM ANALYZE the register's tables, as autovacuum does soon after a load: the
        questions then read the year's rows from the indexes alone, as they would in service."""
        started = time.perf_counter()
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            for table in (
                "projects_project",
                "projects_projectlocation",
                "projects_capitalallocation",
                "projects_disbursement",
            ):
                conn.execute(f"VACUUM ANALYZE {table}")  # the product's own table names
        return {"seconds": time.perf_counter() - started}

    def questions(self) -> dict[str, Any]:
        b = self.budget
        data, process = self.worker(
            "questions",
            "projects-query",
            "--manifest",
            str(self.files.manifest),
            "--warmup",
            str(b.query_warmup),
            "--runs",
            str(b.query_runs),
            "--seconds",
            str(b.query_seconds),
        )
        baseline = data["baseline:national"]["stats"]["median"]
        for key, measured in data.items():
            if key not in ("baseline:national", "not_asked") and baseline:
                measured["median_to_baseline"] = measured["stats"]["median"] / baseline
        for kind in QUESTION_KINDS:
            for scope in ("province", "national"):
                measured = data.get(f"{kind}:{scope}")
                if measured is None:
                    log(f"  {kind} ({scope}): not asked — {data['not_asked'].get(f'{kind}:{scope}')}")
                    continue
                log(
                    f"  {kind} ({scope}): median {measured['stats']['median'] * 1000:.1f} ms, "
                    f"p95 {measured['stats']['p95'] * 1000:.1f} ms, {measured['rows']} rows"
                )
        data["rss_mb"] = process.max_rss_mb
        return data

    def refresh(self) -> dict[str, Any]:
        args = ["--manifest", str(self.files.manifest), "--runs", str(REFRESH_RUNS)]
        data, process = self.worker("refresh", "projects-refresh", *args)
        data.update(stats=summary(data["times"]), rss_mb=process.max_rss_mb)
        median = data["stats"]["median"]
        log(f"  refresh of the {data['year']} figures: median {median:.2f} s, {data['figures']:,} figures")
        return data

    def run(self, reference: dict[str, Any] | None) -> dict[str, Any]:
        self.result["machine"] = describe_machine(self.options.server)
        try:
            self.step("baselines", self.baselines)
            if self.step("database", self.create_database) is None:
                return self.finish()
            if self.step("register", self.register) is None:
                return self.finish()
            if self.step("import", self.product_import) is None:
                return self.finish()
            imported, raw = self.result["steps"]["import"], self.result["steps"].get("baselines", {}).get("bare")
            if raw:
                imported["ratio_to_copy"] = imported["values_per_s"] / raw["values_per_s"]
                log(
                    f"  import {imported['values_per_s']:,.0f} rows/s, COPY {raw['values_per_s']:,.0f} rows/s: "
                    f"{imported['ratio_to_copy']:.2f} × COPY"
                )
                self.save()
            self.step("settle", self.settle)
            self.step("questions", self.questions)
            self.step("refresh", self.refresh)
            self.step("footprint", self.footprint)
        finally:
            self.cleanup()
        return self.finish()


def run_projects_set(name: str, options: Options, *, reuse_data: bool = False) -> dict[str, Any]:
    """Generate (or reuse) a public-investment set and run it on PostgreSQL."""
    spec: ProjectsSpec = PROJECT_SPECS[name]
    files = ProjectFiles(options.workdir / name)
    started = time.perf_counter()
    if reuse_data and files.manifest.exists():
        manifest = json.loads(files.manifest.read_text(encoding="utf-8"))
        generated = None
    else:
        log(f"{name}: generating the data set")
        manifest = generate_projects(spec, files.directory)
        generated = time.perf_counter() - started
    log(f"{name}: {manifest['projects']:,} projects, {manifest['values']:,} disbursement rows")
    run = ProjectsRun(spec, "postgres", files, manifest, options)  # type: ignore[arg-type]
    run.result["dataset"] = dict(manifest, generate_seconds=generated)
    return run.run(None)
