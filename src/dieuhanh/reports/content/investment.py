"""The report's public-investment section: the year's capital plan and its disbursement against the
milestones, the slowest investors and projects, site clearance, and the obstacles open and overdue by
the agency that must resolve them — from the projects register, as at the end of the report's period
(or the day the report is made, if earlier)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from dieuhanh.analytics.readmodel.writing import PERCENT_DECIMALS, number_vi
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.projects.choices import ScheduleStatus
from dieuhanh.projects.models import CapitalAllocation, Obstacle, SiteClearance
from dieuhanh.projects.schedule import disbursed_percent, pace_at, required_at, schedule_status
from dieuhanh.projects.selectors import investor_ranking, milestones_for, progress_of, slow_projects
from dieuhanh.reports.document import Paragraph, Section, Table

if TYPE_CHECKING:
    from dieuhanh.reports.content.builder import ReportBuilder

BILLION = Decimal(1000)
# How many of the slowest projects and investors the report names.
SLOWEST = 5
AMOUNT_DECIMALS = 1


def _day(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _ty(amount: Decimal) -> str:
    """An amount of million đồng written in tỷ đồng."""
    return number_vi(amount / BILLION, AMOUNT_DECIMALS)


def _pct(value: Decimal | None) -> str:
    return number_vi(value, PERCENT_DECIMALS)


def investment_section(b: ReportBuilder) -> Section | None:
    """The section, for a province's report with projects holding a plan of the year; None otherwise
    (the register is the province's: a district's or commune's report has no such section)."""
    if b.unit.kind != OrgUnitKind.PROVINCE:
        return None
    on = min(b.report.end_date, b.issued_on)
    year = on.year
    # One query where the register holds no plan of the year.
    if not CapitalAllocation.objects.filter(year=year, effective_on__lte=on).exists():
        return None
    progress = {pk: p for pk, p in progress_of(year=year, on=on).items() if p.plan > 0}
    if not progress:
        return None
    section = Section(number="", title=b.text("section_investment"))
    as_of = _day(on)
    milestones = milestones_for(year)
    plan = sum((p.plan for p in progress.values()), Decimal(0))
    disbursed = sum((p.disbursed for p in progress.values()), Decimal(0))
    status = schedule_status(plan=plan, disbursed=disbursed, on=on, year=year, milestones=milestones)
    behind = sum(1 for p in progress.values() if p.status == ScheduleStatus.BEHIND)
    at_risk = sum(1 for p in progress.values() if p.status == ScheduleStatus.AT_RISK)
    required = required_at(milestones, on)
    section.blocks.append(
        Paragraph(
            b.text(
                "investment_summary",
                year=str(year),
                as_of=as_of,
                plan=_ty(plan),
                projects=len(progress),
                disbursed=_ty(disbursed),
                percent=_pct(disbursed_percent(plan, disbursed)),
                status=b.text(f"investment_status_{status.value}"),
            )
        )
    )
    section.blocks.append(
        Paragraph(
            b.text(
                "investment_milestones",
                year=str(year),
                milestones="; ".join(
                    b.text("investment_milestone", percent=_pct(m.percent), due=_day(m.due_on)) for m in milestones
                ),
                as_of=as_of,
                required=_pct(required) if required else "",
                pace=_pct(pace_at(milestones, on, year=year)),
                behind=behind,
                at_risk=at_risk,
            )
        )
    )
    _investors(b, section, year=year, on=on, as_of=as_of)
    _projects(b, section, year=year, on=on, as_of=as_of)
    _clearance(b, section, on=on, as_of=as_of, projects=set(progress))
    _obstacles(b, section, on=on, as_of=as_of)
    return section


def _investors(b: ReportBuilder, section: Section, *, year: int, on: dt.date, as_of: str) -> None:
    ranking = investor_ranking(year=year, on=on)
    slowest = list(reversed(ranking[-SLOWEST:]))
    if not slowest:
        return
    section.blocks.append(
        Paragraph(b.text("investment_investors_intro", year=str(year), count=len(ranking), shown=len(slowest)))
    )
    rows = tuple(
        (
            str(row.rank),
            row.investor.name,
            str(row.projects),
            _ty(row.plan),
            _ty(row.disbursed),
            _pct(row.percent),
            str(row.behind),
            b.text(f"investment_status_{row.status.value}"),
        )
        for row in slowest
    )
    section.blocks.append(
        Table(
            caption=b.text("investment_investors_table", number=b.numbers.table(), as_of=as_of),
            header=tuple(
                b.text(k)
                for k in (
                    "col_rank",
                    "col_investor",
                    "col_projects",
                    "col_capital_plan",
                    "col_disbursed",
                    "col_disbursed_pct",
                    "col_projects_behind",
                    "col_status",
                )
            ),
            rows=rows,
            numeric=(True, False, True, True, True, True, True, False),
            widths=(0.8, 4.4, 1.0, 1.6, 1.6, 1.2, 1.2, 1.6),
        )
    )


def _projects(b: ReportBuilder, section: Section, *, year: int, on: dt.date, as_of: str) -> None:
    rows = slow_projects(year=year, on=on, limit=SLOWEST * 2)
    if not rows:
        section.blocks.append(Paragraph(b.text("investment_projects_none", as_of=as_of)))
        return
    section.blocks.append(
        Table(
            caption=b.text("investment_projects_table", number=b.numbers.table(), as_of=as_of),
            header=tuple(
                b.text(k)
                for k in (
                    "col_number",
                    "col_project",
                    "col_investor",
                    "col_capital_plan",
                    "col_disbursed_pct",
                    "col_open_obstacles",
                    "col_status",
                )
            ),
            rows=tuple(
                (
                    str(n),
                    row.project.name,
                    row.project.investor.name,
                    _ty(row.progress.plan),
                    _pct(row.progress.percent),
                    str(row.open_obstacles),
                    b.text(f"investment_status_{row.progress.status.value}"),
                )
                for n, row in enumerate(rows, start=1)
            ),
            numeric=(False, False, False, True, True, True, False),
            widths=(0.8, 4.6, 3.0, 1.6, 1.2, 1.2, 1.6),
        )
    )


@dataclass
class _Clearance:
    area: Decimal = Decimal(0)
    done: Decimal = Decimal(0)
    households: int = 0
    paid: int = 0
    plots: int = 0
    allocated: int = 0


def _clearance(b: ReportBuilder, section: Section, *, on: dt.date, as_of: str, projects: set[int]) -> None:
    """Site clearance of the year's projects: the latest figures of each project and commune by then."""
    period = f"{on.year}{on.month:02d}"
    latest: dict[tuple[int, int], SiteClearance] = {}
    for row in SiteClearance.objects.filter(project_id__in=projects, period__lte=period).order_by("period"):
        latest[(row.project_id, row.org_unit_id)] = row
    if not latest:
        return
    total = _Clearance()
    for row in latest.values():
        total.area += row.area_total
        total.done += row.area_handed_over
        total.households += row.households_total
        total.paid += row.households_paid
        total.plots += row.plots_needed
        total.allocated += row.plots_allocated
    hectare = Decimal(10_000)
    section.blocks.append(
        Paragraph(
            b.text(
                "investment_clearance",
                as_of=as_of,
                projects=len({project for project, _unit in latest}),
                area=number_vi(total.area / hectare, AMOUNT_DECIMALS),
                done=number_vi(total.done / hectare, AMOUNT_DECIMALS),
                area_pct=_pct(disbursed_percent(total.area, total.done)),
                households=total.households,
                paid=total.paid,
                households_pct=_pct(disbursed_percent(Decimal(total.households), Decimal(total.paid))),
                plots=total.plots,
                allocated=total.allocated,
            )
        )
    )


def _obstacles(b: ReportBuilder, section: Section, *, on: dt.date, as_of: str) -> None:
    """Obstacles reported by then and not resolved by then, by the agency that must resolve them;
    overdue: past their deadline."""
    open_ = list(
        Obstacle.objects.filter(reported_on__lte=on)
        .exclude(resolved_on__lte=on)
        .select_related("project", "resolving_agency")
        .order_by("deadline", "pk")
    )
    if not open_:
        section.blocks.append(Paragraph(b.text("investment_obstacles_none", as_of=as_of)))
        return
    overdue = [o for o in open_ if o.deadline is not None and o.deadline < on]
    by_agency: dict[int, list[Obstacle]] = defaultdict(list)
    for obstacle in open_:
        by_agency[obstacle.resolving_agency_id].append(obstacle)
    agencies: dict[int, OrgUnit] = {o.resolving_agency_id: o.resolving_agency for o in open_}
    order = sorted(
        by_agency,
        key=lambda pk: (-sum(1 for o in by_agency[pk] if o in overdue), -len(by_agency[pk]), agencies[pk].name),
    )
    section.blocks.append(Paragraph(b.text("investment_obstacles", as_of=as_of, open=len(open_), overdue=len(overdue))))
    section.blocks.append(
        Table(
            caption=b.text("investment_obstacles_table", number=b.numbers.table(), as_of=as_of),
            header=tuple(b.text(k) for k in ("col_number", "col_resolving_agency", "col_open", "col_overdue")),
            rows=tuple(
                (
                    str(n),
                    agencies[pk].name,
                    str(len(by_agency[pk])),
                    str(sum(1 for o in by_agency[pk] if o in overdue)),
                )
                for n, pk in enumerate(order, start=1)
            ),
            numeric=(False, False, True, True),
            widths=(0.8, 6.0, 1.4, 1.4),
        )
    )
    if overdue:
        section.blocks.append(Paragraph(b.text("investment_overdue_intro")))
        for obstacle in overdue:
            deadline = obstacle.deadline or on
            section.blocks.append(
                Paragraph(
                    b.text(
                        "investment_overdue_item",
                        project=obstacle.project.name,
                        description=obstacle.description.rstrip(" ."),
                        agency=obstacle.resolving_agency.name,
                        due=_day(deadline),
                        days=(on - deadline).days,
                    ),
                    style="item",
                )
            )
