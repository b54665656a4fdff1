"""``dieuhanh report``: write the socio-economic report of a unit and period, or run the monthly schedule.

dieuhanh report --org-unit 74 --period 2023S1 --format docx --output bao-cao.docx
dieuhanh report --org-unit 74 --period 2023S1 --format docx,pdf --output bao-cao.docx   (and bao-cao.pdf)
dieuhanh report --scheduled [--org-unit 74] [--format docx,pdf] [--force]
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.commands import DieuhanhCommand
from dieuhanh.indicators.periods import PeriodError
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import UnitLookupError, units_at
from dieuhanh.reports.choices import ReportFormat
from dieuhanh.reports.phrasing import ReportWordingError, wording_load
from dieuhanh.reports.services import (
    ReportError,
    file_write_atomic,
    report_make,
    report_render,
    reports_run_scheduled,
)

DEFAULT_SCHEDULED_FORMATS = "docx,pdf"


def seconds_text(seconds: float) -> str:
    """Seconds in the active language's format (2,54 in Vietnamese)."""
    return number_format(round(seconds, 2), decimal_pos=2)


def parse_formats(value: str) -> list[str]:
    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in ReportFormat.values]
    if unknown or not formats:
        raise CommandError(
            _("Unknown report format '%(format)s': choose docx, pdf or html.") % {"format": ",".join(unknown) or value}
        )
    return formats


def outputs_for(output: str, formats: list[str]) -> dict[str, Path]:
    """One file per format: the given name, with its suffix replaced for each further format."""
    path = Path(output)
    if len(formats) == 1:
        return {formats[0]: path}
    return {f: path.with_suffix(f".{f}") for f in formats}


class Command(DieuhanhCommand):
    help = gettext_lazy(
        "Write the socio-economic report of a unit and period (DOCX, PDF, HTML), or run the monthly schedule."
    )
    # A data command: the system checks (which import every URL and view, a second or two) run
    # with `dieuhanh init`, `dieuhanh check` and the server, not before every import or query.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--org-unit",
            action="append",
            default=[],
            metavar=_("CODE"),
            help=_("Unit code (the province: 74)."),
        )
        parser.add_argument(
            "--period",
            metavar=_("PERIOD"),
            help=_(
                "The period: 2023S1 (six months), 2023Q2 (a quarter), 202306 (a month), 202309YTD (nine months) "
                "or 2023 (a year)."
            ),
        )
        parser.add_argument(
            "--format",
            default="",
            metavar=_("FORMAT"),
            help=_("docx, pdf or html; several separated by commas."),
        )
        parser.add_argument(
            "--output",
            metavar=_("FILE"),
            help=_("The file to write; for several formats, its suffix is replaced."),
        )
        parser.add_argument(
            "--wording",
            metavar=_("FOLDER"),
            help=_("A folder of wording templates (default: DIEUHANH_REPORT_WORDING_DIR)."),
        )
        parser.add_argument(
            "--scheduled",
            action="store_true",
            help=_("The monthly run: last month's report (and the quarter, half or year ending with it), kept."),
        )
        parser.add_argument("--force", action="store_true", help=_("With --scheduled: make again what was made."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["scheduled"]:
                self.scheduled(options)
            else:
                self.one(options)
        except (ReportWordingError, ReportError) as exc:
            raise CommandError(str(exc)) from exc

    def units(self, codes: list[str], *, on: dt.date, since: dt.date | None = None) -> list[OrgUnit]:
        """The units the codes name on ``on`` (a period's last day; ``since`` its first, for a unit
        that ended within it); each one whose code another unit shares is said which it is."""
        try:
            found = units_at(codes, on=on, since=since)
        except UnitLookupError as exc:
            if exc.known:
                raise CommandError(str(exc)) from exc
            raise CommandError(_("Unknown org unit '%(code)s'.") % {"code": exc.code}) from exc
        for unit in found.values():
            if unit.code_shared:
                self.stdout.write(_("Unit %(code)s: %(unit)s.") % {"code": unit.code, "unit": unit.label()})
        return [found[c] for c in codes]

    def one(self, options: dict[str, Any]) -> None:
        if len(options["org_unit"]) != 1 or not options["period"] or not options["output"]:
            raise CommandError(
                _("Give one --org-unit, a --period and an --output file (or --scheduled for the monthly run).")
            )
        try:
            period = ReportPeriod.parse(options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        (unit,) = self.units(options["org_unit"], on=period.end_date, since=period.start_date)
        formats = parse_formats(options["format"] or Path(options["output"]).suffix.lstrip(".") or "docx")
        wording = wording_load(directory=Path(options["wording"]) if options["wording"] else None)
        started = time.perf_counter()
        report = report_make(org_unit=unit, period=period, wording=wording)
        built = time.perf_counter() - started
        self.stdout.write(_("Report built in %(seconds)s s.") % {"seconds": seconds_text(built)})
        # Render every format before writing any: a failure leaves no file behind.
        rendered = []
        for file_format, path in outputs_for(options["output"], formats).items():
            began = time.perf_counter()
            rendered.append((path, report_render(report=report, file_format=file_format)))
            seconds = time.perf_counter() - began
            self.stdout.write(
                _("%(format)s rendered in %(seconds)s s.")
                % {"format": file_format.upper(), "seconds": seconds_text(seconds)}
            )
        for path, content in rendered:
            file_write_atomic(path=path, content=content)
            self.stdout.write(
                _("Written: %(path)s (%(size)s bytes).")
                % {"path": path, "size": number_format(len(content), force_grouping=True)}
            )
        self.stdout.write(_("Total: %(seconds)s s.") % {"seconds": seconds_text(time.perf_counter() - started)})

    def scheduled(self, options: dict[str, Any]) -> None:
        if options["org_unit"]:
            units = self.units(options["org_unit"], on=timezone.localdate())
        else:
            # By default the provinces at the top of the tree: the units that issue the report.
            units = list(
                OrgUnit.objects.filter(parent=None, kind=OrgUnitKind.PROVINCE)
                .valid_on(timezone.localdate())
                .order_by("sort_order", "code")
            )
        formats = parse_formats(options["format"] or DEFAULT_SCHEDULED_FORMATS)
        if options["wording"]:
            raise CommandError(_("The scheduled run uses DIEUHANH_REPORT_WORDING_DIR; --wording is for one report."))
        run = reports_run_scheduled(
            org_units=units, today=timezone.localdate(), formats=formats, force=options["force"]
        )
        for unit, period, file_format in run.skipped:
            self.stdout.write(
                _("Already made: %(unit)s %(period)s %(format)s.")
                % {"unit": unit, "period": period, "format": file_format}
            )
        for made in run.made:
            record = made.record
            self.stdout.write(
                _("Made: %(unit)s %(period)s %(format)s in %(seconds)s s → %(file)s")
                % {
                    "unit": record.org_unit.code,
                    "period": record.period,
                    "format": record.file_format,
                    "seconds": seconds_text(made.seconds),
                    "file": record.file.name,
                }
            )
