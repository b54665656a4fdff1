"""The DuckDB reference for the reform scenario (``reform.py``): the same questions, re-basing the
months before 1 July 2025 by hand-written joins of the successions and their shares, as
docs/analytics.md ("Re-based values") defines it for these data.

What the scenario guarantees, and the queries rely on (``check_assumptions`` verifies it): old units
end on 30/6/2025 and new ones begin on 1/7/2025, so every figure belongs to the one unit with its
code valid on the figure's month (resolved once, when the CSV is exported to Parquet, as the
product's import resolves it once); the old map is province →
district → commune, the new one province → commune; sum, average and stock figures are stored at
communes, index figures at provinces; each old province goes whole into one new province.

So, for a month m: a commune's base is its figure; an old province's is the sum (mean) over its
districts of the sum (mean) of their communes, a new province's the sum (mean) of its communes;
the country's the sum (mean) over the provinces of m's map. A new commune or province asked about
a month before 1/7/2025 is re-based: Σ share × its predecessors' bases for a sum, the mean of them
for an average (predecessors without a figure left out), Σ share × their stocks for a stock,
nothing for an index.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

import duckdb

from bench.reference import DUCKDB_MEMORY, _codes, _literal, _plain, _rows, measures_tail_sql, timed

TABLES = {
    "units": "{'id': 'INTEGER', 'code': 'VARCHAR', 'kind': 'VARCHAR', 'era': 'VARCHAR', 'parent': 'INTEGER', "
    "'province': 'INTEGER', 'district': 'INTEGER', 'valid_from': 'DATE', 'valid_to': 'DATE'}",
    "successions": "{'predecessor': 'INTEGER', 'successor': 'INTEGER', 'merge_type': 'VARCHAR', "
    "'share': 'DECIMAL(9,6)'}",
    "indicators": "{'code': 'VARCHAR', 'aggregation': 'VARCHAR', 'direction': 'VARCHAR', "
    "'numerator': 'VARCHAR', 'denominator': 'VARCHAR', 'factor': 'DECIMAL(18,6)'}",
    "targets": "{'indicator': 'VARCHAR', 'org_unit': 'VARCHAR', 'year': 'INTEGER', 'value': 'DECIMAL(18,6)'}",
}


def _tables(conn: duckdb.DuckDBPyConnection, directory: Path) -> None:
    for name, columns in TABLES.items():
        source = directory / f"{name}.csv"
        conn.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{source}', header = true, columns = {columns})")  # noqa: S608


def export_parquet(conn: duckdb.DuckDBPyConnection, values_csv: Path, parquet: Path) -> float:
    """The values CSV as Parquet, each figure's code resolved once to the unit it names on the
    figure's month (a code names a unit only together with a date), as the product's import
    resolves it once and stores the unit: (indicator, unit id, year, month, value)."""
    started = time.perf_counter()
    conn.execute(
        f"""
        COPY (
            SELECT f.indicator, u.id AS unit, f.year, f.month, f.value
            FROM (
                SELECT indicator, org_unit,
                       CAST(left(period, 4) AS SMALLINT) AS year,
                       CAST(right(period, 2) AS TINYINT) AS month,
                       value
                FROM read_csv('{values_csv}', header = true, columns = {{
                    'indicator': 'VARCHAR', 'org_unit': 'VARCHAR', 'period': 'VARCHAR', 'value': 'DECIMAL(18,6)'
                }})
            ) f
            JOIN units u ON u.code = f.org_unit
             AND make_date(f.year, f.month, 1) BETWEEN coalesce(u.valid_from, DATE '1900-01-01')
                                                   AND coalesce(u.valid_to, DATE '9999-12-31')
        ) TO '{parquet}' (FORMAT parquet, COMPRESSION zstd)
        """  # noqa: S608 - paths of our own work directory
    )
    return time.perf_counter() - started


def connect(directory: Path, parquet: Path) -> duckdb.DuckDBPyConnection:
    """The catalogue as tables; the figures a view over the Parquet file with their units' place."""
    conn = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY})
    _tables(conn, directory)
    conn.execute(
        f"""
        CREATE VIEW figures AS
        SELECT f.indicator, f.unit, u.kind, u.era, u.province, u.district, f.year, f.month, f.value
        FROM read_parquet('{parquet}') f JOIN units u ON u.id = f.unit
        """  # noqa: S608 - a path of our own work directory
    )
    return conn


def check_assumptions(conn: duckdb.DuckDBPyConnection, values: int) -> list[str]:
    problems = []
    resolved = conn.execute("SELECT count(*) FROM figures").fetchone()
    if not resolved or resolved[0] != values:
        problems.append("some figures name no unit valid in their month, or more than one")
    misplaced = conn.execute(
        """
        SELECT count(*) FROM figures f JOIN indicators i ON i.code = f.indicator
        WHERE (i.aggregation IN ('sum', 'average', 'last') AND f.kind <> 'commune')
           OR (i.aggregation = 'none' AND f.kind <> 'province') OR i.aggregation = 'ratio'
        """
    ).fetchone()
    if misplaced and misplaced[0]:
        problems.append(f"{misplaced[0]} figures stored where the reference does not look for them")
    split = conn.execute(
        """
        SELECT count(*) FROM successions s JOIN units p ON p.id = s.predecessor
        WHERE p.kind = 'province' AND s.share <> 1
        """
    ).fetchone()
    if split and split[0]:
        problems.append("an old province is split between new ones")
    return problems


