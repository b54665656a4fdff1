"""The State Treasury's monthly disbursement file on PostgreSQL: the CSV goes into a staging table
by ``COPY``, is judged by set-based SQL and merged into the disbursements by ``INSERT … SELECT``.

The rules are those of the Python path (``imports.check_disbursement``). The SQL marks every
row that could break one of them (a superset), and only those rows go through the Python rules,
which word the messages — so a file is accepted or refused, and each error worded and placed
(line, column), exactly as by the Python path, while a national file of six million rows never
passes through Python one row at a time (the way ``ingest.bulk`` imports figures).

The file is copied byte for byte and parsed by PostgreSQL. Anything that would make the two
readers disagree — a header this path does not know, a record spanning lines or blank lines
(line numbers), bytes that are not ASCII (trimming and composing as Python does), an encoding
PostgreSQL refuses — makes ``disbursement_import_postgres`` answer ``None``: the caller then
reads the file by the Python path.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django.db import DataError, IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from dieuhanh.figures.postgres import raw_cursor, scalar
from dieuhanh.ingest.parsers import Issue
from dieuhanh.ingest.validation import (
    AMBIGUOUS_NUMBER,
    ENGLISH_GROUPED,
    PLAIN_NUMBER,
    VIETNAMESE_GROUPED,
)
from dieuhanh.projects import todate
from dieuhanh.projects.choices import CapitalSource
from dieuhanh.projects.models import Disbursement, Project

# The file's columns, in the Treasury template's order (``projects.imports``).
DISBURSEMENT_COLUMNS = ("project", "plan_year", "source", "period", "amount")
# The amount's field: numeric(18, 3), million đồng.
AMOUNT_DECIMALS = 3
MAX_AMOUNT = Decimal(10) ** (18 - AMOUNT_DECIMALS)
COPY_CHUNK = 1 << 20
# Beyond this many suspect rows, only the first are worded.
MAX_SUSPECTS = 50_000
# One disbursement import at a time: two merges of overlapping months must not interleave.
ADVISORY_LOCK = 0x7069_6469_7362  # "pidisb"
# A file of at least this many rows into a table holding fewer than half as many is a first load:
# the table's secondary indexes, unique key and foreign key are dropped for the insert and made
# again after it, in the same transaction (building an index once is several times cheaper than
# growing it row by row, and checking the foreign key once by a join than row by row).
BULK_LOAD_ABOVE = 500_000
BULK_INDEX_MEMORY = "512MB"
# What Python's str.strip() removes from an ASCII cell (a file with other bytes takes the Python path).
ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
# ASCII white space COPY keeps in a cell (a line's end it does not).
_SPACE = re.compile(rb"[ \t\x0b\x0c\x1c-\x1f]")


@dataclass
class DisbursementCounts:
    total: int
    created: int
    updated: int
    unchanged: int
    # The plan years the file touches: the register's figures of those years are refreshed after it.
    plan_years: list[int] = field(default_factory=list)


class DisbursementRejectedError(Exception):
    """The file breaks rules: nothing was written. ``issues`` say where and what to fix."""

    def __init__(self, issues: list[Issue], rows: int) -> None:
        super().__init__(f"{len(issues)} issues")
        self.issues = issues
        self.rows = rows


# --- the PostgreSQL path -------------------------------------------------------------------------


def disbursement_import_postgres(
    *,
    stream: BinaryIO,
    dry_run: bool = False,
    after_write: Callable[[DisbursementCounts], None] | None = None,
) -> DisbursementCounts | None:
    """Stage, check and (unless ``dry_run``) merge a Treasury disbursement CSV, all or nothing.

    Returns the counts; raises DisbursementRejectedError with every issue; returns None when the
    file is one for the Python path (see the module's doc: nothing was written). ``after_write``
    runs inside the same transaction once the rows are written (not on a dry run): the register's
    figures of the years written are refreshed there, so that they stand or fall with the rows."""
    header = _header(stream)
    if header is None:
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        # ON COMMIT DROP does not fire when this transaction is nested in another one.
        cursor.execute("DROP TABLE IF EXISTS disbursement_stage, disbursement_typed, disbursement_checked")
        if not dry_run and (counts := _load_direct(cursor, stream, header)) is not None:
            _written(counts, after_write)
            return counts
        staged = _stage(cursor, stream, header)
        if staged is None:
            return None
        columns, records = staged
        if not dry_run and (counts := _load_into_empty(cursor, rows=records)) is not None:
            _written(counts, after_write)
            return counts
        cursor.execute(_CHECK_SQL, _check_params())
        total = scalar(cursor, "SELECT count(*) FROM disbursement_checked")
        if total == 0:
            raise DisbursementRejectedError([Issue(_("The file has no rows in it."))], rows=0)
        issues = _word_suspects(cursor, columns)
        if issues:
            raise DisbursementRejectedError(issues, rows=total)
        counts = _merge(cursor, total=total, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
        else:
            _written(counts, after_write)
    return counts


def _written(counts: DisbursementCounts, after_write: Callable[[DisbursementCounts], None] | None) -> None:
    """What follows a write, in its transaction: the years' disbursement to date no longer
    current (``todate``), then ``after_write``."""
    todate.stale(counts.plan_years)
    if after_write is not None:
        after_write(counts)


@dataclass(frozen=True)
class _Header:
    names: list[str]  # the file's fields, in its order
    delimiter: str


def _header(stream: BinaryIO) -> _Header | None:
    """The file's header, when it is ours as it stands (else None: the Python path reads it)."""
    head = stream.read(1 << 16)
    stream.seek(0)
    header_end = head.find(b"\n")
    if header_end < 0 or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    header_text = head[:header_end].removeprefix(b"\xef\xbb\xbf").decode("ascii", errors="replace").rstrip("\r")
    delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
    names = [n.strip().lower() for n in next(csv.reader([header_text], delimiter=delimiter))]
    if sorted(names) != sorted(DISBURSEMENT_COLUMNS):
        # Other names (a Vietnamese header, extra columns) or a missing one: the Python path reads
        # the header and says what is wrong with it.
        return None
    return _Header(names, delimiter)


@dataclass(frozen=True)
class _Copied:
    records: int
    line_for_line: bool  # no blank line, no record across lines: a record's line is known
    ascii_only: bool
    spaced: bool  # a cell may need trimming


def _copy_in(cursor: Any, stream: BinaryIO, table: str, header: _Header) -> _Copied | None:
    """COPY the file into ``table`` and say what it holds; None when PostgreSQL cannot read it as
    CSV into that table (nothing is left of the attempt)."""
    import psycopg  # noqa: PLC0415 - the driver itself, only on PostgreSQL

    newlines, last, ascii_only, first, spaced = 0, b"", True, True, False
    savepoint = transaction.savepoint()
    raw = raw_cursor(cursor)
    try:
        with raw.copy(
            f"COPY {table} ({', '.join(header.names)}) FROM STDIN"
            f" WITH (FORMAT csv, HEADER true, DELIMITER '{header.delimiter}', ENCODING 'UTF8')"
        ) as copy:
            while chunk := stream.read(COPY_CHUNK):
                newlines += chunk.count(b"\n")
                # A byte order mark opens the header, which COPY skips; any other byte beyond ASCII
                # sends the file to the Python path.
                ascii_only = ascii_only and (chunk.removeprefix(b"\xef\xbb\xbf") if first else chunk).isascii()
                first = False
                spaced = spaced or _SPACE.search(chunk) is not None
                last = chunk[-1:]
                copy.write(chunk)
    except (psycopg.errors.DataError, psycopg.errors.BadCopyFileFormat, psycopg.errors.CharacterNotInRepertoire):
        transaction.savepoint_rollback(savepoint)
        return None
    transaction.savepoint_commit(savepoint)
    records = raw.rowcount
    lines = newlines + (0 if last == b"\n" else 1)
    return _Copied(records, records == lines - 1, ascii_only, spaced)


def _stage(cursor: Any, stream: BinaryIO, header: _Header) -> tuple[dict[str, str], int] | None:
    """COPY the file into disbursement_stage (one text column a field, ``line`` the file's line);
    return how the file names each field's column and how many records it has, or None for a file
    of the Python path."""
    cursor.execute(
        # COPY numbers the records from 2: the header is line 1.
        "CREATE TEMP TABLE disbursement_stage (line bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 2), "
        + ", ".join(f"{name} text" for name in DISBURSEMENT_COLUMNS)
        # The amount as written, when the cleaning below changed it (for the messages).
        + ", amount_written text) ON COMMIT DROP"
    )
    copied = _copy_in(cursor, stream, "disbursement_stage", header)
    if copied is None or not copied.ascii_only or not copied.line_for_line:
        # Bytes to compose or exotic spaces; a record spanning lines or blank lines (line numbers).
        return None
    if copied.spaced:
        # Cells as the rules read them: trimmed, and no space inside an amount ("1 250,5"). Most
        # files have no space at all, and skip this pass.
        cursor.execute(
            "UPDATE disbursement_stage SET "
            + ", ".join(f"{name} = btrim({name}, %(ws)s)" for name in DISBURSEMENT_COLUMNS if name != "amount")
            + ", amount_written = amount, amount = replace(btrim(amount, %(ws)s), ' ', '')",
            {"ws": ASCII_SPACE},
        )
    from dieuhanh.projects.imports import _column_name  # noqa: PLC0415 - imports calls this module

    # Each field's column as the Python path names it in a message: its letter and key.
    return {name: _column_name(index, name) for index, name in enumerate(header.names)}, copied.records


def _check_params() -> dict[str, Any]:
    from dieuhanh.projects.imports import _choice_names  # noqa: PLC0415 - imports calls this module

    names = _choice_names(CapitalSource)
    return {
        "ws": ASCII_SPACE,
        "source_names": list(names),
        "source_values": list(names.values()),
        "ambiguous_number": AMBIGUOUS_NUMBER,
        "plain_number": PLAIN_NUMBER,
        "vietnamese_grouped": VIETNAMESE_GROUPED,
        "english_grouped": ENGLISH_GROUPED,
        "max_amount": MAX_AMOUNT,
        "decimals": AMOUNT_DECIMALS,
    }


# A staged cell (trimmed by ``_stage`` when the file needed it; COPY reads an empty cell as NULL).
_TRIMMED = "coalesce(t.{field}, '')"
_AMOUNT = "coalesce(t.amount, '')"
_DIGITS = "'0123456789'"
# Each staged row read by the rules: its project, plan year, source (its code), month and amount,
# and whether it could break a rule (``suspect``). Every cell is read in one step straight over the
# staging table (its OFFSET 0 keeps it a step of its own, so that each reading is made once a row).
_PARSED = f"""
SELECT s.line, p.id AS project_id, s.year AS plan_year, src.value AS source, s.period,
       CASE WHEN abs(s.number) < %(max_amount)s THEN s.number END AS amount,
       -- One clause for each rule of imports.check_disbursement; a clause may mark more rows than
       -- its rule refuses, never fewer (tests/projects/test_bulk.py).
       coalesce(
           p.id IS NULL  -- the project: empty or unknown
           OR s.year IS NULL  -- the plan year
           OR src.value IS NULL  -- the capital source: a code, or its name in Vietnamese or English
           OR CASE WHEN s.month  -- the month, in the plan's window
                   THEN NOT (left(s.period, 4)::int = s.year
                             OR (left(s.period, 4)::int = s.year + 1 AND right(s.period, 2) = '01'))
                   ELSE true END
           OR s.number IS NULL  -- the amount reads as a number
           OR s.number < 0  -- it is not negative
           OR abs(s.number) >= %(max_amount)s  -- its size
           OR s.number <> round(s.number, %(decimals)s),  -- its decimals
           true
       ) AS suspect
FROM (
    SELECT t.line, {_TRIMMED.format(field="project")} AS project, {_TRIMMED.format(field="source")} AS source,
           {_TRIMMED.format(field="period")} AS period,
           CASE WHEN length({_TRIMMED.format(field="plan_year")}) = 4
                     AND left({_TRIMMED.format(field="plan_year")}, 2) IN ('19', '20')
                     AND translate({_TRIMMED.format(field="plan_year")}, {_DIGITS}, '') = ''
                THEN {_TRIMMED.format(field="plan_year")}::int END AS year,
           length({_TRIMMED.format(field="period")}) = 6
               AND translate({_TRIMMED.format(field="period")}, {_DIGITS}, '') = ''
               AND substr({_TRIMMED.format(field="period")}, 5, 2) BETWEEN '01' AND '12' AS month,
           -- validation.parse_number's rules by its own patterns; an ambiguous number is no number
           -- here (so suspect), and the rules word why. A huge exponent is no number either. Most
           -- amounts are digits with at most one point, read without a pattern.
           CASE
               WHEN {_AMOUNT} = '' THEN NULL
               WHEN translate({_AMOUNT}, {_DIGITS}, '') = '' THEN {_AMOUNT}::numeric
               WHEN translate({_AMOUNT}, {_DIGITS}, '') = '.' AND length({_AMOUNT}) > 1 THEN
                   CASE WHEN length({_AMOUNT}) - strpos({_AMOUNT}, '.') = 3
                             AND strpos({_AMOUNT}, '.') BETWEEN 2 AND 4 AND left({_AMOUNT}, 1) <> '0'
                        THEN NULL ELSE {_AMOUNT}::numeric END
               WHEN {_AMOUNT} ~ '[eE][+-]?[0-9]{{5,}}$' THEN NULL
               WHEN substr({_AMOUNT}, length({_AMOUNT}) - 3, 1) IN ('.', ',')
                    AND {_AMOUNT} ~ %(ambiguous_number)s THEN NULL
               WHEN {_AMOUNT} ~ %(plain_number)s THEN replace({_AMOUNT}, ',', '.')::numeric
               WHEN {_AMOUNT} ~ %(vietnamese_grouped)s THEN replace(replace({_AMOUNT}, '.', ''), ',', '.')::numeric
               WHEN {_AMOUNT} ~ %(english_grouped)s THEN replace({_AMOUNT}, ',', '')::numeric
           END AS number
    FROM disbursement_stage t
    -- A row of empty cells is no row (the Python path leaves it out too).
    WHERE {_TRIMMED.format(field="project")} <> '' OR {_TRIMMED.format(field="plan_year")} <> ''
       OR {_TRIMMED.format(field="source")} <> '' OR {_TRIMMED.format(field="period")} <> '' OR {_AMOUNT} <> ''
    OFFSET 0
) s
LEFT JOIN {Project._meta.db_table} p ON p.code = s.project
LEFT JOIN unnest(%(source_names)s::text[], %(source_values)s::text[]) AS src (name, value)
       ON src.name = lower(s.source)
"""

_CHECK_SQL = f"""
CREATE TEMP TABLE disbursement_checked ON COMMIT DROP AS {_PARSED};

-- A key given twice: every occurrence is suspect; the rules then name the later ones.
UPDATE disbursement_checked c SET suspect = true
FROM (
    SELECT project_id, plan_year, source, period FROM disbursement_checked
    WHERE project_id IS NOT NULL AND plan_year IS NOT NULL
    GROUP BY 1, 2, 3, 4 HAVING count(*) > 1
) twice
WHERE c.project_id = twice.project_id AND c.plan_year = twice.plan_year
  AND c.source = twice.source AND c.period = twice.period;
"""

# The rows of a file that breaks no rule but perhaps the key's (the unique key says), as COPY writes them.
_GOOD_ROWS_SQL = f"SELECT project_id, plan_year, source, period, amount FROM ({_PARSED}) x WHERE NOT suspect"


def _word_suspects(cursor: Any, columns: dict[str, str]) -> list[Issue]:
    """Run the Python path's rules on the suspect rows to find and word the real problems."""
    from dieuhanh.projects.imports import Row, check_disbursement  # noqa: PLC0415 - imports calls this module

    cursor.execute(
        "SELECT s.line, s.project, s.plan_year, s.source, s.period, coalesce(s.amount_written, s.amount)"
        " FROM disbursement_checked c JOIN disbursement_stage s ON s.line = c.line"
        " WHERE c.suspect ORDER BY c.line LIMIT %s",
        [MAX_SUSPECTS + 1],
    )
    suspects = cursor.fetchall()
    if not suspects:
        return []
    rows = [
        Row(line=int(line), cells=dict(zip(DISBURSEMENT_COLUMNS, map(_cell, cells), strict=True)), columns=columns)
        for line, *cells in suspects[:MAX_SUSPECTS]
    ]
    _checked, issues = check_disbursement(rows)
    if len(suspects) > MAX_SUSPECTS and issues:
        more = scalar(cursor, "SELECT count(*) FROM disbursement_checked WHERE suspect") - MAX_SUSPECTS
        issues.append(Issue(_("… and %(n)d more rows to check; correct the ones above first.") % {"n": more}))
    return issues


def _cell(text: str | None) -> str:
    return (text or "").strip()


# --- merging -------------------------------------------------------------------------------------


def _merge(cursor: Any, *, total: int, dry_run: bool) -> DisbursementCounts:
    """Write what disbursement_checked holds: changed amounts updated, new months inserted."""
    table = Disbursement._meta.db_table
    cursor.execute("SELECT DISTINCT plan_year FROM disbursement_checked ORDER BY 1")
    years = [int(y) for (y,) in cursor.fetchall()]
    held = scalar(cursor, f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) x", [max(1, total // 2)])
    matches = """d.project_id = c.project_id AND d.plan_year = c.plan_year AND d.source = c.source
                  AND d.period = c.period"""
    if held == 0:
        updated = 0
    elif dry_run:
        updated = scalar(
            cursor,
            f"SELECT count(*) FROM disbursement_checked c JOIN {table} d ON {matches} WHERE d.amount <> c.amount",
        )
    else:
        cursor.execute(
            f"UPDATE {table} d SET amount = c.amount FROM disbursement_checked c WHERE {matches}"
            " AND d.amount <> c.amount"
        )
        updated = cursor.rowcount
    if dry_run:
        created = (
            total
            if held == 0
            else scalar(
                cursor,
                f"SELECT count(*) FROM disbursement_checked c"
                f" WHERE NOT EXISTS (SELECT 1 FROM {table} d WHERE {matches})",
            )
        )
        return DisbursementCounts(total, created, updated, total - created - updated, years)
    rebuild = _drop_for_a_first_load(cursor, total=total, held=held)
    if rebuild:
        # The unique key is dropped: the few rows already held, found by one pass.
        new_only = "" if held == 0 else f"WHERE NOT EXISTS (SELECT 1 FROM {table} d WHERE {matches})"
    else:
        new_only = "ON CONFLICT (project_id, plan_year, source, period) DO NOTHING"
    cursor.execute(
        f"INSERT INTO {table} AS d (project_id, plan_year, source, period, amount)"
        f" SELECT c.project_id, c.plan_year, c.source, c.period, c.amount FROM disbursement_checked c {new_only}"
    )
    created = cursor.rowcount
    if rebuild:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{BULK_INDEX_MEMORY}'")
        for statement in rebuild:
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute(f"ANALYZE {table}")
    return DisbursementCounts(total, created, updated, total - created - updated, years)


def _load_into_empty(cursor: Any, *, rows: int) -> DisbursementCounts | None:
    """A first load (see BULK_LOAD_ABOVE) into an empty table, the way that writes fastest: when
    every staged row plainly keeps the rules — codes as the register writes them, a year and a
    month of digits, an amount of digits and a point with at most three decimals that cannot be
    read two ways — the rows are copied out and COPYed into the table (INSERT … SELECT writes a
    row at a time, COPY a page), its keys and indexes dropped and made again. None, with nothing
    left of the attempt, when a row is not so plain or a key repeats: the staged file is then
    checked and worded row by row, and merged."""
    table = Disbursement._meta.db_table
    if rows < BULK_LOAD_ABOVE or scalar(cursor, f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1) x"):
        return None
    savepoint = transaction.savepoint()
    rebuild = _drop_for_a_first_load(cursor, total=rows, held=0)
    raw = raw_cursor(cursor)
    # Millions of rows against thousands of projects: one hash of the projects, not a probe of
    # their code's index a row (which the planner picks when it cannot tell how many rows pass).
    cursor.execute("SELECT current_setting('enable_nestloop')")
    nestloop = cursor.fetchone()[0]
    cursor.execute("SET LOCAL enable_nestloop = off")
    try:
        with tempfile.TemporaryFile() as spool:
            with raw.copy(f"COPY ({_PLAIN_ROWS_SQL}) TO STDOUT", {"sources": list(CapitalSource.values)}) as out:
                for data in out:
                    spool.write(data)
            plain = raw.rowcount
            cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [nestloop])
            if plain != rows:
                transaction.savepoint_rollback(savepoint)
                return None
            spool.seek(0)
            with raw.copy(f"COPY {table} (project_id, plan_year, source, period, amount) FROM STDIN") as copy:
                while chunk := spool.read(COPY_CHUNK):
                    copy.write(chunk)
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{BULK_INDEX_MEMORY}'")
        for statement in rebuild:
            cursor.execute(statement)
    except (IntegrityError, DataError, psycopg_data_error()):
        # A key given twice (the unique key cannot be made again), a year, month or amount that
        # reads as no number: worded the usual way.
        transaction.savepoint_rollback(savepoint)
        return None
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    transaction.savepoint_commit(savepoint)
    cursor.execute(f"ANALYZE {table}")
    return DisbursementCounts(rows, rows, 0, 0, _years_held(cursor))


