"""Walking the unit tree: the one place that knows how a unit's materialised path is written.

A unit's ``path`` is its ancestors' ids and its own, ``/1/7/42/``; ``path__startswith`` of a
unit's path selects its subtree (itself included).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any, Protocol

from django.db.models import Q

from dieuhanh.orgunits.models import OrgUnit


class HasPath(Protocol):
    @property
    def path(self) -> str: ...


def path_ids(path: str) -> list[int]:
    """The ids in a materialised path, root first: a unit's ancestors and itself."""
    return [int(part) for part in path.strip("/").split("/") if part]


def in_subtrees(units: Iterable[HasPath], *, through: str = "") -> Q:
    """A filter for what lies in the subtrees of ``units`` (themselves included): units, or rows
    reaching a unit through the relation ``through`` (``"org_unit"``, ``"lead_agency"``)."""
    field = f"{through}__path__startswith" if through else "path__startswith"
    each = [Q(**{field: unit.path}) for unit in units]
    return reduce(or_, each) if each else Q(pk__in=[])


def parents_among(unit_ids: Iterable[int] | Any = None) -> frozenset[int]:
    """Which of ``unit_ids`` (all units, when None) have children: the units whose figures are
    aggregated from below. One query."""
    # ``unit_ids`` may be a collection or a subquery of ids (``values("pk")``), left to the database.
    qs = (
        OrgUnit.objects.filter(parent__isnull=False)
        if unit_ids is None
        else OrgUnit.objects.filter(parent_id__in=unit_ids)
    )
    return frozenset(qs.order_by().values_list("parent_id", flat=True).distinct())