def ranking_sql(*, indicator: str, year: int, months: tuple[int, int], direction: str) -> str:
    """The new communes ranked by the change of ``indicator`` over months ``months`` of ``year`` on
    the same months a year before, re-based from their predecessors by the successions' shares."""
    first, last = months
    order = "ASC" if direction == "down" else "DESC"
    return f"""
    WITH
    f AS (
        SELECT unit, year, month, value FROM figures
        WHERE indicator = {_literal(indicator)} AND kind = 'commune'
          AND year IN ({year - 1}, {year}) AND month BETWEEN {first} AND {last}
    ),
    ranked AS (SELECT id FROM units WHERE era = 'new' AND kind = 'commune'),
    current AS (SELECT unit, sum(value) AS value FROM f WHERE year = {year} GROUP BY unit),
    rebased_month AS (
        SELECT s.successor AS unit, f.month, sum(s.share * f.value) AS b
        FROM successions s JOIN f ON f.unit = s.predecessor AND f.year = {year - 1}
        GROUP BY ALL
    ),
    previous AS (SELECT unit, sum(b) AS previous FROM rebased_month GROUP BY unit),
    measured AS (
        SELECT r.id,
               CASE WHEN c.value IS NOT NULL AND p.previous <> 0
                    THEN (CAST(c.value AS DOUBLE) / CAST(p.previous AS DOUBLE) - 1) * 100 END AS value
        FROM ranked r LEFT JOIN current c ON c.unit = r.id LEFT JOIN previous p ON p.unit = r.id
    )
    SELECT u.code AS org_unit, m.value,
           CASE WHEN m.value IS NOT NULL THEN rank() OVER (ORDER BY m.value {order} NULLS LAST) END AS rank
    FROM measured m JOIN units u ON u.id = m.id
    ORDER BY rank NULLS LAST, org_unit
    """  # noqa: S608 - codes checked by _literal, numbers from our manifest


def overview_sql(
    *, indicators: list[str], stored: list[str], unit: int, top: bool, code: str, year: int, month: int
) -> str:
    """The eight measures of ``indicators`` at one unit (the country: ``top``, or a new province) for one
    month; for a province, only the figures of its own and its predecessors' provinces are read."""
    change = 2025 * 12 + 7  # the first month of the new map, as year * 12 + month
    if top:
        base = """
        SELECT indicator, year, month, sum(value) AS b FROM rows WHERE aggregation = 'sum' GROUP BY 1, 2, 3
        UNION ALL
        SELECT indicator, year, month, avg(b) FROM province_base GROUP BY 1, 2, 3"""
    else:
        base = f"""
        SELECT indicator, year, month, b FROM province_base
        WHERE province = {int(unit)} AND year * 12 + month >= {change}
        UNION ALL
        SELECT p.indicator, p.year, p.month,
               CASE WHEN any_value(p.aggregation) = 'sum' THEN sum(s.share * p.b) ELSE avg(p.b) END
        FROM successions s JOIN province_base p ON p.province = s.predecessor
        WHERE s.successor = {int(unit)} AND p.year * 12 + p.month < {change}
        GROUP BY ALL"""  # noqa: S608 - numbers only
    return f"""
    WITH
    wanted AS (SELECT * FROM indicators WHERE code IN ({_codes(indicators)})),
    stored AS (SELECT * FROM indicators WHERE code IN ({_codes(stored)})),
    rows AS (
        SELECT f.*, s.aggregation FROM figures f JOIN stored s ON s.code = f.indicator
        WHERE f.year BETWEEN {year - 3} AND {year}{
        ""
        if top
        else f''' AND f.province IN (
            SELECT {int(unit)} UNION ALL SELECT predecessor FROM successions WHERE successor = {int(unit)})'''
    }
    ),
    -- Each province's base: the sum of its communes' figures; the mean over its districts (old) of
    -- the mean of their communes, or the mean of its communes (new). The country needs the
    -- provinces' means only: its sum of a month is the sum of every commune's figure.
    province_base AS MATERIALIZED (
        SELECT indicator, aggregation, province, year, month, avg(b) AS b FROM (
            SELECT indicator, aggregation, coalesce(district, unit) AS g, province, year, month, avg(value) AS b
            FROM rows WHERE aggregation = 'average' GROUP BY 1, 2, 3, 4, 5, 6
        ) GROUP BY 1, 2, 3, 4, 5
        {
        ""
        if top
        else '''UNION ALL
        SELECT indicator, aggregation, province, year, month, sum(value) AS b
        FROM rows WHERE aggregation = 'sum' GROUP BY 1, 2, 3, 4, 5'''
    }
    ),
    -- The asked unit's base for each month: the country's over the provinces of that month's map;
    -- a new province's own from its start, re-based from its predecessors before it.
    base AS MATERIALIZED ({base}
    ),
    base_sum AS (SELECT b.* FROM base b JOIN stored s ON s.code = b.indicator WHERE s.aggregation = 'sum'),
    flow AS (
        SELECT b.indicator,
               max(b) FILTER (WHERE year = {year} AND month = {month}) AS value,
               max(b) FILTER (WHERE year = {year - 1} AND month = {month}) AS previous,
               CASE WHEN any_value(s.aggregation) = 'sum' THEN sum(b) FILTER (WHERE year = {year} AND month <= {month})
                    ELSE avg(b) FILTER (WHERE year = {year} AND month <= {month}) END AS ytd
        FROM base b JOIN stored s ON s.code = b.indicator GROUP BY ALL
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
    -- Stocks: each commune's latest figure in the range, summed over the communes under the asked
    -- unit on the range's map; before the new province began, Σ share × its predecessors' stocks.
    stock_rows AS (
        SELECT r.indicator, r.unit, r.province, r.year, r.month, r.value,
               coalesce(s.share, CAST(1 AS DECIMAL(9,6))) AS share
        FROM rows r LEFT JOIN successions s ON s.predecessor = r.province AND s.successor = {int(unit)}
        WHERE r.aggregation = 'last'
          AND ({str(top).lower()} OR r.province = {int(unit)} OR s.successor IS NOT NULL)
    ),
    stock_by_commune AS (
        SELECT indicator, unit, any_value(share) AS share,
               arg_max(value, month) FILTER (WHERE year = {year} AND month = {month}) AS value,
               arg_max(value, month) FILTER (WHERE year = {year - 1} AND month = {month}) AS previous,
               arg_max(value, month) FILTER (WHERE year = {year} AND month <= {month}) AS ytd
        FROM stock_rows GROUP BY ALL
    ),
    stock AS (
        SELECT indicator, sum(share * value) AS value, sum(share * previous) AS previous, sum(share * ytd) AS ytd
        FROM stock_by_commune GROUP BY ALL
    ),
    {measures_tail_sql(own_unit=f"unit = {int(unit)}", target_unit=code, year=year, month=month)}
    """  # noqa: S608 - codes checked by _literal, numbers from our manifest


