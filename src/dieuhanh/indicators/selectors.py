"""Reads of the catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import F, Model, QuerySet

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.selectors import AgencyAt, AgencySuccessions

M = TypeVar("M", bound=Model)


def may_see_internal(user: Any) -> bool:
    """Who sees indicators that are not public, with their targets: a user holding a role
    (``accounts.scope``). Anonymous visitors, and users signed in without a role, see the public
    ones only."""
    return scope_of(user).may_see_internal


def visible_to(queryset: QuerySet[M], *, user: Any, through: str = "") -> QuerySet[M]:
    """``queryset`` — of indicators, or of rows reaching one through the relation ``through`` —
    narrowed to the indicators ``user`` may see (figures are narrowed further by unit:
    ``scope_of(user).figures``)."""
    return scope_of(user).indicators(queryset, through=through)


def indicator_list(
    *, codes: Sequence[str] | None = None, sector: str | None = None, public_only: bool = False
) -> list[Indicator]:
    """Indicators in catalogue order, optionally only some codes, one sector, or the public ones."""
    qs = Indicator.objects.select_related("sector", "numerator", "denominator", "responsible_agency")
    if codes is not None:
        qs = qs.filter(code__in=codes)
    if sector:
        qs = qs.filter(sector__code=sector)
    if public_only:
        qs = qs.filter(is_public=True)
    # Unfiled indicators last on every database (SQLite and PostgreSQL sort nulls differently).
    return list(qs.order_by(F("sector__sort_order").asc(nulls_last=True), "sector__code", "sort_order", "code"))


def responsible_agency_at(
    indicator: Indicator, *, on: dt.date, successions: AgencySuccessions | None = None
) -> AgencyAt | None:
    """The agency answering for ``indicator`` on ``on``: its recorded responsible agency, or the
    agency that took it over since (through the agencies' successions; none past a split). None
    when the catalogue names none. ``successions``: read once for many indicators."""
    if indicator.responsible_agency is None:
        return None
    return (successions or AgencySuccessions()).at(indicator.responsible_agency, on)
