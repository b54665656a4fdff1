"""Writes of the public-investment register: projects, plans and transfers, disbursement, site
clearance, obstacles followed up as directives — and what each refuses, whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dieuhanh.directives.choices import DirectiveStatus
from dieuhanh.directives.models import Directive
from dieuhanh.directives.selectors import statuses_at
from dieuhanh.projects.choices import AllocationKind, DecisionKind, ObstacleCategory
from dieuhanh.projects.models import CapitalAllocation, Disbursement, Obstacle, Project, SiteClearance
from dieuhanh.projects.services import (
    DisbursementRow,
    ProjectError,
    SiteClearanceRow,
    WriteCounts,
    allocation_add,
    decision_save,
    disbursements_write,
    obstacle_create,
    obstacle_resolve,
    plan_total,
    project_save,
    site_clearance_write,
    transfer_make,
)
from tests.projects.conftest import Register, disburse, project

pytestmark = pytest.mark.django_db


def test_project_save_creates_a_project_then_updates_it_by_its_code(register: Register) -> None:
    tree = register.tree
    first = project("7701", register.transport, locations=[tree.commune_a1, tree.commune_a2])

    again = project_save(
        code="7701",
        name="Đường Vành đai 3",
        investor=register.construction,
        group="A",
        sector="transport",
        stage="implementation",
        total_investment=Decimal("7500.5"),
        sources=["central", "provincial"],
        locations=[tree.commune_a2, tree.commune_b1],
    )

    assert again.pk == first.pk
    assert Project.objects.count() == 1
    stored = Project.objects.get(code="7701")
    assert (stored.name, stored.investor, stored.total_investment) == (
        "Đường Vành đai 3",
        register.construction,
        Decimal("7500.5"),
    )
    assert set(stored.locations.all()) == {tree.commune_a2, tree.commune_b1}


def test_project_save_refuses_an_unknown_capital_source_and_a_geometry_off_the_globe(register: Register) -> None:
    with pytest.raises(ValidationError) as refused:
        project_save(
            code="X1",
            name="X",
            investor=register.health,
            group="C",
            sector="health",
            stage="implementation",
            total_investment=Decimal(10),
            sources=["lottery", "gold"],
            geometry={"type": "Point", "coordinates": [200, 10]},
        )

    assert set(refused.value.message_dict) == {"sources", "geometry"}
    assert "gold" in refused.value.message_dict["sources"][0]
    assert not Project.objects.exists()


def test_a_decision_of_the_same_kind_and_number_is_updated_not_repeated(register: Register) -> None:
    item = project("7702", register.health)
    decision_save(project=item, kind=DecisionKind.APPROVAL, number="12/QĐ-UBND", date=dt.date(2023, 3, 1))

    decision_save(
        project=item, kind=DecisionKind.APPROVAL, number="12/QĐ-UBND", date=dt.date(2023, 3, 2), amount=Decimal(500)
    )

    assert [(d.date, d.amount) for d in item.decisions.all()] == [(dt.date(2023, 3, 2), Decimal(500))]


def test_a_cut_of_the_plan_may_not_go_below_what_was_disbursed(register: Register) -> None:
    item = project("7703", register.health, plan={"provincial": 1000})
    disburse(item, "202403", 700)

    with pytest.raises(ProjectError) as refused:
        allocation_add(
            project=item,
            year=2024,
            source="provincial",
            kind=AllocationKind.ADJUSTMENT,
            amount=Decimal(-301),
            effective_on=dt.date(2024, 7, 1),
        )
    allocation_add(
        project=item,
        year=2024,
        source="provincial",
        kind=AllocationKind.ADJUSTMENT,
        amount=Decimal(-300),
        effective_on=dt.date(2024, 7, 1),
    )

    assert "300" in refused.value.message_dict["amount"][0]
    assert plan_total(year=2024) == Decimal(700)


def test_a_transfer_writes_its_two_sides_and_keeps_the_sum_of_the_plans(register: Register) -> None:
    slow = project("S1", register.transport, plan={"provincial": 1000})
    fast = project("F1", register.health, plan={"provincial": 400})
    disburse(slow, "202406", 100)
    before = plan_total(year=2024)

    transfer = transfer_make(
        year=2024,
        source="provincial",
        from_project=slow,
        to_project=fast,
        amount=Decimal(250),
        effective_on=dt.date(2024, 8, 15),
        decision_number="1520/QĐ-UBND",
        decision_date=dt.date(2024, 8, 14),
    )

    sides = CapitalAllocation.objects.filter(transfer=transfer).order_by("amount")
    assert [(s.project.code, s.amount, s.kind) for s in sides] == [
        ("S1", Decimal(-250), AllocationKind.TRANSFER),
        ("F1", Decimal(250), AllocationKind.TRANSFER),
    ]
    assert plan_total(year=2024) == before == Decimal(1400)
    assert {d.project.code for d in transfer.from_project.decisions.all() | fast.decisions.all()} == {"S1", "F1"}


def test_a_transfer_of_more_than_the_undisbursed_plan_is_refused_and_writes_nothing(register: Register) -> None:
    slow = project("S1", register.transport, plan={"provincial": 1000})
    fast = project("F1", register.health, plan={"provincial": 400})
    disburse(slow, "202406", 600)

    with pytest.raises(ProjectError) as refused:
        transfer_make(
            year=2024,
            source="provincial",
            from_project=slow,
            to_project=fast,
            amount=Decimal("400.001"),
            effective_on=dt.date(2024, 8, 15),
            decision_number="1520/QĐ-UBND",
            decision_date=dt.date(2024, 8, 14),
        )

    assert "400" in refused.value.message_dict["amount"][0]
    assert not CapitalAllocation.objects.filter(kind=AllocationKind.TRANSFER).exists()
    assert plan_total(year=2024) == Decimal(1400)


def test_a_transfer_refuses_capital_of_a_source_the_project_has_no_plan_of(register: Register) -> None:
    slow = project("S1", register.transport, plan={"provincial": 1000})
    fast = project("F1", register.health, plan={"provincial": 400})

    with pytest.raises(ProjectError):
        transfer_make(
            year=2024,
            source="oda",
            from_project=slow,
            to_project=fast,
            amount=Decimal(1),
            effective_on=dt.date(2024, 8, 15),
            decision_number="1",
            decision_date=dt.date(2024, 8, 14),
        )


def test_disbursements_are_upserted_and_counted(register: Register) -> None:
    item = project("7704", register.health, plan={"provincial": 1000})
    disbursements_write(
        rows=[
            DisbursementRow(item.pk, 2024, "provincial", "202401", Decimal(10)),
            DisbursementRow(item.pk, 2024, "provincial", "202402", Decimal(20)),
        ]
    )

    counts = disbursements_write(
        rows=[
            DisbursementRow(item.pk, 2024, "provincial", "202401", Decimal(10)),
            DisbursementRow(item.pk, 2024, "provincial", "202402", Decimal(25)),
            DisbursementRow(item.pk, 2024, "provincial", "202501", Decimal(5)),
        ]
    )

    assert counts == WriteCounts(created=1, updated=1, unchanged=1)
    assert sorted(Disbursement.objects.values_list("period", "amount")) == [
        ("202401", Decimal(10)),
        ("202402", Decimal(25)),
        ("202501", Decimal(5)),
    ]


def test_a_bad_disbursement_row_refuses_the_whole_batch_naming_its_row(register: Register) -> None:
    item = project("7704", register.health, plan={"provincial": 1000})

    with pytest.raises(ProjectError) as refused:
        disbursements_write(
            rows=[
                DisbursementRow(item.pk, 2024, "provincial", "202401", Decimal(10)),
                DisbursementRow(item.pk, 2024, "provincial", "202502", Decimal(20)),
                DisbursementRow(item.pk, 2024, "provincial", "202403", Decimal(-1)),
            ]
        )

    assert [m.split(":")[0].split(",")[0] for m in refused.value.messages] == ["Dòng 2", "Dòng 3"]
    assert not Disbursement.objects.exists()


def test_site_clearance_is_upserted_by_project_commune_and_month_and_checked(register: Register) -> None:
    tree = register.tree
    item = project("7705", register.transport, locations=[tree.commune_a1])
    row = SiteClearanceRow(item.pk, tree.commune_a1.pk, "202406", Decimal(5000), Decimal(2000), 40, 30, 20)
    site_clearance_write(rows=[row])

    counts = site_clearance_write(
        rows=[SiteClearanceRow(item.pk, tree.commune_a1.pk, "202406", Decimal(5000), Decimal(2500), 40, 30, 25)]
    )
    with pytest.raises(ProjectError) as refused:
        site_clearance_write(
            rows=[SiteClearanceRow(item.pk, tree.commune_a1.pk, "202407", Decimal(5000), Decimal(5001), 40, 30, 25)]
        )

    assert counts == WriteCounts(updated=1)
    assert SiteClearance.objects.get().area_handed_over == Decimal(2500)
    assert "area" in refused.value.messages[0]
    assert SiteClearance.objects.count() == 1


def test_an_obstacle_becomes_a_directive_led_by_the_resolving_agency_with_its_deadline(register: Register) -> None:
    item = project("7706", register.transport, locations=[register.tree.commune_a1])

    obstacle = obstacle_create(
        project=item,
        category=ObstacleCategory.LAND,
        description="Chưa có giá đất cụ thể để bồi thường",
        reported_on=dt.date(2024, 5, 10),
        resolving_agency=register.natural,
        deadline=dt.date(2024, 6, 30),
    )

    directive = Directive.objects.get(pk=obstacle.directive_id)
    assert (directive.lead_agency, directive.deadline, directive.starts_on) == (
        register.natural,
        dt.date(2024, 6, 30),
        dt.date(2024, 5, 10),
    )
    assert directive.source.org_unit == register.tree.province
    assert "7706" in directive.content
    assert "giá đất" in directive.content
    assert list(item.directives.all()) == [directive]


def test_an_obstacles_status_comes_from_the_directives_rules_overdue_after_its_deadline(
    register: Register, today: dt.date
) -> None:
    item = project("7706", register.transport)
    obstacle = obstacle_create(
        project=item,
        category=ObstacleCategory.SITE_CLEARANCE,
        description="Hộ dân chưa nhận tiền bồi thường",
        reported_on=dt.date(2024, 5, 10),
        resolving_agency=register.natural,
        deadline=dt.date(2024, 6, 30),
    )
    one = Directive.objects.filter(pk=obstacle.directive_id)

    on_deadline = statuses_at(directives=one, on=dt.date(2024, 6, 30))[obstacle.directive_id]
    after = statuses_at(directives=one, on=dt.date(2024, 7, 1))[obstacle.directive_id]
    obstacle_resolve(obstacle=obstacle, resolved_on=dt.date(2024, 7, 20), resolution="Đã phê duyệt giá đất")
    resolved = statuses_at(directives=one, on=dt.date(2024, 7, 20))[obstacle.directive_id]

    assert on_deadline.status == DirectiveStatus.IN_PROGRESS
    assert (after.status, after.days_overdue) == (DirectiveStatus.OVERDUE, 1)
    assert (resolved.status, resolved.completed_on) == (DirectiveStatus.DONE_LATE, dt.date(2024, 7, 20))
    assert Obstacle.objects.get().resolved_on == dt.date(2024, 7, 20)


def test_an_obstacle_is_resolved_once(register: Register, today: dt.date) -> None:
    item = project("7706", register.transport)
    obstacle = obstacle_create(
        project=item,
        category=ObstacleCategory.DESIGN,
        description="Điều chỉnh thiết kế",
        reported_on=dt.date(2024, 5, 10),
        resolving_agency=register.construction,
    )
    obstacle_resolve(obstacle=obstacle, resolved_on=dt.date(2024, 5, 20), resolution="Xong")

    with pytest.raises(ProjectError):
        obstacle_resolve(obstacle=obstacle, resolved_on=dt.date(2024, 5, 21), resolution="Lại")


def test_the_directives_naming_a_project_are_set_keeping_its_obstacles_follow_ups(register: Register) -> None:
    item = project("7707", register.transport, locations=[register.tree.commune_a1])
    obstacle = obstacle_create(
        project=item,
        category=ObstacleCategory.LAND,
        description="Chưa có giá đất cụ thể để bồi thường",
        reported_on=dt.date(2024, 5, 10),
        resolving_agency=register.natural,
        deadline=dt.date(2024, 6, 30),
    )
    order = Directive.objects.create(
        source=obstacle.directive.source, content="Đẩy nhanh tiến độ dự án 7707", starts_on=dt.date(2024, 6, 1)
    )
    fields = {
        "code": item.code,
        "name": item.name,
        "investor": item.investor,
        "group": item.group,
        "sector": item.sector,
        "stage": item.stage,
        "total_investment": item.total_investment,
        "locations": [register.tree.commune_a1],
    }

    project_save(**fields, directives=[order])
    assert set(item.directives.all()) == {order, obstacle.directive}

    project_save(**fields, directives=[])
    assert list(item.directives.all()) == [obstacle.directive]

    project_save(**fields)  # without directives: left as they are
    assert list(item.directives.all()) == [obstacle.directive]
