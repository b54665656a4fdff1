"""The demo's reporting calendar: its data sets (``data/demo/data-sets.yaml``), the dates the sample's
figures were sent, and the reporting figures that follow.

``dieuhanh demo`` calls ``reporting_demo_load`` after the figures and the directives. The sample's
figures are written in one batch at load time, so on their own every report would look sent today;
this gives each unit's report of each period a plausible day instead (most a few days before the
due date, some after it, a few communes often late), from a hash of the seed, the unit and the
period, so every load gives the same days. Those dates are the figures' ``created_at``, the time
the calendar reads a report's arrival from; no value changes. A few communes' reports of the last
two months that are due are left unsent: one of their figures stays a draft (entered, never
submitted). All of it is illustrative sample data. Loading again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from dieuhanh.demo.generate import DEFAULT_SEED
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.figures.services import figure_set
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.completeness import ReportingFiguresResult, reporting_figures_collect
from dieuhanh.reporting.loader import FILE_KEY, data_sets_load
from dieuhanh.reporting.models import DataSet
from dieuhanh.reporting.selectors import expected_units

DATA_SETS_FILE = Path("demo") / "data-sets.yaml"
# The indicator a commune that has not sent its report left as a draft.
UNSENT_INDICATOR = "TRAFFIC_INJURIES"
# How many communes have not sent each of the last two reports due, the latest first.
UNSENT = (3, 2)
SHARE_LATE = 0.10
SHARE_LATE_OFTEN = 0.55
LATE_OFTEN = 4  # communes that are late more often than not


@dataclass(frozen=True)
class DemoReportingResult:
    data_sets: int
    reports: int
    unsent: int
    figures: ReportingFiguresResult


def _fraction(*key: object) -> float:
    """A number in [0, 1) that depends only on ``key`` (a hash, not a random stream)."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return struct.unpack("<Q", digest)[0] / 2**64


def _sent_at(data_set: DataSet, code: str, period: Period, *, seed: int, often_late: bool) -> dt.datetime:
    """When a unit sent its report of ``period``: a day around the due date, in working hours."""
    due = data_set.due_date(period)
    late = _fraction(seed, "late", data_set.code, code, period.code) < (SHARE_LATE_OFTEN if often_late else SHARE_LATE)
    spread = _fraction(seed, "day", data_set.code, code, period.code)
    day = due + dt.timedelta(days=1 + int(spread * 9)) if late else due - dt.timedelta(days=int(spread * 8))
    # A working hour that depends on the day only, so that a day's reports share one time.
    hour = 8 + day.toordinal() % 9
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


def reporting_demo_load(
    *, data_dir: Path, until: Period, today: dt.date, seed: int = DEFAULT_SEED
) -> DemoReportingResult:
    """Load the demo's data sets, date its reports up to ``until`` (the last month of the sample's
    figures), leave a few unsent, and write the reporting figures as on ``today``."""
    document = yaml.safe_load((data_dir / DATA_SETS_FILE).read_text(encoding="utf-8"))
    now = timezone.now()
    reports = unsent = 0
    with transaction.atomic():
        data_sets_load(records=document[FILE_KEY])
        codes = [r["code"] for r in document[FILE_KEY]]
        for data_set in DataSet.objects.filter(code__in=codes).prefetch_related("indicators"):
            indicator_ids = [i.pk for i in data_set.indicators.all()]
            first = data_set.valid_from or until.start_date
            periods = data_set.periods_ending_between(first, until.end_date)
            expected = expected_units(data_set=data_set, periods=periods)
            units = sorted({u.code for found in expected.values() for u in found})
            often = set(sorted(units, key=lambda c: _fraction(seed, "often", data_set.code, c))[:LATE_OFTEN])
            for period, found in expected.items():
                if not found:
                    continue
                # One update a day: the units that sent their report that day (a CASE over every
                # unit costs more to build than to run).
                by_time: dict[dt.datetime, list[int]] = defaultdict(list)
                for unit in found:
                    sent = _sent_at(data_set, unit.code, period, seed=seed, often_late=unit.code in often)
                    by_time[min(now, sent)].append(unit.pk)
                codes_of_period = [
                    s.code for i in data_set.indicators.all() for s in period.sub_periods(PeriodType(i.period_type))
                ]
                for sent, unit_ids in by_time.items():
                    DataValue.objects.filter(
                        indicator_id__in=indicator_ids, period__in=codes_of_period, org_unit_id__in=unit_ids
                    ).update(created_at=sent, updated_at=sent)
                reports += len(found)
            unsent += _leave_unsent(data_set, expected, today=today, seed=seed)
        figures = reporting_figures_collect(today=today, until=until)
    return DemoReportingResult(len(codes), reports, unsent, figures)


def _leave_unsent(data_set: DataSet, expected: dict[Period, list[OrgUnit]], *, today: dt.date, seed: int) -> int:
    """A few communes' last two reports due by ``today``: one figure back to a draft."""
    indicator = next((i for i in data_set.indicators.all() if i.code == UNSENT_INDICATOR), None)
    if indicator is None:
        return 0
    due = sorted(p for p, found in expected.items() if found and data_set.due_date(p) < today)[-len(UNSENT) :]
    count = 0
    for period, how_many in zip(reversed(due), UNSENT, strict=False):
        found = sorted(expected[period], key=lambda u: _fraction(seed, "unsent", data_set.code, u.code, period.code))
        for unit in found[:how_many]:
            value = DataValue.objects.filter(indicator=indicator, org_unit=unit, period=period.code).first()
            if value is None:
                continue
            if value.status != DataValueStatus.DRAFT:
                figure_set(
                    indicator=indicator,
                    org_unit=unit,
                    period=period,
                    value=Decimal(value.value),
                    comment=value.comment,
                    status=DataValueStatus.DRAFT,
                )
            count += 1
    return count
