"""Imports on PostgreSQL: the file goes into a staging table by COPY, is judged by set-based SQL,
and is merged into the data values (with their history) by ``INSERT … SELECT``.

The rules are those of ``validation.check_rows``. The SQL marks every row that could
break one of them (a superset), and only those rows go through ``check_rows`` itself,
which writes the messages — so a file is accepted or refused, and each error worded,
exactly as on SQLite, while a clean national file of 48 million figures never passes
through Python one row at a time.

Our CSV is copied byte for byte and parsed by PostgreSQL. Anything that makes its lines
and records disagree (a quoted line break, a short row, a stray encoding) sends the
file through the Python parser instead, which knows each record's line.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import Scope
from dieuhanh.figures.choices import ImportFormat, ImportStatus
from dieuhanh.figures.models import ImportBatch
from dieuhanh.figures.postgres import (
    Counts,
    load_into_empty,
    may_hold_a_first_load,
    may_load_into_empty,
    merge_checked,
    raw_cursor,
    scalar,
)
from dieuhanh.figures.services import managed_write
from dieuhanh.indicators.models import Indicator
from dieuhanh.ingest.parsers import (
    OUR_COLUMNS,
    Issue,
    RawRow,
    _delimiter,
    _first_line,
    _nfc,
    csv_header_names,
    iter_rows,
    open_text,
    text_encoding,
)
from dieuhanh.ingest.scoping import LINES_SHOWN, Written, out_of_scope
from dieuhanh.ingest.validation import (
    AMBIGUOUS_NUMBER,
    ENGLISH_GROUPED,
    MACHINE_NUMBER,
    MAX_COMMENT,
    PLAIN_NUMBER,
    STORED_DECIMALS,
    VIETNAMESE_GROUPED,
    check_rows,
    excel_number,
)
from dieuhanh.orgunits.models import OrgUnit

COPY_CHUNK = 1 << 20
# Most cells of a file as the check reads them: digits, maybe a point and more digits. Each reads
# as PLAIN_NUMBER reads it (it matches no text PLAIN_NUMBER does not, and has no comma to replace),
# and this shorter pattern takes half its time (about 0.5 s over the province set's 1.86 million
# cells). Asked after the ambiguity test, as PLAIN_NUMBER is.
SIMPLE_NUMBER = r"^[0-9]+(\.[0-9]+)?$"
# Beyond this many suspect rows, only the first are worded (the batch keeps 10 000 errors anyway).
MAX_SUSPECTS = 50_000
# One import at a time: two merges of overlapping figures must not interleave.
ADVISORY_LOCK = 0x6469_6575_6861_6E68  # "dieuhanh"


class RejectedError(Exception):
    def __init__(self, issues: list[Issue], rows: int) -> None:
        super().__init__(f"{len(issues)} issues")
        self.issues = issues
        self.rows = rows


def import_postgres(
    *,
    stream: BinaryIO,
    file_format: str,
    batch: ImportBatch,
    user: Any,
    dry_run: bool,
    status: str | None,
    scope: Scope | None = None,
) -> Counts:
    """Stage, check and (unless ``dry_run``) merge a file; raise RejectedError with every issue, or ParseError."""
    # Nothing written before this import's transaction (the catalogue, above all) is unseen by
    # another connection: the first load may check its rows on one (_load_read_beside).
    outermost = not connection.in_atomic_block
    with transaction.atomic(), managed_write(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        # ON COMMIT DROP does not fire when this transaction is nested in another one.
        cursor.execute(
            "DROP TABLE IF EXISTS import_stage, import_periods, import_checked, import_changed, import_status"
        )
        first_load = not dry_run and scope is None
        if first_load and outermost and file_format == ImportFormat.CSV:
            loaded, tried = _load_read_beside(cursor, stream, batch=batch, user=user, status=status)
            if loaded is not None:
                return loaded
            # Rows that may break a rule: the one-pass load below would find them again.
            first_load = not tried
        cursor.execute(_STAGE_TABLE_SQL)
        columns, line_offset, clean, staged = _stage(cursor, stream, file_format)
        cursor.execute(_PERIODS_SQL)
        params = _check_params(line_offset)
        if clean and first_load:
            loaded = _load_into_empty(cursor, batch=batch, user=user, status=status, params=params, total=staged)
            if loaded is not None:
                return loaded
        check = _CHECK_CLEAN_SQL if clean else _CHECK_SQL
        if "%(ws)s" in check:
            # What the SQL trims (found in a tenth of a second): a clean file's cells are not trimmed.
            params["ws"] = whitespace()
        cursor.execute(check, params)
        total = scalar(cursor, "SELECT count(*) FROM import_checked")
        if total == 0:
            raise RejectedError([Issue(_("The file has no figures in it."))], rows=0)
        issues = _word_suspects(cursor, columns, line_offset=line_offset)
        if not issues and scope is not None:
            issues = out_of_scope(scope, _written(cursor, scope))
        if issues:
            raise RejectedError(issues, rows=total)
        batch.status = ImportStatus.DRY_RUN if dry_run else ImportStatus.COMMITTED
        batch.rows_total = total
        batch.save()
        counts = merge_checked(cursor, batch=batch, user=user, status=status, dry_run=dry_run, total=total)
        batch.rows_created, batch.rows_updated, batch.rows_unchanged = counts.created, counts.updated, counts.unchanged
        batch.save(update_fields=["rows_created", "rows_updated", "rows_unchanged"])
        if dry_run:
            # Nothing of a dry run stays but its batch record, which the caller saves again.
            transaction.set_rollback(True)
    return counts


_STAGE_TABLE_SQL = """
CREATE TEMP TABLE import_stage (
    line bigint GENERATED BY DEFAULT AS IDENTITY,
    sheet text, indicator text, org_unit text, period text, value text, comment text,
    value_col text, period_col text, machine boolean
) ON COMMIT DROP
"""

# How long the reader of a first load waits for a lock before the load goes the usual way: it
# reads the catalogue only, which no import locks, so never in practice.
READER_LOCK_TIMEOUT = "10s"


def _check_params(line_offset: int) -> dict[str, Any]:
    return {
        "max_comment": MAX_COMMENT,
        "line_offset": line_offset,
        "decimals": STORED_DECIMALS,
        "machine_number": MACHINE_NUMBER,
        "ambiguous_number": AMBIGUOUS_NUMBER,
        "simple_number": SIMPLE_NUMBER,
        "plain_number": PLAIN_NUMBER,
        "vietnamese_grouped": VIETNAMESE_GROUPED,
        "english_grouped": ENGLISH_GROUPED,
    }


def _load_read_beside(
    cursor: Any, stream: BinaryIO, *, batch: ImportBatch, user: Any, status: str | None
) -> tuple[Counts | None, bool]:
    """A large clean CSV's first load into an empty figures table, its rows staged and checked on
    a second connection while this one writes them (``load_into_empty`` with a reader): on the
    province set the check's 4.2 s and the write's 2.7 s, one after the other alone, overlap.
    Return the counts, or None and whether the load was tried (then a row may break a rule, and
    the file goes the usual way at once); nothing is left of an attempt. The stream is left at
    its start."""
    import psycopg  # noqa: PLC0415

    if not may_hold_a_first_load(cursor, size=_stream_size(stream)):
        return None, False
    layout = csv_layout(stream)
    if layout is None:
        return None, False
    reader = reader_connection()
    if reader is None:
        return None, False
    try:
        side = reader.cursor()
        side.execute(f"SET lock_timeout = '{READER_LOCK_TIMEOUT}'")
        side.execute(_STAGE_TABLE_SQL)
        copied = copy_csv(side, stream, layout)
        if copied is None or not copied[0]:
            return None, False
        side.execute(_PERIODS_SQL)
        counts = _load_into_empty(
            cursor, batch=batch, user=user, status=status, params=_check_params(1), total=copied[1], reader=reader
        )
        return counts, True
    except psycopg.Error:
        return None, False
    finally:
        reader.close()
        stream.seek(0)


def reader_connection() -> Any:
    """A second connection to the figures' database, as Django's is made; None when the server
    refuses one (too many connections): the load then goes on one."""
    import psycopg  # noqa: PLC0415

    try:
        return psycopg.connect(**connection.get_connection_params())
    except psycopg.Error:
        return None


def _stream_size(stream: BinaryIO) -> int:
    size = stream.seek(0, 2)
    stream.seek(0)
    return size


def _load_into_empty(
    cursor: Any,
    *,
    batch: ImportBatch,
    user: Any,
    status: str | None,
    params: dict[str, Any],
    total: int,
    reader: Any = None,
) -> Counts | None:
    """A clean file's first load into an empty figures table, checked and written in one pass
    (``figures.postgres.load_into_empty``); None, with nothing left of the attempt, when it is
    no such load or any row may break a rule: the file is then checked, worded and merged the
    usual way. (An operator's file, not a dry run: a signed-in writer's scope is checked on
    import_checked.)"""
    if not may_load_into_empty(cursor, total=total):
        return None
    batch.status = ImportStatus.COMMITTED
    batch.rows_total = total
    batch.save()
    counts = load_into_empty(
        cursor,
        rows_sql=_PLAIN_ROWS_SQL,
        params=params,
        pairs_sql=_PAIRS_SQL,
        total=total,
        batch=batch,
        user=user,
        status=status,
        reader=reader,
    )
    if counts is not None:
        batch.rows_created, batch.rows_updated, batch.rows_unchanged = counts.created, 0, 0
        batch.save(update_fields=["rows_created", "rows_updated", "rows_unchanged"])
    return counts


def _written(cursor: Any, scope: Scope) -> list[Written]:
    """The file's rows grouped by unit and indicator, for the units ``scope`` may not write (the
    others need no naming): two small queries, whatever the file's size."""
    cursor.execute("SELECT DISTINCT org_unit_id FROM import_checked")
    refused = scope.unwritable_unit_ids([unit for (unit,) in cursor.fetchall()])
    if not refused:
        return []
    cursor.execute(
        "SELECT org_unit_id, indicator_id, (array_agg(line ORDER BY line))[1:%s], count(*) FROM import_checked"
        " WHERE org_unit_id = ANY(%s) GROUP BY org_unit_id, indicator_id",
        [LINES_SHOWN, sorted(refused)],
    )
    return [
        Written(org_unit_id=unit, indicator_id=indicator, lines=tuple(lines), count=count)
        for unit, indicator, lines, count in cursor.fetchall()
    ]


