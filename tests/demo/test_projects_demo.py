"""The demo's public-investment projects: about two hundred, the seed's among them, adding up to the
demo's province figures to the million đồng, and the story a leader walks in three clicks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum

from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.demo.generate import DEFAULT_SEED
from dieuhanh.demo.projects import (
    STORY_INVESTOR,
    STORY_PROJECT,
    DemoProjectsResult,
    demo_project_specs,
    plan_money,
    projects_demo_load,
    province_targets,
)
from dieuhanh.demo.services import DemoLoadResult
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.selectors import unit_at
from dieuhanh.projects import todate
from dieuhanh.projects.choices import AllocationKind
from dieuhanh.projects.figures import figures_refresh
from dieuhanh.projects.models import CapitalAllocation, CapitalTransfer, Disbursement, Obstacle, Project, SiteClearance
from dieuhanh.projects.selectors import investor_ranking, progress_of, project_list
from tests.conftest import DEMO_UNTIL

pytestmark = pytest.mark.django_db

LAST_DAY = dt.date(2026, 11, 30)
MEASURED = ("value", "ytd")


def months(first: tuple[int, int], last: tuple[int, int]) -> list[Period]:
    out, (year, month) = [], first
    while (year, month) <= last:
        out.append(Period.parse(f"{year}{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def rates() -> dict[tuple[str, str, str, str], Decimal | None]:
    """PI_DISB_RATE, PI_PLAN and PI_DISB of Bình Dương (2023 – 6/2025) and of the new city (7/2025 – the
    demo's last month), as the analytics read model answers them."""
    indicators = list(Indicator.objects.filter(code__in=("PI_DISB_RATE", "PI_PLAN", "PI_DISB")).order_by("code"))
    out: dict[tuple[str, str, str, str], Decimal | None] = {}
    for code, day, periods in (
        ("74", dt.date(2023, 1, 1), months((2023, 1), (2025, 6))),
        ("79", dt.date(2025, 7, 1), months((2025, 7), (2026, 11))),
    ):
        unit = unit_at(code, on=day)
        assert unit is not None
        for m in analytics_measures(indicators=indicators, org_units=[unit], periods=periods):
            for measure in MEASURED:
                out[(m.indicator, code, m.period, measure)] = getattr(m, measure)
    return out


@dataclass
class Loaded:
    result: DemoProjectsResult
    before: dict[tuple[str, str, str, str], Decimal | None]
    after: dict[tuple[str, str, str, str], Decimal | None]
    again: DemoProjectsResult


@pytest.fixture(scope="module")
def loaded(demo: DemoLoadResult, django_db_blocker: Any) -> Iterator[Loaded]:
    """The projects on top of the run's demo, for the module (rolled back at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = rates()
        result = projects_demo_load(seed=DEFAULT_SEED, until=DEMO_UNTIL)
        after = rates()
        again = projects_demo_load(seed=DEFAULT_SEED, until=DEMO_UNTIL)
        yield Loaded(result, before, after, again)
        transaction.set_rollback(True)


def test_the_demo_holds_about_two_hundred_sample_projects_the_seeds_among_them(loaded: Loaded) -> None:
    projects = Project.objects.all()
    names = " | ".join(projects.values_list("name", flat=True))

    assert loaded.result.loaded
    assert 180 <= projects.count() == loaded.result.projects <= 220
    assert not projects.filter(sample=False).exists()
    for named in (
        "Bệnh viện Đa khoa 1.500 giường",
        "Vành đai 3",
        "Vành đai 4",
        "Tân Vạn – Bình Chuẩn",
        "ĐT741",
        "ĐT746",
    ):
        assert named in names
    assert {"national", "A", "B", "C"} == set(projects.values_list("group", flat=True))
    hospital = projects.get(name__startswith="Bệnh viện Đa khoa 1.500 giường tỉnh Bình Dương")
    assert hospital.completed_on == dt.date(2023, 12, 22)
    assert hospital.decisions.filter(kind="approval").exists()


def test_each_project_lies_in_communes_of_its_time_with_a_point_or_line_beside_them(loaded: Loaded) -> None:
    for project in Project.objects.prefetch_related("locations"):
        communes = list(project.locations.all())
        assert communes, project.code
        assert {c.kind for c in communes} == {"commune"}
        # Bình Dương's projects lie in its communes of 2023–6/2025, the city's in those from 1/7/2025.
        day = dt.date(2024, 1, 1) if project.code.startswith("DA-BD") else dt.date(2025, 7, 1)
        assert all(c.is_valid_on(day) for c in communes), project.code
        geometry = project.geometry
        assert geometry["type"] in ("Point", "LineString")
        points = [geometry["coordinates"]] if geometry["type"] == "Point" else geometry["coordinates"]
        for lon, lat in points:
            assert any(abs(lon - c.longitude) < 0.03 and abs(lat - c.latitude) < 0.03 for c in communes)


def test_the_projects_add_up_to_the_provinces_figures_and_leave_the_disbursement_rate_unchanged(
    loaded: Loaded,
) -> None:
    bd = unit_at("74", on=dt.date(2023, 1, 1))
    plan_2023 = CapitalAllocation.objects.filter(year=2023).exclude(kind=AllocationKind.CARRYOVER)
    disbursed_2023 = Disbursement.objects.filter(plan_year=2023, period__startswith="2023")

    # The province's own figures are now the register's (the engine reads them before its districts')…
    assert DataValue.objects.filter(org_unit=bd, indicator__code="PI_DISB").count() == 30
    assert plan_2023.aggregate(t=Sum("amount"))["t"] == Decimal("21816900")
    assert disbursed_2023.aggregate(t=Sum("amount"))["t"] == loaded.before[("PI_DISB", "74", "202312", "ytd")] * 1000
    # … and every month of both provinces reads as before.
    assert len(loaded.before) == 2 * 3 * (30 + 17)
    assert loaded.after == loaded.before
    assert loaded.before[("PI_DISB_RATE", "79", "202611", "ytd")] is not None


def test_plans_change_by_adjustments_transfers_and_carry_overs_that_keep_the_total(loaded: Loaded) -> None:
    kinds = set(CapitalAllocation.objects.values_list("kind", flat=True))

    assert kinds == {"initial", "adjustment", "transfer", "carryover"}
    assert CapitalTransfer.objects.count() >= 2
    for year in (2023, 2024, 2026):
        moves = CapitalAllocation.objects.filter(year=year, kind__in=("adjustment", "transfer"))
        assert moves.exists()
        assert moves.aggregate(t=Sum("amount"))["t"] == 0


def test_no_project_disburses_more_than_its_plan(loaded: Loaded) -> None:
    for year, day in ((2023, dt.date(2023, 12, 31)), (2025, dt.date(2025, 12, 31)), (2026, LAST_DAY)):
        for progress in progress_of(year=year, on=day).values():
            assert progress.disbursed <= progress.plan


def test_roads_and_hospitals_clear_their_sites_month_by_month(loaded: Loaded) -> None:
    hospital = Project.objects.get(name__startswith="Bệnh viện Đa khoa 1.500 giường tỉnh")
    road = Project.objects.get(name__startswith="Đường Vành đai 3 Thành phố Hồ Chí Minh, đoạn qua tỉnh Bình Dương")
    rows = SiteClearance.objects.filter(project=road).order_by("period")

    assert SiteClearance.objects.filter(project=hospital).exists()
    assert rows.count() >= 2 * 24
    first, last = rows.first(), rows.last()
    assert first is not None
    assert last is not None
    assert first.area_handed_over < last.area_handed_over <= last.area_total
    assert last.period == "202506"  # Bình Dương's communes end with the province


def test_about_forty_obstacles_some_resolved_some_open_some_overdue(loaded: Loaded) -> None:
    obstacles = Obstacle.objects.all()
    open_ = obstacles.filter(resolved_on__isnull=True)

    assert obstacles.count() == loaded.result.obstacles == 40
    assert obstacles.filter(resolved_on__isnull=False).count() >= 10
    assert open_.filter(deadline__lt=LAST_DAY).count() >= 3
    assert open_.filter(deadline__gte=LAST_DAY).count() >= 3
    assert not obstacles.filter(directive__isnull=True).exists()
    assert all(o.directive.lead_agency_id == o.resolving_agency_id for o in obstacles.select_related("directive"))


def test_the_slowest_investors_slowest_project_has_an_open_overdue_obstacle_and_who_must_resolve_it(
    loaded: Loaded,
) -> None:
    slowest = investor_ranking(year=2026, on=LAST_DAY)[-1]
    (first, *_others) = project_list(year=2026, on=LAST_DAY, investor=slowest.investor)
    (obstacle,) = Obstacle.objects.filter(project=first.project)

    assert slowest.investor.code == STORY_INVESTOR
    assert first.project.code == STORY_PROJECT
    assert first.progress.status == "behind"
    assert obstacle.resolved_on is None
    assert obstacle.deadline is not None
    assert obstacle.deadline < LAST_DAY
    assert obstacle.resolving_agency.code == "HCM_SNNMT"


def test_loading_again_changes_nothing_and_the_plan_depends_only_on_the_seed(loaded: Loaded) -> None:
    targets = province_targets(until=DEMO_UNTIL)

    def money(seed: int) -> list[Any]:
        return plan_money(demo_project_specs(seed=seed), targets, seed=seed).disbursements

    assert not loaded.again.loaded
    assert loaded.again.projects == loaded.result.projects
    assert money(DEFAULT_SEED) == money(DEFAULT_SEED)
    assert money(DEFAULT_SEED) != money(DEFAULT_SEED + 1)


def test_the_provinces_rate_is_the_projects_aggregate_a_change_of_a_project_moves_it(loaded: Loaded) -> None:
    """The rate read above is the projects' (not the districts' left as they were): 100 million đồng more
    disbursed by a project of Bình Dương in December 2023 is 0.1 tỷ more for the province."""
    item = Disbursement.objects.filter(plan_year=2023, period="202312", project__code__startswith="DA-BD").first()
    assert item is not None
    with transaction.atomic():
        item.amount += 100
        item.save()
        figures_refresh(years=[2023], today=dt.date(2023, 12, 31))
        moved = rates()
        transaction.set_rollback(True)

    key = ("PI_DISB", "74", "202312", "value")
    assert moved[key] == loaded.after[key] + Decimal("0.1")


def test_the_demos_plan_years_are_read_from_disbursement_to_date_with_the_same_answers(loaded: Loaded) -> None:
    years = sorted(Disbursement.objects.values_list("plan_year", flat=True).distinct())
    assert years
    assert all(todate.is_current(year) for year in years)
    read = [(r.project.code, r.progress) for r in project_list(year=2026, on=LAST_DAY)]
    with transaction.atomic():
        todate.stale([2026])
        summed = [(r.project.code, r.progress) for r in project_list(year=2026, on=LAST_DAY)]
        transaction.set_rollback(True)
    assert read == summed
