"""Reads behind the overview page: the unit picker, the periods that hold data, and the table.

Every function here costs a fixed number of queries, whatever the number of
indicators or units, so that the page's query count can be pinned in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.analytics.engine import Measures
from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.indicators.models import Direction, Indicator, Sector
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.indicators.selectors import indicator_list
from dieuhanh.ingest.models import DataValue, DataValueStatus
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind
from dieuhanh.orgunits.selectors import TreeUnit

ADMINISTRATIVE_KINDS = (OrgUnitKind.PROVINCE, OrgUnitKind.DISTRICT, OrgUnitKind.COMMUNE)
# Years offered in the period picker; older ones can still be typed.
PICKER_YEARS = 10


def default_org_unit(tree: Sequence[TreeUnit]) -> OrgUnit | None:
    """The root province (the first unit without a parent that is a province), else the first root."""
    roots = [t.unit for t in tree if t.unit.parent_id is None]
    provinces = [u for u in roots if u.kind == OrgUnitKind.PROVINCE]
    if provinces:
        return provinces[0]
    return roots[0] if roots else (tree[0].unit if tree else None)


def visible_indicators(*, user: object) -> list[Indicator]:
    """The indicators a user may see: all when signed in, only the public ones for anonymous visitors."""
    return indicator_list(public_only=not getattr(user, "is_authenticated", False))


@dataclass(frozen=True)
class DataSpan:
    """The first and last stored period start of each period type, over some indicators."""

    first: dict[PeriodType, dt.date]
    last: dict[PeriodType, dt.date]

    @property
    def is_empty(self) -> bool:
        return not self.last


def data_span(*, indicators: Sequence[Indicator]) -> DataSpan:
    """When the indicators' counted (non-draft) figures start and end, by period type; one query.

    Each end is a correlated subquery per indicator, so the database answers it from
    the (indicator, period_start) index instead of scanning every value.
    """
    ids = [i.pk for i in indicators if not i.is_ratio]
    first: dict[PeriodType, dt.date] = {}
    last: dict[PeriodType, dt.date] = {}
    if not ids:
        return DataSpan(first=first, last=last)
    counted = DataValue.objects.filter(indicator=OuterRef("pk")).exclude(status=DataValueStatus.DRAFT)
    rows = (
        Indicator.objects.filter(pk__in=ids)
        .annotate(
            first_start=Subquery(counted.order_by("period_start").values("period_start")[:1]),
            last_start=Subquery(counted.order_by("-period_start").values("period_start")[:1]),
        )
        .values_list("period_type", "first_start", "last_start")
    )
    for period_type_code, first_start, last_start in rows:
        if first_start is None or last_start is None:
            continue
        period_type = PeriodType(period_type_code)
        first[period_type] = min(first_start, first.get(period_type, first_start))
        last[period_type] = max(last_start, last.get(period_type, last_start))
    return DataSpan(first=first, last=last)


def default_period(span: DataSpan) -> Period:
    """The latest month with data; failing monthly data the latest quarter, then year; else this month."""
    for period_type in (PeriodType.MONTHLY, PeriodType.QUARTERLY, PeriodType.YEARLY):
        start = span.last.get(period_type)
        if start is not None:
            return _period_starting(start, period_type)
    today = timezone.localdate()
    return Period(today.year, PeriodType.MONTHLY, today.month)


def _period_starting(start: dt.date, period_type: PeriodType) -> Period:
    return Period(start.year, period_type, (start.month - 1) // period_type.months + 1)


@dataclass(frozen=True)
class PeriodGroup:
    """A labelled group of periods for the quick-pick list (months, quarters, half-years, years)."""

    label: str
    periods: list[Period]


def period_choices(*, latest: Period, span: DataSpan) -> list[PeriodGroup]:
    """Common choices: the months, quarters and half-years of the latest year with data, and the years."""
    year, last_month = latest.year, latest.last_month
    earliest_year = min((d.year for d in span.first.values()), default=year)
    earliest_year = max(earliest_year, year - PICKER_YEARS + 1)
    groups = [
        PeriodGroup(str(_("Months")), [Period(year, PeriodType.MONTHLY, m) for m in range(1, last_month + 1)]),
        PeriodGroup(
            str(_("Quarters")),
            [Period(year, PeriodType.QUARTERLY, q) for q in range(1, (last_month - 1) // 3 + 2)],
        ),
        PeriodGroup(
            str(_("Half-years")),
            [Period(year, PeriodType.SEMIANNUAL, s) for s in range(1, (last_month - 1) // 6 + 2)],
        ),
        PeriodGroup(str(_("Years")), [Period(y, PeriodType.YEARLY, 1) for y in range(earliest_year, year + 1)]),
    ]
    return [g for g in groups if g.periods]


@dataclass(frozen=True)
class OverviewRow:
    """One line of the overview: an indicator and its eight measures for the chosen unit and period."""

    indicator: Indicator
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


@dataclass(frozen=True)
class SectorGroup:
    """The rows of one sector; ``sector`` is None for indicators not yet filed under one."""

    sector: Sector | None
    rows: list[OverviewRow]


def overview_table(*, indicators: Sequence[Indicator], org_unit: OrgUnit, period: Period) -> list[SectorGroup]:
    """Every indicator's measures at one unit and period, grouped by sector in catalogue order.

    All figures come from a single analytics call, whose cost does not grow in
    queries with the number of indicators or of units below ``org_unit``.
    """
    measures = analytics_measures(indicators=indicators, org_units=[org_unit], periods=[period])
    groups: dict[int | None, SectorGroup] = {}
    # One unit and one period: the measures come back in the order of the indicators.
    for indicator, measure in zip(indicators, measures, strict=True):
        key = indicator.sector_id
        if key not in groups:
            groups[key] = SectorGroup(sector=indicator.sector, rows=[])
        groups[key].rows.append(OverviewRow(indicator=indicator, measures=measure))
    # Unfiled indicators last, whichever way the database sorts a null sector.
    return [g for k, g in groups.items() if k is not None] + ([groups[None]] if None in groups else [])
