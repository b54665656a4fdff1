"""The data behind the pages' charts and maps, as JSON for ``static/js/dh-charts.js``.

Presentation only: the figures come from the selectors; this module lays them out for
ECharts and adds the (translated) words the charts show. Numbers are JSON numbers
rounded like the API's (6 decimals); the script formats them in the page's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dieuhanh.analytics.readmodel import writing
from dieuhanh.analytics.readmodel.book import PARTIAL, Figure, FigureBook
from dieuhanh.analytics.readmodel.breaks import break_days, series_breaks
from dieuhanh.analytics.readmodel.periods import ReportPeriod, ShownPeriod, first_months_label, lower_first
from dieuhanh.analytics.readmodel.writing import PALETTE, STATUS_LABELS
from dieuhanh.analytics.selectors import number_out
from dieuhanh.dashboard.boundaries import boundary_codes
from dieuhanh.dashboard.selectors.common import Place
from dieuhanh.dashboard.selectors.indicator import IndicatorDetail
from dieuhanh.dashboard.templatetags.dh_figures import localized
from dieuhanh.indicators.choices import Direction
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import map_day


def short_label(period: Period) -> str:
    """A period as a chart axis writes it: 6/2023, Q2/2023, 2023."""
    if period.type == PeriodType.MONTHLY:
        return _("%(month)d/%(year)d") % {"month": period.index, "year": period.year}
    if period.type == PeriodType.QUARTERLY:
        return _("Q%(quarter)d/%(year)d") % {"quarter": period.index, "year": period.year}
    if period.type == PeriodType.SEMIANNUAL:
        return _("H%(half)d/%(year)d") % {"half": period.index, "year": period.year}
    return str(period.year)


def _n(value: Decimal | None) -> int | float | None:
    return number_out(value)


def _value_label() -> str:
    return pgettext("overview column: the figure of the period", "Value")


# How unit names start (Vietnamese) or end (English) with their type; a map label can do without it.
_TYPE_PREFIXES = ("Thành phố ", "Thị xã ", "Thị trấn ", "Huyện ", "Phường ", "Xã ", "Tỉnh ", "Quận ")
_TYPE_SUFFIXES = (" City", " Town", " Township", " District", " Ward", " Commune", " Province")


def short_unit_name(name: str) -> str:
    """A unit's name without its type, for a label on a crowded map: "Thành phố Dĩ An" → "Dĩ An"."""
    for prefix in _TYPE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    for suffix in _TYPE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _common(indicator: Indicator, unit: OrgUnit, name: str, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "file": f"{indicator.code}_{unit.code}_{name}",
        "decimals": indicator.decimals,
        "unit": localized(indicator, "unit"),
        "save": _("Save as PNG image"),
        "direction": indicator.direction,
    }


def _url(path: str, unit: OrgUnit, report: ReportPeriod) -> str:
    return f"{path}?{urlencode({'org_unit': unit.code, 'period': report.code})}"


def _status_labels() -> dict[str, str]:
    return {key: str(label) for key, label in STATUS_LABELS.items()} | {"": _("No figure")}


def _status_colours() -> dict[str, str]:
    """The one palette's strong colours (analytics' ``writing.PALETTE``), as the map fills them."""
    return {key: colours.strong for key, colours in PALETTE.items()} | {"": PALETTE["none"].strong}


