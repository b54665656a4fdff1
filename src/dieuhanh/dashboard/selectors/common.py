"""Reads every dashboard page shares: visible indicators, the unit tree, the periods that hold data.

Every function here costs a fixed number of queries, whatever the number of
indicators or units, so that the pages' query counts can be pinned in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.dashboard.periods import NINE_MONTHS, ReportPeriod
from dieuhanh.indicators.models import Indicator
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


def stored_operands(indicators: Sequence[Indicator]) -> list[Indicator]:
    """The stored indicators behind some indicators: themselves, or a ratio's two operands."""
    out: dict[int, Indicator] = {}
    for indicator in indicators:
        if indicator.is_ratio:
            for operand in (indicator.numerator, indicator.denominator):
                if operand is not None:
                    out[operand.pk] = operand
        else:
            out[indicator.pk] = indicator
    return list(out.values())


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
    """A labelled group of periods for the quick-pick list (months, quarters, 6 and 9 months, years)."""

    label: str
    periods: list[ReportPeriod]


def period_choices(*, latest: Period, span: DataSpan) -> list[PeriodGroup]:
    """Common choices: the months, quarters, halves and nine months of the latest year with data, and the years.

    Nine months come from the latest year that has reached September.
    """
    year, last_month = latest.year, latest.last_month
    earliest_year = min((d.year for d in span.first.values()), default=year)
    earliest_year = max(earliest_year, year - PICKER_YEARS + 1)
    nine_year = year if last_month >= NINE_MONTHS else year - 1
    groups = [
        PeriodGroup(
            str(_("Months")), [ReportPeriod(Period(year, PeriodType.MONTHLY, m)) for m in range(1, last_month + 1)]
        ),
        PeriodGroup(
            str(_("Quarters")),
            [ReportPeriod(Period(year, PeriodType.QUARTERLY, q)) for q in range(1, (last_month - 1) // 3 + 2)],
        ),
        PeriodGroup(
            str(_("Half-years")),
            [ReportPeriod(Period(year, PeriodType.SEMIANNUAL, s)) for s in range(1, (last_month - 1) // 6 + 2)],
        ),
        PeriodGroup(
            str(_("Nine months")),
            [ReportPeriod.first_months(nine_year, NINE_MONTHS)] if nine_year >= earliest_year else [],
        ),
        PeriodGroup(
            str(_("Years")), [ReportPeriod(Period(y, PeriodType.YEARLY, 1)) for y in range(earliest_year, year + 1)]
        ),
    ]
    return [g for g in groups if g.periods]


@dataclass(frozen=True)
class Place:
    """Where a unit sits in the listed tree: its ancestors (root first) and its children."""

    unit: OrgUnit
    ancestors: list[OrgUnit]
    children: list[OrgUnit]


def unit_place(*, tree: Sequence[TreeUnit], unit: OrgUnit) -> Place:
    """The breadcrumb and the drill-down choices of a unit, read from the tree already loaded (no query)."""
    by_id = {item.unit.pk: item.unit for item in tree}
    ancestors: list[OrgUnit] = []
    parent_id = unit.parent_id
    while parent_id is not None and parent_id in by_id:
        parent = by_id[parent_id]
        ancestors.append(parent)
        parent_id = parent.parent_id
    children = [item.unit for item in tree if item.unit.parent_id == unit.pk]
    return Place(unit=unit, ancestors=list(reversed(ancestors)), children=children)


def child_units(*, unit: OrgUnit, start: dt.date, end: dt.date) -> list[OrgUnit]:
    """The units directly below ``unit`` that existed for a day of [start, end], with their centroids; one query."""
    return list(
        OrgUnit.objects.filter(parent=unit)
        .valid_between(start, end)
        .only("id", "code", "name", "name_en", "kind", "parent_id", "path", "latitude", "longitude", "sort_order")
        .order_by("sort_order", "code")
    )
