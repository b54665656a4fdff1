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

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.analytics.engine import Basis, Engine, IndicatorSpec
from dieuhanh.analytics.figures import counted
from dieuhanh.analytics.selectors import answer_cached, build_engine, spec_of
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.indicators.selectors import indicator_list, may_see_internal
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import TreeUnit, began_after, map_day, predecessors_on, today
from dieuhanh.orgunits.tree import in_subtrees

ADMINISTRATIVE_KINDS = (OrgUnitKind.PROVINCE, OrgUnitKind.DISTRICT, OrgUnitKind.COMMUNE)
# The query parameter that asks for a basis (docs/analytics.md, "The basis"), on pages and in the API.
BASIS_PARAMETER = "basis"


def may_include_submitted(user: Any) -> bool:
    """Whether ``user`` may see figures that await approval: a signed-in user holding a role (the
    ones who see the province's internal figures). The public, and the wall, see approved figures."""
    return scope_of(user).may_see_internal


def basis_for(user: Any, asked: str | None) -> Basis:
    """The basis a request gets: ``submitted`` when it asks for it and the user may see figures
    awaiting approval; otherwise ``approved``, the default."""
    if (asked or "").strip() == Basis.SUBMITTED.value and may_include_submitted(user):
        return Basis.SUBMITTED
    return Basis.APPROVED


def default_org_unit(tree: Sequence[TreeUnit], *, on: dt.date | None = None) -> OrgUnit | None:
    """The unit a surface shows when none is asked for, for a period ending ``on`` (default today).

    The home province: the first root province of today's map (of ``tree``, every time's units).
    For a period that ends before it began, it is shown re-based over the units it was made of
    (docs/dashboards.md, "The map of a date") — unless it was made of one unit only, which is then
    shown as it was (the same territory, under its name of then). Without a root province valid
    today, or without the units it was made of (no succession recorded), the first root province
    valid ``on``, else the first root province, else the first root, else the first unit.
    """
    roots = [t.unit for t in tree if t.unit.parent_id is None]
    provinces = [u for u in roots if u.kind == OrgUnitKind.PROVINCE]
    now = today()
    home = next((u for u in provinces if u.is_valid_on(now)), None)
    if home is not None and on is not None and began_after(home, on):
        # One query, only for a period before the home province began.
        stand_ins = predecessors_on(home, on=on)
        if stand_ins:
            return stand_ins[0] if len(stand_ins) == 1 else home
    if home is None or (on is not None and not home.is_valid_on(on)):
        day = on or now
        home = next((u for u in provinces if u.is_valid_on(day)), provinces[0] if provinces else None)
    if home is not None:
        return home
    return roots[0] if roots else (tree[0].unit if tree else None)


def visible_indicators(*, user: object) -> list[Indicator]:
    """The indicators a user may see: all when signed in, only the public ones for anonymous visitors."""
    return indicator_list(public_only=not may_see_internal(user))


def indicators_at(indicators: Sequence[Indicator], *, user: object, unit: OrgUnit | None) -> list[Indicator]:
    """Of ``indicators``, those ``user`` may see at ``unit``: the public ones, and the others where
    their scope reads the unit (``accounts.scope``: a district's reporter sees the province's public
    figures only). No query."""
    if unit is None:
        return list(indicators)
    scope = scope_of(user)
    return [indicator for indicator in indicators if scope.may_read(unit=unit, indicator=indicator)]


def awaiting_units(*, indicator: Indicator, unit: OrgUnit, start: dt.date, end: dt.date) -> int:
    """How many units at or under ``unit`` have a figure of ``indicator`` (or of a ratio's operands)
    in a period starting within [start, end] that awaits approval: what the approved basis leaves
    out ("3 đơn vị chờ phê duyệt"). One query."""
    ids = [i.pk for i in stored_operands([indicator])]
    return (
        DataValue.objects.filter(
            in_subtrees([unit], through="org_unit"),
            indicator_id__in=ids,
            status=DataValueStatus.SUBMITTED,
            period_start__gte=start,
            period_start__lte=end,
        )
        .order_by()
        .values("org_unit_id")
        .distinct()
        .count()
    )


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


def data_span(*, indicators: Sequence[Indicator], basis: Basis = Basis.APPROVED) -> DataSpan:
    """When the indicators' figures that ``basis`` counts start and end, by period type; one query.

    Each end is a correlated subquery per indicator, so the database answers it from
    the (indicator, period_start) index instead of scanning every value.
    """
    ids = [i.pk for i in indicators if not i.is_ratio]
    first: dict[PeriodType, dt.date] = {}
    last: dict[PeriodType, dt.date] = {}
    if not ids:
        return DataSpan(first=first, last=last)
    figures = DataValue.objects.filter(counted(basis), indicator=OuterRef("pk"))
    rows = (
        Indicator.objects.filter(pk__in=ids)
        .annotate(
            first_start=Subquery(figures.order_by("period_start").values("period_start")[:1]),
            last_start=Subquery(figures.order_by("-period_start").values("period_start")[:1]),
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


def complete_period(
    *, span: DataSpan, unit: OrgUnit | None, headline: Sequence[Indicator], basis: Basis = Basis.APPROVED
) -> Period:
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
            specs=specs,
            units=[unit],
            periods=months,
            measures=["value"],
            use_rollups=use_rollups,
            with_targets=False,
            basis=basis,
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

    code = answer_cached(
        ("complete_period", unit.pk, sorted(i.pk for i in monthly), str(share), latest.code, Basis(basis).value),
        compute,
    )
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
    """The units shown below ``unit`` for a period [start, end], with their centroids: those of the
    map of its last day (``map_day``; docs/dashboards.md, "The map of a date"). One query.

    For a period that ends before ``unit`` began (the home province shown re-based), the units it
    was made of, valid then (``predecessors_on``).
    """
    day = map_day(unit, end)
    if began_after(unit, day):
        return predecessors_on(unit, on=day, fields=SHOWN_UNIT_FIELDS)
    return list(
        OrgUnit.objects.filter(parent=unit).valid_on(day).only(*SHOWN_UNIT_FIELDS).order_by("sort_order", "code")
    )
