"""The query planner's statistics of the figures table, kept current after imports.

Both databases choose an index for a read of figures from what they know of the table. Without
statistics, SQLite guesses — and for an overview at one unit it guessed the (indicator, period
start) index, reading every unit's figures of 28 indicators over 42 months to keep 84 of them
(45 ms on the province benchmark set; with statistics it takes the unique key: 0.1 ms).
PostgreSQL's autovacuum analyses tables of its own accord, but only after the transaction that
changed them: a large import analyses the table itself so that its own rollup refresh, and the
next reads, are planned for the table as it now is. SQLite never analyses of its own accord.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from dieuhanh.figures.models import DataValue

# After this many changed figures, PostgreSQL's planner needs new statistics of the table.
ANALYZE_ABOVE = 100_000
# SQLite: the table analysed again when one import changes more than this share of the figures it
# held when it last was (a first load, a province's history replaced), not for a month's figures.
SQLITE_SHARE = 0.1


def refresh_figure_statistics(*, changed: int) -> None:
    """Analyse the figures table if ``changed`` figures leave its statistics missing or stale.
    Runs inside the caller's transaction (an import's, the demo's)."""
    table = DataValue._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            stale = changed > ANALYZE_ABOVE
        elif connection.vendor == "sqlite":
            analysed = sqlite_analysed_rows(cursor, table)
            stale = changed > 0 and (analysed is None or changed > analysed * SQLITE_SHARE)
        else:  # pragma: no cover - the two databases the product runs on
            stale = False
        if stale:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def sqlite_analysed_rows(cursor: Any, table: str) -> int | None:
    """How many rows SQLite's statistics counted in ``table`` when it was last analysed; None if
    it never was. Figures added a month at a time leave the statistics representative: they
    describe how the figures spread over the keys, which such months do not change."""
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return None
    cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND stat IS NOT NULL LIMIT 1", [table])
    row = cursor.fetchone()
    return int(str(row[0]).split()[0]) if row else None
