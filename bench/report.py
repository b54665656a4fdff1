"""The results as tables: the goals of issue 3 met or not, every figure, peak memory, the machine,
and how each figure was taken; printed after a run and written to docs/performance.md."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COLUMNS = [
    ("tiny", "postgres"),
    ("tiny", "sqlite"),
    ("province", "postgres"),
    ("province", "sqlite"),
    ("national", "postgres"),
]
DB_NAMES = {"postgres": "PostgreSQL", "sqlite": "SQLite"}


def load_results(directory: Path) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "set" in data and "db" in data:
            out[(data["set"], data["db"])] = data
    return out


# --- formatting ----------------------------------------------------------------------------------


def _num(x: float | None, digits: int = 3) -> str:
    """A number with ``digits`` significant figures and thousands separators."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{x:,.{decimals}f}"


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else _num(seconds * 1000)


def _get(data: dict[str, Any] | None, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _column_title(key: tuple[str, str]) -> str:
    return f"{key[0]} · {DB_NAMES[key[1]]}"


# --- the goals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    text: str
    met: bool | None  # None: not measured

    @property
    def mark(self) -> str:
        return {True: "met", False: "**not met**", None: "not measured"}[self.met]


def _at_most(value: float | None, limit: float, unit: str, scale: float = 1.0) -> Verdict:
    if value is None or math.isnan(value):
        return Verdict("—", None)
    shown = value * scale
    if shown <= limit:
        return Verdict(f"{_num(shown)} {unit}", True)
    return Verdict(f"{_num(shown)} {unit} ({_num(shown / limit)}× the goal)", False)


def _at_least(value: float | None, limit: float, unit: str) -> Verdict:
    if value is None or math.isnan(value):
        return Verdict("—", None)
    if value >= limit:
        return Verdict(f"{_num(value)}{unit}", True)
    return Verdict(f"{_num(value)}{unit} ({_num(value / limit)} of the goal)", False)


def _ratio(result: dict[str, Any], kind: str) -> float | None:
    ours = _get(result, "steps", kind, "stats", "median")
    theirs = _get(result, "duckdb", kind, "stats", "median")
    return ours / theirs if ours and theirs else None


def _import_ratio(result: dict[str, Any], variant: str) -> float | None:
    ours = _get(result, "steps", "import", "values_per_s")
    raw = _get(result, "steps", "baselines", variant, "values_per_s")
    return ours / raw if ours and raw else None


# Issue 15: the HTML overview page under 50 clients, as deployed.
PAGE_GOAL_RPS = 100
PAGE_GOAL_P95_MS = 500


def goals(results: dict[tuple[str, str], dict[str, Any]]) -> list[tuple[str, str, list[tuple[str, Verdict]]]]:
    """(measure, goal, [(where, verdict)]) for each goal of the issue."""
    rows: list[tuple[str, str, list[tuple[str, Verdict]]]] = []
    province = [(k, results[k]) for k in COLUMNS if k in results and k[0] == "province"]
    national = results.get(("national", "postgres"))
    everywhere = [(k, results[k]) for k in COLUMNS if k in results]
    rows.append(
        (
            "province overview p95 (in-process, computed)",
            "≤ 30 ms",
            [
                (_column_title(k), _at_most(_get(r, "steps", "overview", "stats", "p95"), 30, "ms", 1000))
                for k, r in province
            ],
        )
    )
    rows.append(
        (
            "national ranking of 3,321 communes p95 (in-process, computed)",
            "≤ 250 ms",
            [("national · PostgreSQL", _at_most(_get(national, "steps", "ranking", "stats", "p95"), 250, "ms", 1000))],
        )
    )
    rows.append(
        (
            "national overview p95 (in-process, computed)",
            "≤ 100 ms",
            [("national · PostgreSQL", _at_most(_get(national, "steps", "overview", "stats", "p95"), 100, "ms", 1000))],
        )
    )
    ratio_cells = []
    for k, r in everywhere:
        for kind in ("overview", "ranking", "trend"):
            ratio_cells.append((f"{_column_title(k)}, {kind}", _at_most(_ratio(r, kind), 3, "×")))
    rows.append(("ratio to the DuckDB reference (medians), queries 2–4", "≤ 3", ratio_cells))
    import_cells = []
    for k, r in everywhere:
        if k[1] != "postgres":
            continue
        for variant, label in (("bare", "COPY, bare table"), ("unique", "COPY, unique index")):
            import_cells.append((f"{_column_title(k)}, vs {label}", _at_least(_import_ratio(r, variant), 0.3, "")))
    rows.append(("import throughput / raw COPY", "≥ 0.3", import_cells))
    http_cells = []
    for k, r in everywhere:
        for step, label in (("http", "as deployed (answer cache on)"), ("http_uncached", "answer cache off")):
            h = _get(r, "steps", step, "overview")
            if h is None:
                http_cells.append((f"{_column_title(k)}, {label}", Verdict("—", None)))
                continue
            met = h["rps"] >= 150 and h["errors"] == 0 and h["p95_ms"] <= 300
            text = f"{_num(h['rps'])} req/s, {h['errors']} errors, p95 {_num(h['p95_ms'])} ms"
            http_cells.append((f"{_column_title(k)}, {label}", Verdict(text, met)))
    rows.append(("HTTP, 50 clients, overview", "≥ 150 req/s on 2 cores, 0 errors, p95 ≤ 300 ms", http_cells))
    page_cells = []
    for k, r in everywhere:
        for kind, label in (("page", "anonymous"), ("page_signed_in", "signed in (an ordinary user)")):
            h = _get(r, "steps", "http_pages", kind)
            if h is None:
                page_cells.append((f"{_column_title(k)}, {label}", Verdict("—", None)))
                continue
            met = h["rps"] >= PAGE_GOAL_RPS and h["errors"] == 0 and h["p95_ms"] <= PAGE_GOAL_P95_MS
            text = f"{_num(h['rps'])} req/s, {h['errors']} errors, p95 {_num(h['p95_ms'])} ms"
            page_cells.append((f"{_column_title(k)}, {label}", Verdict(text, met)))
    rows.append(
        (
            "HTTP, 50 clients, the overview page `/` as deployed (issue 15)",
            f"≥ {PAGE_GOAL_RPS} req/s, 0 errors, p95 ≤ {PAGE_GOAL_P95_MS} ms",
            page_cells,
        )
    )
    refresh_cells = []
    for k, r in everywhere:
        refresh_cells.append(
            (
                f"{_column_title(k)}, refresh inside the import",
                _at_most(_get(r, "steps", "refresh", "refresh", "p95"), 5, "s"),
            )
        )
        refresh_cells.append(
            (
                f"{_column_title(k)}, whole `dieuhanh import`",
                _at_most(_get(r, "steps", "refresh", "process", "p95"), 5, "s"),
            )
        )
    rows.append(("incremental refresh after one month of one province (p95)", "≤ 5 s", refresh_cells))
    return rows


# --- the tables ----------------------------------------------------------------------------------


def _cells(
    results: dict[tuple[str, str], dict[str, Any]], keys: list[tuple[str, str]], fn: Callable[[dict[str, Any]], str]
) -> list[str]:
    out = []
    for k in keys:
        try:
            out.append(fn(results[k]))
        except (KeyError, TypeError, ZeroDivisionError):
            out.append("—")
    return out


def _timing(r: dict[str, Any], *path: str) -> str:
    stats = _get(r, *path, "stats")
    if not stats or not stats.get("n"):
        return "—"
    return f"{_ms(stats['median'])} · {_ms(stats['p95'])} (n={stats['n']})"


def _seconds(stats: dict[str, Any] | None) -> str:
    if not stats or not stats.get("n"):
        return "—"
    return f"{_num(stats['median'])} · {_num(stats['p95'])} (n={stats['n']})"


def _http(r: dict[str, Any], kind: str, step: str = "http") -> str:
    h = _get(r, "steps", step, kind)
    if not h:
        return "—"
    return f"{_num(h['rps'])} req/s · p95 {_num(h['p95_ms'])} ms · {h['errors']} errors"


def _page(r: dict[str, Any], kind: str, step: str = "http_pages") -> str:
    h = _get(r, "steps", step, kind)
    if not h:
        return "—"
    text = (
        f"{_num(h['rps'])} req/s · p50 {_num(h['p50_ms'])} · p95 {_num(h['p95_ms'])} · "
        f"p99 {_num(h['p99_ms'])} ms · {h['errors']} errors"
    )
    if h.get("rps_to_baseline") is not None:
        text += f" · {_num(h['rps_to_baseline'])} × the baseline's req/s"
    return text


def _workers_after(r: dict[str, Any], step: str = "http_pages") -> str:
    after = _get(r, "steps", step, "memory", "workers_rss_mb_after")
    if not after:
        return "—"
    return ", ".join(_num(m) for m in after)


def _refusal(r: dict[str, Any]) -> str:
    """The oversized question's refusal (goal ≤ 50 ms), beside the overview asked in turn with it."""
    h = _get(r, "steps", "http", "refusal")
    if not h:
        return "—"
    verdict = "400" if h["refused"] else "**not refused**"
    return (
        f"{_num(h['oversized']['median_ms'])} · {_num(h['oversized']['p95_ms'])} (n={h['repeats']}, {verdict}); "
        f"{_num(h['ratio'])} × the overview's {_num(h['baseline']['median_ms'])}"
    )


def _import(r: dict[str, Any]) -> str:
    step = _get(r, "steps", "import")
    if not step:
        return "—"
    if not step.get("ok"):
        return f"failed after {_num(step['seconds'])} s ({step.get('lower_bound_note', '')})"
    return f"{_num(step['values_per_s'])} values/s ({_num(step['seconds'])} s)"


def _baseline(r: dict[str, Any], variant: str) -> str:
    step = _get(r, "steps", "baselines", variant)
    if not step:
        return "—"
    return f"{_num(step['values_per_s'])} values/s ({_num(step['stats']['median'])} s, n={step['stats']['n']})"


def _check(r: dict[str, Any]) -> str:
    """Per question: whether every way of answering it (computed, cached, without rollups, and the
    API's answer with the cache on and off) agreed with DuckDB, and how many values each compared."""
    parts = []
    for kind in ("overview", "ranking", "trend"):
        checks = [_get(r, "steps", kind + suffix, "check") for suffix in ("", "_cached", "_direct")]
        agreed = [c["agree"] for c in checks if c is not None]
        agreed += [h[kind]["answer_agrees"] for s in ("http", "http_uncached") if (h := _get(r, "steps", s))]
        if not agreed:
            parts.append(f"{kind}: —")
            continue
        compared = next((c["compared"] for c in checks if c is not None), 0)
        verdict = "agree" if all(agreed) else "**differ**"
        parts.append(f"{kind}: {verdict} ({len(agreed)} ways × {compared} values)")
    return "; ".join(parts)


def _rebuild(r: dict[str, Any]) -> str:
    step = _get(r, "steps", "rebuild")
    if not step:
        return "—"
    return _seconds(step["stats"])


def results_table(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    keys = [k for k in COLUMNS if k in results]
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("values in the set", lambda r: f"{r['dataset']['values']:,}"),
        ("1 import through `dieuhanh import` (once)", _import),
        ("1 raw load, bare table", lambda r: _baseline(r, "bare")),
        ("1 raw load, unique index on (indicator, org_unit, period)", lambda r: _baseline(r, "unique")),
        (
            "1 import / raw load (bare; unique index)",
            lambda r: f"{_num(_import_ratio(r, 'bare'))}; {_num(_import_ratio(r, 'unique'))}",
        ),
        ("2 overview, in-process, computed (answer cache off), ms", lambda r: _timing(r, "steps", "overview")),
        ("3 ranking, in-process, computed, ms", lambda r: _timing(r, "steps", "ranking")),
        ("4 trend, in-process, computed, ms", lambda r: _timing(r, "steps", "trend")),
        ("2 overview, DuckDB reference, ms", lambda r: _timing(r, "duckdb", "overview")),
        ("3 ranking, DuckDB reference, ms", lambda r: _timing(r, "duckdb", "ranking")),
        ("4 trend, DuckDB reference, ms", lambda r: _timing(r, "duckdb", "trend")),
        (
            "2–4 ours / DuckDB (medians)",
            lambda r: " · ".join(_num(_ratio(r, k)) for k in ("overview", "ranking", "trend")),
        ),
        ("2–4 answers equal to DuckDB's (values compared)", _check),
        (
            "2 overview asked again, from the product's answer cache, ms",
            lambda r: _timing(r, "steps", "overview_cached"),
        ),
        ("3 ranking asked again, from the cache, ms", lambda r: _timing(r, "steps", "ranking_cached")),
        ("4 trend asked again, from the cache, ms", lambda r: _timing(r, "steps", "trend_cached")),
        (
            "2 overview without rollups (computed from the figures), ms",
            lambda r: _timing(r, "steps", "overview_direct"),
        ),
        ("3 ranking without rollups, ms", lambda r: _timing(r, "steps", "ranking_direct")),
        ("4 trend without rollups, ms", lambda r: _timing(r, "steps", "trend_direct")),
        ("5 HTTP overview, 50 clients, as deployed (answer cache on)", lambda r: _http(r, "overview")),
        ("5 HTTP ranking, 50 clients, as deployed", lambda r: _http(r, "ranking")),
        ("5 HTTP trend, 50 clients, as deployed", lambda r: _http(r, "trend")),
        ("5 HTTP oversized question refused (73 × 122 × 60 cells, anonymous), ms", _refusal),
        ("5 HTTP overview, 50 clients, answer cache off", lambda r: _http(r, "overview", "http_uncached")),
        ("5 HTTP ranking, 50 clients, answer cache off", lambda r: _http(r, "ranking", "http_uncached")),
        ("5 HTTP trend, 50 clients, answer cache off", lambda r: _http(r, "trend", "http_uncached")),
        ("5 HTTP baseline `/palette.css` (a view that reads nothing), 50 clients", lambda r: _page(r, "baseline")),
        ("5 HTTP overview page `/`, anonymous, as deployed", lambda r: _page(r, "page")),
        ("5 HTTP overview page `/`, signed in, as deployed", lambda r: _page(r, "page_signed_in")),
        ("5 HTTP wall screen `/wall/`, anonymous, as deployed", lambda r: _page(r, "wall")),
        (
            "5 HTTP overview page `/`, anonymous, caches off",
            lambda r: _page(r, "page", "http_pages_uncached"),
        ),
        (
            "5 HTTP overview page: bytes of a response (anonymous)",
            lambda r: f"{r['steps']['http_pages']['page']['bytes_per_response']:,}",
        ),
        (
            "6 one new month of one province: `dieuhanh import`, s",
            lambda r: _seconds(_get(r, "steps", "refresh", "process")),
        ),
        ("6 … of which the rollup refresh, s", lambda r: _seconds(_get(r, "steps", "refresh", "refresh"))),
        ("6 full rebuild `dieuhanh rollups rebuild`, s", _rebuild),
    ]
    lines = ["| measure (median · p95) | " + " | ".join(_column_title(k) for k in keys) + " |"]
    lines.append("|---|" + "---|" * len(keys))
    for title, fn in rows:
        lines.append(f"| {title} | " + " | ".join(_cells(results, keys, fn)) + " |")
    return lines


def memory_table(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    keys = [k for k in COLUMNS if k in results]
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("raw load (client)", lambda r: _num(r["steps"]["baselines"]["unique"]["rss_mb"])),
        ("`dieuhanh load-metadata`", lambda r: _num(r["steps"]["database"]["load_metadata_rss_mb"])),
        ("`dieuhanh import` (whole set)", lambda r: _num(r["steps"]["import"]["rss_mb"])),
        ("`dieuhanh rollups rebuild`", lambda r: _num(r["steps"]["rebuild"]["rss_mb"])),
        ("overview (in-process)", lambda r: _num(r["steps"]["overview"]["rss_mb"])),
        ("ranking (in-process)", lambda r: _num(r["steps"]["ranking"]["rss_mb"])),
        ("trend (in-process)", lambda r: _num(r["steps"]["trend"]["rss_mb"])),
        ("overview without rollups", lambda r: _num(r["steps"]["overview_direct"]["rss_mb"])),
        ("gunicorn, largest worker", lambda r: _num(r["steps"]["http"]["memory"]["worker_rss_mb_max"])),
        ("gunicorn, all workers", lambda r: _num(r["steps"]["http"]["memory"]["workers_rss_mb_total"])),
        ("gunicorn, each worker after the pages' load (resident now)", _workers_after),
        (
            "gunicorn, largest worker's peak during the pages' load",
            lambda r: _num(r["steps"]["http_pages"]["memory"]["worker_rss_mb_max"]),
        ),
        ("wrk", lambda r: _num(max(r["steps"]["http"][k]["loadgen_rss_mb"] for k in ("overview", "ranking", "trend")))),
        ("new month `dieuhanh import`", lambda r: _num(r["steps"]["refresh"]["rss_mb"])),
        ("DuckDB reference", lambda r: _num(r["duckdb"]["rss_mb"])),
    ]
    lines = ["| step (peak RSS, MiB) | " + " | ".join(_column_title(k) for k in keys) + " |"]
    lines.append("|---|" + "---|" * len(keys))
    for title, fn in rows:
        lines.append(f"| {title} | " + " | ".join(_cells(results, keys, fn)) + " |")
    return lines


def _minutes(r: dict[str, Any]) -> str:
    started, finished = r.get("started"), r.get("finished")
    if not started or not finished:
        return "—"
    seconds = (dt.datetime.fromisoformat(finished) - dt.datetime.fromisoformat(started)).total_seconds()
    return f"{_num(seconds / 60, 2)} min"


def cost_table(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """How long each part of the run took, and the disk it used."""
    keys = [k for k in COLUMNS if k in results]
    mib = 2**20
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("this set on this database, all steps", _minutes),
        ("generating the set (once per set)", lambda r: f"{_num(r['dataset']['generate_seconds'])} s"),
        ("DuckDB: CSV to Parquet (once per set)", lambda r: f"{_num(r['duckdb']['export_seconds'])} s"),
        ("`dieuhanh load-metadata`", lambda r: f"{_num(r['steps']['database']['load_metadata_seconds'])} s"),
        ("rebuilds, all runs", lambda r: f"{_num(r['steps']['rebuild']['step_seconds'])} s"),
        (
            "HTTP steps (2 × 3 × (warm-up + load))",
            lambda r: f"{_num(r['steps']['http']['step_seconds'] + r['steps']['http_uncached']['step_seconds'])} s",
        ),
        (
            "HTTP pages ((4 + 2) × (warm-up + load))",
            lambda r: f"{_num(sum(r['steps'][s]['step_seconds'] for s in ('http_pages', 'http_pages_uncached')))} s",
        ),
        (
            "CSV · Parquet",
            lambda r: (
                f"{_num(r['dataset']['values_bytes'] / mib)} MiB · {_num(r['duckdb']['parquet_bytes'] / mib)} MiB"
            ),
        ),
        ("database after the run", lambda r: f"{_num(r['steps']['footprint']['database_bytes'] / 2**30)} GiB"),
        (
            "raw-load table with its unique index (dropped after)",
            lambda r: f"{_num(r['steps']['baselines']['unique_table_bytes'] / 2**30)} GiB",
        ),
    ]
    lines = ["| run time and disk | " + " | ".join(_column_title(k) for k in keys) + " |"]
    lines.append("|---|" + "---|" * len(keys))
    for title, fn in rows:
        lines.append(f"| {title} | " + " | ".join(_cells(results, keys, fn)) + " |")
    return lines


def goals_table(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    lines = ["| measure | goal | where | result | |", "|---|---|---|---|---|"]
    for measure, goal, cells in goals(results):
        for n, (where, verdict) in enumerate(cells):
            first = n == 0
            lines.append(
                f"| {measure if first else ''} | {goal if first else ''} | {where} | {verdict.text} | {verdict.mark} |"
            )
    return lines


def machine_section(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    first = next(iter(results.values()))
    m = first["machine"]
    pg = next((r["machine"].get("postgres") for r in results.values() if r["machine"].get("postgres")), None)
    lines = [
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {_num(m['memory_gib'])} GiB; {m['os']} (Linux {m['kernel']})",
        f"- Python {m['python']}, Django {m['django']}, psycopg {m['psycopg']}, SQLite {m['sqlite']}, "
        f"DuckDB {m['duckdb']}, gunicorn {m['gunicorn']}, {m['wrk'] or 'wrk (missing)'}",
    ]
    if pg:
        settings = ", ".join(f"{k} {v}" for k, v in pg.items() if k != "server_version")
        lines.append(f"- PostgreSQL {pg['server_version']} on the same machine, as configured there: {settings}")
    for key in COLUMNS:
        if key in results:
            r = results[key]
            load = ", ".join(f"{x:.1f}" for x in r["machine"]["load_average"])
            product = r.get("product", {})
            lines.append(
                f"- {_column_title(key)}: run {r['started']} – {r.get('finished', '?')}; load average at the start "
                f"{load}; dieuhanh {str(product.get('commit'))[:10]}"
                + (" with local changes in src/" if product.get("src_modified") else "")
            )
    return lines


METHOD = """\
- **Data sets** (`bench/datasets.py`, reproducible from their seed): *province* — 1 province, 9 districts,
  91 communes, 300 monthly indicators; *national* — a country unit, 34 provinces, 3,321 communes directly
  under them, 200 monthly indicators; both 72 months (2019-01 … 2024-12). About 84 % of the indicators add
  up by sum, 6 % by average, 5 % are stocks (last), 2.5 % indices (none) and 2.5 % ratios of two sums
  (computed, never stored). Sums, averages and stocks are stored at commune level, with 0.2 % of the
  figures missing (gaps); indices at province level only. Annual targets at the top unit for every year
  (and, nationally, at each province for 2024). One CSV of the whole set (`indicator,org_unit,period,value`,
  streamed to disk) and the catalogue in the `load-metadata` format.
- **Every step runs in its own process**; its peak memory is that process's maximum resident set size
  (`wait4`), or for gunicorn its processes' `VmHWM`. The database server's own memory is not included.
- **1 Import**: a fresh database, `dieuhanh init` and `dieuhanh load-metadata`, then `dieuhanh import`
  of the whole CSV, timed as the wall time of the process (start-up included) — **once per run**, as it
  takes minutes on the large sets. In the same run, the raw baselines load the same file: PostgreSQL
  `COPY … FROM STDIN (FORMAT csv)` streamed from a psycopg client into a table of the CSV's four columns
  (text, text, text, numeric(24,6)), bare and with a unique index on (indicator, org_unit, period), in a
  database of their own (median of the runs shown). SQLite has no COPY: its baseline is one
  `executemany` INSERT in one transaction with the product's pragmas. values/s = rows / seconds.
- **2–4 Queries, in-process**: a process sets Django up, resolves the codes once, then calls
  `analytics_measures` (overview: 30 indicators — 20 sums, 3 averages, 3 stocks, 2 indices, 2 ratios —
  at the top unit for 2024-06, all eight measures; trend: one sum indicator at the top unit for the 72
  months) or `analytics_ranking(…, depth=N)` (the 9 districts of the province; the 3,321 communes from the
  country unit, depth=2) with the rollups current — after a warm-up, repeated until the run count or the
  time budget is reached. The product keeps answers in a per-process cache until anything they depend
  on changes (`DIEUHANH_ANALYTICS_CACHE_SECONDS`): the *computed* runs set it to 0, so that every run
  computes its answer from the rollups — the goals and the ratio to DuckDB are judged on these; the
  *asked again* runs keep the default, so after the warm-up they time a cache lookup. "Without rollups"
  runs the same calls with the rollups switched off for that process only, as when they are invalid
  (the straightforward design). Each process records the tables its answer read, and the run fails if a
  computed answer read neither figures nor rollups, or an answer without rollups read rollups.
- **DuckDB reference**: the same CSV exported by DuckDB to Parquet (indicator, org_unit, year, month,
  value as DECIMAL(18,6)); one hand-written SQL query per question (`bench/reference.py`) implementing
  docs/analytics.md for these data — sums over the communes, the mean of the districts' (provinces')
  means for averages, the sum of each commune's latest figure for stocks, the top's own figure for
  indices, ratios of sums, previous, ytd, plan, % of plan, the projection from up to three past complete
  years, and status. Same warm-up and repetitions, results fetched into Python. Every value of every
  answer (ours in-process, and the API's first answer) is compared with DuckDB's to 1e-6; any
  difference fails the run.
- **5 HTTP**: twice — as deployed (answer cache on: each worker process computes an answer once, then
  serves it from its cache) and with the answer cache off (every request computes its answer).
  gunicorn (`dieuhanh.wsgi`, gthread workers, keep-alive) on 127.0.0.1, 4 worker processes of
  2 threads by default (`--http-workers`, `--http-threads`): requests are CPU-bound in Python and share
  the 2 cores with PostgreSQL, so a few processes keep both cores busy while some wait on the database,
  and more threads only queue on the GIL; in a trial on the province set 4 × 2 served more requests than
  2 × 4, 3 × 4, 5 × 1 and 3 × 8. wrk 4.1 with one thread and 50 connections for 60 s per question, after a
  5 s warm-up, anonymous GETs of `/api/v1/analytics` and `/api/v1/analytics/ranking`. Errors are wrk's
  socket errors, timeouts (10 s) and non-2xx answers. wrk, gunicorn and PostgreSQL share the 2 cores, so
  the CPU wrk itself used is recorded for every run ({loadgen}), next to how busy the whole machine was
  ({busy}): the load generator is not the bottleneck.
- **6 Refresh**: after the queries, a CSV of one province's units × all indicators × one new month
  (2025-01, then 2025-02 …; nationally the largest province) is imported with `dieuhanh import` (the
  same command, run in a process that times the product's `rollups_refresh` calls inside it); the first
  month is the warm-up. Reported: the whole process (start-up included) and the refresh part. Afterwards
  the suite checks the rollups are still current and equal to computing from the figures. Full rebuild:
  `dieuhanh rollups rebuild`, timed as a process; the first rebuild after the import is the warm-up
  (nationally it is the only run). On PostgreSQL a `CHECKPOINT` follows the last rebuild, before any
  question is timed: the gigabytes the import and the rebuild changed are written out then, not in the
  background while the questions are timed, as the DuckDB reference is timed on a machine at rest (in
  a run of the reform set without it, the ranking's first eight runs took 64–71 ms and the other 32
  67–121 ms; in the next, with it, all 40 took 54–64 ms).
- **Medians and p95** (nearest rank) over the repeated runs; the machine is shared and noisy, so the
  median is the figure to quote and p95 shows the noise. n is the number of timed runs.
- **Reading the ratio to DuckDB**: DuckDB computes every answer from the raw figures each time; the
  product reads pre-aggregated rollups (and, for a ranking of communes, their own figures). A ratio
  below 1 means the rollups answer faster than a columnar scan of the raw figures can.
"""


REFORM_METHOD = """\
Issue 14: every province's IOC compares 2026 with a 2025 that lies on the old map. The *reform*
scenario (`bench/reform.py`) keeps the national set's new map — a country unit, 34 provinces and
3,321 communes, valid from 1/7/2025 — and adds the map before it, valid until 30/6/2025: 63
provinces, about 700 districts and about 10,000 communes. Successions link them: each old
province goes whole into one new province, whose code it gives (as 79); each new commune takes one
to five old communes (about three), most whole, some split with the next new commune by a share
(`part`), a few `unchanged` or `renamed`; about half the new communes of several old ones take
the first one's code. Old units have monthly figures for 2024-01 … 2025-06, new ones for
2025-07 … 2026-06 (40 indicators of the same mix as the other sets; a new commune's figures follow
from its predecessors' sizes and shares, grown). The figures go through `dieuhanh load-metadata`,
`dieuhanh import` and `dieuhanh rollups rebuild` as in the other sets. Asked in-process, as in
rows 2–4 above: `analytics_ranking(…, measure="yoy_pct", depth=2)` of the 3,321 new communes for
2026S1 — the change on a first half of 2025 re-based from the old communes by the shares — and
`analytics_measures` of 30 indicators at the country and at the new province of the most old
communes, for 6/2026 (June 2025, the year's plan projection from 2024 and 2025, re-based). The
DuckDB reference (`bench/reform_reference.py`) resolves each figure's code on its month once, when
the CSV goes to Parquet (as the import does once), re-bases by joining the successions with their
shares (sums: Σ share × figure; averages: the mean of the predecessors; stocks: Σ share × stock;
indices: not re-based), and computes the same eight measures; every value of every answer
(computed, cached, without rollups) is compared with it to 1e-6, and the run fails if any differs
or if the province's answers are not marked re-based."""


def _method(results: dict[tuple[str, str], dict[str, Any]]) -> str:
    loads = [
        (h["loadgen_cpu_pct"], h["machine_cpu_busy_pct"])
        for r in results.values()
        for k in ("overview", "ranking", "trend")
        if (h := _get(r, "steps", "http", k))
    ]
    if not loads:
        return METHOD.format(loadgen="not measured in this run", busy="not measured")
    return METHOD.format(
        loadgen=f"at most {_num(max(x for x, _ in loads), 2)} % of one core in this run",
        busy=f"{_num(min(y for _, y in loads), 2)}–{_num(max(y for _, y in loads), 2)} % of both cores",
    )


REFORM_COLUMNS = [("reform-tiny", "postgres"), ("reform-tiny", "sqlite"), ("reform", "postgres"), ("reform", "sqlite")]
REFORM_KINDS = (
    ("ranking", "3 ranking of the new communes by the change on a re-based last year"),
    ("overview", "2 overview of the country"),
    ("overview_province", "2 overview of a merged province"),
)


def _reform_check(r: dict[str, Any], kind: str) -> str:
    checks = [c for suffix in ("", "_cached", "_direct") if (c := _get(r, "steps", kind + suffix, "check"))]
    if not checks:
        return "—"
    verdict = "agree" if all(c["agree"] for c in checks) else "**differ**"
    return f"{verdict} ({len(checks)} ways × {checks[0]['compared']} values)"


def reform_section(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """Units through time (issue 14): the reform scenario's goals and figures, when it was run."""
    keys = [k for k in REFORM_COLUMNS if k in results]
    if not keys:
        return []
    goal_rows = []
    for key in keys:
        r = results[key]
        where = _column_title(key)
        goal_rows += [
            (
                "ranking of the new communes by the change on a re-based last year, p95 (in-process, computed)",
                "≤ 250 ms",
                where,
                _at_most(_get(r, "steps", "ranking", "stats", "p95"), 250, "ms", 1000),
            ),
            (
                "overview of the country, re-based previous year, p95",
                "≤ 100 ms",
                where,
                _at_most(_get(r, "steps", "overview", "stats", "p95"), 100, "ms", 1000),
            ),
            (
                "overview of a merged province, re-based previous year, p95",
                "≤ 100 ms",
                where,
                _at_most(_get(r, "steps", "overview_province", "stats", "p95"), 100, "ms", 1000),
            ),
        ]
        for kind, _title in REFORM_KINDS:
            goal_rows.append(
                (
                    f"ratio to the DuckDB reference re-basing the same (medians), {kind.replace('_', ' ')}",
                    "≤ 3",
                    where,
                    _at_most(_ratio(r, kind), 3, "×"),
                )
            )
    lines = [
        "| measure | goal | where | result | |",
        "|---|---|---|---|---|",
        *(f"| {m} | {g} | {w} | {v.text} | {v.mark} |" for m, g, w, v in goal_rows),
        "",
    ]
    head = "| measure (median · p95) | " + " | ".join(_column_title(k) for k in keys) + " |"
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        (
            "units: new map · old map",
            lambda r: (
                f"{r['dataset']['new_provinces']} provinces, {r['dataset']['new_communes']:,} communes · "
                f"{r['dataset']['old_provinces']} provinces, {r['dataset']['old_districts']} districts, "
                f"{r['dataset']['old_communes']:,} communes"
            ),
        ),
        (
            "successions of communes (whole · part · unchanged · renamed); codes reused",
            lambda r: (
                " · ".join(f"{v:,}" for v in r["dataset"]["merge_types"].values())
                + f"; {r['dataset']['reused_codes']:,}"
            ),
        ),
        ("indicators; values in the set", lambda r: f"{r['dataset']['indicators']}; {r['dataset']['values']:,}"),
        ("1 import through `dieuhanh import` (once)", _import),
        (
            "`dieuhanh load-metadata` (both maps, successions, targets), s",
            lambda r: _num(r["steps"]["database"]["load_metadata_seconds"]),
        ),
        ("6 full rebuild `dieuhanh rollups rebuild`, s", lambda r: _num(r["steps"]["rebuild"]["times"][0])),
    ]
    for kind, title in REFORM_KINDS:
        rows += [
            (f"{title}, in-process, computed, ms", lambda r, k=kind: _timing(r, "steps", k)),
            ("… DuckDB reference, ms", lambda r, k=kind: _timing(r, "duckdb", k)),
            ("… ours / DuckDB (medians)", lambda r, k=kind: _num(_ratio(r, k))),
            ("… asked again, from the answer cache, ms", lambda r, k=kind: _timing(r, "steps", k + "_cached")),
            ("… without rollups (from the figures), ms", lambda r, k=kind: _timing(r, "steps", k + "_direct")),
            ("… answers equal to DuckDB's", lambda r, k=kind: _reform_check(r, k)),
        ]
    rows.append(
        (
            "answers of the province's overview marked re-based",
            lambda r: (
                f"{_get(r, 'steps', 'overview_province', 'rebased_rows')} of "
                f"{len(r['dataset']['overview_province']['indicators'])}"
            ),
        )
    )
    rows.append(("database after the run, GiB", lambda r: _num(r["steps"]["footprint"]["database_bytes"] / 2**30)))
    lines += [head, "|---|" + "---|" * len(keys)]
    lines += [f"| {title} | " + " | ".join(_cells(results, keys, fn)) + " |" for title, fn in rows]
    lines.append("")
    for key in keys:
        r = results[key]
        product = r.get("product", {})
        load = ", ".join(f"{x:.1f}" for x in r["machine"]["load_average"])
        lines.append(
            f"- {_column_title(key)}: run {r['started']} – {r.get('finished', '?')}; load average at the start "
            f"{load}; dieuhanh {str(product.get('commit'))[:10]}"
            + (" with local changes in src/" if product.get("src_modified") else "")
        )
    return lines


PROJECT_COLUMNS = [("projects-tiny", "postgres"), ("projects", "postgres")]
PROJECT_QUESTIONS = (
    ("project_list", "the project list (slowest first)"),
    ("investor_ranking", "the investor ranking"),
    ("projects_geojson", "the map (the GeoJSON text the API answers)"),
)
# Issue 16's goals: the import against COPY, and each question's p95 for a province and nationally.
PROJECT_IMPORT_GOAL = 0.2
PROJECT_GOAL_MS = {"province": 100, "national": 300}

PROJECTS_METHOD = """\
Issue 16: a national register of public-investment projects. The *projects* set (`bench/projects.py`,
reproducible from its seed) holds the national set's units — a country, 34 provinces, 3,321 communes —
with 30 investor agencies under each province, and 50,000 projects: each in one commune (15 % in two),
invested in by an agency of its province or (a fifth) by its commune, of group C, B, A or national
importance, with one to four capital sources and a life of four to eight years within the plans of
2015 … 2024. Each year and source has its plan (`plans.csv`, an allocation assigned on 1 January) and
the State Treasury's monthly disbursement of it — January to December and January of the next year,
an S-curve towards the project's pace, 8 % of the months without any — in the Treasury template of
the disbursement import (`disbursement.csv`: `project,plan_year,source,period,amount`). The register
and its plans are written straight into the product's tables by `COPY` (the set-up, not measured
against a goal); the measured file is the disbursement. *projects-tiny* (2 provinces, 6 communes, 60
projects) runs in `make bench-smoke`.

- **Import**: PostgreSQL `COPY … FROM STDIN (FORMAT csv)` of the same file, streamed from a psycopg
  client into a bare table of its five columns (text, integer, text, text, numeric(18,3)), in a
  database of its own, is the baseline (median of the runs; once more with a unique index on the
  key). The product's import is `projects.bulk.disbursement_import_postgres` (the PostgreSQL path of
  the Treasury import), timed in a process of its own after Django has started: the file copied
  into a staging table, every row checked by set-based SQL against the import's rules, then merged
  into an empty disbursement table, all in one transaction. rows/s = rows / seconds; the goal is
  judged on the bare table. Then, in the same process and timed apart, the disbursement to date of
  the file's plan years (`projects.todate.refresh`, which the import command's figures refresh
  runs in the same transaction): each project's year summed through each month, one row a
  project and year, which the questions below read.
- **Questions**: in one process on the imported database, each selector of the register
  (`projects.selectors.project_list`, `investor_ranking`, `projects_geojson_utf8`) for the 2024 plan as
  at 30/9/2024, for the province of the most projects (the selectors' `province` argument: the
  projects located in its communes on the day) and nationally, after a warm-up, 30 times. The
  project list is asked as its page asks it: how many projects, and the first page of 50, slowest
  first (the rows counted are all the projects); the map is the JSON text of the GeoJSON collection
  of every project with a location, as `GET /api/v1/projects/map/` answers it (on PostgreSQL written
  from one query's rows, the geometries never parsed);
  median and p95 (nearest rank). The baseline, timed the same way in the same process, is a
  trivial question: one project by its code through the ORM; each median is also given as a
  multiple of it.
- **Figures** (a measure, no goal): in a process of its own after the questions, the register's
  figures of the 2024 plan year (`projects.services.projects_figures_refresh`, as the import's end
  calls it) — every month of the year computed by the database and written through the figures
  service, from none — three times, each run rolled back; median and p95, in seconds."""


def _project_goal_rows(results: dict[tuple[str, str], dict[str, Any]], keys: list[tuple[str, str]]) -> list[str]:
    rows = []
    for key in keys:
        r = results[key]
        where = _column_title(key)
        ratio = _get(r, "steps", "import", "ratio_to_copy")
        verdict = _at_least(ratio, PROJECT_IMPORT_GOAL, " × COPY")
        rows.append(
            f"| import of the Treasury's disbursement / raw COPY | ≥ {PROJECT_IMPORT_GOAL} | {where} | "
            f"{verdict.text} | {verdict.mark} |"
        )
        for kind, title in PROJECT_QUESTIONS:
            for scope, goal in PROJECT_GOAL_MS.items():
                p95 = _get(r, "steps", "questions", f"{kind}:{scope}", "stats", "p95")
                verdict = _at_most(p95, goal, "ms", 1000)
                rows.append(
                    f"| {title}, {scope}, p95 (in-process) | ≤ {goal} ms | {where} | {verdict.text} | {verdict.mark} |"
                )
    return rows


def _question(r: dict[str, Any], kind: str, scope: str) -> str:
    measured = _get(r, "steps", "questions", f"{kind}:{scope}")
    if not measured:
        return _get(r, "steps", "questions", "not_asked", f"{kind}:{scope}") or "—"
    text = _timing(r, "steps", "questions", f"{kind}:{scope}") + f" · {measured['rows']:,} rows"
    if measured.get("median_to_baseline") is not None:
        text += f" · {_num(measured['median_to_baseline'])} × the baseline"
    return text


def projects_section(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """Public investment at national scale (issue 16), when a projects set was run."""
    keys = [k for k in PROJECT_COLUMNS if k in results]
    if not keys:
        return []
    lines = ["| measure | goal | where | result | |", "|---|---|---|---|---|", *_project_goal_rows(results, keys), ""]
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        (
            "projects · investors (agencies) · communes",
            lambda r: f"{r['dataset']['projects']:,} · {r['dataset']['agencies']:,} · {r['dataset']['communes']:,}",
        ),
        (
            "disbursement rows (CSV)",
            lambda r: f"{r['dataset']['values']:,} ({_num(r['dataset']['values_bytes'] / 2**20)} MiB)",
        ),
        ("capital plans (year × source)", lambda r: f"{r['dataset']['plans']:,}"),
        ("raw COPY, bare table", lambda r: _baseline(r, "bare").replace("values/s", "rows/s")),
        ("raw COPY, unique index on the key", lambda r: _baseline(r, "unique").replace("values/s", "rows/s")),
        (
            "the product's import (in-process; whole process)",
            lambda r: (
                f"{_num(r['steps']['import']['values_per_s'])} rows/s ({_num(r['steps']['import']['seconds'])} s;"
                f" {_num(r['steps']['import']['process_seconds'])} s)"
            ),
        ),
        (
            "import / raw COPY (bare; unique index)",
            lambda r: f"{_num(_import_ratio(r, 'bare'))}; {_num(_import_ratio(r, 'unique'))}",
        ),
        (
            "disbursement to date of the file's plan years, after the import (in-process), s",
            lambda r: (
                f"{_num(r['steps']['import']['todate_seconds'])} ({r['steps']['import']['todate_years']} years)"
                if "todate_seconds" in r["steps"]["import"]
                else "—"
            ),
        ),
        (
            "set-up: register, locations and plans by COPY, s",
            lambda r: f"{_num(r['steps']['register']['seconds'])} ({r['steps']['register']['projects']:,} projects)",
        ),
        ("baseline: one project by its code, ms", lambda r: _timing(r, "steps", "questions", "baseline:national")),
        (
            "the register's figures: refresh of the plan year (in-process), s",
            lambda r: f"{_seconds(r['steps']['refresh']['stats'])} · {r['steps']['refresh']['figures']:,} figures",
        ),
    ]
    for kind, title in PROJECT_QUESTIONS:
        for scope in ("province", "national"):
            rows.append((f"{title}, {scope}, ms", lambda r, k=kind, s=scope: _question(r, k, s)))
    rows += [
        (
            "peak memory: import · questions, MiB",
            lambda r: f"{_num(r['steps']['import']['rss_mb'])} · {_num(r['steps']['questions']['rss_mb'])}",
        ),
        ("database after the run, GiB", lambda r: _num(r["steps"]["footprint"]["database_bytes"] / 2**30)),
    ]
    lines += [
        "| measure (median · p95) | " + " | ".join(_column_title(k) for k in keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    lines += [f"| {title} | " + " | ".join(_cells(results, keys, fn)) + " |" for title, fn in rows]
    lines.append("")
    for key in keys:
        r = results[key]
        product = r.get("product", {})
        load = ", ".join(f"{x:.1f}" for x in r["machine"]["load_average"])
        lines.append(
            f"- {_column_title(key)}: run {r['started']} – {r.get('finished', '?')}; load average at the start "
            f"{load}; dieuhanh {str(product.get('commit'))[:10]}"
            + (" with local changes in src/" if product.get("src_modified") else "")
        )
    return lines


def render(results: dict[tuple[str, str], dict[str, Any]]) -> str:
    failures = [f"- {_column_title(k)}: {f}" for k, r in results.items() for f in r.get("failures", [])]
    http_server = next(
        (r["steps"]["http"]["server"] for r in results.values() if _get(r, "steps", "http", "server")), None
    )
    parts = [
        "# Performance",
        "",
        "Measured by `make bench` (`python -m bench run`, see [bench/README.md](../bench/README.md)) against",
        "the goals of the issue *Performance at national scale*. The run writes this page; do not edit it by hand.",
        "",
        "## Goals",
        "",
        *goals_table(results),
        "",
        *_unmet(),
        "## Results",
        "",
        *results_table(results),
        "",
    ]
    if http_server:
        parts += [f"HTTP server: {http_server}.", ""]
    if reform := reform_section(results):
        parts += ["## Units through time: the reform scenario", "", REFORM_METHOD, "", *reform, ""]
    if projects := projects_section(results):
        parts += ["## Public investment at national scale (issue 16)", "", PROJECTS_METHOD, "", *projects, ""]
    parts += [
        "## Peak memory of each step",
        "",
        *memory_table(results),
        "",
        "## Run time and disk",
        "",
        *cost_table(results),
        "",
        "## Machine",
        "",
        *machine_section(results),
        "",
    ]
    parts += ["## How each figure was taken", "", _method(results)]
    if failures:
        parts += ["## Steps that failed", "", *failures, ""]
    return "\n".join(parts)


def _unmet() -> list[str]:
    """The hand-written account of the goals missed and what was tried (bench/unmet.md)."""
    path = Path(__file__).with_name("unmet.md")
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8").strip()
    return [text, ""]


def render_text(results: dict[tuple[str, str], dict[str, Any]]) -> str:
    """The same tables for the terminal."""
    parts: list[str] = []
    if any(k in results for k in COLUMNS):
        parts += [
            "Goals",
            *goals_table(results),
            "",
            "Results",
            *results_table(results),
            "",
            "Peak memory",
            *memory_table(results),
            "",
            "Run time and disk",
            *cost_table(results),
        ]
    if reform := reform_section(results):
        parts += ["", "Units through time: the reform scenario", *reform]
    if projects := projects_section(results):
        parts += ["", "Public investment (issue 16)", *projects]
    failures = [f"- {_column_title(k)}: {f}" for k, r in results.items() for f in r.get("failures", [])]
    if failures:
        parts += ["", "FAILURES", *failures]
    return "\n".join(parts)
