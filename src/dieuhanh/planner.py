"""The query planner's statistics of a table, kept current after a large write.

Both databases plan a read from what they know of a table. PostgreSQL's autovacuum analyses a
table of its own accord, but only after the transaction that changed it has ended, some time
later, and not at all where it is turned off; SQLite never does. Without statistics a planner
guesses, and its guesses suit small tables: a national ranking read the rollups of its 3,321
communes one index descent at a time (31 ms), where, knowing there are thousands of them, it
reads the two ranges asked and matches the communes by a hash (5 ms). A write that adds or
changes many rows of a table the reads depend on (a catalogue's units, the rollups rebuilt)
analyses it itself, inside its own transaction, so that its next reads are planned for the table
as it now is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

# A table is analysed again when one write changes more than this share of the rows it held when
# it last was (PostgreSQL's autovacuum_analyze_scale_factor), or when it never was.
STALE_SHARE = 0.1


def analysed_rows(cursor: Any, table: str) -> int | None:
    """How many rows the planner's statistics counted in ``table`` when it was last analysed;
    None if it never was."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
        # -1: never analysed nor vacuumed (PostgreSQL 14 and later).
        return int(row[0]) if row and row[0] >= 0 else None
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return None
    cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND stat IS NOT NULL LIMIT 1", [table])
    row = cursor.fetchone()
    return int(str(row[0]).split()[0]) if row else None


def analyse(table: str) -> None:
    """Analyse ``table`` now (inside the caller's transaction: its own rows are counted)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def analyse_if_stale(table: str, *, changed: int) -> bool:
    """Analyse ``table`` if ``changed`` rows leave its statistics missing or stale (more than
    ``STALE_SHARE`` of the rows last analysed); say whether it did."""
    if changed <= 0:
        return False
    with connection.cursor() as cursor:
        analysed = analysed_rows(cursor, table)
        if analysed is not None and changed <= analysed * STALE_SHARE:
            return False
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return True


def vacuum(table: str) -> bool:
    """On PostgreSQL, outside any transaction, vacuum ``table`` now: the rows a large write left
    dead are freed, and its pages are marked all-visible, so that a read of an index that holds
    every column it needs (an index-only scan) does not visit the table for each row. Autovacuum
    would do it some time later, or never where it is turned off. Says whether it did: SQLite,
    or a caller's transaction, leaves it to later."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
    return True


def reindex(table: str, indexes: Sequence[str]) -> bool:
    """On PostgreSQL, outside any transaction, build ``indexes`` of ``table`` afresh beside the old
    ones and swap them in (``REINDEX INDEX CONCURRENTLY``: reads and writes of the table go on
    meanwhile). A write that fills a table in an order other than an index's leaves that index's
    pages about half full: its entries arrive all over it and each full page is split in two. Built
    at once from the rows, it takes half the space, and a read of it half the pages.

    An earlier reindex cut short (the process killed) leaves its half-built copy behind, not valid
    for reads but written with every row: those copies are dropped first. Says whether it did:
    SQLite, or a caller's transaction, leaves the indexes as they are."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text FROM pg_index i"
            " WHERE i.indrelid = to_regclass(%s) AND NOT i.indisvalid",
            [table],
        )
        for (leftover,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {leftover}")
        for name in indexes:
            cursor.execute(f"REINDEX INDEX CONCURRENTLY {quote(name)}")
    return True
