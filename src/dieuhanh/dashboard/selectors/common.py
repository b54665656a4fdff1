"""Reads the dashboard pages' pickers need: the quick-pick periods, a unit's place in the tree.

Every function here costs a fixed number of queries (most none), so that the pages' query
counts can be pinned in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dieuhanh.analytics.readmodel.scope import DataSpan
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import TreeUnit, began_after, tree_order

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


def period_map(
    tree: Sequence[TreeUnit], *, on: dt.date, home: OrgUnit | None = None, stand_ins: Sequence[OrgUnit] = ()
) -> list[TreeUnit]:
    """The tree in force on ``on``, from ``tree`` (every time's units; no query): the units valid
    then, depth first (docs/dashboards.md, "The map of a date").

    ``home``: the unit shown by default; when it began after ``on`` (the home province asked about a
    period before it existed, shown re-based), it heads the map with the subtrees of ``stand_ins``
    (``predecessors_on``: the units it was made of, valid then) one level below it.
    """
    kept = [item for item in tree if item.unit.is_valid_on(on)]
    listed = {item.unit.pk for item in tree}
    ids = {item.unit.pk for item in kept}
    # Parents outlive their children: then the order and levels of every time's tree hold as they are.
    # A unit whose parent ended before it (bad data) starts a tree of its own, so the tree is re-ordered.
    whole = all(item.unit.parent_id in ids or item.unit.parent_id not in listed for item in kept)
    ordered = kept if whole else tree_order([item.unit for item in kept])
    if home is None or not began_after(home, on) or not stand_ins:
        return ordered
    paths = [unit.path for unit in stand_ins]
    inside = [item for item in ordered if any(item.unit.path.startswith(path) for path in paths)]
    rest = [item for item in ordered if not any(item.unit.path.startswith(path) for path in paths)]
    return [TreeUnit(unit=home, level=0), *(TreeUnit(unit=i.unit, level=i.level + 1) for i in inside), *rest]


def unit_place(*, tree: Sequence[TreeUnit], unit: OrgUnit) -> Place:
    """The breadcrumb and the drill-down choices of a unit, read from the tree already loaded (no query).

    Read from the tree's order and levels (``period_map`` may put units below one that is not their
    parent); a unit not in the tree has its ancestors by its parent, and no children.
    """
    position = next((n for n, item in enumerate(tree) if item.unit.pk == unit.pk), None)
    if position is None:
        by_id = {item.unit.pk: item.unit for item in tree}
        ancestors: list[OrgUnit] = []
        parent_id = unit.parent_id
        while parent_id is not None and parent_id in by_id:
            parent = by_id[parent_id]
            ancestors.append(parent)
            parent_id = parent.parent_id
        return Place(unit=unit, ancestors=list(reversed(ancestors)), children=[])
    level = tree[position].level
    ancestors = []
    for item in reversed(tree[:position]):
        if item.level < level - len(ancestors):
            ancestors.append(item.unit)
    children: list[OrgUnit] = []
    for item in tree[position + 1 :]:
        if item.level <= level:
            break
        if item.level == level + 1:
            children.append(item.unit)
    return Place(unit=unit, ancestors=list(reversed(ancestors)), children=children)


def address_code(unit: OrgUnit, end: dt.date | None) -> str:
    """The code that names ``unit`` in a page's address for a period ending ``end``: its code, or
    nothing for a unit shown re-based for a period before it began, which only the default unit
    is (its code would name the unit that carried it then)."""
    return "" if end is not None and began_after(unit, end) else unit.code