# --- staging ---------------------------------------------------------------------------------


def _stage(cursor: Any, stream: BinaryIO, file_format: str) -> tuple[dict[str, str], int, bool, int]:
    """Fill import_stage; return how the file names each field's column (for messages), how much
    to add to a staged line number to make it the file's, whether the cells are already as
    the Python parser reads them (trimmed, composed, no empty rows), and how many rows it holds."""
    if file_format == ImportFormat.CSV:
        native = _stage_csv_natively(cursor, stream)
        if native is not None:
            # COPY numbers the records from 1; the header is line 1.
            return native[0], 1, native[1], native[2]
        stream.seek(0)
    rows = iter_rows(file_format, stream)
    first = next(rows, None)
    columns = dict(first.columns) if first is not None else {}
    staged = 0
    with raw_cursor(cursor).copy(
        "COPY import_stage (line, sheet, indicator, org_unit, period, value, comment, value_col, period_col, machine)"
        " FROM STDIN"
    ) as copy:
        for row in _chain(first, rows):
            copy.write_row(
                (
                    row.line,
                    row.sheet,
                    row.indicator,
                    row.org_unit,
                    row.period,
                    _value_text(row.value),
                    row.comment,
                    row.columns.get("value") if row.columns.get("value") != columns.get("value") else None,
                    row.columns.get("period") if row.columns.get("period") != columns.get("period") else None,
                    _is_machine(row),
                )
            )
            staged += 1
    # The Python parsers have trimmed and composed every cell and left out empty rows.
    return columns, 0, True, staged


