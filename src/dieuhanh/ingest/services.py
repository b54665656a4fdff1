"""Writes of data values: imports of whole files, and single audited edits.

An import is all or nothing: the file is parsed and every row checked first; if
anything is wrong, no value is written and the batch keeps the full error list.
Otherwise every change is written in one transaction together with its history.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.analytics.rollups import managed_write, rollups_refresh
from dieuhanh.indicators.fields import ExactDecimalField
from dieuhanh.indicators.models import Indicator
from dieuhanh.ingest.bulk import RejectedError, import_postgres
from dieuhanh.ingest.models import (
    ChangeAction,
    DataValue,
    DataValueChange,
    DataValueStatus,
    ImportBatch,
    ImportFormat,
    ImportStatus,
)
from dieuhanh.ingest.parsers import Issue, ParseError, RawRow, detect_format, iter_rows
from dieuhanh.ingest.statistics import refresh_figure_statistics
from dieuhanh.ingest.validation import CheckedRow, check_rows
from dieuhanh.orgunits.models import OrgUnit

MAX_STORED_ERRORS = 10_000
WRITE_CHUNK = 2_000


@dataclass
class ImportResult:
    batch: ImportBatch
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def import_file(
    *,
    content: bytes | BinaryIO,
    filename: str,
    user: Any = None,
    dry_run: bool = False,
    channel: str = "cli",
    file_format: str | None = None,
    status: str = DataValueStatus.SUBMITTED,
) -> ImportResult:
    """Parse, check and (unless ``dry_run`` or anything is wrong) store a file of figures.

    ``content`` is the file's bytes, or a binary file open for reading (read as it is
    needed: a national file need not fit in memory on PostgreSQL).
    """
    stream: BinaryIO = io.BytesIO(content) if isinstance(content, bytes) else content
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    size, checksum = _measure(stream)
    batch = ImportBatch(source_name=filename[:255], channel=channel, checksum=checksum, created_by=user)
    if size > settings.DIEUHANH_IMPORT_MAX_BYTES:
        issues = [
            Issue(
                _("The file is larger than %(mb)d MB; split it into smaller files.")
                % {"mb": settings.DIEUHANH_IMPORT_MAX_BYTES // 2**20}
            )
        ]
        return _rejected(batch, file_format or "csv", issues, rows=0)
    try:
        file_format = file_format or detect_format(filename, stream.read(1 << 16))
        stream.seek(0)
        batch.file_format = file_format
        if connection.vendor == "postgresql":
            return _import_postgres(batch, stream, file_format, user=user, dry_run=dry_run, status=status)
        rows = list(iter_rows(file_format, stream))
    except ParseError as exc:
        return _rejected(batch, file_format or ImportFormat.CSV, exc.issues, rows=0)
    if not rows:
        return _rejected(batch, file_format, [Issue(_("The file has no figures in it."))], rows=0)
    checked, issues = check_rows(rows)
    if issues:
        return _rejected(batch, file_format, issues, rows=len(rows))
    batch.rows_total = len(rows)
    return ImportResult(batch=_store(batch, checked, user=user, dry_run=dry_run, status=status))


def _measure(stream: BinaryIO) -> tuple[int, str]:
    """Size and SHA-256 of a stream, read once in blocks; the stream is left at its start."""
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while block := stream.read(1 << 20):
        digest.update(block)
        size += len(block)
    stream.seek(0)
    return size, digest.hexdigest()


def _import_postgres(
    batch: ImportBatch, stream: BinaryIO, file_format: str, *, user: Any, dry_run: bool, status: str
) -> ImportResult:
    try:
        import_postgres(stream=stream, file_format=file_format, batch=batch, user=user, dry_run=dry_run, status=status)
    except RejectedError as exc:
        batch.pk = None
        return _rejected(batch, file_format, exc.issues, rows=exc.rows)
    if dry_run:
        # The dry run's transaction was rolled back, its batch record with it: keep the record.
        batch.pk = None
        batch.save()
    return ImportResult(batch=batch)


def _rejected(batch: ImportBatch, file_format: str, issues: list[Issue], *, rows: int) -> ImportResult:
    batch.file_format = file_format
    batch.status = ImportStatus.FAILED
    batch.rows_total = rows
    batch.errors = [i.as_dict() for i in issues[:MAX_STORED_ERRORS]]
    batch.save()
    return ImportResult(batch=batch, issues=issues)


def data_values_write(
    *,
    rows: list[RawRow],
    source_name: str,
    channel: str,
    user: Any = None,
    dry_run: bool = False,
    status: str = DataValueStatus.SUBMITTED,
) -> ImportResult:
    """Figures a program computed (a collector), checked and stored as an import is, all or nothing,
    with their history and one batch record; no file is written or parsed in between."""
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    batch = ImportBatch(source_name=source_name[:255], channel=channel, file_format=ImportFormat.API, created_by=user)
    checked, issues = check_rows(rows)
    if issues:
        return _rejected(batch, ImportFormat.API, issues, rows=len(rows))
    batch.rows_total = len(rows)
    return ImportResult(batch=_store(batch, checked, user=user, dry_run=dry_run, status=status))


def _store(batch: ImportBatch, rows: list[CheckedRow], *, user: Any, dry_run: bool, status: str) -> ImportBatch:
    with transaction.atomic(), managed_write():
        batch.status = ImportStatus.DRY_RUN if dry_run else ImportStatus.COMMITTED
        batch.save()
        existing = _existing_values(rows, lock=not dry_run)
        now = timezone.now()
        # New figures as plain tuples (indicator, unit, period, start, value, comment): a model
        # instance each would cost a province-sized file gigabytes of memory.
        to_create: list[tuple[int, int, str, Any, Decimal, str]] = []
        to_update: list[DataValue] = []
        changes: list[DataValueChange] = []
        unchanged = 0
        for row in rows:
            current = existing.get((row.indicator_id, row.org_unit_id, row.period.code))
            if current is None:
                to_create.append(
                    (row.indicator_id, row.org_unit_id, row.period.code, row.period.start_date, row.value, row.comment)
                )
            elif current.value != row.value or current.comment != row.comment:
                before = copy.copy(current)
                current.value, current.comment, current.status = row.value, row.comment, status
                current.batch, current.updated_by, current.updated_at = batch, user, now
                to_update.append(current)
                changes.append(_change(before=before, after=current, batch=batch, user=user))
            else:
                unchanged += 1
        batch.rows_created, batch.rows_updated, batch.rows_unchanged = len(to_create), len(to_update), unchanged
        if not dry_run:
            _insert_values(to_create, batch=batch, user=user, status=status, now=now)
            DataValue.objects.bulk_update(
                to_update, ["value", "comment", "status", "batch", "updated_by", "updated_at"], batch_size=WRITE_CHUNK
            )
            DataValueChange.objects.bulk_create(changes, batch_size=WRITE_CHUNK)
            refresh_figure_statistics(changed=len(to_create) + len(to_update))
            # In the same transaction: analytics never sees the figures without their rollups.
            rollups_refresh(
                changed={(i, u, start.year) for i, u, _p, start, _v, _c in to_create}
                | {(v.indicator_id, v.org_unit_id, v.period_start.year) for v in to_update}
            )
        batch.save(update_fields=["rows_created", "rows_updated", "rows_unchanged"])
    return batch


def _insert_values(
    rows: list[tuple[int, int, str, Any, Decimal, str]], *, batch: ImportBatch, user: Any, status: str, now: Any
) -> None:
    """INSERT the new figures, with what bulk_create would write for them, in chunks."""
    if not rows:
        return
    fields = [_concrete(name) for name in _ROW_FIELDS + _CONSTANT_FIELDS]
    constants = {
        "status": status,
        "batch": batch.pk,
        "created_batch": batch.pk,
        "updated_by": user.pk if user is not None else None,
        "created_by": user.pk if user is not None else None,
        "created_at": now,
        "updated_at": now,
    }
    fixed = tuple(_concrete(name).get_db_prep_save(constants[name], connection) for name in _CONSTANT_FIELDS)
    # The two per-row conversions: a checked date as its field would write it, and the figure
    # as the value field writes it exactly (on SQLite an integer, a float or text).
    ops = connection.ops
    adapt_date = ops.adapt_datefield_value
    prepare_value = cast(ExactDecimalField, _concrete("value")).checked_writer(connection)
    quote = ops.quote_name
    # Every name is the model's own, quoted.
    sql = f"INSERT INTO {quote(DataValue._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608, E501
    with connection.cursor() as cursor:
        for first in range(0, len(rows), WRITE_CHUNK * 10):
            cursor.executemany(
                sql,
                [
                    (
                        indicator_id,
                        org_unit_id,
                        period,
                        adapt_date(start),
                        prepare_value(value),
                        comment,
                        *fixed,
                    )
                    for indicator_id, org_unit_id, period, start, value, comment in rows[
                        first : first + WRITE_CHUNK * 10
                    ]
                ],
            )


def _concrete(name: str) -> Field[Any, Any]:
    return cast(Field[Any, Any], DataValue._meta.get_field(name))


_ROW_FIELDS = ("indicator", "org_unit", "period", "period_start", "value", "comment")
_CONSTANT_FIELDS = ("status", "batch", "created_batch", "updated_by", "created_by", "created_at", "updated_at")


def _change(*, before: DataValue, after: DataValue | None, batch: ImportBatch | None, user: Any) -> DataValueChange:
    """One line of history: an update, or a deletion (no ``after``). Creations are recorded on the value."""
    return DataValueChange(
        indicator_id=before.indicator_id,
        org_unit_id=before.org_unit_id,
        period=before.period,
        action=ChangeAction.DELETE if after is None else ChangeAction.UPDATE,
        old_value=before.value,
        new_value=after.value if after else None,
        old_comment=before.comment,
        new_comment=after.comment if after else "",
        old_status=before.status,
        new_status=after.status if after else "",
        batch=batch,
        changed_by=user,
    )


def _existing_values(rows: Iterable[CheckedRow], *, lock: bool) -> dict[tuple[int, int, str], DataValue]:
    """The stored values the rows would touch, fetched per indicator in a few queries."""
    wanted: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for row in rows:
        wanted[row.indicator_id].add((row.org_unit_id, row.period.code))
    found: dict[tuple[int, int, str], DataValue] = {}
    for indicator_id, keys in wanted.items():
        units = sorted({u for u, _p in keys})
        periods = sorted({p for _u, p in keys})
        for start in range(0, len(units), 500):
            qs = DataValue.objects.filter(
                indicator_id=indicator_id, org_unit_id__in=units[start : start + 500], period__in=periods
            )
            if lock:
                # Two imports touching the same figures must not interleave their read-modify-write.
                qs = qs.select_for_update()
            for value in qs:
                if (value.org_unit_id, value.period) in keys:
                    found[(indicator_id, value.org_unit_id, value.period)] = value
    return found


def data_value_set(
    *,
    indicator: Indicator,
    org_unit: OrgUnit,
    period: str,
    value: Decimal,
    comment: str = "",
    status: str = DataValueStatus.SUBMITTED,
    user: Any = None,
) -> DataValue:
    """Create or change one value (API, forms), through the same checks and audit as an import."""
    checked, issues = check_rows(
        [RawRow(line=1, indicator=indicator.code, org_unit=org_unit.code, period=period, value=value, comment=comment)]
    )
    if issues:
        raise DataValueError(issues)
    row = checked[0]
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    with transaction.atomic(), managed_write():
        current = (
            DataValue.objects.select_for_update()
            .filter(indicator=indicator, org_unit=org_unit, period=row.period.code)
            .first()
        )
        if current is None:
            current = DataValue.objects.create(
                indicator=indicator,
                org_unit=org_unit,
                period=row.period.code,
                period_start=row.period.start_date,
                value=row.value,
                comment=comment,
                status=status,
                updated_by=user,
                created_by=user,
            )
        elif (current.value, current.comment, current.status) != (row.value, comment, status):
            before = copy.copy(current)
            current.value, current.comment, current.status, current.updated_by = row.value, comment, status, user
            current.save()
            _change(before=before, after=current, batch=None, user=user).save()
        rollups_refresh(changed={(indicator.pk, org_unit.pk, row.period.year)})
    return current


def data_value_delete(*, data_value: DataValue, user: Any = None) -> None:
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    with transaction.atomic(), managed_write():
        _change(before=data_value, after=None, batch=None, user=user).save()
        data_value.delete()
        rollups_refresh(changed={(data_value.indicator_id, data_value.org_unit_id, data_value.period_start.year)})


class DataValueError(ValueError):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


def issues_as_csv(errors: list[dict[str, Any]]) -> bytes:
    """The error report an operator sends back to the reporter (UTF-8 with BOM, so Excel reads it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Line"), _("Sheet"), _("Column"), _("Value"), _("Problem")])
    for error in errors:
        writer.writerow(
            [
                error.get("line") or "",
                error.get("sheet") or "",
                error.get("column") or "",
                error.get("value") or "",
                error["message"],
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def issue_text(error: dict[str, Any] | Issue) -> str:
    """One line of the error list: "Dòng 5, cột period: …"."""
    data = error.as_dict() if isinstance(error, Issue) else error
    where = []
    if data.get("sheet"):
        where.append(_("sheet %(sheet)s") % {"sheet": data["sheet"]})
    if data.get("line"):
        where.append(_("line %(line)s") % {"line": data["line"]})
    if data.get("column"):
        where.append(_("column %(column)s") % {"column": data["column"]})
    prefix = ", ".join(where)
    if prefix:
        prefix = prefix[0].upper() + prefix[1:] + ": "
    return prefix + str(data["message"])
