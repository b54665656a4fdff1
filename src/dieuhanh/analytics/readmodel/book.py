"""Dashboard figures: the analytics measures of an indicator at a unit, for the period a leader chose.

A page builds one ``FigureBook``: one analytics engine for the units it shows (a fixed
number of queries, whatever the number of indicators, units and periods), then asks
it for every tile, table row, chart point and map colour. Every number comes from
``Engine.measures``, the code behind ``/api/v1/analytics``, so a figure on a page equals
the API's answer for the same indicator, unit and period.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from dieuhanh.analytics.engine import HUNDRED, Engine, IndicatorSpec, Measures, Status
from dieuhanh.analytics.readmodel.periods import ReportPeriod, ShownPeriod
from dieuhanh.analytics.selectors import build_engine, spec_of
from dieuhanh.indicators.models import Direction, Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit

# Points of a tile's sparkline, by the indicator's period type: two years of months or quarters, four
# years. All lie within the three years before the period that the engine reads anyway.
SPARKLINE_POINTS = {PeriodType.MONTHLY: 24, PeriodType.QUARTERLY: 8, PeriodType.YEARLY: 4}
# Statuses that put a figure on the off-track list.
BEHIND = (Status.OFF_TRACK.value, Status.AT_RISK.value)


def change_pct(value: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """(value / previous − 1) × 100, the contract's ``yoy_pct``; None if either is missing or previous is 0."""
    if value is None or previous is None or previous == 0:
        return None
    return (value / previous - 1) * HUNDRED


