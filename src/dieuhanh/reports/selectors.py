"""Reads for reports: which figures are still estimates, kept reports (the directives' standing is
the register's own: ``directives.selectors.directive_summary``).

Each costs a fixed number of queries, whatever the number of indicators, units or directives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import yaml

from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.analytics.readmodel.scope import stored_operands
from dieuhanh.directives.scorecards import INDICATORS_FILE
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.tree import in_subtrees
from dieuhanh.reports.models import GeneratedReport


def directive_indicator_codes() -> set[str]:
    """The directives' scorecard indicators: the report states them in its directives section instead."""
    document = yaml.safe_load(Path(INDICATORS_FILE).read_text(encoding="utf-8")) or {}
    return {str(item["code"]) for item in document.get("indicators", [])}


def estimated_indicator_ids(*, indicators: Sequence[Indicator], org_unit: OrgUnit, report: ReportPeriod) -> set[int]:
    """The indicators whose figures for the report (January to its end, at the unit and below) are
    not all approved: the statistics office writes those as estimates (*ước*). One query.

    A submitted figure counts in analytics but may still change; an approved one is final.
    A ratio is an estimate when either side is.
    """
    stored = {i.pk: [o.pk for o in stored_operands([i])] for i in indicators}
    ids = {pk for operands in stored.values() for pk in operands}
    # The earliest year an indicator may be shown for: a yearly one stands in with last year's figure.
    windows: dict[int, tuple[dt.date, dt.date]] = {}
    for indicator in indicators:
        shown = report.shown_for(PeriodType(indicator.period_type)).period
        window = (dt.date(shown.year, 1, 1), shown.end_date)
        for operand in stored[indicator.pk]:
            windows[operand] = window
    if not ids:
        return set()
    first = min(w[0] for w in windows.values())
    rows = (
        DataValue.objects.filter(
            in_subtrees([org_unit], through="org_unit"),
            indicator_id__in=ids,
            status=DataValueStatus.SUBMITTED,
            period_start__gte=first,
            period_start__lte=report.end_date,
        )
        .values_list("indicator_id", "period_start")
        .distinct()
        .order_by()
    )
    pending = {
        indicator_id for indicator_id, start in rows if windows[indicator_id][0] <= start <= windows[indicator_id][1]
    }
    return {pk for pk, operands in stored.items() if pending.intersection(operands)}


def generated_report_list(*, limit: int = 200) -> list[GeneratedReport]:
    """The reports kept, newest first, with their unit and author (one query)."""
    return list(GeneratedReport.objects.select_related("org_unit", "created_by").order_by("-created_at", "-id")[:limit])


def scheduled_periods(*, today: dt.date) -> list[ReportPeriod]:
    """The periods a monthly run on ``today`` reports on: the month that ended last, and the quarter,
    six months, nine months or year that ended with it."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    periods = [ReportPeriod(Period(year, PeriodType.MONTHLY, month))]
    if month % 3 == 0:
        periods.append(ReportPeriod(Period(year, PeriodType.QUARTERLY, month // 3)))
    if month in (6, 9, 12):
        periods.append(ReportPeriod.first_months(year, month))
    return periods


def scheduled_done(
    *, org_unit: OrgUnit, periods: Sequence[ReportPeriod], formats: Sequence[str]
) -> set[tuple[str, str]]:
    """The (period, format) pairs a scheduled run already made for the unit, so a rerun skips them."""
    return set(
        GeneratedReport.objects.filter(
            org_unit=org_unit,
            trigger=GeneratedReport.Trigger.SCHEDULED,
            period__in=[p.code for p in periods],
            file_format__in=list(formats),
        ).values_list("period", "file_format")
    )