def _load_direct(cursor: Any, stream: BinaryIO, header: _Header) -> DisbursementCounts | None:
    """A first load (see BULK_LOAD_ABOVE) of a file in the Treasury's template as it stands, the
    way that writes fastest: no staging table. Each record's project code is mapped to its id on
    the client while the file streams into ``COPY`` of the disbursement table itself (its keys,
    indexes and primary key dropped, made again after it); the rest of each record is copied as
    written. Only a file whose every record keeps the rules plainly goes this way: the client
    requires each line to be a known project's code, then a plan year, a source, a month and an
    amount as ``_plain_records`` spells them (a subset of what the rules accept); the unique key,
    made again, refuses a key given twice, and the foreign key a project deleted meanwhile.
    Anything else — another header order, bytes beyond ASCII, a space, quotes, a blank line, an
    unknown code, a source given by its name, a row breaking a rule — leaves nothing of the
    attempt and answers None: the file is then staged, checked and worded row by row as any
    other, so a refused file's issues are those of the Python rules whichever way it came."""
    import psycopg  # noqa: PLC0415 - the driver itself, only on PostgreSQL

    table = Disbursement._meta.db_table
    if tuple(header.names) != DISBURSEMENT_COLUMNS:
        return None
    if _newlines(stream) < BULK_LOAD_ABOVE or scalar(cursor, f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1) x"):
        return None
    cursor.execute(f"SELECT code, id FROM {Project._meta.db_table}")
    ids = {code.encode(): str(pk).encode() for code, pk in cursor.fetchall()}
    savepoint = transaction.savepoint()
    rebuild = _drop_for_a_first_load(cursor, total=BULK_LOAD_ABOVE, held=0, primary=True)
    raw = raw_cursor(cursor)
    try:
        with raw.copy(
            f"COPY {table} (project_id, plan_year, source, period, amount) FROM STDIN"
            f" WITH (FORMAT csv, DELIMITER '{header.delimiter}')"
        ) as copy:
            for data in _records_mapped(stream, ids, header.delimiter.encode()):
                copy.write(data)
        rows = raw.rowcount
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{BULK_INDEX_MEMORY}'")
        for statement in rebuild:
            cursor.execute(statement)
    except (
        _NotPlainError,
        IntegrityError,
        DataError,
        psycopg.DataError,
        psycopg.IntegrityError,
        psycopg.errors.BadCopyFileFormat,
    ):
        # A record not plain (the usual way reads and words it), a key given twice (the unique key
        # cannot be made again), an amount PostgreSQL cannot store.
        transaction.savepoint_rollback(savepoint)
        stream.seek(0)
        return None
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    transaction.savepoint_commit(savepoint)
    stream.seek(0)
    cursor.execute(f"ANALYZE {table}")
    return DisbursementCounts(rows, rows, 0, 0, _years_held(cursor))


