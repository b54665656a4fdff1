"""Reads of the catalogue."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F

from dieuhanh.indicators.models import Indicator


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
