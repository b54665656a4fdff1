"""The reference for "how close to the machine's limit": one hand-written DuckDB query per question,
over the same rows exported to Parquet, implementing docs/analytics.md as far as the data sets need.

What the data sets guarantee, and the queries rely on (``check_assumptions`` verifies it):
the tree has three levels (top, middle, commune); sum, average and last figures are stored at
communes only and ``none`` figures at province-kind units only; every indicator is monthly. So,
at the top unit, a sum's ``base(top, m)`` is the sum over the communes that reported for m; an
average's is the mean over the middle units of the mean over their reporting communes (a mean of
means, as the contract's recursion gives); a stock (last) is the sum over communes of each one's
latest figure in the range; an index (none) is the top's own latest figure.
"""

from __future__ import annotations

import csv
import functools
import math
import re
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from bench.measure import summary

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
AT_RISK = 0.05
# Bounded, on a machine shared with PostgreSQL and others (DuckDB would take 80 % of the memory).
DUCKDB_MEMORY = "4GB"


def _literal(code: str) -> str:
    # Codes come from our own generator; checked anyway before they are spliced into SQL.
    if not _CODE.match(code):
        raise ValueError(f"unexpected code {code!r}")
    return f"'{code}'"


def _codes(codes: Sequence[str]) -> str:
    return ", ".join(_literal(c) for c in codes)


def export_parquet(conn: duckdb.DuckDBPyConnection, values_csv: Path, parquet: Path) -> float:
    """The values CSV as Parquet (file order kept: indicator-major), with the period as year and month."""
    started = time.perf_counter()
    conn.execute(
        f"""
        COPY (
            SELECT indicator, org_unit,
                   CAST(left(period, 4) AS SMALLINT) AS year,
                   CAST(right(period, 2) AS TINYINT) AS month,
                   value
            FROM read_csv('{values_csv}', header = true, columns = {{
                'indicator': 'VARCHAR', 'org_unit': 'VARCHAR', 'period': 'VARCHAR', 'value': 'DECIMAL(18,6)'
            }})
        ) TO '{parquet}' (FORMAT parquet, COMPRESSION zstd)
        """  # noqa: S608 - paths of our own work directory
    )
    return time.perf_counter() - started


