"""What a surface shows: the indicators a visitor may see, the units below a unit, the periods that hold data.

Every function here costs a fixed number of queries, whatever the number of indicators or
units, so that the pages' query counts can be pinned in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from dieuhanh.analytics.engine import Engine, IndicatorSpec
from dieuhanh.analytics.selectors import answer_cached, build_engine, spec_of
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.indicators.selectors import indicator_list, may_see_internal
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import TreeUnit, today, unit_on

ADMINISTRATIVE_KINDS = (OrgUnitKind.PROVINCE, OrgUnitKind.DISTRICT, OrgUnitKind.COMMUNE)


def default_org_unit(tree: Sequence[TreeUnit], *, on: dt.date | None = None) -> OrgUnit | None:
    """The root province in force ``on`` a day (default today), else the first root.

    Provinces of several maps may be roots of the tree — the former Hồ Chí Minh City (79 until
    30/6/2025), Bình Dương and Bà Rịa – Vũng Tàu, and the new city (79 again, since 1/7/2025) — and a
    code names a unit only with a date: the one chosen is the province the resolver finds valid that
    day; failing one, the province that ended last (a catalogue of the past alone).
    """
    roots = [t.unit for t in tree if t.unit.parent_id is None]
    provinces = [u for u in roots if u.kind == OrgUnitKind.PROVINCE]
    if provinces:
        day = on or today()
        by_code: dict[str, list[OrgUnit]] = {}
        for unit in provinces:
            by_code.setdefault(unit.code, []).append(unit)
        for units in by_code.values():
            units.sort(key=lambda u: u.valid_from or dt.date.min)
        in_force = [unit_on(by_code[u.code], day) for u in provinces]
        current = next((unit for unit in in_force if unit is not None), None)
        if current is not None:
            return current
        return max(provinces, key=lambda u: u.valid_to or dt.date.max)
    return roots[0] if roots else (tree[0].unit if tree else None)


def visible_indicators(*, user: object) -> list[Indicator]:
    """The indicators a user may see: all when signed in, only the public ones for anonymous visitors."""
    return indicator_list(public_only=not may_see_internal(user))


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
            return Period.containing(start, period_type)
    today = timezone.localdate()
    return Period(today.year, PeriodType.MONTHLY, today.month)


# How far back the default period looks for a month whose headline figures are complete, and how
# long an indicator stays expected after its last figure (one that stopped is not waited for).
COMPLETE_LOOKBACK_MONTHS = 24
STILL_REPORTED_MONTHS = 12


def complete_period(*, span: DataSpan, unit: OrgUnit | None, headline: Sequence[Indicator]) -> Period:
    """The period a surface shows by default: the latest month whose headline figures at ``unit``
    are complete, not the newest month with any figure (docs/analytics.md, "The default period").

    A month is complete when every headline monthly indicator still reported at the unit (it has
    a figure in one of the twelve months before) has a figure for it from at least
    ``DIEUHANH_COMPLETE_SHARE`` of the units expected to report it (all, by default). Looks back
    two years; failing that, or without monthly headline figures, the latest period with data
    (``default_period``). One analytics engine: a few queries, whatever the indicators.
    """
    latest = default_period(span)
    monthly = [i for i in headline if i.period_type == PeriodType.MONTHLY]
    if unit is None or not monthly or latest.type != PeriodType.MONTHLY:
        return latest
    share = Decimal(str(settings.DIEUHANH_COMPLETE_SHARE))
    months = latest.last_n(COMPLETE_LOOKBACK_MONTHS + STILL_REPORTED_MONTHS)[::-1]  # newest first

    def compute(use_rollups: bool) -> str:
        cache: dict[int, Any] = {}
        specs = [spec_of(i, cache) for i in monthly]
        engine = build_engine(
            specs=specs, units=[unit], periods=months, measures=["value"], use_rollups=use_rollups, with_targets=False
        )
        values = {(s.id, p): engine.measure(s, unit.pk, p, "value") for s in specs for p in months}
        for position, month in enumerate(months[:COMPLETE_LOOKBACK_MONTHS]):
            before = months[position + 1 : position + 1 + STILL_REPORTED_MONTHS]
            expected = [s for s in specs if any(values[(s.id, p)] is not None for p in before)]
            if not any(values[(s.id, month)] is not None for s in specs):
                continue
            if all(_is_complete(engine, s, unit.pk, month, value=values[(s.id, month)], share=share) for s in expected):
                return month.code
        return latest.code

    code = answer_cached(("complete_period", unit.pk, sorted(i.pk for i in monthly), str(share), latest.code), compute)
    return Period.parse(code)


def _is_complete(
    engine: Engine, spec: IndicatorSpec, unit_id: int, month: Period, *, value: Decimal | None, share: Decimal
) -> bool:
    if value is None:
        return False
    reported, expected = engine.completeness(spec, unit_id, [month], value)
    return expected is None or reported is None or reported >= share * expected


# What a page shows of a unit: its name, place in the tree, map point and validity.
SHOWN_UNIT_FIELDS = (
    "id",
    "code",
    "name",
    "name_en",
    "kind",
    "parent_id",
    "path",
    "latitude",
    "longitude",
    "sort_order",
    "valid_from",
    "valid_to",
)


def child_units(*, unit: OrgUnit, start: dt.date, end: dt.date) -> list[OrgUnit]:
    """The units directly below ``unit`` that existed for a day of [start, end], with their centroids; one query."""
    return list(
        OrgUnit.objects.filter(parent=unit)
        .valid_between(start, end)
        .only(*SHOWN_UNIT_FIELDS)
        .order_by("sort_order", "code")
    )
