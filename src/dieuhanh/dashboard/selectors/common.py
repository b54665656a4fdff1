"""Reads the dashboard pages' pickers need: the quick-pick periods, a unit's place in the tree.

Every function here costs a fixed number of queries (most none), so that the pages' query
counts can be pinned in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dieuhanh.analytics.readmodel.scope import DataSpan
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import TreeUnit

# Years offered in the period picker; older ones can still be typed.
PICKER_YEARS = 10


def year_choices(*, latest: Period, span: DataSpan, chosen: int | None = None) -> list[int]:
    """The years a period picker offers, newest first: those with data, up to ten; and the chosen one."""
    earliest = min((d.year for d in span.first.values()), default=latest.year)
    years = set(range(max(earliest, latest.year - PICKER_YEARS + 1), latest.year + 1))
    if chosen is not None:
        years.add(chosen)
    return sorted(years, reverse=True)


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
