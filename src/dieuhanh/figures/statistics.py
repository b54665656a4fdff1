"""The query planner's statistics of the figures table, kept current after imports.

Both databases choose an index for a read of figures from what they know of the table. Without
statistics, SQLite guesses — and for an overview at one unit it guessed the (indicator, period
start) index, reading every unit's figures of 28 indicators over 42 months to keep 84 of them
(45 ms on the province benchmark set; with statistics it takes the unique key: 0.1 ms).
PostgreSQL's autovacuum analyses tables of its own accord, but only after the transaction that
changed them: a large import analyses the table itself so that its own rollup refresh, and the
next reads, are planned for the table as it now is. SQLite never analyses of its own accord.
The rule for other tables is ``dieuhanh.planner``'s.
"""

from __future__ import annotations

from django.db import connection

from dieuhanh.figures.models import DataValue
from dieuhanh.planner import analyse, analyse_if_stale

# After this many changed figures, PostgreSQL's planner needs new statistics of the table.
ANALYZE_ABOVE = 100_000


def refresh_figure_statistics(*, changed: int) -> None:
    """Analyse the figures table if ``changed`` figures leave its statistics missing or stale.
    Runs inside the caller's transaction (an import's, the demo's).

    SQLite: when one import changes more than a tenth of the figures the table held when it was
    last analysed (a first load, a province's history replaced), not for a month's figures: those
    leave the statistics representative (they describe how the figures spread over the keys)."""
    table = DataValue._meta.db_table
    if connection.vendor == "postgresql":
        if changed > ANALYZE_ABOVE:
            analyse(table)
    elif connection.vendor == "sqlite":
        analyse_if_stale(table, changed=changed)
