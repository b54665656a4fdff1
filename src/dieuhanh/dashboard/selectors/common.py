"""Reads the dashboard pages' pickers need: the quick-pick periods, a unit's place in the tree.

Every function here costs a fixed number of queries (most none), so that the pages' query
counts can be pinned in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dieuhanh.analytics.readmodel.periods import NINE_MONTHS, ReportPeriod
from dieuhanh.analytics.readmodel.scope import DataSpan
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import TreeUnit

# Years offered in the period picker; older ones can still be typed.
PICKER_YEARS = 10


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
