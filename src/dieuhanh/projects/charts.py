"""What the public-investment pages' charts draw, as JSON for ``static/projects/projects.js``.

The page embeds it with ``json_script``; the script only draws. Every word comes from here,
translated; every name is the register's and reaches the page as text, never as HTML. Colours are
the one status palette's (analytics' ``writing.PALETTE``): behind schedule is drawn as off track.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dieuhanh.analytics.readmodel.scope import ADMINISTRATIVE_KINDS, default_org_unit
from dieuhanh.analytics.readmodel.writing import PALETTE, number
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import map_day, org_unit_tree
from dieuhanh.projects.choices import ScheduleStatus
from dieuhanh.projects.models import Project
from dieuhanh.projects.selectors import ProjectView

THOUSAND = Decimal(1000)
# A project's amounts are in million đồng; the pages write them in billion (tỷ đồng), with one
# decimal, as the indicators PI_PLAN and PI_DISB are written.
AMOUNT_DECIMALS = 1

# A schedule status drawn in the palette's colours: behind is "off track", no plan has no status.
PALETTE_KEY = {
    ScheduleStatus.ON_TRACK.value: "on_track",
    ScheduleStatus.AT_RISK.value: "at_risk",
    ScheduleStatus.BEHIND.value: "off_track",
    ScheduleStatus.NO_PLAN.value: "none",
}
MAP_STATUSES = [ScheduleStatus.BEHIND, ScheduleStatus.AT_RISK, ScheduleStatus.ON_TRACK]


def palette_key(status: object) -> str:
    """The palette's key (and the badge's CSS modifier) of a schedule status."""
    return PALETTE_KEY.get(str(status or ""), "none")


def status_text(status: object) -> str:
    try:
        return str(ScheduleStatus(str(status)).label)
    except ValueError:
        return ""


def billions(value: Decimal | None) -> float | None:
    """Million đồng as billion, for a chart (rounded as the pages write it)."""
    if value is None:
        return None
    return float(round(Decimal(value) / THOUSAND, 3))


def amount_text(value: Decimal | None) -> str:
    """Million đồng written as billion the Vietnamese way: 1.234,5; "–" if missing."""
    return number(None if value is None else Decimal(value) / THOUSAND, AMOUNT_DECIMALS)


def month_label(month: object) -> str:
    """A month code written the Vietnamese way: 202307 → 7/2023."""
    text = str(month)
    if len(text) == 6 and text.isdigit():
        return f"{int(text[4:])}/{text[:4]}"
    return text


def curve_chart(*, view: ProjectView, project: Project, year: int) -> dict[str, Any]:
    """The year's curve of one project, January to January of the next year: the capital plan as
    at each month's end, the disbursement of that plan accumulated (up to the date shown), and
    the pace the milestones ask by each month's end (the plan × the pace's share)."""
    points = view.curve
    return {
        "kind": "curve",
        "title": _("Plan, disbursement and the schedule's pace, %(year)s") % {"year": year},
        "x": [month_label(p.period) for p in points],
        "series": [
            {"role": "plan", "name": _("Capital plan"), "data": [billions(p.plan) for p in points]},
            {"role": "pace", "name": _("Schedule pace (milestones)"), "data": [billions(p.pace) for p in points]},
            {"role": "disbursed", "name": _("Disbursed, cumulative"), "data": [billions(p.disbursed) for p in points]},
        ],
        "unit": _("billion đồng"),
        "decimals": AMOUNT_DECIMALS,
        "save": _("Save as PNG image"),
        "file": f"{project.code}_{year}",
    }


def _boundaries_url(unit: OrgUnit, day: dt.date) -> str:
    """The province's boundaries of ``day`` (as the dashboard's maps address them)."""
    url = reverse("dashboard:boundaries", args=[unit.code])
    if unit.is_valid_on(day):
        return f"{url}?on={day.isoformat()}"
    valid = unit.valid_from or unit.valid_to
    return f"{url}?on={valid.isoformat()}&at={day.isoformat()}" if valid else f"{url}?on={day.isoformat()}"


def _lines_of(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "LineString":
        return [coordinates]
    if kind in ("MultiLineString", "Polygon"):
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    return []


def _points_of(geometry: dict[str, Any]) -> list[list[float]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Point":
        return [coordinates]
    if kind == "MultiPoint":
        return list(coordinates)
    return []


def map_chart(*, collection: dict[str, Any], year: int, on: dt.date, query: str) -> dict[str, Any]:
    """The projects with a plan of ``year`` as points and lines on the province's map of ``on``,
    coloured by their status against schedule; each opens its page (``query``: the year and day)."""
    home = default_org_unit(org_unit_tree(kinds=ADMINISTRATIVE_KINDS), on=on)
    items: list[dict[str, Any]] = []
    for feature in collection.get("features") or []:
        geometry = feature.get("geometry") or {}
        props = feature.get("properties") or {}
        code = str(props.get("code") or "")
        status = str(props.get("status") or ScheduleStatus.NO_PLAN)
        if status == ScheduleStatus.NO_PLAN:
            continue  # a project without a plan this year (finished, not started) has no place on the year's map
        percent = props.get("percent")
        items.append(
            {
                "code": code,
                "name": str(props.get("name") or ""),
                "status": status,
                "percent": None if percent is None else float(percent),
                "percent_text": number(percent, 1) + (" %" if percent is not None else ""),
                "url": reverse("projects:detail", args=[code]) + f"?{query}",
                "points": _points_of(geometry),
                "lines": _lines_of(geometry),
            }
        )
    return {
        "kind": "projects-map",
        "geojson": _boundaries_url(home, map_day(home, on)) if home is not None else "",
        "items": items,
        "status_order": [s.value for s in MAP_STATUSES],
        "status_labels": {s.value: str(s.label) for s in MAP_STATUSES},
        "status_colours": {s.value: PALETTE[palette_key(s.value)].strong for s in MAP_STATUSES},
        "legend_title": _("Disbursement against the schedule, as at %(date)s")
        % {"date": date_format(on, "SHORT_DATE_FORMAT")},
        "disbursed_label": _("Disbursed of the year's plan"),
        "save": _("Save as PNG image"),
        "file": f"projects_{year}",
    }


def legend(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The map's legend as the page writes it: each status, its colour's key and how many projects."""
    counts: dict[str, int] = {}
    for item in payload["items"]:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return [
        {
            "status": key,
            "label": payload["status_labels"][key],
            "palette": palette_key(key),
            "count": counts.get(key, 0),
        }
        for key in payload["status_order"]
    ]