@dataclass(frozen=True)
class Figure:
    """One indicator at one unit: the eight measures of the period it is shown for."""

    indicator: Indicator
    org_unit_id: int
    shown: ShownPeriod
    measures: Measures

    @property
    def trend(self) -> str:
        """``up``, ``down`` or ``flat`` as the change against last year reads once rounded; empty if unknown."""
        change = self.measures.yoy_pct
        if change is None:
            return ""
        # Decide on the figure as shown (one decimal), so that "0,0" never carries an arrow.
        shown = change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if shown > 0:
            return "up"
        return "down" if shown < 0 else "flat"

    @property
    def tone(self) -> str:
        """``good`` or ``bad`` for the change by the indicator's direction, ``neutral`` when flat."""
        trend = self.trend
        if trend in ("", "flat"):
            return "neutral" if trend else ""
        better = "down" if self.indicator.direction == Direction.DOWN else "up"
        return "good" if trend == better else "bad"

    @property
    def gap_pct(self) -> Decimal | None:
        """How far the year-end estimate is from the plan, in % of the plan; negative is behind.

        For a lower-is-better indicator, an estimate above the plan (a ceiling) is behind.
        """
        plan, projection = self.measures.plan, self.measures.projection
        if plan is None or projection is None or plan == 0:
            return None
        gap = (projection - plan) / abs(plan) * HUNDRED
        return -gap if self.indicator.direction == Direction.DOWN else gap

    @property
    def has_figures(self) -> bool:
        """Whether the unit has any figure for the period or the same period last year."""
        m = self.measures
        return any(v is not None for v in (m.value, m.previous, m.ytd))

    @property
    def is_behind(self) -> bool:
        return self.measures.status in BEHIND

    @property
    def completion_bar(self) -> Decimal | None:
        """The % of plan as the width of a progress bar: 0 to 100."""
        pct = self.measures.plan_completion_pct
        if pct is None:
            return None
        return max(Decimal(0), min(HUNDRED, pct)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def periods_needed(indicators: Iterable[Indicator], reports: Iterable[ReportPeriod]) -> list[Period]:
    """The periods an engine must cover to answer ``reports`` for ``indicators`` (data window and plan years)."""
    types = {PeriodType(i.period_type) for i in indicators}
    needed: set[Period] = set()
    for report in reports:
        needed.add(report.period)
        needed.update(report.shown_for(t).period for t in types)
    return sorted(needed)


def periods_behind(shown: ShownPeriod, period_type: PeriodType) -> list[Period]:
    """The indicator's own periods that make up a shown figure (January to it when cumulative)."""
    return shown.period.year_to_date(period_type) if shown.cumulative else shown.period.sub_periods(period_type)


def _for_each_type(
    indicators: Iterable[Indicator], report: ReportPeriod, periods_of: Callable[[ShownPeriod, PeriodType], list[Period]]
) -> list[Period]:
    needed: set[Period] = set()
    for period_type in {PeriodType(i.period_type) for i in indicators}:
        needed.update(periods_of(report.shown_for(period_type), period_type))
    return sorted(needed)


def subperiods_needed(indicators: Iterable[Indicator], report: ReportPeriod) -> list[Period]:
    """The periods behind ``report``'s figures of ``indicators``, for ``FigureBook(value_periods=…)``."""
    return _for_each_type(indicators, report, periods_behind)


def sparklines_needed(indicators: Iterable[Indicator], report: ReportPeriod) -> list[Period]:
    """The periods of the sparklines of ``indicators`` for ``report``, for ``FigureBook(value_periods=…)``."""
    return _for_each_type(indicators, report, sparkline_periods)


def sparkline_periods(shown: ShownPeriod, period_type: PeriodType) -> list[Period]:
    """The periods of an indicator's sparkline: its own periods up to the end of the one shown."""
    count = SPARKLINE_POINTS[period_type]
    last = shown.period.sub_periods(period_type)[-1]
    return [Period.from_ordinal(period_type, last.ordinal - i) for i in range(count - 1, -1, -1)]


class FigureBook:
    """One analytics engine for ``units``, read as dashboard figures.

    As with ``analytics_measures``, only the units passed in can be asked about (their
    subtrees are read to aggregate them, but a child must be listed to get its own figure).
    """

    def __init__(
        self,
        *,
        indicators: Sequence[Indicator],
        units: Sequence[OrgUnit],
        periods: Sequence[Period],
        value_periods: Sequence[Period] = (),
    ) -> None:
        cache: dict[int, IndicatorSpec] = {}
        self.specs = {i.pk: spec_of(i, cache) for i in indicators}
        self.engine: Engine | None = None
        if self.specs and units and periods:
            self.engine = build_engine(
                specs=list(self.specs.values()), units=units, periods=periods, value_periods=value_periods
            )

    def measures(self, indicator: Indicator, unit_id: int, period: Period) -> Measures:
        """The contract's eight measures, exactly as ``/api/v1/analytics`` gives them."""
        if self.engine is None or unit_id not in self.engine.unit_codes:
            return Measures(indicator=indicator.code, org_unit="", period=period.code)
        return self.engine.measures(self.specs[indicator.pk], unit_id, period)

    def figure(self, indicator: Indicator, unit_id: int, report: ReportPeriod) -> Figure:
        """The figure a dashboard shows for ``report``: see ``ReportPeriod.shown_for``.

        A cumulative figure (nine months) is the ``ytd`` of the period it ends with, against
        the ``ytd`` of the same period a year earlier.
        """
        shown = report.shown_for(PeriodType(indicator.period_type))
        measures = self.measures(indicator, unit_id, shown.period)
        if shown.cumulative:
            # January to the same month a year earlier: a range the projection reads anyway.
            earlier = self.measure(indicator, unit_id, shown.period.shift_years(-1), "ytd")
            measures = replace(
                measures,
                value=measures.ytd,
                previous=earlier,
                yoy_pct=change_pct(measures.ytd, earlier),
            )
        return Figure(indicator=indicator, org_unit_id=unit_id, shown=shown, measures=measures)

    def measure(self, indicator: Indicator, unit_id: int, period: Period, name: str) -> Decimal | None:
        """One of the eight measures alone (it reads less than all eight: see ``Engine.measure``)."""
        if self.engine is None or unit_id not in self.engine.unit_codes:
            return None
        return self.engine.measure(self.specs[indicator.pk], unit_id, period, name)

    def values(self, indicator: Indicator, unit_id: int, periods: Sequence[Period]) -> list[Decimal | None]:
        """The indicator's value at the unit in each of ``periods`` (the value alone: see ``value_periods``)."""
        return [self.measure(indicator, unit_id, p, "value") for p in periods]

    def sparkline(self, figure: Figure) -> list[Decimal | None]:
        """A figure's recent history, for its tile."""
        period_type = PeriodType(figure.indicator.period_type)
        return self.values(figure.indicator, figure.org_unit_id, sparkline_periods(figure.shown, period_type))

    def reported(self, indicator: Indicator, unit_id: int, shown: ShownPeriod) -> list[tuple[Period, bool]]:
        """Each sub-period behind a shown figure, and whether the unit has a figure for it.

        The book's engine must have been told of the sub-periods (``subperiods_needed``).
        """
        subs = periods_behind(shown, PeriodType(indicator.period_type))
        return [(p, v is not None) for p, v in zip(subs, self.values(indicator, unit_id, subs), strict=True)]