class _NotPlainError(Exception):
    """A record the direct load does not take as it stands (``_load_direct``)."""


def _newlines(stream: BinaryIO) -> int:
    count = 0
    while chunk := stream.read(COPY_CHUNK):
        count += chunk.count(b"\n")
    stream.seek(0)
    return count


def _plain_records(delimiter: bytes) -> re.Pattern[bytes]:
    """Lines of records as the direct load requires them: a project's code, a plan year of four
    digits 1900 … 2099, a source by its code, a month of that year or January of the next, and an
    amount (of three decimals only after four whole digits: "2.500" reads two ways). The plan year
    and its months are spelt out year by year (a pattern cannot add one to a year), as a tree of
    its digits that a line walks down once."""
    d = re.escape(delimiter.decode())
    cell = f'[^{d}\\r\\n" \\t]'
    sources = "|".join(re.escape(value) for value in CapitalSource.values)
    months = "(?:0[1-9]|1[0-2])"

    def year(whole: int) -> str:
        # A plan year, its source, and a month of it or January of the next.
        return f"{whole % 10}{d}(?:{sources}){d}(?:{whole}{months}|{whole + 1}01)"

    years = "|".join(
        f"{century}(?:"
        + "|".join(
            f"{tens}(?:" + "|".join(year(century * 100 + tens * 10 + unit) for unit in range(10)) + ")"
            for tens in range(10)
        )
        + ")"
        for century in (19, 20)
    )
    amount = r"(?:[0-9]+(?:\.[0-9]{1,2})?|[1-9][0-9]{3,}\.[0-9]{3})"
    return re.compile(f"(?:{cell}+{d}(?:{years}){d}{amount}\\r?\\n)*".encode())


