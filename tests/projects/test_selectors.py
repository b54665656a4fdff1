"""Reads of the register: progress against the milestones at their boundaries, the investors'
ranking computed by hand, the list, a project's page, the map and the transfers proposed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dieuhanh.directives.choices import DirectiveStatus
from dieuhanh.orgunits.models import Succession
from dieuhanh.projects.choices import ObstacleCategory, ScheduleStatus
from dieuhanh.projects.models import DisbursementMilestone, Project
from dieuhanh.projects.selectors import (
    investor_ranking,
    investors_below,
    milestones_for,
    progress_of,
    project_detail,
    project_list,
    project_province,
    projects_geojson,
    slow_projects,
    transfer_proposals,
)
from dieuhanh.projects.services import allocation_add, obstacle_create
from tests.factories import OrgUnitFactory
from tests.projects.conftest import Register, disburse, project

pytestmark = pytest.mark.django_db

POINT = {"type": "Point", "coordinates": [106.65, 10.98]}


def status_on(item: Project, day: dt.date) -> ScheduleStatus:
    return progress_of(projects=Project.objects.filter(pk=item.pk), year=2024, on=day)[item.pk].status


@pytest.fixture
def three(register: Register) -> Register:
    """Three investors, by hand, as at 31/7/2024 (30 % required since 30/6; the pace then is
    30 + 30 × 31/92 = 40.11 %):

    - Sở Giao thông: P1 450 of 1,000 and P2 50 of 500 → 500 of 1,500 = 33.33 %, at risk; P2 (10 %) behind;
    - Sở Y tế: P3 480 of 800 = 60 %, on schedule;
    - Ban QLDA: P4 500 of 2,000 = 25 %, behind; P5 has no plan and does not count.
    """
    p1 = project("P1", register.transport, plan={"provincial": 1000})
    p2 = project("P2", register.transport, plan={"central": 500}, sources=["central"])
    p3 = project("P3", register.health, plan={"provincial": 800})
    p4 = project("P4", register.construction, plan={"provincial": 1200, "oda": 800}, sources=["provincial", "oda"])
    project("P5", register.construction)
    disburse(p1, "202403", 200)
    disburse(p1, "202407", 250)
    disburse(p2, "202405", 50, source="central")
    disburse(p3, "202406", 480)
    disburse(p4, "202406", 300)
    disburse(p4, "202407", 200, source="oda")
    disburse(p4, "202408", 999)  # after the date asked: not counted
    return register


def test_the_investors_ranking_computed_by_hand(three: Register) -> None:
    rows = investor_ranking(year=2024, on=dt.date(2024, 7, 31))

    assert [
        (r.rank, r.investor.code, r.plan, r.disbursed, round(r.percent or 0, 2), r.status, r.projects, r.behind)
        for r in rows
    ] == [
        (1, "SYT", Decimal(800), Decimal(480), Decimal("60.00"), ScheduleStatus.ON_TRACK, 1, 0),
        (2, "SGTVT", Decimal(1500), Decimal(500), Decimal("33.33"), ScheduleStatus.AT_RISK, 2, 1),
        (3, "BQLDA", Decimal(2000), Decimal(500), Decimal("25.00"), ScheduleStatus.BEHIND, 1, 1),
    ]


def test_investors_with_equal_shares_share_a_rank(three: Register) -> None:
    disburse(Project.objects.get(code="P4"), "202405", 700)  # 1,200 of 2,000 = 60 %, as Sở Y tế

    rows = investor_ranking(year=2024, on=dt.date(2024, 7, 31))

    assert [(r.rank, r.investor.code) for r in rows] == [(1, "BQLDA"), (1, "SYT"), (3, "SGTVT")]


def test_the_investors_below_a_share_are_listed_lowest_first(three: Register) -> None:
    on = dt.date(2024, 7, 31)

    assert [r.investor.code for r in investors_below(year=2024, on=on, percent=30)] == ["BQLDA"]
    assert [r.investor.code for r in investors_below(year=2024, on=on, percent=60)] == ["BQLDA", "SGTVT"]


def test_a_projects_status_against_schedule_at_the_milestone_of_30_june(register: Register) -> None:
    item = project("M1", register.health, plan={"provincial": 1000})
    disburse(item, "202406", 299)

    # 29.9 %: the pace on 29/6 asks 30 × 180/181 = 29.83 %; on 30/6 the milestone asks 30 %.
    assert status_on(item, dt.date(2024, 6, 29)) == ScheduleStatus.ON_TRACK
    assert status_on(item, dt.date(2024, 6, 30)) == ScheduleStatus.BEHIND
    disburse(item, "202406", 300)
    assert status_on(item, dt.date(2024, 6, 30)) == ScheduleStatus.ON_TRACK
    assert status_on(item, dt.date(2024, 7, 1)) == ScheduleStatus.AT_RISK  # the pace moves on towards 60 %


def test_the_last_milestone_counts_januarys_disbursement_of_the_years_plan(register: Register) -> None:
    item = project("M2", register.health, plan={"provincial": 1000})
    disburse(item, "202412", 940)

    # 94 %: the pace on 30/1 asks 60 + 35 × 122/123 = 94.72 %; on 31/1 the milestone asks 95 %.
    assert status_on(item, dt.date(2025, 1, 30)) == ScheduleStatus.AT_RISK
    assert status_on(item, dt.date(2025, 1, 31)) == ScheduleStatus.BEHIND
    disburse(item, "202501", 10)
    assert status_on(item, dt.date(2025, 1, 31)) == ScheduleStatus.ON_TRACK
    progress = progress_of(projects=Project.objects.filter(pk=item.pk), year=2024, on=dt.date(2025, 1, 31))[item.pk]
    assert (progress.plan, progress.disbursed, progress.percent) == (Decimal(1000), Decimal(950), Decimal(95))


def test_a_years_own_milestones_replace_the_default_ones(register: Register) -> None:
    item = project("M3", register.health, plan={"provincial": 1000})
    disburse(item, "202406", 350)
    DisbursementMilestone.objects.create(year=2024, due_on=dt.date(2024, 6, 30), percent=Decimal(40))

    assert [m.percent for m in milestones_for(2024)] == [Decimal(40)]
    assert [m.percent for m in milestones_for(2025)] == [Decimal(30), Decimal(60), Decimal(95)]
    assert status_on(item, dt.date(2024, 6, 30)) == ScheduleStatus.BEHIND


def test_the_plan_as_at_a_date_counts_the_changes_effective_by_then(register: Register) -> None:
    item = project("M4", register.health, plan={"provincial": 1000})
    allocation_add(
        project=item,
        year=2024,
        source="provincial",
        kind="adjustment",
        amount=Decimal(500),
        effective_on=dt.date(2024, 9, 1),
    )
    allocation_add(
        project=item,
        year=2024,
        source="provincial",
        kind="carryover",
        amount=Decimal(70),
        effective_on=dt.date(2024, 1, 1),
    )
    one = Project.objects.filter(pk=item.pk)

    assert progress_of(projects=one, year=2024, on=dt.date(2024, 8, 31))[item.pk].plan == Decimal(1000)
    september = progress_of(projects=one, year=2024, on=dt.date(2024, 9, 1))[item.pk]
    assert (september.plan, september.carried_over) == (Decimal(1500), Decimal(70))


def test_the_list_filters_and_puts_the_slowest_first(three: Register) -> None:
    on = dt.date(2024, 7, 31)

    assert [r.project.code for r in project_list(year=2024, on=on)] == ["P2", "P4", "P1", "P3", "P5"]
    assert [r.project.code for r in project_list(year=2024, on=on, investor=three.transport)] == ["P2", "P1"]
    assert [r.project.code for r in project_list(year=2024, on=on, source="oda")] == ["P4"]
    assert [r.project.code for r in project_list(year=2024, on=on, status="behind")] == ["P2", "P4"]
    assert [r.project.code for r in project_list(year=2024, on=on, order="fastest", with_plan=True)] == [
        "P3",
        "P1",
        "P4",
        "P2",
    ]
    assert [r.project.code for r in project_list(year=2024, on=on, q="p3")] == ["P3"]


def test_the_list_finds_projects_by_commune_and_counts_their_open_obstacles(register: Register, today: dt.date) -> None:
    tree = register.tree
    near = project("C1", register.transport, locations=[tree.commune_a1])
    project("C2", register.transport, locations=[tree.commune_b1])
    obstacle_create(
        project=near,
        category=ObstacleCategory.LAND,
        description="Đất",
        reported_on=dt.date(2024, 3, 1),
        resolving_agency=register.natural,
    )

    rows = project_list(year=2024, on=dt.date(2024, 7, 31), commune=tree.district_a)
    before = project_list(year=2024, on=dt.date(2024, 2, 1), commune=tree.commune_a1)

    assert [(r.project.code, r.open_obstacles) for r in rows] == [("C1", 1)]
    assert [(r.project.code, r.open_obstacles) for r in before] == [("C1", 0)]


def test_slow_projects_are_those_behind_or_at_risk_slowest_first(three: Register) -> None:
    assert [r.project.code for r in slow_projects(year=2024, on=dt.date(2024, 7, 31))] == ["P2", "P4"]
    assert [r.project.code for r in slow_projects(year=2024, on=dt.date(2024, 7, 31), limit=1)] == ["P2"]


def test_the_map_holds_the_located_projects_with_their_status(register: Register) -> None:
    item = project("G1", register.transport, plan={"provincial": 1000}, geometry=POINT)
    project("G2", register.transport, plan={"provincial": 1000})
    disburse(item, "202406", 125)

    collection = projects_geojson(year=2024, on=dt.date(2024, 7, 31))

    assert collection["type"] == "FeatureCollection"
    assert collection["features"] == [
        {
            "type": "Feature",
            "geometry": POINT,
            "properties": {
                "code": "G1",
                "name": "Dự án G1",
                "investor": "Sở Giao thông vận tải",
                "status": "behind",
                "percent": 12.5,
            },
        }
    ]


def test_transfers_are_proposed_from_projects_behind_to_projects_on_schedule_moving_as_much_out_as_in(
    three: Register,
) -> None:
    proposals = transfer_proposals(year=2024, on=dt.date(2024, 7, 31))

    assert proposals
    assert {p.from_project.code for p in proposals} <= {"P2", "P4"}
    assert {p.to_project.code for p in proposals} == {"P3"}
    # P3's room: its total investment (100,000) less every plan it holds (800).
    assert sum(p.amount for p in proposals) <= Decimal(99_200)
    # P2 (central capital) cannot give to P3, which has no central capital.
    assert all(p.source == "provincial" for p in proposals)
    # P4 gave 300 of 1,200 provincial by 31/7 (213 days): at that pace 300 × 397/213 = 559 by 31/1; 640 spare.
    assert [(p.from_project.code, p.amount) for p in proposals] == [("P4", Decimal(640))]


def test_a_projects_page_shows_the_curve_and_its_obstacles_directive_only_to_who_may_read_it(
    register: Register, today: dt.date, owner: object
) -> None:
    item = project("D1", register.transport, plan={"provincial": 1200}, locations=[register.tree.commune_a1])
    disburse(item, "202402", 100)
    disburse(item, "202405", 200)
    obstacle_create(
        project=item,
        category=ObstacleCategory.LAND,
        description="Đất",
        reported_on=dt.date(2024, 3, 1),
        resolving_agency=register.natural,
        deadline=dt.date(2024, 4, 30),
    )
    on = dt.date(2024, 6, 15)

    public = project_detail(project=item, year=2024, on=on, user=AnonymousUser())
    office = project_detail(project=item, year=2024, on=on, user=owner)

    assert [(c.period, c.disbursed) for c in public.curve[:7]] == [
        ("202401", Decimal(0)),
        ("202402", Decimal(100)),
        ("202403", Decimal(100)),
        ("202404", Decimal(100)),
        ("202405", Decimal(300)),
        ("202406", Decimal(300)),
        ("202407", None),
    ]
    june = public.curve[5]
    assert (june.plan, june.pace, june.required) == (Decimal(1200), Decimal(360), Decimal(360))
    assert len(public.curve) == 13
    assert public.curve[-1].period == "202501"
    (seen,) = public.obstacles
    assert (seen.obstacle.resolving_agency, seen.obstacle.deadline) == (register.natural, dt.date(2024, 4, 30))
    assert seen.state is not None
    assert seen.state.status == DirectiveStatus.OVERDUE
    assert seen.directive is None
    assert public.directives == []
    assert office.obstacles[0].directive is not None
    assert [d.pk for d, _state in office.directives] == [office.obstacles[0].directive.pk]


def test_a_project_lies_in_the_province_of_its_commune_then_of_the_communes_successor(register: Register) -> None:
    tree = register.tree
    tree.commune_a1.valid_to = dt.date(2025, 6, 30)
    tree.commune_a1.save()
    city = OrgUnitFactory(code="79", name="Thành phố Hồ Chí Minh", kind="province", valid_from=dt.date(2025, 7, 1))
    ward = OrgUnitFactory(code="25742", name="Phường Thủ Dầu Một", parent=city, valid_from=dt.date(2025, 7, 1))
    Succession.objects.create(predecessor=tree.commune_a1, successor=ward, effective_date=dt.date(2025, 7, 1))
    item = project("T1", register.transport, locations=[tree.commune_a1])

    assert project_province(project=item, on=dt.date(2025, 6, 30)) == tree.province
    assert project_province(project=item, on=dt.date(2025, 7, 1)) == city


def _queries(read: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def test_the_list_the_ranking_and_the_map_cost_as_many_queries_for_many_projects_as_for_few(
    register: Register,
) -> None:
    on = dt.date(2024, 7, 31)
    reads: list[Callable[[], object]] = [
        lambda: project_list(year=2024, on=on),
        lambda: investor_ranking(year=2024, on=on),
        lambda: projects_geojson(year=2024, on=on),
        lambda: slow_projects(year=2024, on=on),
    ]
    for n in range(2):
        disburse(project(f"Q{n}", register.transport, plan={"provincial": 100}, geometry=POINT), "202406", 10)
    few = [_queries(read) for read in reads]
    for n in range(2, 8):
        investor = (register.health, register.construction, register.transport)[n % 3]
        disburse(project(f"Q{n}", investor, plan={"provincial": 100}, geometry=POINT), "202406", 10)

    assert [_queries(read) for read in reads] == few
