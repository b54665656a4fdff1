"""Reads behind the wall screen that the other pages do not need: which indicators get a map, and the
public-investment projects slowest to disburse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import pgettext_lazy

from dieuhanh.analytics.readmodel.book import FigureBook
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.dashboard.selectors.common import Place
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import today
from dieuhanh.projects.choices import ScheduleStatus
from dieuhanh.projects.models import CapitalAllocation
from dieuhanh.projects.selectors import slow_projects

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


# ---- the panel "Dự án chậm giải ngân" ----------------------------------------------------------------

WALL_PROJECT_ROWS = 8
MILLION_PER_BILLION = Decimal(1000)
# A project's status against the disbursement schedule, in the colours of the indicators' statuses.
# The statuses as the wall writes them (its own words: short, read from across the room).
SCHEDULE_LABELS = {
    ScheduleStatus.ON_TRACK: pgettext_lazy("wall", "On schedule"),
    ScheduleStatus.AT_RISK: pgettext_lazy("wall", "At risk"),
    ScheduleStatus.BEHIND: pgettext_lazy("wall", "Behind schedule"),
    ScheduleStatus.NO_PLAN: pgettext_lazy("wall", "No plan"),
}
SCHEDULE_COLOURS = {
    ScheduleStatus.ON_TRACK: "on_track",
    ScheduleStatus.AT_RISK: "at_risk",
    ScheduleStatus.BEHIND: "off_track",
    ScheduleStatus.NO_PLAN: "no_target",
}


@dataclass(frozen=True)
class WallProject:
    """A row of the panel: the project, its investor, the year's plan (billion đồng) and the share of it
    disbursed, its status against the schedule with the colour it is shown in, its open obstacles."""

    code: str
    name: str
    investor: OrgUnit
    plan: Decimal
    percent: Decimal | None
    status: str
    status_label: str
    colour: str
    open_obstacles: int


@dataclass(frozen=True)
class WallProjects:
    year: int
    on: dt.date
    rows: list[WallProject]


def wall_slow_projects(*, unit: OrgUnit, report: ReportPeriod, limit: int = WALL_PROJECT_ROWS) -> WallProjects | None:
    """The projects slowest to disburse the year's plan as at the end of the wall's period (or today, if
    earlier), for a province's wall; None for a unit below a province, or when no project is slow."""
    if unit.kind != OrgUnitKind.PROVINCE:
        return None
    on = min(report.end_date, today())
    # One query where the register holds no plan of the year (most walls outside the demo).
    if not CapitalAllocation.objects.filter(year=on.year).exists():
        return None
    rows = [
        WallProject(
            code=row.project.code,
            name=row.project.name,
            investor=row.project.investor,
            plan=row.progress.plan / MILLION_PER_BILLION,
            percent=row.progress.percent,
            status=str(row.progress.status),
            status_label=str(SCHEDULE_LABELS.get(row.progress.status, row.progress.status.label)),
            colour=SCHEDULE_COLOURS.get(row.progress.status, "no_target"),
            open_obstacles=row.open_obstacles,
        )
        for row in slow_projects(year=on.year, on=on, limit=limit)
    ]
    return WallProjects(year=on.year, on=on, rows=rows) if rows else None
