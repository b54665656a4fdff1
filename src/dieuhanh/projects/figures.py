"""The register's figures (``indicators.yaml``), computed from the projects and written through the
figures service, so the overview, rankings, maps, the off-track list, the wall, alerts and the
report show public investment with no code of their own.

For every year the register holds a plan for, and each of its months up to the current one:

- at the **province** a project lies in that month (its communes' province, through the units'
  successions; else its investor's; else the catalogue's one province): PI_PLAN, the sum of the
  plans as at the month's end, and PI_DISB, the sum of that year's plan disbursed in the month
  (January of the next year's disbursement of it counts only towards the last milestone): so the
  province's PI_DISB_RATE is the projects' aggregate. By source (PI_SRC_*) and group (PI_GRP_*)
  the same; PI_BEHIND, the projects behind schedule at the month's end (today in the month under
  way);
- at the **investor** (the agency carrying its work that month): PI_INV_PLAN, PI_INV_DISB, PI_BEHIND;
- at each **commune** a project lies in (the unit in force that month): PI_COM_PLAN, PI_COM_DISB,
  a project in several communes counting whole in each;
- **site clearance**, by commune and province, the latest figures of each project and commune at
  the month's end: PI_GPMB_AREA, _AREA_DONE, PI_GPMB_HH, _HH_PAID;
- **obstacles**, by resolving agency (the one leading its follow-up directive then) and province,
  at the month's end (today in the month under way), by the directives' status rules:
  PI_OBST_OPEN, PI_OBST_OVERDUE.

Amounts are written in tỷ đồng (the register's million đồng / 1,000). Rates are ratios the
analytics engine computes. Only figures that are new or changed are written; a figure of the
register's own indicators (all but PI_PLAN and PI_DISB, which other sources write too) that the
register no longer gives, in a month it refreshes, is deleted.

The capital and site-clearance figures are summed by the database, a few ``GROUP BY`` statements a
year whatever the size of the register (``aggregates.py``); the obstacles, a few per project and
ruled by the directives' status through time, are counted here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from dieuhanh.accounts.selectors import acting_user
from dieuhanh.directives.choices import DirectiveStatus
from dieuhanh.directives.models import Directive
from dieuhanh.directives.selectors import DirectiveLeads, directive_facts, fact_state, issuing_unit_default
from dieuhanh.figures.choices import DataValueStatus, ImportFormat
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.services import FigureRow, figure_delete, figures_write
from dieuhanh.indicators.metadata import MetadataLoadResult, metadata_load
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.projects import aggregates, todate
from dieuhanh.projects.aggregates import Capital, Clearance
from dieuhanh.projects.choices import CapitalSource, ProjectGroup
from dieuhanh.projects.models import CapitalAllocation, Obstacle, Project, ProjectLocation, SiteClearance
from dieuhanh.projects.selectors import Places

INDICATORS_FILE = Path(__file__).with_name("indicators.yaml")
CHANNEL = "projects"
ZERO = Decimal(0)
BILLION = Decimal(1000)
QUANTUM = Decimal("0.000001")

PLAN, DISB, BEHIND = "PI_PLAN", "PI_DISB", "PI_BEHIND"
INV_PLAN, INV_DISB = "PI_INV_PLAN", "PI_INV_DISB"
COM_PLAN, COM_DISB = "PI_COM_PLAN", "PI_COM_DISB"
AREA, AREA_DONE, HOUSEHOLDS, HOUSEHOLDS_PAID = "PI_GPMB_AREA", "PI_GPMB_AREA_DONE", "PI_GPMB_HH", "PI_GPMB_HH_PAID"
OBST_OPEN, OBST_OVERDUE = "PI_OBST_OPEN", "PI_OBST_OVERDUE"
# Other collectors (files, the demo) write these too: the register never deletes one.
SHARED = (PLAN, DISB)


def source_code(source: str, what: str) -> str:
    return f"PI_SRC_{source.upper()}_{what}"


def group_code(group: str, what: str) -> str:
    return f"PI_GRP_{group.upper()}_{what}"


OWN = (
    BEHIND,
    INV_PLAN,
    INV_DISB,
    COM_PLAN,
    COM_DISB,
    AREA,
    AREA_DONE,
    HOUSEHOLDS,
    HOUSEHOLDS_PAID,
    OBST_OPEN,
    OBST_OVERDUE,
    *(source_code(s, w) for s in CapitalSource.values for w in ("PLAN", "DISB")),
    *(group_code(g, w) for g in ProjectGroup.values for w in ("PLAN", "DISB")),
)
STORED = (*SHARED, *OWN)

# (unit id, indicator code, period) → value
Figures = dict[tuple[int, str, str], Decimal]


def projects_indicators_ensure(*, reload: bool = True) -> MetadataLoadResult | None:
    """Load the register's indicators into the catalogue (nothing changes once they are there).
    Without ``reload``, only when one is missing (one query). A responsible agency the catalogue
    does not hold (outside the demo) is left out rather than refusing the load."""
    codes = [i["code"] for i in _document()["indicators"]]
    if not reload and Indicator.objects.filter(code__in=codes).count() == len(codes):
        return None
    document = _document()
    agencies = {i.get("responsible_agency") for i in document["indicators"]} - {None}
    known = set(OrgUnit.objects.filter(code__in=agencies).values_list("code", flat=True))
    for item in document["indicators"]:
        if item.get("responsible_agency") not in known:
            item.pop("responsible_agency", None)
    return metadata_load(document=document)


def _document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8"))
    return document


def _period(year: int, month: int) -> str:
    return f"{year:04d}{month:02d}"


def _end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, today: dt.date) -> list[tuple[str, dt.date]]:
    """The months of ``year`` up to today's, each with the day it is counted at: its end, or today."""
    last = 12 if year < today.year else today.month
    return [(_period(year, m), min(_end(year, m), today)) for m in range(1, last + 1)] if year <= today.year else []


