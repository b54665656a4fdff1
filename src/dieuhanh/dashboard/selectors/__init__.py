"""Reads behind the dashboard pages; see each module. Views import from here."""

from dieuhanh.dashboard.selectors.common import (
    ADMINISTRATIVE_KINDS,
    DataSpan,
    PeriodGroup,
    Place,
    child_units,
    data_span,
    default_org_unit,
    default_period,
    period_choices,
    stored_operands,
    unit_place,
    visible_indicators,
)
from dieuhanh.dashboard.selectors.figures import Figure, FigureBook, change_pct, periods_needed, subperiods_needed
from dieuhanh.dashboard.selectors.indicator import IndicatorDetail, UnitRow, indicator_detail
from dieuhanh.dashboard.selectors.overview import (
    SectorGroup,
    Tile,
    Tiles,
    headline_indicator_ids,
    overview_book,
    overview_table,
    overview_tiles,
)
from dieuhanh.dashboard.selectors.scorecard import (
    BehindRow,
    PlannedPairs,
    Scorecard,
    offtrack_list,
    planned_pairs,
    unit_scorecard,
)
from dieuhanh.dashboard.selectors.wall import wall_map_indicators

__all__ = [
    "ADMINISTRATIVE_KINDS",
    "BehindRow",
    "DataSpan",
    "Figure",
    "FigureBook",
    "IndicatorDetail",
    "PeriodGroup",
    "Place",
    "PlannedPairs",
    "Scorecard",
    "SectorGroup",
    "Tile",
    "Tiles",
    "UnitRow",
    "change_pct",
    "child_units",
    "data_span",
    "default_org_unit",
    "default_period",
    "headline_indicator_ids",
    "indicator_detail",
    "offtrack_list",
    "overview_book",
    "overview_table",
    "overview_tiles",
    "period_choices",
    "periods_needed",
    "planned_pairs",
    "stored_operands",
    "subperiods_needed",
    "unit_place",
    "unit_scorecard",
    "visible_indicators",
    "wall_map_indicators",
]