def indicator_charts(*, detail: IndicatorDetail, place: Place, page_path: str) -> dict[str, dict[str, Any]]:
    """The four charts of the indicator page: trend, cumulative against plan, ranking, map."""
    indicator, unit, report = detail.indicator, place.unit, detail.report
    name = localized(indicator)
    plan_label = (
        _("Plan (annual plan spread evenly over the periods)") if detail.plan_is_per_period else _("Annual plan")
    )
    trend = _common(indicator, unit, "trend", _("%(indicator)s: five years") % {"indicator": name}) | {
        "kind": "trend",
        "x": [short_label(p.period) for p in detail.trend],
        "series": [
            {"role": "value", "name": _value_label(), "data": [_n(p.value) for p in detail.trend]},
            {"role": "previous", "name": _("Same period last year"), "data": [_n(p.previous) for p in detail.trend]},
            {"role": "plan", "name": plan_label, "data": [_n(p.plan) for p in detail.trend]},
        ],
    }
    year = detail.shown.period.year
    cumulative = _common(indicator, unit, "cumulative", _("%(indicator)s: cumulative") % {"indicator": name}) | {
        "kind": "cumulative",
        "x": [short_label(p.period) for p in detail.cumulative],
        "series": [
            {
                "role": "value",
                "name": _("Cumulative %(year)d") % {"year": year},
                "data": [_n(p.ytd) for p in detail.cumulative],
            },
            {
                "role": "previous",
                "name": _("Cumulative %(year)d") % {"year": year - 1},
                "data": [_n(p.previous_ytd) for p in detail.cumulative],
            },
            {
                "role": "plan",
                "name": _("Annual plan %(year)d") % {"year": year},
                "data": [_n(detail.plan)] * len(detail.cumulative) if detail.plan is not None else [],
            },
        ],
        "projection": {"name": _("Year-end estimate"), "value": _n(detail.own.figure.measures.projection)},
    }
    # The days the map of the unit (or below it) changed within the trend: marked on both charts.
    trend_periods = [p.period for p in detail.trend]
    days = break_days(unit=unit, start=trend_periods[0].start_date, end=trend_periods[-1].end_date)
    trend["breaks"] = breaks_json(days, trend_periods)
    cumulative["breaks"] = breaks_json(days, [p.period for p in detail.cumulative])
    children = {row.unit.pk: row for row in detail.children}
    ranking = _common(indicator, unit, "ranking", _("%(indicator)s: ranking of units") % {"indicator": name}) | {
        "kind": "ranking",
        "measure_label": _value_label_of(detail.shown),
        "items": [
            {
                "code": row.unit.code,
                "label": localized(row.unit),
                "rank": row.rank,
                "value": _n(row.figure.measures.value),
                "url": _url(page_path, row.unit, report),
                # Said in the tooltip: what the figure was re-based from, or why it is missing.
                "rebased": row.figure.is_rebased("value"),
                "note": row.figure.note("value"),
            }
            for row in detail.ranked
        ],
        "rebased_label": str(writing.REBASED_MARK),
    }
    figures = [(row.unit, children[row.unit.pk].figure) for row in detail.children]
    measures = map_measures(indicator, detail.shown, [f for _u, f in figures])
    items = [_map_item(figure, child, _url(page_path, child, report)) for child, figure in figures]
    map_chart = _map(
        indicator,
        place,
        name="map",
        title=_("%(indicator)s: map") % {"indicator": name},
        items=items,
        measures=measures,
        day=detail.shown.period.end_date,
    )
    return {"trend": trend, "cumulative": cumulative, "ranking": ranking, "map": map_chart}


def breaks_json(days: list[dt.date], periods: list[Period]) -> list[dict[str, Any]]:
    """The breaks a chart of ``periods`` crosses, for the script: a vertical line at the category
    ``index`` (the period the day falls in), with its label ("1/7/2025: sắp xếp đơn vị hành chính")."""
    return [
        {"index": b.index, "date": b.day.isoformat(), "label": b.label}
        for b in series_breaks(days=days, periods=periods)
    ]


def _value_label_of(shown: ShownPeriod) -> str:
    """The figure of the period, named with it: "Giá trị tháng 12/2023"."""
    return _("Value, %(period)s") % {"period": lower_first(shown.label())}


def _cumulative_label_of(shown: ShownPeriod) -> str:
    return _("Cumulative, %(period)s") % {
        "period": lower_first(first_months_label(shown.period.year, shown.period.last_month))
    }


def map_measures(indicator: Indicator, shown: ShownPeriod, figures: list[Figure]) -> list[dict[str, Any]]:
    """The measures a map can be coloured by, each named with the period it stands for.

    ``kind``: how the script reads it — a figure in the indicator's unit, a change (per cent or
    points), a share in per cent, or a status.
    """
    uom = localized(indicator, "unit")
    rate = indicator.in_points
    change_unit = str(writing.POINTS_UNIT) if rate else "%"
    measures: list[dict[str, Any]] = [
        {"key": "value", "label": _value_label_of(shown), "kind": "number", "unit": uom},
        {
            "key": "change",
            "label": _("Change on the same period last year (%(unit)s)") % {"unit": change_unit},
            "kind": "change",
            "unit": change_unit,
        },
    ]
    cumulative = _cumulative_label_of(shown)
    if figures and figures[0].has_cumulative:
        measures.append({"key": "ytd", "label": cumulative, "kind": "number", "unit": uom})
    if any(f.plan_share_shown for f in figures):
        measures.append(
            {
                "key": "plan_completion_pct",
                "label": _("Share of the annual plan reached (%(period)s)") % {"period": cumulative.lower()},
                "kind": "share",
                "unit": "%",
            }
        )
    if any(f.measures.plan is not None for f in figures):
        measures.append(
            {
                "key": "status",
                "label": _("Status against the annual plan (%(period)s)") % {"period": cumulative.lower()},
                "kind": "status",
                "unit": "",
            }
        )
    return measures


def _map_item(figure: Figure, unit: OrgUnit, url: str) -> dict[str, Any]:
    """A unit on a map: each measure's number (to colour by) and its text as every page writes it."""
    m, d = figure.measures, figure.decimals
    change = figure.change
    share = m.plan_completion_pct if figure.plan_share_shown else None
    return {
        "code": unit.code,
        "label": localized(unit),
        "short": short_unit_name(localized(unit)),
        "url": url,
        "values": {
            "value": _n(m.value),
            "change": _n(change.value),
            "ytd": _n(m.ytd),
            "plan_completion_pct": _n(share),
        },
        "texts": {
            "value": writing.number(m.value, d),
            "change": change.text,
            "ytd": writing.number(m.ytd, d),
            "plan_completion_pct": writing.number(share, writing.PERCENT_DECIMALS) + ("%" if share is not None else ""),
            "status": figure.status_label or str(_("No figure")),
        },
        "partial": figure.reported_text,
        # What a re-based measure was computed from, or why it is missing (the tooltip says it).
        "notes": {
            "value": figure.note("value"),
            "change": figure.note("previous"),
            "ytd": figure.note("ytd"),
            "plan_completion_pct": figure.note("ytd"),
            "status": figure.note("projection"),
        },
        "status": figure.status,
        "lat": unit.latitude,
        "lon": unit.longitude,
    }


