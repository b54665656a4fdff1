"""Reads behind the overview: the headline tiles and the full table of one unit and period."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from dieuhanh.dashboard.periods import ReportPeriod
from dieuhanh.dashboard.selectors.figures import Figure, FigureBook, periods_needed, sparklines_needed
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.orgunits.models import OrgUnit


def unit_lineage_ids(unit: OrgUnit) -> list[int]:
    """The unit's own id and its ancestors', read from its materialised path (no query)."""
    return [int(part) for part in unit.path.strip("/").split("/") if part] or [unit.pk]


def headline_indicator_ids(*, unit: OrgUnit) -> set[int]:
    """The indicators with an annual plan at the unit or above it, in any year; one query.

    These are the plan indicators (*chỉ tiêu kế hoạch*) the People's Council sets each year:
    what a Vietnamese report leads with. Below the province they are read at the unit, even
    where only the province has a plan for them.
    """
    return set(
        Target.objects.filter(org_unit_id__in=unit_lineage_ids(unit), year_from=F("year_to"))
        .values_list("indicator_id", flat=True)
        .distinct()
    )


def overview_book(
    *, indicators: Sequence[Indicator], unit: OrgUnit, report: ReportPeriod, also: Sequence[OrgUnit] = ()
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
    )


@dataclass(frozen=True)
class Tile:
    """A headline indicator's tile: its figure and the values of its sparkline."""

    figure: Figure
    sparkline: list[Decimal | None]


@dataclass
class Tiles:
    """The overview's tiles, the headline indicators without a figure at this unit, and a count by status."""

    tiles: list[Tile] = field(default_factory=list)
    absent: list[Indicator] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def behind(self) -> int:
        return self.statuses["off_track"] + self.statuses["at_risk"]


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
        result.tiles.append(Tile(figure=figure, sparkline=book.sparkline(figure)))
        if figure.measures.status:
            result.statuses[figure.measures.status] += 1
    return result


@dataclass(frozen=True)
class SectorGroup:
    """The rows of one sector; ``sector`` is None for indicators not yet filed under one."""

    sector: Sector | None
    rows: list[Figure]


def overview_table(
    *, indicators: Sequence[Indicator], org_unit: OrgUnit, report: ReportPeriod, book: FigureBook | None = None
) -> list[SectorGroup]:
    """Every indicator's figure at one unit and period, grouped by sector in catalogue order.

    All figures come from one engine, whose cost does not grow in queries with the
    number of indicators or of units below ``org_unit``.
    """
    if book is None:
        book = FigureBook(indicators=indicators, units=[org_unit], periods=periods_needed(indicators, [report]))
    groups: dict[int | None, SectorGroup] = {}
    for indicator in indicators:
        key = indicator.sector_id
        if key not in groups:
            groups[key] = SectorGroup(sector=indicator.sector, rows=[])
        groups[key].rows.append(book.figure(indicator, org_unit.pk, report))
    # Unfiled indicators last, whichever way the database sorts a null sector.
    return [g for k, g in groups.items() if k is not None] + ([groups[None]] if None in groups else [])
