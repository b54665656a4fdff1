"""The register's figures, written through the figures service and read through analytics as any
figure is: the province's disbursement rate is the projects' aggregate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.projects.choices import ObstacleCategory, ProjectGroup
from dieuhanh.projects.figures import INDICATORS_FILE, projects_indicators_ensure
from dieuhanh.projects.models import Project
from dieuhanh.projects.services import (
    SiteClearanceRow,
    allocation_add,
    obstacle_create,
    obstacle_resolve,
    projects_figures_refresh,
    site_clearance_write,
    transfer_make,
)
from tests.projects.conftest import Register, disburse, project

pytestmark = pytest.mark.django_db


def stored(code: str, unit: OrgUnit, period: str) -> Decimal | None:
    return (
        DataValue.objects.filter(indicator__code=code, org_unit=unit, period=period)
        .values_list("value", flat=True)
        .first()
    )


def measure(code: str, unit: OrgUnit, period: str) -> Decimal | None:
    indicator = Indicator.objects.select_related("numerator", "denominator").get(code=code)
    (found,) = analytics_measures(indicators=[indicator], org_units=[unit], periods=[Period.parse(period)])
    return found.value


def test_the_plan_and_disbursement_indicators_are_defined_as_the_demo_catalogue_defines_them() -> None:
    demo = yaml.safe_load((Path(settings.DIEUHANH_DATA_DIR) / "demo" / "binhduong-catalogue.yaml").read_text())
    own = yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8"))

    def of(document: dict[str, list[dict[str, object]]], key: str, code: str) -> dict[str, object]:
        return next(item for item in document[key] if item["code"] == code)

    for code in ("PI_PLAN", "PI_DISB", "PI_DISB_RATE"):
        assert of(own, "indicators", code) == of(demo, "indicators", code)
    assert of(own, "sectors", "DAU_TU") == of(demo, "sectors", "DAU_TU")


def test_the_indicators_load_without_the_demos_agencies_and_again_unchanged(db: None) -> None:
    projects_indicators_ensure()
    again = projects_indicators_ensure()

    assert Indicator.objects.filter(code__startswith="PI_").count() == 51
    assert Indicator.objects.get(code="PI_PLAN").responsible_agency is None
    assert again is not None
    assert not again.created
    assert Indicator.objects.get(code="PI_GPMB_HH_RATE").in_points


@pytest.fixture
def year(register: Register, today: dt.date) -> Register:
    """Three projects of 2024 in the province (the clock: 15/12/2024):

    - A in two communes, 1,000 (provincial), 100 in March + 200 in June + 50 in January 2025;
    - B in one commune, 600 (central) + 400 (provincial), group A, 300 in July;
    - C with no commune (its investor's province: the catalogue's one), 500 (oda), nothing disbursed.
    Σ plan 2,500; Σ disbursed in 2024 600; January 2025 is not 2024's PI_DISB.
    """
    tree = register.tree
    a = project("A", register.transport, plan={"provincial": 1000}, locations=[tree.commune_a1, tree.commune_b1])
    b = project(
        "B",
        register.health,
        plan={"central": 600, "provincial": 400},
        sources=["central", "provincial"],
        locations=[tree.commune_a2],
        group=ProjectGroup.A,
    )
    project("C", register.construction, plan={"oda": 500}, sources=["oda"])
    disburse(a, "202403", 100)
    disburse(a, "202406", 200)
    disburse(a, "202501", 50)
    disburse(b, "202407", 300, source="central")
    return register


def test_the_provinces_disbursement_rate_is_the_projects_aggregate(year: Register) -> None:
    batch = projects_figures_refresh()

    province = year.tree.province
    assert batch is not None
    assert batch.channel == "projects"
    assert measure("PI_DISB_RATE", province, "2024") == Decimal(600) / Decimal(2500) * 100
    assert measure("PI_PLAN", province, "2024") == Decimal("2.5")
    assert measure("PI_DISB", province, "2024") == Decimal("0.6")
    assert stored("PI_DISB", province, "202406") == Decimal("0.2")
    assert not DataValue.objects.filter(period__gte="202501").exists()  # the clock is in December 2024


def test_the_breakdowns_by_investor_commune_source_and_group(year: Register) -> None:
    projects_figures_refresh()
    tree = year.tree

    assert measure("PI_INV_RATE", year.transport, "2024") == Decimal(30)
    assert measure("PI_INV_RATE", year.construction, "2024") == Decimal(0)
    # A lies in two communes and counts whole in each.
    assert measure("PI_COM_PLAN", tree.commune_a1, "2024") == Decimal(1)
    assert measure("PI_COM_PLAN", tree.commune_b1, "2024") == Decimal(1)
    assert measure("PI_COM_RATE", tree.commune_a2, "2024") == Decimal(30)
    assert measure("PI_SRC_CENTRAL_RATE", tree.province, "2024") == Decimal(50)
    assert measure("PI_SRC_PROVINCIAL_RATE", tree.province, "2024") == Decimal(300) / Decimal(1400) * 100
    assert measure("PI_GRP_A_RATE", tree.province, "2024") == Decimal(30)
    assert stored("PI_GRP_B_PLAN", tree.province, "202412") == Decimal("1.5")


def test_projects_behind_are_counted_for_the_province_and_each_investor(year: Register) -> None:
    projects_figures_refresh()

    # 30/6: A 30 % (on the milestone), B 0 %, C 0 %: B and C behind. 31/7: B at 30 %: only C.
    assert stored("PI_BEHIND", year.tree.province, "202406") == 2
    assert stored("PI_BEHIND", year.tree.province, "202407") == 1
    assert stored("PI_BEHIND", year.health, "202406") == 1
    assert stored("PI_BEHIND", year.health, "202407") == 0
    assert stored("PI_BEHIND", year.tree.province, "202405") == 0


def test_a_transfer_keeps_the_provinces_plan_and_moves_it_between_the_investors(year: Register) -> None:
    projects_figures_refresh()
    province = year.tree.province
    before = stored("PI_PLAN", province, "202412")

    transfer_make(
        year=2024,
        source="provincial",
        from_project=Project.objects.get(code="A"),
        to_project=Project.objects.get(code="B"),
        amount=Decimal(250),
        effective_on=dt.date(2024, 9, 1),
        decision_number="1520/QĐ-UBND",
        decision_date=dt.date(2024, 8, 30),
    )
    projects_figures_refresh()

    assert stored("PI_PLAN", province, "202412") == before == Decimal("2.5")
    assert stored("PI_INV_PLAN", year.transport, "202412") == Decimal("0.75")
    assert stored("PI_INV_PLAN", year.health, "202412") == Decimal("1.25")
    assert stored("PI_INV_PLAN", year.transport, "202408") == Decimal(1)


def test_obstacles_open_and_overdue_per_resolving_agency_and_province(year: Register) -> None:
    a = Project.objects.get(code="A")
    late = obstacle_create(
        project=a,
        category=ObstacleCategory.LAND,
        description="Giá đất",
        reported_on=dt.date(2024, 5, 10),
        resolving_agency=year.natural,
        deadline=dt.date(2024, 6, 30),
    )
    obstacle_create(
        project=a,
        category=ObstacleCategory.DESIGN,
        description="Thiết kế",
        reported_on=dt.date(2024, 5, 12),
        resolving_agency=year.construction,
        deadline=dt.date(2024, 9, 30),
    )
    obstacle_resolve(obstacle=late, resolved_on=dt.date(2024, 8, 5), resolution="Đã có giá đất")

    projects_figures_refresh()

    natural, province = year.natural, year.tree.province
    assert [stored("PI_OBST_OVERDUE", natural, p) for p in ("202405", "202406", "202407", "202408")] == [0, 0, 1, 0]
    assert [stored("PI_OBST_OPEN", natural, p) for p in ("202407", "202408")] == [1, 0]
    assert stored("PI_OBST_OVERDUE", year.construction, "202410") == 1
    assert stored("PI_OBST_OPEN", province, "202407") == 2
    assert stored("PI_OBST_OVERDUE", province, "202412") == 1
    assert stored("PI_OBST_OVERDUE", natural, "202404") is None  # nothing was reported yet


def test_site_clearance_rates_by_commune_and_province(year: Register) -> None:
    tree = year.tree
    a = Project.objects.get(code="A")
    site_clearance_write(
        rows=[
            SiteClearanceRow(a.pk, tree.commune_a1.pk, "202403", Decimal(4000), Decimal(1000), 20, 10, 5),
            SiteClearanceRow(a.pk, tree.commune_a1.pk, "202406", Decimal(4000), Decimal(3000), 20, 20, 15),
            SiteClearanceRow(a.pk, tree.commune_b1.pk, "202405", Decimal(6000), Decimal(0), 30, 0, 0),
        ]
    )

    projects_figures_refresh()

    assert measure("PI_GPMB_AREA_RATE", tree.commune_a1, "202404") == Decimal(25)
    assert measure("PI_GPMB_AREA_RATE", tree.commune_a1, "202406") == Decimal(75)
    assert measure("PI_GPMB_AREA_RATE", tree.province, "202406") == Decimal(30)
    assert measure("PI_GPMB_HH_RATE", tree.province, "202412") == Decimal(30)
    assert stored("PI_GPMB_AREA", tree.province, "202402") is None


def test_a_second_refresh_writes_nothing_and_a_figure_no_longer_given_is_deleted(year: Register) -> None:
    projects_figures_refresh()
    batches = ImportBatch.objects.count()

    assert projects_figures_refresh() is None
    assert ImportBatch.objects.count() == batches
    Project.objects.get(code="C").allocations.all().delete()
    projects_figures_refresh()
    assert stored("PI_INV_PLAN", year.construction, "202406") is None
    assert stored("PI_PLAN", year.tree.province, "202412") == Decimal(2)


def test_the_refresh_command_writes_the_figures_then_says_they_are_up_to_date(year: Register) -> None:
    from io import StringIO

    from django.core.management import call_command

    first, second = StringIO(), StringIO()
    call_command("projects", "refresh", "--year", "2024", stdout=first)
    call_command("projects", "refresh", stdout=second)

    assert "Đã ghi số liệu từ sổ dự án" in first.getvalue()
    assert stored("PI_PLAN", year.tree.province, "202412") == Decimal("2.5")
    assert "đã cập nhật" in second.getvalue()


def test_the_proposals_command_lists_the_transfers_and_their_total(year: Register) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("projects", "proposals", "--year", "2024", "--on", "2024-06-30", stdout=out)

    # On 30/6, A is on schedule (30 %); B disbursed none of its provincial 400 yet and gives it all;
    # C's ODA finds no project on schedule with ODA.
    assert out.getvalue().splitlines() == [
        "400 triệu đồng (provincial): B Dự án B → A Dự án A",
        "Tổng số đề xuất điều chuyển: 400 triệu đồng.",
    ]


def test_loading_the_registers_indicators_over_the_demo_changes_none_of_the_demos(demo: object) -> None:
    from dieuhanh.orgunits.models import CatalogueChange

    shared = ("PI_PLAN", "PI_DISB", "PI_DISB_RATE", "DAU_TU")
    before = CatalogueChange.objects.filter(code__in=shared).count()
    agencies = dict(Indicator.objects.filter(code__in=shared).values_list("code", "responsible_agency__code"))

    projects_indicators_ensure()

    assert CatalogueChange.objects.filter(code__in=shared).count() == before
    assert dict(Indicator.objects.filter(code__in=shared).values_list("code", "responsible_agency__code")) == agencies
    assert agencies["PI_DISB"] == "KBNN"


def test_a_project_whose_plan_takes_effect_later_adds_no_figure_before_it(register: Register, today: dt.date) -> None:
    province = register.tree.province
    item = project("DA-LATE", register.transport, plan={})
    allocation_add(
        project=item,
        year=2024,
        source="provincial",
        kind="initial",
        amount=Decimal(800),
        effective_on=dt.date(2024, 3, 10),
        decision_number="12/QĐ-UBND",
        decision_date=dt.date(2024, 3, 10),
    )
    disburse(item, "202404", 200)

    projects_figures_refresh(today=today)

    # January and February hold no figure of the province (not a zero standing for one).
    for period in ("202401", "202402"):
        assert stored("PI_PLAN", province, period) is None
        assert stored("PI_DISB", province, period) is None
        assert stored("PI_BEHIND", province, period) is None
    assert stored("PI_PLAN", province, "202403") == Decimal("0.8")
    assert stored("PI_DISB", province, "202403") == 0
    assert stored("PI_DISB", province, "202404") == Decimal("0.2")
