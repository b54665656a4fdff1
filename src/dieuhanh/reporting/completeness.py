"""Completeness and timeliness of reporting per unit and month, stored as indicator values:
rankings, maps, dashboards and the report's annex read them as they read any figure.

For a unit and a month, over the reports of the periods that end in that month (a monthly report
of October, the quarterly report of Q3 in September) whose due date has passed, of the unit and
of every unit below it in the tree:

- REP_EXPECTED: how many were due; REP_SUBMITTED: how many arrived (on time or late);
  REP_ONTIME: how many arrived by their due date;
- REP_COMPLETE = 100 × REP_SUBMITTED / REP_EXPECTED and REP_TIMELY = 100 × REP_ONTIME /
  REP_EXPECTED are computed by analytics (ratios), so a quarter or a year adds up its months.

A report not yet due is not counted: a month's figures grow to their final value as its due
dates pass (the daily ``dieuhanh reporting remind`` refreshes them). Only new or changed figures
are written, through the audited figures service, like the directive scorecards.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from dieuhanh.accounts.selectors import acting_user
from dieuhanh.figures.choices import ImportFormat
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.services import FigureRow, figures_write
from dieuhanh.indicators.metadata import MetadataLoadResult, metadata_load
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.choices import ObligationState
from dieuhanh.reporting.models import DataSet
from dieuhanh.reporting.selectors import data_sets, obligations

INDICATORS_FILE = Path(__file__).with_name("indicators.yaml")
CHANNEL = "reporting"

EXPECTED, SUBMITTED, ON_TIME = "REP_EXPECTED", "REP_SUBMITTED", "REP_ONTIME"
COMPLETE, TIMELY = "REP_COMPLETE", "REP_TIMELY"
STORED = (EXPECTED, SUBMITTED, ON_TIME)

Counts = dict[str, int]


def reporting_indicators_ensure(*, reload: bool = True) -> MetadataLoadResult | None:
    """Load the reporting indicators into the catalogue (nothing changes once they are there).
    Without ``reload``, only when one is missing (one query)."""
    codes = (*STORED, COMPLETE, TIMELY)
    if not reload and Indicator.objects.filter(code__in=codes).count() == len(codes):
        return None
    return metadata_load(document=yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8")))


def reporting_months(*, until: Period | None, today: dt.date) -> list[Period]:
    """The months to write: from January of the first data set's start (its ``valid_from``, else
    the year it was created) to ``until`` (a month, quarter or year: its last month), by default
    the last month that has ended; never past the month before today's."""
    starts = [d.valid_from or d.created_at.date() for d in DataSet.objects.only("valid_from", "created_at")]
    if not starts:
        return []
    first = min(starts).replace(month=1, day=1)
    last = Period.containing(today, PeriodType.MONTHLY)
    last = Period.from_ordinal(PeriodType.MONTHLY, last.ordinal - 1)
    if until is not None:
        last = min(last, Period.containing(until.end_date, PeriodType.MONTHLY))
    return Period.months_between(first, last.end_date) if last.end_date >= first else []


def _ancestor_ids(unit: OrgUnit) -> list[int]:
    """The unit and the units above it in the tree (its materialised path)."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return ids or [unit.pk]


def reporting_figures_compute(*, months: list[Period], today: dt.date) -> dict[tuple[int, str], Counts]:
    """{(unit id, month code): {REP_EXPECTED, REP_SUBMITTED, REP_ONTIME}} for every unit that is,
    or is above, a unit with a report of those months; three queries a data set."""
    if not months:
        return {}
    codes = {m.code for m in months}
    out: dict[tuple[int, str], Counts] = defaultdict(lambda: dict.fromkeys(STORED, 0))
    for data_set in data_sets():
        periods = data_set.periods_ending_between(months[0].start_date, months[-1].end_date)
        for item in obligations(data_set=data_set, periods=periods, on=today):
            month = Period.containing(item.period.end_date, PeriodType.MONTHLY).code
            if month not in codes:
                continue
            for unit_id in _ancestor_ids(item.org_unit):
                counts = out[(unit_id, month)]
                if item.state == ObligationState.NOT_DUE:
                    continue
                counts[EXPECTED] += 1
                if item.state in (ObligationState.ON_TIME, ObligationState.LATE):
                    counts[SUBMITTED] += 1
                if item.state == ObligationState.ON_TIME:
                    counts[ON_TIME] += 1
    return dict(out)


class ReportingFiguresError(RuntimeError):
    """The figures could not be written; ``messages`` say why (in the user's language)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class ReportingFiguresResult:
    """``rows`` figures computed; ``unchanged`` of them already stored as they are; ``batch`` is
    the write of the others (None when there were none)."""

    months: list[Period]
    rows: int
    unchanged: int
    batch: ImportBatch | None


def reporting_figures_collect(
    *, today: dt.date, until: Period | None = None, user: Any = None, dry_run: bool = False
) -> ReportingFiguresResult:
    """Compute the reporting figures of every month to ``until`` and store what changed.

    A unit gets a figure for every month it existed in, zeros included, from the first month
    with any report of it or below it: a month left out would read as not reported. Idempotent:
    when nothing changed, nothing is written (no import batch either)."""
    with transaction.atomic():
        reporting_indicators_ensure(reload=True)
        months = reporting_months(until=until, today=today)
        if not months:
            return ReportingFiguresResult(months, 0, 0, None)
        # One refresh at a time, each seeing the others' (as the scorecards).
        list(Indicator.objects.select_for_update().filter(code=EXPECTED).values_list("pk", flat=True))
        computed = reporting_figures_compute(months=months, today=today)
        codes = [m.code for m in months]
        stored = {
            (u, p, i): v
            for u, p, i, v in DataValue.objects.filter(indicator__code__in=STORED, period__in=codes).values_list(
                "org_unit_id", "period", "indicator__code", "value"
            )
        }
        unit_ids = {u for u, _p in computed} | {u for u, _p, _i in stored}
        units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit_ids).only("id", "code", "valid_from", "valid_to")}
        first_month: dict[int, int] = {}
        for unit_id, code in [*computed, *((u, p) for u, p, _i in stored)]:
            first_month[unit_id] = min(first_month.get(unit_id, len(codes)), codes.index(code))
        indicators = {i.code: i.pk for i in Indicator.objects.filter(code__in=STORED)}
        rows: list[FigureRow] = []
        total = unchanged = 0
        for unit_id in sorted(units, key=lambda pk: units[pk].code):
            unit = units[unit_id]
            for month in months[first_month[unit_id] :]:
                if not unit.is_valid_between(month.start_date, month.end_date):
                    continue
                counts = computed.get((unit_id, month.code), dict.fromkeys(STORED, 0))
                for code in STORED:
                    total += 1
                    if stored.get((unit_id, month.code, code)) == counts[code]:
                        unchanged += 1
                        continue
                    rows.append(FigureRow(indicators[code], unit_id, month, Decimal(counts[code])))
        if not rows:
            return ReportingFiguresResult(months, total, unchanged, None)
        name = f"bao-cao-{months[0].code}-{months[-1].code}"
        batch = ImportBatch(
            source_name=name, channel=CHANNEL, file_format=ImportFormat.API, created_by=acting_user(user)
        )
        figures_write(rows, batch=batch, user=user, dry_run=dry_run)
        return ReportingFiguresResult(months, total, unchanged, batch)