def _chain(first: RawRow | None, rest: Iterator[RawRow]) -> Iterator[RawRow]:
    if first is not None:
        yield first
        yield from rest


def _is_machine(row: RawRow) -> bool:
    """Whether the staged value is a machine's number (DHIS2's text, a spreadsheet's number cell),
    not text as a person writes it."""
    value = row.value
    return row.machine_number or (isinstance(value, int | float | Decimal) and not isinstance(value, bool))


def _value_text(value: Any) -> str:
    """A cell as text that parses to the same number as ``validation.parse_number`` reads the cell."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(excel_number(value)) if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        # Trimmed as parse_number trims (a sheet's text cell is not): these rows skip the SQL trim.
        return value.strip()
    return "" if value is None else str(value)


@dataclass(frozen=True)
class CsvLayout:
    """How PostgreSQL's COPY reads a CSV file as it is: its columns, separator and encoding."""

    names: list[str]
    delimiter: str
    encoding: str


def csv_layout(stream: BinaryIO) -> CsvLayout | None:
    """The layout of a CSV that COPY can read as it is; None when the file needs the Python
    parser (see the module doc). The stream is left at its start."""
    head = stream.read(1 << 16)
    stream.seek(0)
    encoding = text_encoding(head)
    if encoding == "utf-16":
        # PostgreSQL reads no UTF-16: the Python parser decodes it.
        return None
    header_line, skipped = _first_line(open_text(stream))
    stream.seek(0)
    if skipped or not header_line:
        return None
    delimiter = _delimiter(header_line)
    if delimiter not in (",", ";"):
        # Tab-separated: the Python parser reads it (the cleaning test below knows commas and semicolons).
        return None
    names = csv_header_names(next(csv.reader([header_line], delimiter=delimiter)))
    return CsvLayout(names=names, delimiter=delimiter, encoding="UTF8" if encoding == "utf-8-sig" else "WIN1258")


