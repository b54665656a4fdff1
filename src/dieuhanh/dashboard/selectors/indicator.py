"""Reads behind the indicator page: trend, cumulative against plan, the child units, completeness."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dieuhanh.analytics.engine import Basis
from dieuhanh.analytics.readmodel.book import Figure, FigureBook, periods_needed, subperiods_needed
from dieuhanh.analytics.readmodel.periods import ReportPeriod, ShownPeriod
from dieuhanh.analytics.readmodel.scope import child_units
from dieuhanh.analytics.selectors import analytics_ranking
from dieuhanh.indicators.choices import Aggregation
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit

TREND_YEARS = 5


@dataclass(frozen=True)
class Point:
    """One period of a chart: its value, the same period a year earlier, and the plan line there."""

    period: Period
    value: Decimal | None
    previous: Decimal | None
    plan: Decimal | None
    # Whether the value, or the same period a year earlier, is re-based from the unit's predecessors.
    rebased: bool = False
    previous_rebased: bool = False


@dataclass(frozen=True)
class CumulativePoint:
    """January to the end of one period: this year, the year before, and the annual plan."""

    period: Period
    ytd: Decimal | None
    previous_ytd: Decimal | None


@dataclass(frozen=True)
class UnitRow:
    """A unit on the indicator page: its figure, its rank among its siblings, what it has reported."""

    unit: OrgUnit
    figure: Figure
    rank: int | None
    reported: list[tuple[Period, bool]]

    @property
    def reported_count(self) -> int:
        return sum(1 for _p, ok in self.reported if ok)

    @property
    def missing(self) -> list[Period]:
        return [p for p, ok in self.reported if not ok]

    @property
    def completeness(self) -> str:
        """complete, partial or none: whether the unit's figure is whole — every unit expected to
        report it has, for every sub-period of the period (``Figure.is_partial``)."""
        count = self.reported_count
        if count == len(self.reported) and not self.figure.is_partial:
            return "complete"
        return "partial" if count else "none"


@dataclass(frozen=True)
class IndicatorDetail:
    """Everything the indicator page shows for one indicator, unit and period."""

    indicator: Indicator
    report: ReportPeriod
    shown: ShownPeriod
    own: UnitRow
    children: list[UnitRow]
    trend: list[Point]
    cumulative: list[CumulativePoint]
    plan: Decimal | None
    plan_is_per_period: bool

    @property
    def own_rows(self) -> list[UnitRow]:
        """The unit's own row alone (what the note under its key figures reads)."""
        return [self.own]

    @property
    def has_plan_line(self) -> bool:
        return any(p.plan is not None for p in self.trend)

    @property
    def ranked(self) -> list[UnitRow]:
        """The child units best first, those without a figure last (the ranking API's order)."""
        return sorted(self.children, key=lambda r: (r.rank is None, r.rank or 0))

    @property
    def children_report(self) -> bool:
        """Whether any child unit has figures: if none has, the indicator is kept at this unit only."""
        return any(row.figure.has_figures or row.reported_count for row in self.children)

    @property
    def not_reported(self) -> list[UnitRow]:
        return [row for row in self.children if row.completeness != "complete"]

    @property
    def complete_count(self) -> int:
        return sum(1 for row in self.children if row.completeness == "complete")


def trend_periods(shown: ShownPeriod, period_type: PeriodType, years: int = TREND_YEARS) -> list[Period]:
    """The indicator's own periods over ``years`` years, ending with the year of the period shown."""
    return Period(shown.period.year, period_type, period_type.per_year).last_n(period_type.per_year * years)


def indicator_detail(
    *, indicator: Indicator, unit: OrgUnit, report: ReportPeriod, basis: Basis = Basis.APPROVED
) -> IndicatorDetail:
    """The indicator at ``unit`` and its children: one engine for them all, plus the ranking.

    The ranking is ``analytics_ranking`` itself, so that the order and the shared ranks are
    the API's; it costs four queries of its own.
    """
    period_type = PeriodType(indicator.period_type)
    shown = report.shown_for(period_type)
    trend = trend_periods(shown, period_type)
    # The trend's first year is compared with the year before it: the engine loads from there.
    periods = [*periods_needed([indicator], [report]), *(p.shift_years(-1) for p in trend[:1]), *trend]
    children = child_units(unit=unit, start=shown.period.start_date, end=shown.period.end_date)
    book = FigureBook(
        indicators=[indicator],
        units=[unit, *children],
        periods=periods,
        value_periods=subperiods_needed([indicator], report),
        basis=basis,
    )
    ranks: dict[str, int | None] = {}
    if children:
        measure = "ytd" if shown.cumulative else "value"
        ranking = analytics_ranking(
            indicator=indicator, org_unit=unit, period=shown.period, measure=measure, basis=basis
        )
        ranks = {r.org_unit: r.rank for r in ranking}

    def row(of: OrgUnit) -> UnitRow:
        return UnitRow(
            unit=of,
            figure=book.figure(indicator, of.pk, report),
            rank=ranks.get(of.code),
            reported=book.reported(indicator, of.pk, shown),
        )

    plan_is_per_period = indicator.aggregation == Aggregation.SUM
    points: list[Point] = []
    for period in trend:
        measures = book.measures(indicator, unit.pk, period)
        plan = measures.plan
        if plan is not None and plan_is_per_period:
            # A sum's annual plan, spread evenly: the average a period needs to reach it.
            plan = plan / period_type.per_year
        points.append(
            Point(
                period=period,
                value=measures.value,
                previous=measures.previous,
                plan=plan,
                rebased=book.is_rebased(indicator, unit.pk, period, "value"),
                previous_rebased=book.is_rebased(indicator, unit.pk, period, "previous"),
            )
        )

    year = [p for p in trend if p.year == shown.period.year]
    last_shown = shown.period.sub_periods(period_type)[-1]
    cumulative = [
        CumulativePoint(
            period=p,
            ytd=book.measures(indicator, unit.pk, p).ytd if p <= last_shown else None,
            previous_ytd=book.measures(indicator, unit.pk, p.shift_years(-1)).ytd,
        )
        for p in year
    ]
    own = row(unit)
    return IndicatorDetail(
        indicator=indicator,
        report=report,
        shown=shown,
        own=own,
        children=[row(child) for child in children],
        trend=points,
        cumulative=cumulative,
        plan=own.figure.measures.plan,
        plan_is_per_period=plan_is_per_period,
    )