def _records_mapped(stream: BinaryIO, ids: dict[bytes, bytes], delimiter: bytes) -> Iterator[bytes]:
    """The file's records after its header, each project's code replaced by its id, in chunks of
    whole lines; raises _NotPlainError at the first chunk holding a record not plain (see
    _plain_records) or an unknown code."""
    plain = _plain_records(delimiter)
    stream.seek(0)
    # The header (_header read it); COPY reads every line's end as the first one's.
    line_end = b"\r\n" if stream.readline().endswith(b"\r\n") else b"\n"
    rest = b""
    while True:
        chunk = stream.read(COPY_CHUNK)
        data = rest + chunk
        if not chunk:
            if not data:
                return
            data += line_end  # the last record, without a line's end
        cut = data.rfind(b"\n") + 1
        data, rest = data[:cut], data[cut:]
        if not data.isascii() or plain.fullmatch(data) is None:
            raise _NotPlainError
        lines = data.split(b"\n")
        lines.pop()
        try:
            yield b"\n".join(
                [ids[code] + delimiter + tail for code, _, tail in (x.partition(delimiter) for x in lines)]
            )
        except KeyError:
            raise _NotPlainError from None
        yield b"\n"


def psycopg_data_error() -> type[Exception]:
    import psycopg  # noqa: PLC0415 - the driver itself, only on PostgreSQL

    return psycopg.errors.DataError


