"""``python -m bench``: generate data sets, run the suite, write docs/performance.md.

python -m bench run                                  # province (PostgreSQL, SQLite) and national (PostgreSQL)
python -m bench run --sets province --dbs postgres   # one set, one database
python -m bench run --sets reform --dbs postgres      # the reform scenario: 2026 against a re-based 2025
python -m bench smoke                                # the tiny sets through every step, in seconds (CI)
python -m bench.bench_projects                       # the public-investment register (bench_projects.py)
python -m bench report                               # rewrite docs/performance.md from saved results
python -m bench generate --set province --out DIR    # only the files of a set
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench import bench_projects
from bench.databases import PostgresServer
from bench.datasets import SPECS, generate
from bench.reform import REFORM_SPECS, generate_reform
from bench.report import load_results, render, render_text
from bench.suite import Options, log, run_sets

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RESULTS = ROOT / "var" / "bench"
DEFAULT_DOC = ROOT / "docs" / "performance.md"


def _list(text: str, allowed: list[str]) -> list[str]:
    items = [x.strip() for x in text.split(",") if x.strip()]
    unknown = [x for x in items if x not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown: {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return items


def _stop(signum: int, frame: object) -> None:
    # Unwind like Ctrl-C, so that servers are stopped and databases dropped on the way out
    # (a run started in the background ignores SIGINT, and `kill` sends SIGTERM).
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the suite (the full one by default) and write the report")
    smoke = commands.add_parser(
        "smoke", help="the tiny sets (tiny, reform-tiny) through every step on PostgreSQL and SQLite; no report"
    )
    for p in (run, smoke):
        p.add_argument(
            "--postgres",
            help="server URL; databases named bench_* are created on it (default: "
            "$BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)",
        )
        p.add_argument(
            "--workdir",
            type=Path,
            help="for the generated files and SQLite databases (default: a new "
            "directory under the system's temporary directory, removed afterwards)",
        )
        p.add_argument("--keep", action="store_true", help="keep the work directory and the databases")
        p.add_argument("--http-workers", type=int, default=4)
        p.add_argument("--http-threads", type=int, default=2)
    run.add_argument(
        "--sets",
        type=lambda t: _list(t, ["tiny", "province", "national", *REFORM_SPECS]),
        default=["province", "national"],
    )
    run.add_argument("--dbs", type=lambda t: _list(t, ["postgres", "sqlite"]), default=["postgres", "sqlite"])
    run.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="where each set's results are kept as JSON")
    run.add_argument("--report", type=Path, default=DEFAULT_DOC, help="the page to write from all saved results")
    run.add_argument("--no-report", action="store_true", help="do not write the page")
    run.add_argument("--reuse-data", action="store_true", help="reuse data sets already generated in --workdir")

    report = commands.add_parser("report", help="write the page from saved results")
    report.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    report.add_argument("--output", type=Path, default=DEFAULT_DOC)

    gen = commands.add_parser("generate", help="write a data set's files")
    gen.add_argument("--set", choices=sorted(SPECS) + sorted(REFORM_SPECS), required=True)
    gen.add_argument("--out", type=Path, required=True)

    args = parser.parse_args(argv)

    if args.command == "generate":
        started = time.perf_counter()
        if args.set in REFORM_SPECS:
            manifest = generate_reform(REFORM_SPECS[args.set], args.out)
        else:
            manifest = generate(SPECS[args.set], args.out)
        print(f"{manifest['values']:,} values in {args.out} ({time.perf_counter() - started:.1f} s)")
        return 0

    if args.command == "report":
        results = load_results(args.results)
        if not results:
            print(f"No results in {args.results}.", file=sys.stderr)
            return 1
        args.output.write_text(render(results), encoding="utf-8")
        print(f"Wrote {args.output}.")
        return 0

    smoking = args.command == "smoke"
    projects_failed = 0
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="dieuhanh-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results_dir = workdir / "results" if smoking else args.results
    options = Options(
        workdir=workdir,
        results_dir=results_dir,
        server=PostgresServer.from_env(args.postgres),
        http_workers=args.http_workers,
        http_threads=args.http_threads,
        keep=args.keep,
    )
    started = time.perf_counter()
    try:
        if smoking:
            outcome = run_sets(["tiny", "reform-tiny"], ["postgres", "sqlite"], options)
            # The public-investment register's import and questions at a tiny size (bench_projects.py).
            extra = ["--postgres", args.postgres] if args.postgres else []
            projects_failed = bench_projects.main(
                ["--projects", "40", "--years", "1", "--queries", "5", "--warmup", "1", *extra]
            )
        else:
            outcome = run_sets(args.sets, args.dbs, options, reuse_data=args.reuse_data)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    shown = {(r["set"], r["db"]): r for r in outcome}
    print(render_text(shown))
    if not smoking and not args.no_report:
        saved = load_results(results_dir)
        args.report.write_text(render(saved), encoding="utf-8")
        log(f"wrote {args.report}")
    failures = sum(len(r["failures"]) for r in outcome) + projects_failed
    log(f"{'smoke' if smoking else 'run'} finished in {time.perf_counter() - started:.0f} s with {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