def copy_csv(raw: Any, stream: BinaryIO, layout: CsvLayout) -> tuple[bool, int] | None:
    """COPY the file into import_stage through psycopg's cursor ``raw``; return whether its cells
    are clean (``CleaningScan``) and how many records it holds, or None when the records are not
    the file's lines (a record spans lines, or the file has blank lines: line numbers would be
    off). Raises psycopg's errors for a file COPY cannot read."""
    newlines = 0
    last = b""
    scan = CleaningScan()
    raw.execute(f"SET LOCAL client_encoding = '{layout.encoding}'")
    with raw.copy(
        f"COPY import_stage ({', '.join(layout.names)}) FROM STDIN"
        f" WITH (FORMAT csv, HEADER true, DELIMITER '{layout.delimiter}')"
    ) as copy:
        while chunk := stream.read(COPY_CHUNK):
            newlines += chunk.count(b"\n")
            scan.feed(chunk)
            last = chunk[-1:]
            copy.write(chunk)
    records = raw.rowcount
    raw.execute("SET LOCAL client_encoding = 'UTF8'")
    lines = newlines + (0 if last == b"\n" else 1)
    if records != lines - 1:
        return None
    return scan.clean, records


def _stage_csv_natively(cursor: Any, stream: BinaryIO) -> tuple[dict[str, str], bool, int] | None:
    """COPY our CSV as it is; None when the file needs the Python parser (see the module doc)."""
    # Imported here, not with the module: the services import this module, and a command on
    # SQLite would load psycopg (a tenth of a second) for nothing.
    import psycopg  # noqa: PLC0415

    layout = csv_layout(stream)
    if layout is None:
        return None
    savepoint = transaction.savepoint()
    try:
        copied = copy_csv(raw_cursor(cursor), stream, layout)
    except (psycopg.errors.DataError, psycopg.errors.BadCopyFileFormat, psycopg.errors.CharacterNotInRepertoire):
        transaction.savepoint_rollback(savepoint)
        return None
    transaction.savepoint_commit(savepoint)
    if copied is None:
        cursor.execute("TRUNCATE import_stage")
        cursor.execute("ALTER TABLE import_stage ALTER COLUMN line RESTART")
        return None
    clean, records = copied
    return {name: name for name in layout.names if name in OUR_COLUMNS}, clean, records


# Anything the Python parser would change in a cell — a space or tab at a cell's edge, a line of
# nothing but separators, any non-ASCII byte (to compose, or an exotic space) — makes the SQL
# trim and compose every cell. Most files have none, and skip that work.
_NEEDS_CLEANING = re.compile(rb"[ \t\f\v](?=[,;\r\n])|(?<=[,;\n])[ \t\f\v]|(?:^|\n)[ \t,;]*\r?\n|[\x80-\xff]")
# The same inside a file, after a line's end: a line's start is the newline before it (the
# scan below hands each chunk over with the line it began in, from that newline).
_NEEDS_CLEANING_INSIDE = re.compile(_NEEDS_CLEANING.pattern.replace(rb"(?:^|\n)", rb"\n"))
# What either pattern needs to match: a space of its kind, a non-ASCII byte, or a line beginning
# with a separator or ending at once (at the start of a file, the file beginning so). Without any
# of them, neither can: bytes' own searches tell that in a fortieth of the pattern's time (50 ms
# against 1.9 s over the province set's 44 MB, which the staging COPY waited for).
_SPACES = (b" ", b"\t", b"\f", b"\v")
_LINE_OF_NOTHING = re.compile(rb"\n[,;\r\n]")
# A line this long is not a figure's: the scan stops carrying it and calls the file not clean.
_MAX_CARRIED = 1 << 20


