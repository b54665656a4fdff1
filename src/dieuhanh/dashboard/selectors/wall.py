"""Reads behind the wall screen that the other pages do not need: which indicators get a map."""

from __future__ import annotations

from collections.abc import Sequence

from dieuhanh.analytics.readmodel.book import FigureBook
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.dashboard.selectors.common import Place
from dieuhanh.indicators.models import Indicator

WALL_MAPS = 3


def wall_map_indicators(
    *,
    book: FigureBook,
    indicators: Sequence[Indicator],
    headline_ids: set[int],
    place: Place,
    report: ReportPeriod,
    codes: Sequence[str] = (),
    limit: int = WALL_MAPS,
) -> list[Indicator]:
    """The indicators the wall maps over the unit's children: those named in ``codes``, else chosen.

    Chosen: headline indicators that the children report, those with a plan at the
    children first (their map shows who is behind), then in catalogue order.
    """
    if codes:
        by_code = {i.code: i for i in indicators}
        return [by_code[c] for c in codes if c in by_code][:limit]
    ranked: list[tuple[int, int, Indicator]] = []
    for position, indicator in enumerate(indicators):
        if indicator.pk not in headline_ids:
            continue
        figures = [book.figure(indicator, child.pk, report) for child in place.children]
        if not any(f.measures.value is not None for f in figures):
            continue
        planned = sum(1 for f in figures if f.measures.plan is not None)
        ranked.append((-planned, position, indicator))
    ranked.sort(key=lambda item: item[:2])
    return [indicator for _planned, _position, indicator in ranked[:limit]]
