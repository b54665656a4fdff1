"""The register's figures summed by the database are exactly those of the former loop over the
projects, months and sources (``figures_oracle``), on a register that tries every rule: communes
merged and moved to another province during the year, an investor split, projects placed by their
communes, their investor or the catalogue's one province, plans taking effect late, adjusted,
carried over, disbursement without a plan, milestones of the year's own, site clearance through
the years; and by hand where a leader would read the figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.projects.choices import AllocationKind, ProjectGroup, ProjectSector
from dieuhanh.projects.figures import figures_compute
from dieuhanh.projects.models import (
    CapitalAllocation,
    Disbursement,
    DisbursementMilestone,
    Project,
    ProjectLocation,
    SiteClearance,
)
from tests.conftest import Tree
from tests.factories import OrgUnitFactory
from tests.projects.figures_oracle import oracle_compute

pytestmark = pytest.mark.django_db

OBSTACLES = ("PI_OBST_OPEN", "PI_OBST_OVERDUE")


def make(code: str, investor: OrgUnit, *, locations: tuple[OrgUnit, ...] = (), group: str = ProjectGroup.B) -> Project:
    item = Project.objects.create(
        code=code,
        name=f"Dự án {code}",
        investor=investor,
        group=group,
        sector=ProjectSector.TRANSPORT,
        total_investment=Decimal(100_000),
    )
    for unit in locations:
        ProjectLocation.objects.create(project=item, org_unit=unit)
    return item


def plan(
    item: Project,
    amount: str,
    *,
    year: int = 2024,
    source: str = "provincial",
    on: dt.date | None = None,
    kind: str = AllocationKind.INITIAL,
) -> None:
    CapitalAllocation.objects.create(
        project=item,
        year=year,
        source=source,
        kind=kind,
        amount=Decimal(amount),
        effective_on=on or dt.date(year, 1, 1),
    )


def paid(item: Project, period: str, amount: str, *, year: int = 2024, source: str = "provincial") -> None:
    Disbursement.objects.create(project=item, plan_year=year, source=source, period=period, amount=Decimal(amount))


def clear(item: Project, unit: OrgUnit, period: str, stock: tuple[str, str, int, int]) -> None:
    area, done, households, households_paid = stock
    SiteClearance.objects.create(
        project=item,
        org_unit=unit,
        period=period,
        area_total=Decimal(area),
        area_handed_over=Decimal(done),
        households_total=households,
        households_paid=households_paid,
    )


def ended(unit: OrgUnit, on: dt.date) -> None:
    unit.valid_to = on
    unit.save()


@pytest.fixture
def varied(tree: Tree) -> Tree:
    """Tỉnh 74; from 1/7/2024 its communes A1 and A2 are one ward (W), and from 1/10/2024 commune
    B1 belongs to the new province 79 (as ward M): from October the catalogue holds two provinces,
    so a project placed nowhere has no province. The agency S (under 74) is split on 1/9/2024."""
    city = OrgUnitFactory(code="79", name="Thành phố Hồ Chí Minh", kind="province", valid_from=dt.date(2024, 10, 1))
    ward = OrgUnitFactory(code="W", name="Phường Thủ Dầu Một", parent=tree.district_a, valid_from=dt.date(2024, 7, 1))
    moved = OrgUnitFactory(code="M", name="Phường Bàu Bàng", parent=city, valid_from=dt.date(2024, 10, 1))
    agency = OrgUnitFactory(code="S", name="Ban QLDA tỉnh", kind="agency", parent=tree.province)
    first = OrgUnitFactory(code="S1", name="Ban QLDA giao thông", kind="agency", parent=tree.province)
    second = OrgUnitFactory(code="S2", name="Ban QLDA dân dụng", kind="agency", parent=tree.province)
    nowhere = OrgUnitFactory(code="X", name="Cơ quan trung ương", kind="agency")
    orphan = OrgUnitFactory(code="Z", name="Xã ngoài cây", kind="commune")
    projects = {
        "A": make("A", agency, locations=(tree.commune_a1, tree.commune_a2), group=ProjectGroup.A),
        "B": make("B", agency, locations=(tree.commune_b1,)),
        "C": make("C", agency),
        "D": make("D", nowhere, group=ProjectGroup.C),
        "E": make("E", nowhere, locations=(tree.commune_a2, tree.commune_b1), group=ProjectGroup.NATIONAL),
        "F": make("F", first, locations=(tree.commune_a1,)),
        "G": make("G", second, locations=(orphan,)),
    }
    a, b, c, d, e, f, g = projects.values()
    # A: two sources, two communes that become one.
    plan(a, "1000.5")
    plan(a, "600", source="central")
    plan(a, "-200.25", kind=AllocationKind.ADJUSTMENT, on=dt.date(2024, 8, 15))
    plan(a, "300", kind=AllocationKind.CARRYOVER)
    for period, amount in (("202402", "100.125"), ("202406", "200"), ("202409", "50.001"), ("202501", "70")):
        paid(a, period, amount)
    paid(a, "202407", "480", source="central")
    paid(a, "202405", "999", source="oda")  # no ODA plan of the year: the register counts none of it
    # B: moves to another province in October; the 2023 plan too.
    plan(b, "800")
    paid(b, "202403", "240")
    paid(b, "202410", "0")
    plan(b, "500", year=2023)
    paid(b, "202306", "150", year=2023)
    paid(b, "202312", "330", year=2023)
    # C: no commune, placed by its investor; its plan in force from March, money before it.
    plan(c, "400", on=dt.date(2024, 3, 10))
    paid(c, "202402", "10")
    # D: placed nowhere but the catalogue's one province (until October); a plan of 0.
    plan(d, "0")
    paid(d, "202404", "5")
    # E: exactly on the milestone at its date, then just below the next.
    plan(e, "1000")
    paid(e, "202406", "300")
    paid(e, "202409", "305")
    # F: a plan decided the year before, just below the first milestone.
    plan(f, "1000", on=dt.date(2023, 12, 20))
    paid(f, "202406", "299.999")
    # G: in a commune outside the tree, invested in by the agency split in September.
    plan(g, "250", source="land_use")
    paid(g, "202411", "125", source="land_use")
    ended(tree.commune_a1, dt.date(2024, 6, 30))
    ended(tree.commune_a2, dt.date(2024, 6, 30))
    ended(tree.commune_b1, dt.date(2024, 9, 30))
    ended(agency, dt.date(2024, 8, 31))
    first.valid_from = second.valid_from = dt.date(2024, 9, 1)
    first.save()
    second.save()
    OrgUnit.objects.filter(pk=orphan.pk).update(valid_from=None)
    for before, after, on in (
        (tree.commune_a1, ward, dt.date(2024, 7, 1)),
        (tree.commune_a2, ward, dt.date(2024, 7, 1)),
        (tree.commune_b1, moved, dt.date(2024, 10, 1)),
        (agency, first, dt.date(2024, 9, 1)),
        (agency, second, dt.date(2024, 9, 1)),
    ):
        Succession.objects.create(predecessor=before, successor=after, effective_date=on)
    # The year's own milestones: 30 % by 30/6, 60.5 % by 30/9, 95 % by 31/1/2025.
    for due_on, percent in ((dt.date(2024, 6, 30), "30"), (dt.date(2024, 9, 30), "60.5"), (dt.date(2025, 1, 31), "95")):
        DisbursementMilestone.objects.create(year=2024, due_on=due_on, percent=Decimal(percent))
    # Site clearance: stocks through the years, in communes that merge and move, and outside the tree.
    clear(a, tree.commune_a1, "202311", ("4000.5", "1000", 20, 5))
    clear(a, tree.commune_a1, "202405", ("4000.5", "3000.2", 20, 15))
    clear(a, tree.commune_a2, "202402", ("6000", "0", 30, 0))
    clear(a, ward, "202408", ("9000", "8000", 45, 40))
    clear(b, tree.commune_b1, "202406", ("1500", "1500", 8, 8))
    clear(g, orphan, "202407", ("700.7", "100.1", 3, 1))
    return tree


def _compute(years: list[int], today: dt.date) -> dict[tuple[int, str, str], Decimal]:
    return {key: value for key, value in figures_compute(years=years, today=today).items() if key[1] not in OBSTACLES}


@pytest.mark.parametrize(
    ("years", "today"),
    [
        ([2023, 2024], dt.date(2024, 12, 15)),
        ([2024], dt.date(2024, 6, 30)),
        ([2024], dt.date(2024, 9, 29)),
        ([2024, 2025], dt.date(2025, 2, 3)),
    ],
)
def test_the_databases_sums_are_the_former_loops_figure_for_figure(
    varied: Tree, years: list[int], today: dt.date
) -> None:
    computed = _compute(years, today)

    expected = oracle_compute(years=years, today=today)
    assert computed == expected
    assert len(computed) > 200  # the fixture reaches every kind of figure, not a few


def test_the_merged_ward_counts_a_project_in_both_its_old_communes_once(varied: Tree) -> None:
    figures = _compute([2024], dt.date(2024, 12, 15))
    ward = OrgUnit.objects.get(code="W")
    a1, province = varied.commune_a1, varied.province

    # A (1,000.5 + 600 − 200.25 from 15/8) and E (1,000): F's commune A1 is the ward too.
    assert figures[(ward.pk, "PI_COM_PLAN", "202409")] == Decimal("1000.5") + 600 - Decimal("200.25") + 1000 + 1000
    assert figures[(a1.pk, "PI_COM_PLAN", "202406")] == Decimal("1000.5") + 600 + 1000
    assert (ward.pk, "PI_COM_PLAN", "202406") not in figures
    # Carry-over and the ODA disbursed without a plan are no part of the year's figures.
    assert figures[(province.pk, "PI_DISB", "202405")] == 0
    assert figures[(province.pk, "PI_SRC_CENTRAL_DISB", "202407")] == 480


def test_a_project_on_its_milestone_is_not_behind_and_one_thousandth_below_it_is(varied: Tree) -> None:
    figures = _compute([2024], dt.date(2024, 12, 15))
    province = varied.province
    first = OrgUnit.objects.get(code="S1")

    # 30/6 (30 % due): B (240 of 800) and E (300 of 1,000) are on the milestone; A (300.125 of
    # 1,600.5), C (10 of 400), F (299.999 of 1,000) and G (0) are behind; D's plan of 0 has no status.
    assert figures[(province.pk, "PI_BEHIND", "202406")] == 4
    # 30/9 (60.5 % due): E at 605 of 1,000 is on it; A at 830.126 of 1,400.25 (59.3 %), B, C, F and
    # G are behind; B's commune leaves for province 79 only on 1/10.
    assert figures[(province.pk, "PI_BEHIND", "202409")] == 5
    assert figures[(province.pk, "PI_BEHIND", "202410")] == 4
    # The agency S split into S1 and S2 on 1/9: its projects follow the first; F is S1's own; G is S2's.
    assert figures[(first.pk, "PI_BEHIND", "202409")] == 4