def _boundaries_url(unit: OrgUnit, day: dt.date) -> str:
    """The map's boundaries on ``day`` (the end of the period shown): addressed by the unit's code
    and a day it was valid (a code names a unit only with a date), and the date of the map when
    the unit did not exist yet then (the home province shown re-based: ``at``)."""
    url = reverse("dashboard:boundaries", args=[unit.code])
    if unit.is_valid_on(day):
        return f"{url}?on={day.isoformat()}"
    valid = unit.valid_from or unit.valid_to
    return f"{url}?on={valid.isoformat()}&at={day.isoformat()}" if valid else f"{url}?on={day.isoformat()}"


def _map(
    indicator: Indicator,
    place: Place,
    *,
    name: str,
    title: str,
    items: list[dict[str, Any]],
    measures: list[dict[str, Any]],
    day: dt.date,
) -> dict[str, Any]:
    """A map of the children on ``day``: polygons where the shipped boundaries have them (those of
    that day), else points at their centroids."""
    with_polygon = boundary_codes((item["code"] for item in items), on=map_day(place.unit, day))
    if items and len(with_polygon) == len(items):
        mode = "choropleth"
    elif any(item["lat"] is not None and item["lon"] is not None for item in items):
        mode = "points"
    else:
        mode = "none"
    return _common(indicator, place.unit, name, title) | {
        "kind": "map",
        "mode": mode,
        "geojson": _boundaries_url(place.unit, map_day(place.unit, day)),
        "items": items,
        "measures": measures,
        "measure": measures[0]["key"],
        "status_labels": _status_labels(),
        "status_colours": _status_colours(),
        "status_order": ["on_track", "at_risk", "off_track", "partial", "no_target"],
        "no_data": _("No figure"),
        "partial_label": _("units reported"),
        "lower_is_better": indicator.direction == Direction.DOWN,
    }


@dataclass(frozen=True)
class WallMap:
    """A wall-screen map panel: the chart, and beside it the children ranked by the very measure
    the map is coloured by, for the same period (named in ``legend``)."""

    indicator: Indicator
    chart: dict[str, Any]
    ranked: list[tuple[OrgUnit, Figure]]
    period_label: str
    measure: str  # "status" (against the plan, from January) or "value" (the period's own figure)
    legend: str

    @property
    def ranked_figures(self) -> list[Figure]:
        return [figure for _unit, figure in self.ranked]

    @property
    def data_id(self) -> str:
        """The id of the element that carries the chart's JSON."""
        return f"wall-map-data-{self.indicator.code}"


def wall_map(*, book: FigureBook, indicator: Indicator, place: Place, report: ReportPeriod) -> WallMap:
    """A wall-screen map: one measure, one period for the colours, the ranking and the legend.

    Where the children have plans: their status against the plan, judged on January to the end
    of the period, ranked by the gap between the year-end estimate and the plan (the measure the
    status reads). Else: the period's own figure, ranked by it.
    """
    path = reverse("dashboard:indicator", args=[indicator.code])
    shown = report.shown_for(PeriodType(indicator.period_type))
    figures = [(child, book.figure(indicator, child.pk, report)) for child in place.children]
    all_measures = map_measures(indicator, shown, [f for _c, f in figures])
    planned = any(f.measures.plan is not None for _c, f in figures)
    key = "status" if planned else "value"
    measures = [m for m in all_measures if m["key"] == key]
    items = [_map_item(figure, child, _url(path, child, report)) for child, figure in figures]
    chart = _map(
        indicator,
        place,
        name="wall",
        title=localized(indicator),
        items=items,
        measures=measures,
        day=shown.period.end_date,
    )
    better_first = indicator.direction != Direction.DOWN
    if planned:
        # Best first: the widest margin over the plan (gap_pct is already "negative is behind").
        judged = [cf for cf in figures if cf[1].gap_pct is not None and cf[1].status != PARTIAL]
        judged.sort(key=lambda cf: cf[1].gap_pct or Decimal(0), reverse=True)
        rest = [cf for cf in figures if cf not in judged]
    else:
        judged = [cf for cf in figures if cf[1].measures.value is not None]
        judged.sort(key=lambda cf: cf[1].measures.value or Decimal(0), reverse=better_first)
        rest = [cf for cf in figures if cf[1].measures.value is None]
    return WallMap(
        indicator=indicator,
        chart=chart,
        ranked=judged + rest,
        period_label=shown.label(),
        measure=key,
        legend=str(measures[0]["label"]),
    )