class CleaningScan:
    """Whether a file fed in chunks holds anything ``_NEEDS_CLEANING`` matches, as the pattern
    over the whole file would say: each chunk is searched with the unfinished line before it
    (from its newline), so that no match is lost or made up across a chunk's edge."""

    def __init__(self) -> None:
        self.clean = True
        self._carried = b""
        self._at_start = True

    def feed(self, chunk: bytes) -> None:
        if not self.clean:
            return
        data = self._carried + chunk
        if _could_need_cleaning(data, at_start=self._at_start):
            pattern = _NEEDS_CLEANING if self._at_start else _NEEDS_CLEANING_INSIDE
            if pattern.search(data) is not None:
                self.clean = False
                return
        cut = data.rfind(b"\n")
        if cut >= 0:
            self._carried = data[cut:]
            self._at_start = False
        else:
            self._carried = data
        if len(self._carried) > _MAX_CARRIED:
            self.clean = False


def _could_need_cleaning(data: bytes, *, at_start: bool) -> bool:
    return (
        not data.isascii()
        or (at_start and data[:1] in (b",", b";", b"\r", b"\n"))
        or any(space in data for space in _SPACES)
        or _LINE_OF_NOTHING.search(data) is not None
    )


# --- checking --------------------------------------------------------------------------------

# Every period code a figure may carry, with its type and days: a hash join on this small table
# replaces parsing each of millions of codes with regular expressions.
_PERIODS_SQL = """
CREATE TEMP TABLE import_periods ON COMMIT DROP AS
SELECT to_char(y, 'FM0000') || to_char(m, 'FM00') AS code, 'monthly' AS period_type,
       make_date(y, m, 1) AS period_start, (make_date(y, m, 1) + interval '1 month - 1 day')::date AS period_end
FROM generate_series(1900, 2200) y, generate_series(1, 12) m
UNION ALL
SELECT to_char(y, 'FM0000') || 'Q' || q, 'quarterly', make_date(y, 3 * q - 2, 1),
       (make_date(y, 3 * q - 2, 1) + interval '3 months - 1 day')::date
FROM generate_series(1900, 2200) y, generate_series(1, 4) q
UNION ALL
SELECT to_char(y, 'FM0000') || 'S' || h, 'semiannual', make_date(y, 6 * h - 5, 1),
       (make_date(y, 6 * h - 5, 1) + interval '6 months - 1 day')::date
FROM generate_series(1900, 2200) y, generate_series(1, 2) h
UNION ALL
SELECT to_char(y, 'FM0000'), 'yearly', make_date(y, 1, 1), make_date(y, 12, 31)
FROM generate_series(1900, 2200) y;
ANALYZE import_periods;
"""


@functools.cache
def whitespace() -> str:
    """What Python's str.strip() removes: the SQL must trim exactly as the Python parser does.

    Found when first needed, not at import: looking through every code point takes a tenth of a
    second, which every command would pay at start-up (the services import this module).
    """
    return "".join(c for c in map(chr, range(0x110000)) if c.isspace())


# The cells as the Python parser reads them: trimmed, composed (NFC), all-empty records left out.
# (Each OFFSET 0 keeps the planner from inlining a step and computing it again.)
_CLEANED_CELLS = """(
    SELECT t.line, t.period, t.value, t.machine,
           CASE WHEN octet_length(t.indicator) = char_length(t.indicator) THEN t.indicator
                ELSE normalize(t.indicator, NFC) END AS indicator,
           CASE WHEN octet_length(t.org_unit) = char_length(t.org_unit) THEN t.org_unit
                ELSE normalize(t.org_unit, NFC) END AS org_unit,
           CASE WHEN octet_length(t.comment) = char_length(t.comment) THEN t.comment
                ELSE normalize(t.comment, NFC) END AS comment
    FROM (
        SELECT line + %(line_offset)s AS line,
               btrim(coalesce(indicator, ''), %(ws)s) AS indicator, btrim(coalesce(org_unit, ''), %(ws)s) AS org_unit,
               btrim(coalesce(period, ''), %(ws)s) AS period, btrim(coalesce(value, ''), %(ws)s) AS value,
               btrim(coalesce(comment, ''), %(ws)s) AS comment, coalesce(machine, false) AS machine
        FROM import_stage
        OFFSET 0
    ) t
    WHERE t.indicator <> '' OR t.org_unit <> '' OR t.period <> '' OR t.value <> '' OR t.comment <> ''
    OFFSET 0
)"""

