"""Figures from files and forms: imports of whole files, and single audited edits.

An import is all or nothing: the file is parsed and every row checked first; if
anything is wrong, no value is written and the batch keeps the full error list.
Otherwise the checked rows go to the figures service (``dieuhanh.figures.services``),
which writes every change in one transaction together with its history.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django.conf import settings
from django.db import OperationalError, connection
from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import Scope, acting_user, scope_of
from dieuhanh.figures.choices import DataValueStatus, ImportFormat, ImportStatus
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.services import FigureLockedError, figure_delete, figure_set, figures_write
from dieuhanh.indicators.models import Indicator
from dieuhanh.ingest.bulk import RejectedError, import_postgres
from dieuhanh.ingest.parsers import Issue, ParseError, RawRow, detect_format, iter_rows
from dieuhanh.ingest.scoping import out_of_scope, written_by_rows
from dieuhanh.ingest.validation import check_rows
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import unit_history
from dieuhanh.spreadsheets import csv_row

MAX_STORED_ERRORS = 10_000


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
    status: str | None = None,
) -> ImportResult:
    """Parse, check and (unless ``dry_run`` or anything is wrong) store a file of figures.

    ``status`` None (the default) lets the status policy decide each figure's status (submitted
    where a data set asks for approval, approved elsewhere: docs/calendar.md); an explicit status
    is kept, but only an administrator (or a command with no user) may import figures as approved.
    A file touching a figure of an approved report is refused whole, with the report named.

    ``content`` is the file's bytes, or a binary file open for reading (read as it is
    needed: a national file need not fit in memory on PostgreSQL). Raises ImportBusyError when
    another import held the (SQLite) database for longer than this one waits. A signed-in ``user`` writes
    only the units of their scope: a file with any other is refused whole. Without a user (a
    command on the server), the file is the operator's and every unit may be written.
    """
    try:
        return _import_file(
            content=content,
            filename=filename,
            user=user,
            dry_run=dry_run,
            channel=channel,
            file_format=file_format,
            status=status,
        )
    except OperationalError as exc:
        # SQLite has one writer at a time: a second import waits for the first (the settings'
        # busy timeout), then gives up. Nothing of it was written, and not even its batch can be.
        if connection.vendor != "sqlite" or "locked" not in str(exc):
            raise
        raise ImportBusyError(
            _(
                "Another import is being written to the database and this one could not wait longer for it; "
                "nothing was written. Import the file again when the other one has finished."
            )
        ) from exc


class ImportBusyError(Exception):
    """The database was busy with another import for longer than an import waits (SQLite)."""


def _import_file(
    *,
    content: bytes | BinaryIO,
    filename: str,
    user: Any,
    dry_run: bool,
    channel: str,
    file_format: str | None,
    status: str | None,
) -> ImportResult:
    stream: BinaryIO = io.BytesIO(content) if isinstance(content, bytes) else content
    user = acting_user(user)
    scope = scope_of(user) if user is not None else None
    size, checksum = _measure(stream)
    batch = ImportBatch(source_name=filename[:255], channel=channel, checksum=checksum, created_by=user)
    if status == DataValueStatus.APPROVED and scope is not None and not scope.everything:
        return _rejected(batch, file_format or "csv", [Issue(str(ApprovalRefusedError()))], rows=0)
    if size > settings.DIEUHANH_IMPORT_MAX_BYTES:
        return _rejected(batch, file_format or "csv", [Issue(too_large_message())], rows=0)
    try:
        file_format = file_format or detect_format(filename, stream.read(1 << 16))
        stream.seek(0)
        batch.file_format = file_format
        if connection.vendor == "postgresql":
            return _import_postgres(batch, stream, file_format, user=user, scope=scope, dry_run=dry_run, status=status)
        rows = list(iter_rows(file_format, stream))
    except ParseError as exc:
        return _rejected(batch, file_format or ImportFormat.CSV, exc.issues, rows=0)
    if not rows:
        return _rejected(batch, file_format, [Issue(_("The file has no figures in it."))], rows=0)
    checked, issues = check_rows(rows)
    if not issues and scope is not None:
        issues = out_of_scope(scope, written_by_rows(checked))
    if issues:
        return _rejected(batch, file_format, issues, rows=len(rows))
    batch.rows_total = len(rows)
    try:
        return ImportResult(batch=figures_write(checked, batch=batch, user=user, dry_run=dry_run, status=status))
    except FigureLockedError as exc:
        # The write was rolled back, the batch's first save with it: record it anew as refused.
        batch.pk = None
        return _rejected(batch, file_format, [Issue(str(exc))], rows=len(rows))


def too_large_message() -> str:
    """Why a file over the import size limit (``DIEUHANH_IMPORT_MAX_BYTES``) is refused, in the
    user's language: every import (figures, the register) and every way in (page, API, command)."""
    return _("The file is larger than %(mb)d MB; split it into smaller files.") % {
        "mb": settings.DIEUHANH_IMPORT_MAX_BYTES // 2**20
    }


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
    batch: ImportBatch,
    stream: BinaryIO,
    file_format: str,
    *,
    user: Any,
    scope: Scope | None,
    dry_run: bool,
    status: str | None,
) -> ImportResult:
    try:
        import_postgres(
            stream=stream,
            file_format=file_format,
            batch=batch,
            user=user,
            scope=scope,
            dry_run=dry_run,
            status=status,
        )
    except RejectedError as exc:
        batch.pk = None
        return _rejected(batch, file_format, exc.issues, rows=exc.rows)
    except FigureLockedError as exc:
        batch.pk = None
        return _rejected(batch, file_format, [Issue(str(exc))], rows=batch.rows_total)
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