# The rows a first load copies: all of them, when every one keeps the rules plainly. Each cell is
# read once, in a step straight over the staging table. A year of four characters read as
# 1900 … 2099 is four digits; a month of six read as YYYYMM of that year (or January of the next)
# is six digits; an amount of digits and points reads as a number only with one point (else the
# load stops: the usual way words it), and of three decimals below 1000 in size reads two ways.
_PLAIN_ROWS_SQL = f"""
SELECT p.id, t.year, t.source, t.period, t.amount
FROM (
    SELECT project, source, period,
           CASE WHEN length(plan_year) = 4 THEN plan_year::int END AS year,
           CASE WHEN length(period) = 6 THEN period::int END AS month,
           CASE WHEN translate(amount, '0123456789.', '') = '' THEN amount::numeric END AS amount
    FROM disbursement_stage
    OFFSET 0
) t
JOIN {Project._meta.db_table} p ON p.code = t.project
WHERE t.source = ANY(%(sources)s)
  AND t.year BETWEEN 1900 AND 2099
  AND t.month %% 100 BETWEEN 1 AND 12
  AND (t.month / 100 = t.year OR (t.month / 100 = t.year + 1 AND t.month %% 100 = 1))
  AND t.amount < {MAX_AMOUNT} AND t.amount = round(t.amount, {AMOUNT_DECIMALS})
  AND NOT (scale(t.amount) = {AMOUNT_DECIMALS} AND t.amount >= 1 AND t.amount < 1000)
"""


