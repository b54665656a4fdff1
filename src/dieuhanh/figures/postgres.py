"""Writing figures on PostgreSQL: set-based SQL over a staging table of checked rows.

The staging table ``import_checked`` (temporary, dropped at commit) holds one checked row per
figure: ``indicator_id, org_unit_id, period_code, period_start, number, comment``. A file import
fills it by ``COPY`` of the file and checks in SQL (``ingest.bulk``); ``write_rows`` fills it by
``COPY`` of typed rows. ``merge_checked`` then writes the changes with their history and the new
figures, one statement each, and announces the write (``services.figures_changed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection

from dieuhanh.figures.models import DataValue, DataValueChange, ImportBatch
from dieuhanh.figures.services import ChangedKey, FigureKey, figures_changed, figures_guard, statuses_decide

if TYPE_CHECKING:
    # Only named in annotations: the file imports load this module on SQLite too, and psycopg
    # takes a tenth of a second to load.
    import psycopg

    from dieuhanh.figures.services import WritableRow

# A file of at least this many figures, into a table holding fewer than half as many, is a first
# load: the table's secondary indexes are dropped for the insert and built again after it, in
# the same transaction (building an index once is several times cheaper than growing it row by
# row). Readers of the figures wait for such a load to commit instead of reading beside it.
BULK_LOAD_ABOVE = 500_000
# Memory for building those indexes again, for this transaction only.
BULK_INDEX_MEMORY = "512MB"
# A file finds the figures it changes by probing the table's unique key row by row when the table
# holds more than this many times its figures; a larger file is joined with the table whole
# (``_held_figures``).
PROBE_ABOVE_RATIO = 8


@dataclass
class Counts:
    total: int
    created: int
    updated: int
    unchanged: int


def scalar(cursor: Any, sql: str, params: Any = None) -> int:
    cursor.execute(sql, params)
    return int(cursor.fetchone()[0])


def raw_cursor(cursor: Any) -> psycopg.Cursor[Any]:
    """psycopg's own cursor under Django's wrapper, for COPY."""
    return cursor.cursor


def write_rows(
    rows: Sequence[WritableRow],
    *,
    batch: ImportBatch,
    user: Any,
    status: str | None,
    dry_run: bool,
    keep_existing: bool,
    announce: bool,
) -> Counts:
    """Copy typed rows into a fresh staging table and merge them (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS import_checked, import_changed, import_status")
        cursor.execute(
            "CREATE TEMP TABLE import_checked (indicator_id bigint, org_unit_id bigint, period_code text,"
            " period_start date, number numeric, comment text) ON COMMIT DROP"
        )
        with raw_cursor(cursor).copy(
            "COPY import_checked (indicator_id, org_unit_id, period_code, period_start, number, comment) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(
                    (row.indicator_id, row.org_unit_id, row.period.code, row.period.start_date, row.value, row.comment)
                )
        cursor.execute("ANALYZE import_checked")
        return merge_checked(
            cursor,
            batch=batch,
            user=user,
            status=status,
            dry_run=dry_run,
            total=len(rows),
            keep_existing=keep_existing,
            announce=announce,
        )


def merge_checked(
    cursor: Any,
    *,
    batch: ImportBatch,
    user: Any,
    status: str | None,
    dry_run: bool,
    total: int,
    keep_existing: bool = False,
    announce: bool = True,
) -> Counts:
    """Write what import_checked holds under ``batch`` (saved): changed figures updated with a line
    of history each (unless ``keep_existing``), new ones inserted; then announce the write (unless
    ``announce`` is false: see ``services.figures_write``). ``status`` None: the status policy
    decides each figure's (``services.statuses_decide``); a locked figure refuses the whole write
    (``services.FigureLockedError``), a dry run's too."""
    values, changes = DataValue._meta.db_table, DataValueChange._meta.db_table
    user_id = user.pk if user is not None else None
    figures_guard(lambda: _checked_keys(cursor))
    if status is None:
        _stage_statuses(cursor)
        new_status = "st.status"
        status_join = "JOIN import_status st ON st.indicator_id = c.indicator_id AND st.org_unit_id = c.org_unit_id"
    else:
        new_status, status_join = "%(status)s", ""
    held = _held_figures(cursor, total=total)
    cursor.execute(
        f"""
        CREATE TEMP TABLE import_changed ON COMMIT DROP AS
        SELECT d.id, c.indicator_id, c.org_unit_id, c.period_code, c.number, c.comment,
               d.value AS old_value, d.comment AS old_comment, d.status AS old_status,
               {new_status}::text AS new_status
        FROM import_checked c
        JOIN {held}
        {status_join}
        WHERE (d.value <> c.number OR d.comment <> c.comment) AND NOT %(keep)s
        """,
        {"keep": keep_existing, "status": status},
    )
    updated = cursor.rowcount
    if dry_run:
        created = scalar(cursor, f"SELECT count(*) FROM import_checked c LEFT JOIN {held} WHERE d.id IS NULL")
        return Counts(total=total, created=created, updated=updated, unchanged=total - created - updated)
    params = {"batch": batch.pk, "user": user_id, "status": status}
    cursor.execute(
        f"""
        UPDATE {values} d
        SET value = x.number, comment = x.comment, status = x.new_status, batch_id = %(batch)s,
            updated_by_id = %(user)s, updated_at = now()
        FROM import_changed x WHERE d.id = x.id
        """,
        params,
    )
    cursor.execute(
        f"""
        INSERT INTO {changes} (indicator_id, org_unit_id, period, action, old_value, new_value, old_comment,
                               new_comment, old_status, new_status, batch_id, changed_by_id, changed_at)
        SELECT indicator_id, org_unit_id, period_code, 'update', old_value, number, old_comment, comment,
               old_status, new_status, %(batch)s, %(user)s, now()
        FROM import_changed
        """,
        params,
    )
    rebuild = _drop_indexes_for_a_first_load(cursor, total=total)
    if rebuild:
        # A first load, its unique key dropped: the few figures already held, found by one pass.
        new_only = f"""WHERE NOT EXISTS (SELECT 1 FROM {values} d WHERE d.indicator_id = c.indicator_id
                          AND d.org_unit_id = c.org_unit_id AND d.period = c.period_code)"""
    else:
        # Otherwise each row's own probe of the unique key. Asked as NOT EXISTS, the planner
        # chose a hash of the whole figures table once it held a few million rows (a month
        # of a province: 1.5 s of the 1.7 s the insert took).
        new_only = "ON CONFLICT (indicator_id, org_unit_id, period) DO NOTHING"
    # Creations are recorded on the values themselves (created_batch, created_by, created_at).
    cursor.execute(
        f"""
        INSERT INTO {values} AS d (indicator_id, org_unit_id, period, period_start, value, comment, status, batch_id,
                              created_batch_id, updated_by_id, created_by_id, created_at, updated_at)
        SELECT c.indicator_id, c.org_unit_id, c.period_code, c.period_start, c.number, c.comment,
               {new_status}, %(batch)s, %(batch)s, %(user)s, %(user)s, now(), now()
        FROM import_checked c
        {status_join}
        {new_only}
        """,
        params,
    )
    created = cursor.rowcount
    if rebuild:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{BULK_INDEX_MEMORY}'")
        for statement in rebuild:
            cursor.execute(statement)
    if announce and created + updated:
        figures_changed(count=created + updated, keys=lambda: _changed_keys(cursor))
    return Counts(total=total, created=created, updated=updated, unchanged=total - created - updated)


def _held_figures(cursor: Any, *, total: int) -> str:
    """The figures already held under import_checked's keys, as the right side of a join naming
    them ``d`` (columns id, value, comment, status; at most one a row, by the unique key).

    A file much smaller than the table (a month of a province, into years of figures) probes
    the unique key row by row: as a plain join the planner hashed the whole figures table for
    it (a month of a province, 26,000 figures, against 1.9 million: 2 to 3 s of an import of 4
    to 5 s; probed, 0.3 to 0.8 s on a loaded machine). The subquery's LIMIT keeps the planner
    from turning it back into that join. A file of the table's size (a first load, history
    replaced) is joined whole, which is then the cheaper way."""
    values = DataValue._meta.db_table
    keys = "d.indicator_id = c.indicator_id AND d.org_unit_id = c.org_unit_id AND d.period = c.period_code"
    # The planner's own estimate of the table's size: no count of millions of rows.
    estimate = scalar(cursor, "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass", [values])
    if total * PROBE_ABOVE_RATIO < estimate:
        return f"LATERAL (SELECT d.id, d.value, d.comment, d.status FROM {values} d WHERE {keys} LIMIT 1) d ON true"
    return f"{values} d ON {keys}"


def _checked_keys(cursor: Any) -> list[FigureKey]:
    """The figures import_checked would write, for the write guards."""
    cursor.execute("SELECT DISTINCT indicator_id, org_unit_id, period_code FROM import_checked")
    return [(int(i), int(u), str(p)) for i, u, p in cursor.fetchall()]


def _stage_statuses(cursor: Any) -> None:
    """import_status: the status policy's answer for each (indicator, unit) import_checked holds."""
    cursor.execute("SELECT DISTINCT indicator_id, org_unit_id FROM import_checked")
    decided = statuses_decide({(int(i), int(u)) for i, u in cursor.fetchall()})
    cursor.execute("DROP TABLE IF EXISTS import_status")
    cursor.execute(
        "CREATE TEMP TABLE import_status (indicator_id bigint, org_unit_id bigint, status text,"
        " PRIMARY KEY (indicator_id, org_unit_id)) ON COMMIT DROP"
    )
    with raw_cursor(cursor).copy("COPY import_status (indicator_id, org_unit_id, status) FROM STDIN") as copy:
        for (indicator_id, unit_id), status in decided.items():
            copy.write_row((indicator_id, unit_id, status))


def _changed_keys(cursor: Any) -> set[ChangedKey]:
    # The earliest period of each (indicator, unit, year): analytics refreshes the year from there.
    cursor.execute(
        "SELECT indicator_id, org_unit_id, min(period_start) FROM import_checked"
        " GROUP BY indicator_id, org_unit_id, extract(year FROM period_start)"
    )
    return {(int(i), int(u), start) for i, u, start in cursor.fetchall()}


def _drop_indexes_for_a_first_load(cursor: Any, *, total: int) -> list[str]:
    """On a first load (see BULK_LOAD_ABOVE), drop the figures' unique constraints and secondary
    indexes (not the primary key, whose ids only grow) and return the statements that build them
    again, exactly as they were; otherwise drop nothing and return []."""
    if total < BULK_LOAD_ABOVE:
        return []
    table = DataValue._meta.db_table
    held = scalar(cursor, f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) x", [total // 2])
    if held >= total // 2:
        return []
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'u' ORDER BY conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        " ORDER BY 1",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}" for name, definition in constraints
    ] + [definition for _name, definition in indexes]
