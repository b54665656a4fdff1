"""Reads for reports: which figures are still estimates, the directives' standing, kept reports.

Each costs a fixed number of queries, whatever the number of indicators, units or directives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db.models import Count, QuerySet

from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.analytics.readmodel.scope import stored_operands
from dieuhanh.directives.models import Directive, SourceDocument
from dieuhanh.directives.scorecards import INDICATORS_FILE
from dieuhanh.directives.status import DirectiveStatus, days_overdue, status_expression
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.ingest.models import DataValue, DataValueStatus
from dieuhanh.orgunits.models import OrgUnit
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
            indicator_id__in=ids,
            status=DataValueStatus.SUBMITTED,
            period_start__gte=first,
            period_start__lte=report.end_date,
            org_unit__path__startswith=org_unit.path,
        )
        .values_list("indicator_id", "period_start")
        .distinct()
        .order_by()
    )
    pending = {
        indicator_id for indicator_id, start in rows if windows[indicator_id][0] <= start <= windows[indicator_id][1]
    }
    return {pk for pk, operands in stored.items() if pending.intersection(operands)}


@dataclass
class AgencyDirectives:
    """How many directives one lead agency has in each category."""

    name: str
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in DirectiveStatus})

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class OverdueDirective:
    content: str
    lead: str
    due: dt.date
    days: int


@dataclass
class DirectivesSummary:
    """The directives of a report's unit on a date: counts, per lead agency, and the overdue ones."""

    as_of: dt.date
    counts: dict[str, int]
    agencies: list[AgencyDirectives]
    overdue: list[OverdueDirective]
    issued_by_unit: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def directives_summary(*, org_unit: OrgUnit, on: dt.date) -> DirectivesSummary:
    """Where the directives of ``org_unit`` stand on ``on`` (the register's categories). Three queries.

    For a unit that issues documents (the province), every directive of its documents; for
    any other, the directives that it or a unit below it leads. Each assignment counts once
    per lead agency: a group's directive by its members' copies (what each must report on).
    Status is the register's as it stands now, on ``on`` (a report is written on its date).
    """
    base: QuerySet[Directive] = Directive.objects.filter(lead_group="", starts_on__lte=on)
    issued_by_unit = SourceDocument.objects.filter(org_unit=org_unit).exists()
    if issued_by_unit:
        base = base.filter(source__org_unit=org_unit)
    else:
        base = base.filter(lead_agency__path__startswith=org_unit.path)
    rows = (
        base.order_by()
        .annotate(bucket=status_expression(on))
        .values("lead_agency_id", "lead_agency__name", "lead_agency__sort_order", "lead_agency__code", "bucket")
        .annotate(n=Count("id"))
    )
    counts = {s.value: 0 for s in DirectiveStatus}
    agencies: dict[int | None, AgencyDirectives] = {}
    order: dict[int | None, tuple[int, int, str]] = {}
    for row in rows:
        key = row["lead_agency_id"]
        agency = agencies.setdefault(key, AgencyDirectives(name=row["lead_agency__name"] or ""))
        order[key] = (key is None, row["lead_agency__sort_order"] or 0, row["lead_agency__code"] or "")
        agency.counts[row["bucket"]] += row["n"]
        counts[row["bucket"]] += row["n"]
    overdue = [
        OverdueDirective(
            content=d.content,
            lead=d.lead_agency.name if d.lead_agency else "",
            due=d.due_date,
            days=days_overdue(completed_on=None, due_date=d.due_date, deadline=d.deadline, today=on),
        )
        for d in base.annotate(bucket=status_expression(on))
        .filter(bucket=DirectiveStatus.OVERDUE)
        .select_related("lead_agency")
        .order_by("due_date", "lead_agency__sort_order", "id")
        if d.due_date is not None
    ]
    ranked = sorted(agencies, key=lambda k: order[k])
    return DirectivesSummary(
        as_of=on,
        counts=counts,
        agencies=[agencies[k] for k in ranked],
        overdue=overdue,
        issued_by_unit=issued_by_unit,
    )


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