def connect(directory: Path, parquet: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the catalogue as tables and the figures as a view over the Parquet file."""
    conn = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY})
    tables = {
        "units": "{'code': 'VARCHAR', 'parent': 'VARCHAR', 'depth': 'INTEGER', 'middle': 'VARCHAR'}",
        "indicators": "{'code': 'VARCHAR', 'aggregation': 'VARCHAR', 'direction': 'VARCHAR', "
        "'numerator': 'VARCHAR', 'denominator': 'VARCHAR', 'factor': 'DECIMAL(18,6)'}",
        "targets": "{'indicator': 'VARCHAR', 'org_unit': 'VARCHAR', 'year': 'INTEGER', 'value': 'DECIMAL(18,6)'}",
    }
    for name, columns in tables.items():
        source = directory / f"{name}.csv"
        # Our own table names and work-directory paths, not outside input.
        query = f"CREATE TABLE {name} AS SELECT * FROM read_csv('{source}', header = true, columns = {columns})"  # noqa: S608
        conn.execute(query)
    conn.execute(f"CREATE VIEW figures AS SELECT * FROM read_parquet('{parquet}')")  # noqa: S608
    return conn


def check_assumptions(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """What the queries take for granted about the data; an empty list if all holds."""
    problems = []
    misplaced = conn.execute(
        """
        SELECT count(*) FROM figures f JOIN indicators i ON i.code = f.indicator JOIN units u ON u.code = f.org_unit
        WHERE (i.aggregation IN ('sum', 'average', 'last') AND u.depth <> 2) OR i.aggregation = 'ratio'
        """
    ).fetchone()
    if misplaced and misplaced[0]:
        problems.append(f"{misplaced[0]} figures of sum/average/last above the communes, or of ratios")
    depths = conn.execute("SELECT max(depth) FROM units").fetchone()
    if not depths or depths[0] != 2:
        problems.append("the unit tree is not three levels deep")
    return problems


def _status_sql(projection: str, plan: str, direction: str, month: str) -> str:
    """The contract's status; for a period that ends in December, the verdict (never at risk)."""
    return f"""
        CASE WHEN {plan} IS NULL THEN 'no_target'
             WHEN {projection} IS NULL THEN NULL
             WHEN {month} = 12 THEN
                 CASE WHEN ({direction} = 'down' AND {projection} <= {plan})
                        OR ({direction} <> 'down' AND {projection} >= {plan}) THEN 'on_track'
                      ELSE 'off_track' END
             WHEN {direction} = 'down' THEN
                 CASE WHEN {projection} <= {plan} THEN 'on_track'
                      WHEN {projection} <= {plan} + abs({plan}) * {AT_RISK} THEN 'at_risk'
                      ELSE 'off_track' END
             ELSE CASE WHEN {projection} >= {plan} THEN 'on_track'
                       WHEN {projection} >= {plan} - abs({plan}) * {AT_RISK} THEN 'at_risk'
                       ELSE 'off_track' END
        END"""


def measures_tail_sql(*, own_unit: str, target_unit: str, year: int, month: int) -> str:
    """The end of an overview's query, shared by the reference of every set: from the stored
    indicators' flows (``flow``), stocks (``stock``) and shares of the year (``shares``), which the
    query defines before it, to the eight measures of each wanted indicator. ``own_unit`` is the
    condition on ``rows`` that selects the unit's own index figures; ``target_unit`` the code its
    plans are stored under."""
    return f"""
    own_index AS (
        SELECT indicator,
               arg_max(value, month) FILTER (WHERE year = {year} AND month = {month}) AS value,
               arg_max(value, month) FILTER (WHERE year = {year - 1} AND month = {month}) AS previous,
               arg_max(value, month) FILTER (WHERE year = {year} AND month <= {month}) AS ytd
        FROM rows WHERE aggregation = 'none' AND {own_unit} GROUP BY ALL
    ),
    per_stored AS (
        SELECT s.code, s.aggregation,
               CAST(coalesce(f.value, k.value, o.value) AS DOUBLE) AS value,
               CAST(coalesce(f.previous, k.previous, o.previous) AS DOUBLE) AS previous,
               CAST(coalesce(f.ytd, k.ytd, o.ytd) AS DOUBLE) AS ytd,
               sh.share
        FROM stored s
        LEFT JOIN flow f ON f.indicator = s.code
        LEFT JOIN stock k ON k.indicator = s.code
        LEFT JOIN own_index o ON o.indicator = s.code
        LEFT JOIN shares sh ON sh.indicator = s.code
    ),
    per_wanted AS (
        SELECT w.code, w.direction,
               CASE WHEN w.aggregation = 'ratio' THEN w.factor * n.value / nullif(d.value, 0) ELSE p.value END AS value,
               CASE WHEN w.aggregation = 'ratio' THEN w.factor * n.previous / nullif(d.previous, 0)
                    ELSE p.previous END AS previous,
               CASE WHEN w.aggregation = 'ratio' THEN w.factor * n.ytd / nullif(d.ytd, 0) ELSE p.ytd END AS ytd,
               w.aggregation, p.share,
               CAST(t.value AS DOUBLE) AS plan
        FROM wanted w
        LEFT JOIN per_stored p ON p.code = w.code
        LEFT JOIN per_stored n ON n.code = w.numerator
        LEFT JOIN per_stored d ON d.code = w.denominator
        LEFT JOIN targets t ON t.indicator = w.code AND t.org_unit = {_literal(target_unit)} AND t.year = {year}
    ),
    measured AS (
        SELECT *,
               CASE WHEN aggregation = 'sum' AND ytd IS NOT NULL THEN
                        CASE WHEN share > 0 THEN ytd / share ELSE ytd * 12 / {month} END
                    ELSE ytd END AS projection
        FROM per_wanted
    )
    SELECT code AS indicator, value, previous,
           CASE WHEN value IS NOT NULL AND previous <> 0 THEN (value / previous - 1) * 100 END AS yoy_pct,
           ytd, plan,
           CASE WHEN ytd IS NOT NULL AND plan <> 0 THEN ytd / plan * 100 END AS plan_completion_pct,
           projection,
           {_status_sql("projection", "plan", "direction", str(month))} AS status
    FROM measured ORDER BY code
    """  # noqa: S608 - codes checked by _literal, numbers from our manifest


def overview_sql(*, indicators: Sequence[str], stored: Sequence[str], top: str, year: int, month: int) -> str:
    """The eight measures of ``indicators`` at the top unit for one month."""
    return f"""
    WITH
    wanted AS (SELECT * FROM indicators WHERE code IN ({_codes(indicators)})),
    stored AS (SELECT * FROM indicators WHERE code IN ({_codes(stored)})),
    rows AS (
        SELECT f.indicator, s.aggregation, f.org_unit, u.depth, u.middle, f.year, f.month, f.value
        FROM figures f JOIN stored s ON s.code = f.indicator JOIN units u ON u.code = f.org_unit
        WHERE f.indicator IN ({_codes(stored)}) AND f.year BETWEEN {year - 3} AND {year}
    ),
    base_sum AS (
        SELECT indicator, year, month, sum(value) AS b FROM rows
        WHERE aggregation = 'sum' AND depth = 2 GROUP BY ALL
    ),
    base_average AS (
        SELECT indicator, year, month, avg(b) AS b FROM (
            SELECT indicator, middle, year, month, avg(value) AS b FROM rows
            WHERE aggregation = 'average' AND depth = 2 GROUP BY ALL
        ) GROUP BY ALL
    ),
    flow AS (
        SELECT indicator,
               max(b) FILTER (WHERE year = {year} AND month = {month}) AS value,
               max(b) FILTER (WHERE year = {year - 1} AND month = {month}) AS previous,
               sum(b) FILTER (WHERE year = {year} AND month <= {month}) AS ytd
        FROM base_sum GROUP BY ALL
        UNION ALL
        SELECT indicator,
               max(b) FILTER (WHERE year = {year} AND month = {month}),
               max(b) FILTER (WHERE year = {year - 1} AND month = {month}),
               avg(b) FILTER (WHERE year = {year} AND month <= {month})
        FROM base_average GROUP BY ALL
    ),
    past_years AS (
        SELECT indicator, year, count(*) AS filled, sum(b) AS full_year,
               sum(b) FILTER (WHERE month <= {month}) AS part
        FROM base_sum WHERE year BETWEEN {year - 3} AND {year - 1} GROUP BY ALL
    ),
    shares AS (
        SELECT indicator, avg(part / full_year) AS share FROM past_years
        WHERE filled = 12 AND full_year <> 0 AND part IS NOT NULL GROUP BY ALL
    ),
    stock_by_commune AS (
        SELECT indicator, org_unit,
               arg_max(value, month) FILTER (WHERE year = {year} AND month = {month}) AS value,
               arg_max(value, month) FILTER (WHERE year = {year - 1} AND month = {month}) AS previous,
               arg_max(value, month) FILTER (WHERE year = {year} AND month <= {month}) AS ytd
        FROM rows WHERE aggregation = 'last' AND depth = 2 GROUP BY ALL
    ),
    stock AS (
        SELECT indicator, sum(value) AS value, sum(previous) AS previous, sum(ytd) AS ytd
        FROM stock_by_commune GROUP BY ALL
    ),
    {measures_tail_sql(own_unit=f"org_unit = {_literal(top)}", target_unit=top, year=year, month=month)}
    """  # noqa: S608 - codes checked by _literal, numbers from our manifest


def ranking_sql(*, indicator: str, depth: int, year: int, month: int, direction: str) -> str:
    """One sum indicator's value for one month at every unit ``depth`` levels below the top, ranked."""
    unit = "f.org_unit" if depth == 2 else "u.middle"
    order = "ASC" if direction == "down" else "DESC"
    return f"""
    WITH
    ranked AS (SELECT code FROM units WHERE depth = {int(depth)}),
    vals AS (
        SELECT {unit} AS unit, sum(f.value) AS value
        FROM figures f JOIN units u ON u.code = f.org_unit
        WHERE f.indicator = {_literal(indicator)} AND f.year = {year} AND f.month = {month} AND u.depth = 2
        GROUP BY ALL
    )
    SELECT r.code AS org_unit, v.value,
           CASE WHEN v.value IS NOT NULL THEN rank() OVER (ORDER BY v.value {order} NULLS LAST) END AS rank
    FROM ranked r LEFT JOIN vals v ON v.unit = r.code
    ORDER BY rank NULLS LAST, org_unit
    """  # noqa: S608 - codes checked by _literal, numbers from our manifest


def trend_sql(*, indicator: str, top: str, first_year: int, last_year: int, direction: str) -> str:
    """The eight measures of one sum indicator at the top unit for every month of the years."""
    return f"""
    WITH
    base AS (
        SELECT f.year, f.month, sum(f.value) AS b
        FROM figures f JOIN units u ON u.code = f.org_unit
        WHERE f.indicator = {_literal(indicator)} AND u.depth = 2 AND f.year BETWEEN {first_year - 3} AND {last_year}
        GROUP BY ALL
    ),
    months AS (
        SELECT y AS year, m AS month FROM range({first_year - 3}, {last_year + 1}) t(y), range(1, 13) s(m)
    ),
    series AS (
        SELECT months.year, months.month, base.b,
               sum(base.b) OVER (PARTITION BY months.year ORDER BY months.month) AS ytd
        FROM months LEFT JOIN base USING (year, month)
    ),
    years AS (SELECT year, count(b) AS filled, sum(b) AS full_year FROM series GROUP BY year),
    shares AS (
        SELECT s.year, s.month, avg(p.ytd / y.full_year) AS share
        FROM series s
        JOIN series p ON p.month = s.month AND p.year BETWEEN s.year - 3 AND s.year - 1
        JOIN years y ON y.year = p.year
        WHERE y.filled = 12 AND y.full_year <> 0 AND p.ytd IS NOT NULL
        GROUP BY ALL
    ),
    measured AS (
        SELECT s.year, s.month,
               CAST(s.b AS DOUBLE) AS value, CAST(prev.b AS DOUBLE) AS previous, CAST(s.ytd AS DOUBLE) AS ytd,
               CAST(t.value AS DOUBLE) AS plan,
               CASE WHEN s.ytd IS NULL THEN NULL
                    WHEN sh.share > 0 THEN s.ytd / sh.share
                    ELSE s.ytd * 12 / s.month END AS projection,
               {_literal(direction)} AS direction
        FROM series s
        LEFT JOIN series prev ON prev.year = s.year - 1 AND prev.month = s.month
        LEFT JOIN shares sh ON sh.year = s.year AND sh.month = s.month
        LEFT JOIN targets t ON t.indicator = {_literal(indicator)} AND t.org_unit = {_literal(top)}
                           AND t.year = s.year
        WHERE s.year BETWEEN {first_year} AND {last_year}
    )
    SELECT printf('%04d%02d', year, month) AS period, value, previous,
           CASE WHEN value IS NOT NULL AND previous <> 0 THEN (value / previous - 1) * 100 END AS yoy_pct,
           ytd, plan,
           CASE WHEN ytd IS NOT NULL AND plan <> 0 THEN ytd / plan * 100 END AS plan_completion_pct,
           projection,
           {_status_sql("projection", "plan", "direction", "month")} AS status
    FROM measured ORDER BY period
    """  # noqa: S608 - codes checked by _literal, numbers from our manifest


MEASURES = ("value", "previous", "yoy_pct", "ytd", "plan", "plan_completion_pct", "projection", "status")


def reference_queries(directory: Path, manifest: dict[str, Any]) -> dict[str, str]:
    """The three hand-written queries, with the manifest's parameters filled in."""
    with (directory / "indicators.csv").open(encoding="utf-8") as f:
        catalogue = {row["code"]: row for row in csv.DictReader(f)}
    overview = manifest["overview"]
    stored: list[str] = []
    for code in overview["indicators"]:
        row = catalogue[code]
        parts = [row["numerator"], row["denominator"]] if row["aggregation"] == "ratio" else [code]
        stored += [p for p in parts if p not in stored]
    year, month = int(overview["period"][:4]), int(overview["period"][4:])
    ranking = manifest["ranking"]
    trend = manifest["trend"]
    for code in (ranking["indicator"], trend["indicator"]):
        if catalogue[code]["aggregation"] != "sum":
            raise ValueError(f"the reference ranks and trends sum indicators only, not {code}")
    years = sorted({int(p[:4]) for p in trend["periods"]})
    return {
        "overview": overview_sql(
            indicators=overview["indicators"], stored=stored, top=overview["org_unit"], year=year, month=month
        ),
        "ranking": ranking_sql(
            indicator=ranking["indicator"],
            depth=ranking["depth"],
            year=int(ranking["period"][:4]),
            month=int(ranking["period"][4:]),
            direction=catalogue[ranking["indicator"]]["direction"],
        ),
        "trend": trend_sql(
            indicator=trend["indicator"],
            top=trend["org_unit"],
            first_year=years[0],
            last_year=years[-1],
            direction=catalogue[trend["indicator"]]["direction"],
        ),
    }


def _rows(conn: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    cursor = conn.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run_reference(
    directory: Path, parquet: Path, manifest: dict[str, Any], *, warmup: int, runs: int, seconds: float
) -> dict[str, Any]:
    """Time each query (warm-up, then repeated runs) and return the timings and the last answers."""
    out: dict[str, Any] = {"version": duckdb.__version__}
    if not parquet.exists():
        with duckdb.connect(config={"memory_limit": DUCKDB_MEMORY}) as conn:
            out["export_seconds"] = export_parquet(conn, directory / "values.csv", parquet)
    out["parquet_bytes"] = parquet.stat().st_size
    conn = connect(directory, parquet)
    row = conn.execute("SELECT current_setting('threads')").fetchone()
    out["threads"] = row[0] if row else None
    out["assumptions"] = check_assumptions(conn)
    for name, query in reference_queries(directory, manifest).items():
        out[name] = timed(functools.partial(_rows, conn, query), warmup=warmup, runs=runs, seconds=seconds)
        out[name]["rows"] = [{k: _plain(v) for k, v in r.items()} for r in out[name].pop("result")]
    conn.close()
    return out


def timed(call: Callable[[], Any], *, warmup: int, runs: int, seconds: float, min_runs: int = 5) -> dict[str, Any]:
    """Warm up, then run ``call`` up to ``runs`` times (stopping after ``seconds`` once ``min_runs`` are done)."""
    result = None
    for _ in range(warmup):
        result = call()
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < runs and (len(times) < min_runs or time.perf_counter() - started < seconds):
        t0 = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t0)
    return {"warmup": warmup, "times": times, "stats": summary(times), "result": result}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


# --- comparing our answers with the reference's ------------------------------------------------


def close(ours: Any, theirs: Any) -> bool:
    """Equal to rounding: ours come rounded to 6 decimals (as the API gives them), DuckDB's in doubles."""
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if isinstance(ours, str) or isinstance(theirs, str):
        return ours == theirs
    a, b = float(ours), float(theirs)
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= 1e-6 + 1e-10 * max(abs(a), abs(b))


def compare(kind: str, ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> dict[str, Any]:
    """Every measure of every row; the mismatches (up to 20) with both values."""
    key = {"overview": "indicator", "overview_province": "indicator", "trend": "period", "ranking": "org_unit"}[kind]
    names = ("value", "rank") if kind == "ranking" else MEASURES
    mine = {str(r[key]): r for r in ours}
    reference = {str(r[key]): r for r in theirs}
    mismatches: list[dict[str, Any]] = []
    compared = 0
    for k in sorted(set(mine) | set(reference)):
        if k not in mine or k not in reference:
            mismatches.append({"row": k, "missing_in": "ours" if k not in mine else "duckdb"})
            continue
        for name in names:
            compared += 1
            if not close(mine[k].get(name), reference[k].get(name)):
                mismatches.append(
                    {"row": k, "measure": name, "ours": mine[k].get(name), "duckdb": reference[k].get(name)}
                )
    return {"rows": len(mine), "compared": compared, "mismatches": mismatches[:20], "agree": not mismatches}
