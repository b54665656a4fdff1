"""Reads of the unit tree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from dieuhanh.orgunits.models import OrgUnit


@dataclass(frozen=True)
class TreeUnit:
    """A unit in tree order, with its depth in the listed tree (0 for a root), for an indented picker."""

    unit: OrgUnit
    level: int


def org_unit_tree(*, kinds: Collection[str] | None = None) -> list[TreeUnit]:
    """Units (optionally only some kinds) depth first, siblings by sort order then code; one query.

    A unit whose parent is not listed (an agency's sub-unit when only
    administrative kinds are asked for) starts a tree of its own.
    """
    qs = OrgUnit.objects.only("id", "code", "name", "name_en", "kind", "parent_id", "path", "depth", "sort_order")
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    units = list(qs)
    listed = {u.pk for u in units}
    children: dict[int | None, list[OrgUnit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id if unit.parent_id in listed else None].append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.sort_order, u.code))
    ordered: list[TreeUnit] = []
    # An explicit stack rather than recursion: a national tree is deep enough to make recursion a risk
    # for no benefit, and the order is the same.
    stack: list[tuple[OrgUnit, int]] = [(u, 0) for u in reversed(children[None])]
    while stack:
        unit, level = stack.pop()
        ordered.append(TreeUnit(unit=unit, level=level))
        stack.extend((child, level + 1) for child in reversed(children.get(unit.pk, [])))
    return ordered