# The same, for cells that already are so (a clean file, or rows from the Python parsers).
_CELLS_AS_THEY_ARE = """(
    SELECT line + %(line_offset)s AS line, coalesce(indicator, '') AS indicator,
           coalesce(org_unit, '') AS org_unit, coalesce(period, '') AS period, coalesce(value, '') AS value,
           coalesce(comment, '') AS comment, coalesce(machine, false) AS machine
    FROM import_stage
    OFFSET 0
)"""

_CHECK_SELECT = f"""
SELECT s.line, i.id AS indicator_id, u.id AS org_unit_id, p.code AS period_code, p.period_start,
       CASE WHEN abs(s.number) < 1e18 THEN s.number END AS number, s.comment,
       -- One clause for each rule of validation.py, named beside it; a clause may mark more rows
       -- than its rule refuses, never fewer (tests/ingest/test_check_sql.py).
       coalesce(
           s.indicator = '' OR i.id IS NULL OR i.aggregation = 'ratio'  -- check_indicator
           OR s.org_unit = '' OR u.id IS NULL  -- check_org_unit, check_unit_in_period
           OR p.code IS NULL OR p.period_type IS DISTINCT FROM i.period_type  -- check_period
           OR s.number IS NULL  -- check_value_reads
           OR abs(s.number) >= 1e18  -- check_value_size
           OR (scale(s.number) > %(decimals)s AND s.number <> round(s.number, %(decimals)s))  -- check_value_decimals
           OR s.number < i.min_value  -- check_minimum
           OR s.number > i.max_value  -- check_maximum
           OR length(s.comment) > %(max_comment)s,  -- check_comment
           false
       ) AS suspect
FROM (
    -- Each cell's number, once per row: a subquery, not a LATERAL one (a nested loop of a
    -- million one-row subqueries took a third of the check's time). The number rules are
    -- validation.parse_number's, by its own patterns; an ambiguous number is no number here
    -- (NULL, so suspect), and check_rows words why. Only a text whose fourth character from
    -- the end is a mark can be ambiguous: that cheap test spares most cells the pattern.
    SELECT c.line, c.indicator, c.org_unit, c.period, c.comment,
           CASE
               WHEN c.machine THEN CASE WHEN c.text ~ %(machine_number)s THEN c.text::numeric END
               WHEN substr(c.text, length(c.text) - 3, 1) IN ('.', ',') AND c.text ~ %(ambiguous_number)s THEN NULL
               WHEN c.text ~ %(simple_number)s THEN c.text::numeric
               WHEN c.text ~ %(plain_number)s THEN replace(c.text, ',', '.')::numeric
               WHEN c.text ~ %(vietnamese_grouped)s THEN replace(replace(c.text, '.', ''), ',', '.')::numeric
               WHEN c.text ~ %(english_grouped)s THEN replace(c.text, ',', '')::numeric
           END AS number
    FROM (
        SELECT cells.line, cells.indicator, cells.org_unit, cells.period, cells.comment, cells.machine,
               replace(replace(cells.value, chr(160), ''), ' ', '') AS text
        FROM {_CLEANED_CELLS} cells
    ) c
    OFFSET 0
) s
LEFT JOIN import_periods p ON p.code = upper(s.period)
LEFT JOIN {Indicator._meta.db_table} i ON i.code = s.indicator
-- The unit the code names in the period (check_unit_in_period, orgunits.selectors.unit_in): units
-- sharing a code have disjoint intervals, so the one valid on the period's first day, else the first
-- that began within it, is the unit overlapping the period whose code's previous unit (if any)
-- ended before the period began. At most one row a line; none when no unit with the code existed.
LEFT JOIN (
    SELECT id, code, valid_from, valid_to,
           lag(valid_to) OVER (PARTITION BY code ORDER BY valid_from NULLS FIRST) AS previous_to
    FROM {OrgUnit._meta.db_table}
) u ON u.code = s.org_unit
   AND (u.valid_from IS NULL OR u.valid_from <= p.period_end)
   AND (u.valid_to IS NULL OR u.valid_to >= p.period_start)
   AND (u.previous_to IS NULL OR u.previous_to < p.period_start)
"""

