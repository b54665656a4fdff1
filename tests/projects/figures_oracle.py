"""The register's figures as they were computed before the database summed them: a loop over the
projects, months and sources in Python (``figures.py`` until the set-based rewrite), kept here only
as the oracle the tests hold the database's sums to, figure for figure."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from dieuhanh.directives.selectors import issuing_unit_default
from dieuhanh.projects.choices import AllocationKind, CapitalSource, ScheduleStatus
from dieuhanh.projects.figures import (
    AREA,
    AREA_DONE,
    BEHIND,
    COM_DISB,
    COM_PLAN,
    DISB,
    HOUSEHOLDS,
    HOUSEHOLDS_PAID,
    INV_DISB,
    INV_PLAN,
    PLAN,
    ZERO,
    Figures,
    _end,
    _months,
    _period,
    group_code,
    source_code,
)
from dieuhanh.projects.models import CapitalAllocation, Disbursement, Project, ProjectLocation, SiteClearance
from dieuhanh.projects.schedule import schedule_status
from dieuhanh.projects.selectors import Places, milestones_for


class _Where:
    """Where each project lies, month by month (provinces, communes, its investor's carrier)."""

    def __init__(self, places: Places) -> None:
        self.places = places
        self.locations: dict[int, list[int]] = defaultdict(list)
        for project_id, unit_id in ProjectLocation.objects.values_list("project_id", "org_unit_id"):
            self.locations[project_id].append(unit_id)
        self.investors = dict(Project.objects.values_list("pk", "investor_id"))
        self.groups = dict(Project.objects.values_list("pk", "group"))
        self._default: dict[dt.date, int | None] = {}

    def default_province(self, day: dt.date) -> list[int]:
        if day not in self._default:
            unit = issuing_unit_default(on=day)
            self._default[day] = unit.pk if unit is not None else None
        found = self._default[day]
        return [found] if found is not None else []

    def provinces(self, project_id: int, day: dt.date) -> list[int]:
        places = self.places
        return (
            places.provinces_at(self.locations.get(project_id, []), day)
            or places.provinces_at([self.investors[project_id]], day)
            or self.default_province(day)
        )

    def communes(self, project_id: int, day: dt.date) -> list[int]:
        return sorted({pk for unit in self.locations.get(project_id, []) for pk in self.places.at(unit, day)})

    def investor(self, project_id: int, day: dt.date) -> list[int]:
        return self.places.at(self.investors[project_id], day)[:1]


def _add(figures: Figures, units: Iterable[int], code: str, period: str, value: Decimal) -> None:
    for unit in units:
        key = (unit, code, period)
        figures[key] = figures.get(key, ZERO) + value


def _capital(figures: Figures, where: _Where, year: int, today: dt.date) -> None:
    """Plans, disbursement and projects behind of ``year``, month by month."""
    changes: dict[tuple[int, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for project_id, source, day, amount in (
        CapitalAllocation.objects.filter(year=year)
        .exclude(kind=AllocationKind.CARRYOVER)
        .values_list("project_id", "source", "effective_on", "amount")
    ):
        changes[(project_id, source)].append((day, amount))
    if not changes:
        return
    paid: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for project_id, source, period, amount in Disbursement.objects.filter(
        plan_year=year, period__startswith=f"{year:04d}"
    ).values_list("project_id", "source", "period", "amount"):
        paid[(project_id, source, period)] += amount
    milestones = milestones_for(year)
    projects = sorted({pk for pk, _source in changes})
    cumulative: dict[int, Decimal] = defaultdict(Decimal)
    for period, day in _months(year, today):
        end = _end(int(period[:4]), int(period[4:]))
        for project_id in projects:
            provinces = where.provinces(project_id, end)
            investor = where.investor(project_id, end)
            communes = where.communes(project_id, end)
            group = where.groups[project_id]
            plan_total = ZERO
            contributed = False
            for source in CapitalSource.values:
                moves = changes.get((project_id, source))
                if moves is None:
                    continue
                effective = [amount for when, amount in moves if when <= end]
                month = paid.get((project_id, source, period), ZERO)
                if not effective and not month:
                    # No plan of the year in force yet, nothing disbursed: the project adds
                    # nothing to any unit this month (not a zero, which would stand for a figure).
                    continue
                plan = sum(effective, ZERO)
                contributed = True
                plan_total += plan
                cumulative[project_id] += month
                for code, value in ((PLAN, plan), (DISB, month)):
                    _add(figures, provinces, code, period, value)
                    _add(figures, provinces, source_code(source, code.removeprefix("PI_")), period, value)
                    _add(figures, provinces, group_code(group, code.removeprefix("PI_")), period, value)
                _add(figures, investor, INV_PLAN, period, plan)
                _add(figures, investor, INV_DISB, period, month)
                _add(figures, communes, COM_PLAN, period, plan)
                _add(figures, communes, COM_DISB, period, month)
            if not contributed:
                continue
            status = schedule_status(
                plan=plan_total, disbursed=cumulative[project_id], on=day, year=year, milestones=milestones
            )
            behind = Decimal(status == ScheduleStatus.BEHIND)
            _add(figures, provinces, BEHIND, period, behind)
            _add(figures, investor, BEHIND, period, behind)


def _clearance(figures: Figures, where: _Where, year: int, today: dt.date) -> None:
    """Site clearance at the end of each month of ``year``: the latest figures of each project and commune."""
    rows = sorted(
        SiteClearance.objects.filter(period__lte=_period(year, 12)).values_list(
            "project_id",
            "org_unit_id",
            "period",
            "area_total",
            "area_handed_over",
            "households_total",
            "households_paid",
        ),
        key=lambda r: r[2],
    )
    if not rows:
        return
    latest: dict[tuple[int, int], tuple[Decimal, Decimal, int, int]] = {}
    position = 0
    for period, _day in _months(year, today):
        while position < len(rows) and rows[position][2] <= period:
            project_id, unit_id, _p, area, done, households, paid_households = rows[position]
            latest[(project_id, unit_id)] = (area, done, households, paid_households)
            position += 1
        end = _end(int(period[:4]), int(period[4:]))
        for (project_id, unit_id), (area, done, households, paid_households) in latest.items():
            communes = where.places.at(unit_id, end)
            provinces = where.places.provinces_at(communes, end) or where.provinces(project_id, end)
            for units in (communes, provinces):
                _add(figures, units, AREA, period, area)
                _add(figures, units, AREA_DONE, period, done)
                _add(figures, units, HOUSEHOLDS, period, Decimal(households))
                _add(figures, units, HOUSEHOLDS_PAID, period, Decimal(paid_households))


def oracle_compute(*, years: Iterable[int], today: dt.date) -> Figures:
    """The capital and site-clearance figures of ``years``, by the former loop."""
    where = _Where(Places())
    figures: Figures = {}
    for year in sorted(set(years)):
        _capital(figures, where, year, today)
        _clearance(figures, where, year, today)
    return figures