def register_years(*, today: dt.date) -> list[int]:
    """The years the register holds something of, up to this one."""
    years = set(CapitalAllocation.objects.values_list("year", flat=True).distinct())
    years |= {int(p[:4]) for p in SiteClearance.objects.values_list("period", flat=True).distinct()}
    years |= {d.year for d in Obstacle.objects.values_list("reported_on", flat=True).distinct()}
    return sorted(y for y in years if y <= today.year)


class _Where:
    """Where each of some projects lies, month by month (their provinces), for the obstacles."""

    def __init__(self, places: Places, project_ids: Iterable[int]) -> None:
        self.places = places
        wanted = sorted(set(project_ids))
        self.locations: dict[int, list[int]] = defaultdict(list)
        for project_id, unit_id in ProjectLocation.objects.filter(project_id__in=wanted).values_list(
            "project_id", "org_unit_id"
        ):
            self.locations[project_id].append(unit_id)
        self.investors = dict(Project.objects.filter(pk__in=wanted).values_list("pk", "investor_id"))
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


def _add(figures: Figures, units: Iterable[int], code: str, period: str, value: Decimal) -> None:
    for unit in units:
        key = (unit, code, period)
        figures[key] = figures.get(key, ZERO) + value


def _capital(figures: Figures, capital: Capital, year: int) -> None:
    """Plans, disbursement and projects behind of ``year``, month by month, from the database's sums."""
    for (province, month, source, group), (plan, paid) in capital.provinces.items():
        period = _period(year, month)
        for what, value in (("PLAN", plan), ("DISB", paid)):
            for code in (f"PI_{what}", source_code(source, what), group_code(group, what)):
                _add(figures, [province], code, period, value)
    for (kind, unit, month), (plan, paid) in capital.units.items():
        codes = (INV_PLAN, INV_DISB) if kind == aggregates.INVESTOR else (COM_PLAN, COM_DISB)
        for code, value in zip(codes, (plan, paid), strict=True):
            _add(figures, [unit], code, _period(year, month), value)
    for (_kind, unit, month), count in capital.behind.items():
        _add(figures, [unit], BEHIND, _period(year, month), Decimal(count))


def _clearance(figures: Figures, clearance: Clearance, year: int) -> None:
    """Site clearance at the end of each month of ``year``: the latest figures of each project and commune."""
    for sums in (clearance.communes, clearance.provinces):
        for (unit, month), (area, done, households, paid_households) in sums.items():
            period = _period(year, month)
            _add(figures, [unit], AREA, period, area)
            _add(figures, [unit], AREA_DONE, period, done)
            _add(figures, [unit], HOUSEHOLDS, period, Decimal(households))
            _add(figures, [unit], HOUSEHOLDS_PAID, period, Decimal(paid_households))