def data_value_set(
    *,
    indicator: Indicator,
    org_unit: OrgUnit,
    period: str,
    value: Decimal,
    comment: str = "",
    status: str | None = None,
    user: Any = None,
) -> DataValue:
    """Create or change one value (API, forms), through the same checks and audit as an import;
    a signed-in ``user`` only in their scope (``OutOfScopeError``). ``status`` None: the status
    policy decides; approved only by an administrator (``ApprovalRefusedError``); a figure of an
    approved report is refused (``FigureLockedError``)."""
    _require_scope(user, indicator=indicator, org_unit=org_unit, period=period)
    _require_approval_right(user, status)
    checked, issues = check_rows(
        [RawRow(line=1, indicator=indicator.code, org_unit=org_unit.code, period=period, value=value, comment=comment)]
    )
    if issues:
        raise DataValueError(issues)
    row = checked[0]
    if row.org_unit_id != org_unit.pk:
        # The code names another unit in this period (a code reused after a re-organisation).
        raise DataValueError(
            [
                Issue(
                    _("Unit '%(code)s' did not exist in %(period)s: %(units)s.")
                    % {"code": org_unit.code, "period": row.period.code, "units": "; ".join(unit_history([org_unit]))},
                    line=1,
                    column="org_unit",
                )
            ]
        )
    return figure_set(
        indicator=indicator,
        org_unit=org_unit,
        period=row.period,
        value=row.value,
        comment=comment,
        status=status,
        user=user,
    )


def data_value_delete(*, data_value: DataValue, user: Any = None) -> None:
    _require_scope(user, indicator=data_value.indicator, org_unit=data_value.org_unit, period=data_value.period)
    figure_delete(data_value=data_value, user=user)


class DataValueError(ValueError):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


class OutOfScopeError(DataValueError):
    """The figure is outside what the user may write."""


class ApprovalRefusedError(PermissionError):
    """A writer who may not approve asked to write figures as approved."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Figures cannot be written as approved: the level above approves a unit's report on the "
                "Approvals page. Leave the status out (it is decided by the data sets) or write draft or submitted."
            )
        )


def _require_approval_right(user: Any, status: str | None) -> None:
    user = acting_user(user)
    if status == DataValueStatus.APPROVED and user is not None and not scope_of(user).everything:
        raise ApprovalRefusedError


def _require_scope(user: Any, *, indicator: Indicator, org_unit: OrgUnit, period: str) -> None:
    user = acting_user(user)
    if user is None or scope_of(user).may_write(unit=org_unit, indicator=indicator, period=period):
        return
    raise OutOfScopeError(
        [
            Issue(
                _(
                    "You may not write figures of %(unit)s for indicator %(indicator)s: it is outside the "
                    "units your account reports for."
                )
                % {"unit": org_unit.label(), "indicator": indicator.code},
                line=1,
                column="org_unit",
                value=org_unit.code,
            )
        ]
    )


def issues_as_csv(errors: list[dict[str, Any]]) -> bytes:
    """The error report an operator sends back to the reporter (UTF-8 with BOM, so Excel reads it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Line"), _("Sheet"), _("Column"), _("Value"), _("Problem")])
    for error in errors:
        # The file's own cells come back here: one that reads as a formula is made text.
        writer.writerow(
            csv_row(
                [
                    error.get("line") or "",
                    error.get("sheet") or "",
                    error.get("column") or "",
                    error.get("value") or "",
                    error["message"],
                ]
            )
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
