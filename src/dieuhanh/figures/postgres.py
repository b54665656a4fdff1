"""Writing figures on PostgreSQL: set-based SQL over a staging table of checked rows.

The staging table ``import_checked`` (temporary, dropped at commit) holds one checked row per
figure: ``indicator_id, org_unit_id, period_code, period_start, number, comment``. A file import
fills it by ``COPY`` of the file and checks in SQL (``ingest.bulk``); ``write_rows`` fills it by
``COPY`` of typed rows. ``merge_checked`` then writes the changes with their history and the new
figures, one statement each, and announces the write (``services.figures_changed``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import DataError, IntegrityError, connection, transaction

from dieuhanh.figures.models import DataValue, DataValueChange, ImportBatch
from dieuhanh.figures.services import (
    ChangedKey,
    FigureKey,
    FigurePair,
    figures_changed,
    figures_guard,
    statuses_decide,
)

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
# The fewest bytes a figure takes in a CSV file: "I,U,2024,1" and its line's end.
MIN_RECORD_BYTES = 11
# The size of each piece of a first load's rows written to the table by COPY.
COPY_CHUNK = 1 << 20
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


def scalar_value(cursor: Any, sql: str, params: Any = None) -> Any:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def raw_cursor(cursor: Any) -> psycopg.Cursor[Any]:
    """psycopg's own cursor under Django's wrapper, for COPY (a psycopg cursor is its own)."""
    return getattr(cursor, "cursor", cursor)


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


def may_load_into_empty(cursor: Any, *, total: int) -> bool:
    """Whether ``total`` figures would be a first load into an empty table (``load_into_empty``)."""
    return total >= BULK_LOAD_ABOVE and figures_empty(cursor)


def may_hold_a_first_load(cursor: Any, *, size: int) -> bool:
    """Whether a CSV file of ``size`` bytes may be a first load (``may_load_into_empty``): the
    figures table is empty, and the file is long enough to hold the figures of one."""
    return size >= BULK_LOAD_ABOVE * MIN_RECORD_BYTES and figures_empty(cursor)


def figures_empty(cursor: Any) -> bool:
    table = DataValue._meta.db_table
    return not scalar(cursor, f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1) x")


def load_into_empty(
    cursor: Any,
    *,
    rows_sql: str,
    params: dict[str, Any],
    pairs_sql: str,
    total: int,
    batch: ImportBatch,
    user: Any,
    status: str | None,
    reader: psycopg.Connection[Any] | None = None,
) -> Counts | None:
    """A first load into an empty figures table (``may_load_into_empty``), the way that writes
    fastest: the rows of ``rows_sql`` (indicator_id, org_unit_id, period_code, period_start,
    number, comment: the rows that keep every rule) are copied out and COPYed into the table
    (INSERT … SELECT writes a row at a time, COPY a page), in PostgreSQL's binary form and
    frozen, with its unique key and secondary indexes dropped and built once after it, under
    ``batch`` (saved). ``pairs_sql`` names every (indicator id, unit id) the rows may hold, for
    the status policy when ``status`` is None.

    With a ``reader`` — a second connection to the database, whose session holds the tables
    ``rows_sql`` and ``pairs_sql`` read — the rows are selected there while this connection
    writes them: the two servers' processes work at once, on two cores (one connection cannot
    COPY out and in at once, so alone the rows wait in a file between). The reader must see what
    this transaction sees of the catalogue: the caller's transaction has written none of it.

    None, with nothing left of the attempt, when fewer than ``total`` rows come out (a row may
    break a rule) or a key repeats (the unique key cannot be built again): the caller then checks
    the rows one by one and merges them (``merge_checked``), which words each problem. There is
    no figure to change and no history to write: every figure is new.
    """
    table = DataValue._meta.db_table
    # A key given twice (the unique key cannot be made again), a value the table refuses; a
    # table PostgreSQL cannot load frozen here; a row that may break a rule; a reader that failed.
    refusals: tuple[type[Exception], ...] = (
        IntegrityError,
        DataError,
        *_psycopg_refusals(),
        _FewerRowsError,
        *_reader_failures(reader),
    )
    savepoint = transaction.savepoint()
    try:
        # Locked before it is found empty: a figure saved meanwhile (a form, the API) would
        # otherwise be emptied out below. Readers wait for the load, as for any first load.
        cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        if not figures_empty(cursor):
            transaction.savepoint_rollback(savepoint)
            return None
        side = reader.cursor() if reader is not None else cursor
        if status is None:
            side.execute(pairs_sql)
            _stage_statuses(side, {(int(i), int(u)) for i, u in side.fetchall()})
            status_join = "JOIN import_status st ON st.indicator_id = c.indicator_id AND st.org_unit_id = c.org_unit_id"
        else:
            status_join = ""
        rebuild = _drop_indexes_for_a_first_load(cursor, total=total)
        columns = {
            "indicator_id": "c.indicator_id",
            "org_unit_id": "c.org_unit_id",
            "period": "c.period_code",
            "period_start": "c.period_start",
            "value": "c.number",
            "comment": "c.comment",
        }
        if status is None:
            columns["status"] = "st.status"
        # What every row shares is not sent with each: the table takes it as the columns'
        # defaults for this load (a third of the bytes, and of the values written and read in
        # binary, on the province set), made and taken back in this subtransaction, under its lock.
        user_id = user.pk if user is not None else None
        now = scalar_value(cursor, "SELECT now()")
        shared = {
            **({"status": status} if status is not None else {}),
            "batch_id": batch.pk,
            "created_batch_id": batch.pk,
            "updated_by_id": user_id,
            "created_by_id": user_id,
            "created_at": now,
            "updated_at": now,
        }
        restore = _set_defaults(cursor, shared)
        # In PostgreSQL's binary form, which it neither prints nor parses as text (numbers, dates
        # and times are most of a row's cost in a text COPY): each value cast to its column's
        # type. Without the type's size, so that nothing is cut short: a value too long for its
        # column is refused by the COPY into it.
        cursor.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = %s::regclass"
            " AND attname = ANY(%s)",
            [table, list(columns)],
        )
        types = dict(cursor.fetchall())
        selected = ", ".join(f"({expression})::{types[name]}" for name, expression in columns.items())
        raw = raw_cursor(cursor)
        copy_out = f"COPY (SELECT {selected} FROM ({rows_sql}) c {status_join}) TO STDOUT (FORMAT binary)"
        # Emptied in this subtransaction, the table takes its rows already frozen: neither the
        # index builds nor the first readers then write every page again to mark its rows
        # committed (on the province set the COPY about 25 → 16 s and the index builds 8 → 5 s
        # on a loaded machine). Frozen rows are seen at once by every transaction, even one
        # that began before this one: here, one that saw the table empty.
        copy_in = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT binary, FREEZE)"
        if reader is not None:
            cursor.execute(f"TRUNCATE {table}")
            # Written from a queue by a thread of psycopg's, so that reading the next rows from
            # the reader does not wait for this server to take the last ones.
            with raw.copy(copy_in, writer=_queued_writer(raw)) as copy:
                with side.copy(copy_out, params) as out:
                    # The reader hands over a row at a time; the writer takes them a megabyte at a time.
                    piece = bytearray()
                    for data in out:
                        piece += data
                        if len(piece) >= COPY_CHUNK:
                            copy.write(bytes(piece))
                            piece.clear()
                    copy.write(bytes(piece))
                if side.rowcount != total:
                    raise _FewerRowsError
        else:
            with tempfile.TemporaryFile() as spool:
                # One connection cannot COPY out and in at once: the rows wait in a file between.
                with raw.copy(copy_out, params) as out:
                    for data in out:
                        spool.write(data)
                if raw.rowcount != total:
                    transaction.savepoint_rollback(savepoint)
                    return None
                spool.seek(0)
                cursor.execute(f"TRUNCATE {table}")
                with raw.copy(copy_in) as copy:
                    while chunk := spool.read(COPY_CHUNK):
                        copy.write(chunk)
        cursor.execute(restore)
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{BULK_INDEX_MEMORY}'")
        for statement in rebuild:
            cursor.execute(statement)
    except refusals:
        transaction.savepoint_rollback(savepoint)
        return None
    transaction.savepoint_commit(savepoint)
    # Every figure the table holds is this load's.
    figures_guard(lambda: _held_keys(cursor))
    figures_changed(count=total, keys=lambda: _changed_keys(cursor, source=table))
    return Counts(total=total, created=total, updated=0, unchanged=0)


class _FewerRowsError(Exception):
    """Fewer rows came out of the check than the file holds: one may break a rule."""


def _reader_failures(reader: psycopg.Connection[Any] | None) -> tuple[type[Exception], ...]:
    """What a reader's failure raises (any error of its own server): the load then goes the
    usual way. None without a reader."""
    if reader is None:
        return ()
    import psycopg  # noqa: PLC0415

    return (psycopg.Error,)


def _queued_writer(raw: psycopg.Cursor[Any]) -> Any:
    from psycopg.copy import QueuedLibpqWriter  # noqa: PLC0415

    return QueuedLibpqWriter(raw)


def _set_defaults(cursor: Any, values: dict[str, Any]) -> str:
    """Make ``values`` the figures table's column defaults; return the statement that puts back
    the defaults the columns had (none, as the migrations make them)."""
    table = DataValue._meta.db_table
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a"
        " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
        [table, list(values)],
    )
    before = dict(cursor.fetchall())
    cursor.execute(
        f"ALTER TABLE {quote(table)} " + ", ".join(f"ALTER COLUMN {quote(column)} SET DEFAULT %s" for column in values),
        list(values.values()),
    )
    return f"ALTER TABLE {quote(table)} " + ", ".join(
        f"ALTER COLUMN {quote(column)} DROP DEFAULT"
        if before[column] is None
        else f"ALTER COLUMN {quote(column)} SET DEFAULT {before[column]}"
        for column in values
    )


def _psycopg_refusals() -> tuple[type[Exception], ...]:
    import psycopg  # noqa: PLC0415 - the driver itself, loaded only where it is used

    return (psycopg.errors.DataError, psycopg.errors.IntegrityError, psycopg.errors.ObjectNotInPrerequisiteState)


def _held_keys(cursor: Any) -> list[FigureKey]:
    cursor.execute(f"SELECT indicator_id, org_unit_id, period FROM {DataValue._meta.db_table}")
    return [(int(i), int(u), str(p)) for i, u, p in cursor.fetchall()]


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


def _stage_statuses(cursor: Any, pairs: set[FigurePair] | None = None) -> None:
    """import_status: the status policy's answer for each (indicator, unit) of ``pairs``, by
    default each that import_checked holds."""
    if pairs is None:
        cursor.execute("SELECT DISTINCT indicator_id, org_unit_id FROM import_checked")
        pairs = {(int(i), int(u)) for i, u in cursor.fetchall()}
    decided = statuses_decide(pairs)
    cursor.execute("DROP TABLE IF EXISTS import_status")
    cursor.execute(
        "CREATE TEMP TABLE import_status (indicator_id bigint, org_unit_id bigint, status text,"
        " PRIMARY KEY (indicator_id, org_unit_id)) ON COMMIT DROP"
    )
    with raw_cursor(cursor).copy("COPY import_status (indicator_id, org_unit_id, status) FROM STDIN") as copy:
        for (indicator_id, unit_id), status in decided.items():
            copy.write_row((indicator_id, unit_id, status))


def _changed_keys(cursor: Any, *, source: str = "import_checked") -> set[ChangedKey]:
    # The earliest period of each (indicator, unit, year): analytics refreshes the year from there.
    cursor.execute(
        f"SELECT indicator_id, org_unit_id, min(period_start) FROM {source}"
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
