"""Reads behind the overview and the wall: the headline tiles of one unit and period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from dieuhanh.analytics.engine import Basis
from dieuhanh.analytics.readmodel.book import Figure, FigureBook, periods_needed, sparklines_needed
from dieuhanh.analytics.readmodel.breaks import Break
from dieuhanh.analytics.readmodel.lists import StatusSummary, status_summary
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.models import OrgUnit


def overview_book(
    *,
    indicators: Sequence[Indicator],
    unit: OrgUnit,
    report: ReportPeriod,
    also: Sequence[OrgUnit] = (),
    basis: Basis = Basis.APPROVED,
) -> FigureBook:
    """One engine for everything the overview shows: every indicator, the period and the sparklines.

    The sparklines' periods are given to the engine too: it reads only the ranges it is told of.
    ``also``: more units to read from the same engine (the wall's maps and off-track list).
    """
    units = {unit.pk: unit} | {u.pk: u for u in also}
    return FigureBook(
        indicators=indicators,
        units=list(units.values()),
        periods=periods_needed(indicators, [report]),
        value_periods=sparklines_needed(indicators, report),
        basis=basis,
    )


@dataclass(frozen=True)
class Tile:
    """A headline indicator's tile: its figure and the values of its sparkline."""

    figure: Figure
    sparkline: list[Decimal | None]
    # Where the sparkline crosses the day the unit's map changed (its start, for a successor).
    breaks: list[Break] = field(default_factory=list)


@dataclass
class Tiles:
    """The overview's tiles and the headline indicators without a figure at this unit."""

    tiles: list[Tile] = field(default_factory=list)
    absent: list[Indicator] = field(default_factory=list)

    @property
    def summary(self) -> StatusSummary:
        """The tiles by the status each shows: the counts add up to the tiles."""
        return status_summary([t.figure for t in self.tiles])

    @property
    def behind(self) -> int:
        return sum(1 for t in self.tiles if t.figure.is_behind)


def overview_tiles(
    *, book: FigureBook, indicators: Sequence[Indicator], headline_ids: set[int], unit: OrgUnit, report: ReportPeriod
) -> Tiles:
    """A tile for every headline indicator that has a figure or a plan at the unit, in catalogue order.

    A headline indicator that the unit neither reports nor has a plan for (an export figure
    kept only for the whole province, seen at a commune) gets no tile, only a mention.
    """
    result = Tiles()
    for indicator in indicators:
        if indicator.pk not in headline_ids:
            continue
        figure = book.figure(indicator, unit.pk, report)
        if not figure.has_figures and figure.measures.plan is None:
            result.absent.append(indicator)
            continue
        result.tiles.append(Tile(figure=figure, sparkline=book.sparkline(figure), breaks=book.sparkline_breaks(figure)))
    return result