def _obstacles(figures: Figures, where: _Where, year: int, today: dt.date) -> None:
    """Obstacles open and overdue at the end of each month of ``year`` (today in the month under way)."""
    last_day = min(_end(year, 12), today)
    obstacles = list(
        Obstacle.objects.filter(reported_on__lte=last_day).values_list(
            "pk", "project_id", "reported_on", "resolved_on", "deadline", "resolving_agency_id", "directive_id"
        )
    )
    if not obstacles:
        return
    directive_ids = [d for *_rest, d in obstacles if d is not None]
    facts = directive_facts(directives=Directive.objects.filter(pk__in=directive_ids))
    leads = DirectiveLeads(directive_ids=directive_ids)
    for period, day in _months(year, today):
        for _pk, project_id, reported_on, resolved_on, deadline, agency_id, directive_id in obstacles:
            if reported_on > day:
                continue
            if directive_id is not None and directive_id in facts:
                state = fact_state(facts, directive_id, day)
                status = state.status if state is not None else DirectiveStatus.IN_PROGRESS
                lead = leads.unit_id_at(directive_id, facts[directive_id].lead_agency_id, day)
                agencies = [lead] if lead is not None else []
            else:
                done = resolved_on is not None and resolved_on <= day
                late = deadline is not None and deadline < day
                status = (
                    DirectiveStatus.DONE_ON_TIME
                    if done
                    else DirectiveStatus.OVERDUE
                    if late
                    else DirectiveStatus.IN_PROGRESS
                )
                agencies = where.places.at(agency_id, day)[:1]
            is_open = Decimal(status not in (DirectiveStatus.DONE_ON_TIME, DirectiveStatus.DONE_LATE))
            overdue = Decimal(status == DirectiveStatus.OVERDUE)
            provinces = where.provinces(project_id, day)
            for units in (agencies, provinces):
                _add(figures, units, OBST_OPEN, period, is_open)
                _add(figures, units, OBST_OVERDUE, period, overdue)


def figures_compute(*, years: Iterable[int], today: dt.date) -> Figures:
    """Every figure of the register for ``years`` (in million đồng, m², households, counts)."""
    places = Places()
    units = aggregates.referenced_units()
    figures: Figures = {}
    obstacle_projects = Obstacle.objects.values_list("project_id", flat=True).distinct()
    where = _Where(places, obstacle_projects)
    with aggregates.scratch() as cursor:
        for year in sorted(set(years)):
            months = [
                aggregates.Month(int(period[4:]), period, _end(year, int(period[4:])), day)
                for period, day in _months(year, today)
            ]
            if not months:
                continue
            capital, clearance = aggregates.year_sums(cursor, places=places, year=year, months=months, units=units)
            _capital(figures, capital, year)
            _clearance(figures, clearance, year)
            _obstacles(figures, where, year, today)
    return figures


def figures_refresh(
    *, years: Iterable[int] | None = None, user: Any = None, today: dt.date | None = None
) -> ImportBatch | None:
    """Compute the register's figures of ``years`` (every year it holds something of, when None)
    and write what changed, approved (counted from the register, nobody reports them); None when
    nothing changed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        projects_indicators_ensure(reload=False)
        wanted = sorted(set(years) if years is not None else register_years(today=today))
        # The disbursement to date of every year asked, a later one too (the questions read it).
        todate.refresh(wanted)
        wanted = [y for y in wanted if y <= today.year]
        if not wanted:
            return None
        computed = figures_compute(years=wanted, today=today)
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=STORED)}
        ids = {i.pk: code for code, i in indicators.items()}
        periods = {period for year in wanted for period, _day in _months(year, today)}
        amounts = {code for code in STORED if code.endswith(("_PLAN", "_DISB")) or code in SHARED}
        values: Figures = {
            (unit, code, period): (value / BILLION if code in amounts else value).quantize(QUANTUM)
            for (unit, code, period), value in computed.items()
        }
        # Only units in force in the month take a figure (the catalogue refuses the others).
        units = OrgUnit.objects.in_bulk({unit for unit, _c, _p in values})
        stored = DataValue.objects.filter(indicator_id__in=list(ids), period__in=periods).values_list(
            "pk", "org_unit_id", "indicator_id", "period", "value"
        )
        held = {(unit, ids[indicator], period): (pk, value) for pk, unit, indicator, period, value in stored}
        rows: list[FigureRow] = []
        for (unit, code, period), value in sorted(values.items()):
            year, month = int(period[:4]), int(period[4:])
            if not units[unit].is_valid_between(dt.date(year, month, 1), _end(year, month)):
                continue
            old = held.get((unit, code, period))
            if old is not None and old[1] == value:
                continue
            rows.append(FigureRow(indicators[code].pk, unit, Period.parse(period), value))
        stale = [pk for key, (pk, _value) in held.items() if key[1] not in SHARED and key not in values]
        for data_value in DataValue.objects.filter(pk__in=stale):
            figure_delete(data_value=data_value, user=user)
        if not rows:
            return None
        first, last = min(wanted), max(wanted)
        name = f"dau-tu-cong-{first}" if first == last else f"dau-tu-cong-{first}-{last}"
        batch = ImportBatch(
            source_name=name, channel=CHANNEL, file_format=ImportFormat.API, created_by=acting_user(user)
        )
        return figures_write(rows, batch=batch, user=user, status=DataValueStatus.APPROVED)