_CHECK_SQL = f"""
CREATE TEMP TABLE import_checked ON COMMIT DROP AS {_CHECK_SELECT};

-- check_duplicate: every occurrence of a key given twice is suspect; the rule then names the later ones.
UPDATE import_checked c SET suspect = true
FROM (
    SELECT indicator_id, org_unit_id, period_code FROM import_checked
    WHERE indicator_id IS NOT NULL AND org_unit_id IS NOT NULL AND period_code IS NOT NULL
    GROUP BY 1, 2, 3 HAVING count(*) > 1
) twice
WHERE c.indicator_id = twice.indicator_id AND c.org_unit_id = twice.org_unit_id
  AND c.period_code = twice.period_code;
ANALYZE import_checked;
"""

# For cells already as the Python parser reads them: the same check without trimming and composing.
_CHECK_CLEAN_SQL = _CHECK_SQL.replace(_CLEANED_CELLS, _CELLS_AS_THEY_ARE)

# A first load's rows in one pass (figures.postgres.load_into_empty): those of a clean file that
# no rule could refuse, checked as import_checked's are. A key given twice is left to the
# figures' unique key, which cannot then be built again.
_PLAIN_ROWS_SQL = f"""
SELECT c.indicator_id, c.org_unit_id, c.period_code, c.period_start, c.number, c.comment
FROM ({_CHECK_SELECT.replace(_CLEANED_CELLS, _CELLS_AS_THEY_ARE)}) c
WHERE NOT c.suspect
"""

# Every (indicator, unit) the plain rows may name: each pair of codes the file holds, a unit
# code naming each of its units through time (a superset: asking the status policy of a pair
# no row names changes nothing).
_PAIRS_SQL = f"""
SELECT DISTINCT i.id, u.id
FROM (SELECT DISTINCT indicator, org_unit FROM import_stage) s
JOIN {Indicator._meta.db_table} i ON i.code = s.indicator
JOIN {OrgUnit._meta.db_table} u ON u.code = s.org_unit
"""


def _word_suspects(cursor: Any, columns: dict[str, str], *, line_offset: int) -> list[Issue]:
    """Run the Python rules on the suspect rows to find and word the real problems."""
    cursor.execute(
        "SELECT c.line, s.sheet, s.indicator, s.org_unit, s.period, s.value, s.comment, s.value_col, s.period_col,"
        " coalesce(s.machine, false) FROM import_checked c JOIN import_stage s ON s.line + %s = c.line"
        " WHERE c.suspect ORDER BY c.line LIMIT %s",
        [line_offset, MAX_SUSPECTS + 1],
    )
    suspects = cursor.fetchall()
    if not suspects:
        return []
    rows = []
    for line, sheet, indicator, org_unit, period, value, comment, value_col, period_col, machine in suspects[
        :MAX_SUSPECTS
    ]:
        row_columns = dict(columns)
        if value_col:
            row_columns["value"] = value_col
        if period_col:
            row_columns["period"] = period_col
        rows.append(
            RawRow(
                line=int(line),
                sheet=sheet or "",
                indicator=_cell(indicator),
                org_unit=_cell(org_unit),
                period=_cell(period),
                value=_cell(value),
                comment=_cell(comment),
                columns=row_columns,
                machine_number=bool(machine),
            )
        )
    _checked, issues = check_rows(rows)
    if len(suspects) > MAX_SUSPECTS and issues:
        more = scalar(cursor, "SELECT count(*) FROM import_checked WHERE suspect") - MAX_SUSPECTS
        issues.append(Issue(_("… and %(n)d more rows to check; correct the ones above first.") % {"n": more}))
    return issues


# --- merging ---------------------------------------------------------------------------------


def _cell(text: str | None) -> str:
    """A staged cell as the Python parser would have read it."""
    return _nfc((text or "").strip())