def _years_held(cursor: Any) -> list[int]:
    """The plan years the table holds, one probe of its index on the year each."""
    table = Disbursement._meta.db_table
    cursor.execute(
        f"""WITH RECURSIVE y AS (
                SELECT min(plan_year) AS year FROM {table}
                UNION ALL
                SELECT (SELECT min(plan_year) FROM {table} WHERE plan_year > y.year) FROM y WHERE y.year IS NOT NULL
            )
            SELECT year FROM y WHERE year IS NOT NULL"""
    )
    return [int(year) for (year,) in cursor.fetchall()]


def _drop_for_a_first_load(cursor: Any, *, total: int, held: int, primary: bool = False) -> list[str]:
    """On a first load (see BULK_LOAD_ABOVE), drop the disbursements' unique and foreign keys and
    secondary indexes (and, with ``primary``, the primary key, which no other table references)
    and return the statements that make them again, exactly as they were; otherwise drop nothing
    and return []."""
    if total < BULK_LOAD_ABOVE or held >= total // 2:
        return []
    table = Disbursement._meta.db_table
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint c"
        " WHERE conrelid = %s::regclass AND (contype IN ('u', 'f') OR (%s AND contype = 'p'"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.confrelid = c.conrelid)))"
        " ORDER BY contype DESC, conname",
        [table, primary],
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
    # Deferred checks of rows written earlier in this transaction (of this table or the projects')
    # would forbid altering the tables: run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, _definition in constraints:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    made = [f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}" for name, definition in constraints]
    primary_keys = [statement for statement in made if " PRIMARY KEY " in statement]
    return primary_keys + [definition for _name, definition in indexes] + [s for s in made if s not in primary_keys]
