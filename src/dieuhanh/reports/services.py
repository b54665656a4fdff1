"""Writing reports: build, render, write all or nothing, and keep what was made."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import acting_user
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reports.choices import ReportFormat
from dieuhanh.reports.content import report_build
from dieuhanh.reports.document import Report
from dieuhanh.reports.models import GeneratedReport
from dieuhanh.reports.phrasing import Wording, wording_load
from dieuhanh.reports.render.docx import render_docx
from dieuhanh.reports.render.html import render_html
from dieuhanh.reports.render.pdf import render_pdf
from dieuhanh.reports.selectors import scheduled_done, scheduled_periods

RENDERERS: dict[str, Callable[[Report], bytes]] = {
    ReportFormat.DOCX: render_docx,
    ReportFormat.PDF: render_pdf,
    ReportFormat.HTML: lambda report: render_html(report).encode("utf-8"),
}


class ReportError(Exception):
    """A report that cannot be made as asked; the message says why, in the user's language."""


def report_render(*, report: Report, file_format: str) -> bytes:
    renderer = RENDERERS.get(file_format)
    if renderer is None:
        raise ReportError(_("Unknown report format '%(format)s': choose docx, pdf or html.") % {"format": file_format})
    return renderer(report)


def report_make(
    *, org_unit: OrgUnit, period: ReportPeriod, wording: Wording | None = None, issued_on: dt.date | None = None
) -> Report:
    """Build a report (nothing written). Raises ``ReportWordingError`` for a template that cannot be used."""
    return report_build(
        org_unit=org_unit,
        report=period,
        wording=wording if wording is not None else wording_load(),
        issued_on=issued_on or timezone.localdate(),
    )


def file_write_atomic(*, path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` whole or not at all: into a temporary file beside it, then
    renamed over it, so that a reader (or an office's shared folder) never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def file_name(*, org_unit: OrgUnit, period: ReportPeriod, file_format: str) -> str:
    return f"bao-cao-kt-xh-{org_unit.code}-{period.code}.{file_format}"


def _file_store(*, record: GeneratedReport, name: str, content: bytes) -> str:
    """Store a report's file under the field's folder, whole or not at all, and return its name.

    The storage's own ``save`` writes in place; written atomically, a reader of the reports
    folder never finds half a file, even if the machine stops mid-write.
    """
    field = GeneratedReport._meta.get_field("file")
    storage = record.file.storage
    stored = storage.get_available_name(field.generate_filename(record, name))
    file_write_atomic(path=Path(storage.path(stored)), content=content)
    return str(stored)


@dataclass(frozen=True)
class Made:
    """A report written: its record, and how long building and rendering took."""

    record: GeneratedReport
    seconds: float


def report_generate(
    *,
    org_unit: OrgUnit,
    period: ReportPeriod,
    formats: Sequence[str],
    trigger: str,
    user: Any = None,
    wording: Wording | None = None,
) -> list[Made]:
    """Build the report once, render it in each format and keep each file with its record.

    Everything is rendered before anything is stored: a wording error or a renderer failure
    leaves neither a file nor a record.
    """
    started = time.perf_counter()
    report = report_make(org_unit=org_unit, period=period, wording=wording)
    built = time.perf_counter() - started
    rendered: list[tuple[str, bytes, float]] = []
    for file_format in formats:
        began = time.perf_counter()
        content = report_render(report=report, file_format=file_format)
        rendered.append((file_format, content, built + time.perf_counter() - began))
    made: list[Made] = []
    with transaction.atomic():
        for file_format, content, seconds in rendered:
            record = GeneratedReport(
                org_unit=org_unit,
                period=period.code,
                file_format=file_format,
                trigger=trigger,
                created_by=acting_user(user),
                size=len(content),
                seconds=Decimal(f"{seconds:.2f}"),
            )
            record.file.name = _file_store(
                record=record,
                name=file_name(org_unit=org_unit, period=period, file_format=file_format),
                content=content,
            )
            record.save()
            made.append(Made(record=record, seconds=seconds))
    return made


@dataclass(frozen=True)
class ScheduledRun:
    """What a scheduled run made, and what it found already made."""

    made: list[Made]
    skipped: list[tuple[str, str, str]]  # (unit, period, format) made by an earlier run


def reports_run_scheduled(
    *, org_units: Sequence[OrgUnit], today: dt.date, formats: Sequence[str], force: bool = False
) -> ScheduledRun:
    """The monthly run: for each unit, the month that ended and the longer periods ending with it.

    Reports an earlier scheduled run made are not made again (a cron job that runs twice, or
    is caught up, makes each once) unless ``force``.
    """
    periods = scheduled_periods(today=today)
    made: list[Made] = []
    skipped: list[tuple[str, str, str]] = []
    wording = wording_load()
    for unit in org_units:
        done = set() if force else scheduled_done(org_unit=unit, periods=periods, formats=formats)
        for period in periods:
            wanted = [f for f in formats if (period.code, f) not in done]
            skipped.extend((unit.code, period.code, f) for f in formats if (period.code, f) in done)
            if wanted:
                made.extend(
                    report_generate(
                        org_unit=unit,
                        period=period,
                        formats=wanted,
                        trigger=GeneratedReport.Trigger.SCHEDULED,
                        wording=wording,
                    )
                )
    return ScheduledRun(made=made, skipped=skipped)
