"""Reads behind the dashboard pages that no other surface needs; see each module.

The figures themselves, and the lists the report shares with the pages (plan indicators,
scorecards, what is off track), are analytics' read model (``dieuhanh.analytics.readmodel``).
"""

from dieuhanh.dashboard.selectors.common import Place, address_code, period_map, unit_place, year_choices
from dieuhanh.dashboard.selectors.indicator import IndicatorDetail, UnitRow, indicator_detail
from dieuhanh.dashboard.selectors.overview import Tile, Tiles, overview_book, overview_tiles
from dieuhanh.dashboard.selectors.wall import wall_map_indicators, wall_slow_projects

__all__ = [
    "IndicatorDetail",
    "Place",
    "Tile",
    "Tiles",
    "UnitRow",
    "address_code",
    "indicator_detail",
    "overview_book",
    "overview_tiles",
    "period_map",
    "unit_place",
    "wall_map_indicators",
    "wall_slow_projects",
    "year_choices",
]
