"""Loading stored figures for the engine: one query, keyed the way the engine reads them."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from dieuhanh.analytics.engine import Basis, IndicatorSpec
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.periods import CODE_PATTERNS, Period, PeriodType

Figures = dict[int, dict[int, dict[int, Decimal]]]  # indicator → unit → ordinal → value

# The statuses of the figures each basis counts (docs/analytics.md, "The basis"): drafts never.
COUNTED_STATUSES: dict[Basis, tuple[str, ...]] = {
    Basis.APPROVED: (DataValueStatus.APPROVED,),
    Basis.SUBMITTED: (DataValueStatus.SUBMITTED, DataValueStatus.APPROVED),
}
AWAITING = Decimal(1)
APPROVED = Decimal(0)

# More periods of one type than this, in one run, are read as a range of their codes (``own_figures``).
LISTED_PERIODS = 12


def counted(basis: Basis | str) -> Q:
    """The figures ``basis`` counts, as a filter of data values."""
    statuses = COUNTED_STATUSES[Basis(basis)]
    return Q(status=statuses[0]) if len(statuses) == 1 else Q(status__in=statuses)


@functools.cache
def ordinal_of(start: dt.date, period_type: PeriodType) -> int:
    """The ordinal of the period of ``period_type`` that starts on ``start``.

    Cached: a query returns hundreds of thousands of rows but only a few dozen distinct dates.
    """
    return Period(start.year, PeriodType.MONTHLY, start.month).ordinal // period_type.months


@functools.cache
def _ordinal_of_code(code: str) -> int:
    return Period.parse(code).ordinal


def own_figures(
    stored: dict[int, IndicatorSpec],
    unit_filter: Q,
    spans: Sequence[tuple[dt.date, dt.date]],
    *,
    basis: Basis = Basis.APPROVED,
    pending: Figures | None = None,
    by_key: bool = False,
) -> Figures:
    """The figures of ``stored`` indicators that ``basis`` counts (approved ones; with
    ``submitted``, those awaiting approval too; never drafts) at the units of ``unit_filter``, in
    the periods that start within ``spans`` (each a first and last date, inclusive).

    ``pending``, when given, is filled with the same keys, each 1 for a figure awaiting approval
    and 0 for an approved one: aggregated by the engine like the figures themselves, a value above
    0 says that a figure rests on at least one that is not approved yet.

    ``by_key``: ``unit_filter`` names a few units by id and every span is made of whole periods of
    each type asked (a year from 1 January to 31 December): each figure is then found by the unique
    key (indicator, unit, period) alone, without the dates' bounds — which SQLite's planner would
    take instead, reading every unit's figures of the indicators in those years and filtering them
    (a step of the demo's rollup rebuild, 16 units × 105 indicators × 8 years: 191 → 25 ms)."""
    own: Figures = {i: defaultdict(dict) for i in stored}
    if pending is not None:
        pending.update({i: defaultdict(dict) for i in stored})
    if not stored or not spans:
        return own
    # Name the periods, not only their dates: the unique key (indicator, unit, period) then finds
    # each figure directly, instead of every period of every unit of a ranking.
    by_type: dict[PeriodType, list[int]] = defaultdict(list)
    for indicator_id, spec in stored.items():
        by_type[spec.period_type].append(indicator_id)
    window = Q(pk__in=[])
    for period_type, ids in by_type.items():
        ordinals = sorted(
            {o for start, end in spans for o in range(ordinal_of(start, period_type), ordinal_of(end, period_type) + 1)}
        )
        codes = [Period.from_ordinal(period_type, o).code for o in ordinals]
        if (
            connection.vendor == "postgresql"
            and len(codes) > LISTED_PERIODS
            and ordinals[-1] - ordinals[0] == len(codes) - 1
        ):
            # Years of periods without a gap: their codes as a range. Listed, PostgreSQL looks up every
            # indicator × unit × period of the list apart and reckons it dear: a province's wall (200
            # indicators × its 46 communes × 42 months) was read by a scan of every figure of the
            # country, 2.3 s, where the range finds them in the key's index in 0.14 s. A type's codes
            # sort in the order of its periods; the pattern keeps out a code of another type.
            window |= Q(
                indicator_id__in=ids,
                period__gte=codes[0],
                period__lte=codes[-1],
                period__regex=CODE_PATTERNS[period_type],
            )
        else:
            window |= Q(indicator_id__in=ids, period__in=codes)
    # Both the names and the dates: the planner may then use either index, whichever fits.
    if not by_key:
        window &= Q(period_start__gte=min(s for s, _e in spans), period_start__lte=max(e for _s, e in spans))
    rows = DataValue.objects.filter(window).filter(unit_filter).filter(counted(basis)).order_by()
    if pending is not None:
        for indicator_id, unit_id, period, value, status in rows.values_list(
            "indicator_id", "org_unit_id", "period", "value", "status"
        ):
            ordinal = _ordinal_of_code(period)
            own[indicator_id][unit_id][ordinal] = value
            pending[indicator_id][unit_id][ordinal] = APPROVED if status == DataValueStatus.APPROVED else AWAITING
        return own
    # The period's code, not its start: a date is parsed from text for every row on SQLite, and
    # only the window's codes can come back, each of its indicator's period type. A plain fetch: a
    # server-side cursor costs three round trips, more than the rows of a page.
    for indicator_id, unit_id, period, value in rows.values_list("indicator_id", "org_unit_id", "period", "value"):
        own[indicator_id][unit_id][_ordinal_of_code(period)] = value
    return own