def reference_queries(directory: Path, manifest: dict[str, Any]) -> dict[str, str]:
    import csv  # noqa: PLC0415

    with (directory / "indicators.csv").open(encoding="utf-8") as f:
        catalogue = {row["code"]: row for row in csv.DictReader(f)}
    with (directory / "units.csv").open(encoding="utf-8") as f:
        top = next(int(row["id"]) for row in csv.DictReader(f) if row["era"] == "top")
    out: dict[str, str] = {}
    for name, unit in (("overview", top), ("overview_province", manifest["overview_province"]["unit_id"])):
        spec = manifest[name]
        stored: list[str] = []
        for code in spec["indicators"]:
            row = catalogue[code]
            parts = [row["numerator"], row["denominator"]] if row["aggregation"] == "ratio" else [code]
            stored += [p for p in parts if p not in stored]
        out[name] = overview_sql(
            indicators=spec["indicators"],
            stored=stored,
            unit=unit,
            top=name == "overview",
            code=spec["org_unit"],
            year=int(spec["period"][:4]),
            month=int(spec["period"][4:]),
        )
    ranking = manifest["ranking"]
    if catalogue[ranking["indicator"]]["aggregation"] != "sum" or ranking["measure"] != "yoy_pct":
        raise ValueError("the reform reference ranks a sum indicator by its change on last year")
    period = ranking["period"]  # 2026S1, 2026S2 or a month
    if "S" in period:
        half = int(period[5:])
        months = (1, 6) if half == 1 else (7, 12)
    else:
        months = (int(period[4:]), int(period[4:]))
    out["ranking"] = ranking_sql(
        indicator=ranking["indicator"],
        year=int(period[:4]),
        months=months,
        direction=catalogue[ranking["indicator"]]["direction"],
    )
    return out


def run_reference(
    directory: Path, parquet: Path, manifest: dict[str, Any], *, warmup: int, runs: int, seconds: float
) -> dict[str, Any]:
    out: dict[str, Any] = {"version": duckdb.__version__}
    if not parquet.exists():
        with duckdb.connect(config={"memory_limit": DUCKDB_MEMORY}) as conn:
            _tables(conn, directory)
            out["export_seconds"] = export_parquet(conn, directory / "values.csv", parquet)
    out["parquet_bytes"] = parquet.stat().st_size
    conn = connect(directory, parquet)
    row = conn.execute("SELECT current_setting('threads')").fetchone()
    out["threads"] = row[0] if row else None
    out["assumptions"] = check_assumptions(conn, manifest["values"])
    for name, query in reference_queries(directory, manifest).items():
        out[name] = timed(functools.partial(_rows, conn, query), warmup=warmup, runs=runs, seconds=seconds)
        out[name]["rows"] = [{k: _plain(v) for k, v in r.items()} for r in out[name].pop("result")]
    conn.close()
    return out
