"""Obligations: who owes which report, when it is due, and where it stands on a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.figures.services import figure_set
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnitGroup
from dieuhanh.reporting.choices import ObligationState
from dieuhanh.reporting.models import DataSet
from dieuhanh.reporting.selectors import calendar_for, data_set_indicator_problems, data_sets, obligations
from tests.factories import IndicatorFactory, OrgUnitFactory
from tests.reporting.conftest import World, at, report, send

pytestmark = pytest.mark.django_db

JUNE = Period.parse("202506")
JULY = Period.parse("202507")


def states(world: World, period: Period, on: dt.date, data_set: DataSet | None = None) -> dict[str, str]:
    found = obligations(data_set=data_set or world.data_set, periods=[period], on=on)
    return {item.org_unit.code: item.state for item in found}


def test_a_report_whose_last_figure_came_by_the_due_date_is_on_time(world: World) -> None:
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 18))

    [item, _other] = obligations(data_set=world.data_set, periods=[JUNE], on=dt.date(2025, 8, 1))

    assert item.org_unit == world.commune_a
    assert item.due_date == dt.date(2025, 7, 18)
    assert item.state == ObligationState.ON_TIME
    assert item.submitted_on == dt.date(2025, 7, 18)


def test_a_report_completed_after_the_due_date_is_late_from_its_last_figure(world: World) -> None:
    send(world.a, world.commune_a, "202506", on=dt.date(2025, 7, 10))
    send(world.b, world.commune_a, "202506", on=dt.date(2025, 7, 21))

    [item, _other] = obligations(data_set=world.data_set, periods=[JUNE], on=dt.date(2025, 8, 1))

    assert item.state == ObligationState.LATE
    assert item.submitted_on == dt.date(2025, 7, 21)
    assert item.days_late == 3


def test_a_report_short_of_a_figure_is_not_yet_due_until_the_due_date_then_missing(world: World) -> None:
    send(world.a, world.commune_b, "202506", on=dt.date(2025, 7, 2))

    assert states(world, JUNE, dt.date(2025, 7, 18))["25744"] == ObligationState.NOT_DUE
    assert states(world, JUNE, dt.date(2025, 7, 19))["25744"] == ObligationState.MISSING


def test_a_report_received_after_the_day_asked_does_not_count_yet(world: World) -> None:
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 25))

    assert states(world, JUNE, dt.date(2025, 7, 20))["25741"] == ObligationState.MISSING
    assert states(world, JUNE, dt.date(2025, 7, 25))["25741"] == ObligationState.LATE


def test_the_due_day_is_read_in_the_provinces_time_zone(world: World) -> None:
    # 23:30 on the due day in Hồ Chí Minh City is 16:30 UTC the same day; 00:30 the next day is not.
    send(world.a, world.commune_a, "202506", on=dt.date(2025, 7, 18), hour=23)
    send(world.b, world.commune_a, "202506", on=dt.date(2025, 7, 18), hour=23)
    send(world.a, world.commune_b, "202506", on=dt.date(2025, 7, 19), hour=0)
    send(world.b, world.commune_b, "202506", on=dt.date(2025, 7, 19), hour=0)

    found = states(world, JUNE, dt.date(2025, 8, 1))

    assert found == {"25741": ObligationState.ON_TIME, "25744": ObligationState.LATE}


def test_a_draft_does_not_count_and_a_report_is_submitted_when_its_draft_is_released(world: World) -> None:
    send(world.a, world.commune_a, "202506", on=dt.date(2025, 7, 1))
    draft = send(world.b, world.commune_a, "202506", on=dt.date(2025, 7, 2), status=DataValueStatus.DRAFT)
    assert states(world, JUNE, dt.date(2025, 7, 19))["25741"] == ObligationState.MISSING

    figure_set(indicator=world.b, org_unit=world.commune_a, period=JUNE, value=draft.value)

    [item, _other] = obligations(data_set=world.data_set, periods=[JUNE], on=dt.date(2099, 1, 1))
    # Released today, long after the due date: late, although the draft was saved in time.
    assert item.state == ObligationState.LATE
    assert item.submitted_on is not None
    assert item.submitted_on > dt.date(2025, 7, 18)


def test_a_correction_after_the_due_date_leaves_a_report_on_time(world: World) -> None:
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 10))

    figure_set(indicator=world.a, org_unit=world.commune_a, period=JUNE, value=Decimal(99))

    assert states(world, JUNE, dt.date(2099, 1, 1))["25741"] == ObligationState.ON_TIME


def test_a_unit_that_ceased_on_30_6_2025_owes_june_and_not_july(world: World) -> None:
    assert set(states(world, JUNE, dt.date(2025, 8, 1))) == {"25741", "25744"}
    assert set(states(world, JULY, dt.date(2025, 9, 1))) == {"26000"}


def test_a_data_set_across_the_reform_asks_the_districts_before_and_nobody_after(world: World) -> None:
    quarterly = DataSet.objects.create(
        code="HUYEN_QUY", name="Báo cáo quý cấp huyện", period_type="quarterly", org_unit_kind="district", due_day=20
    )
    quarterly.indicators.set([world.a])

    q2 = states(world, Period.parse("2025Q2"), dt.date(2025, 8, 1), quarterly)
    q3 = states(world, Period.parse("2025Q3"), dt.date(2025, 11, 1), quarterly)

    assert q2 == {"718": ObligationState.MISSING}
    assert q3 == {}


def test_a_quarterly_report_of_a_monthly_indicator_needs_its_three_months(world: World) -> None:
    quarterly = DataSet.objects.create(
        code="XA_QUY", name="Báo cáo quý cấp xã", period_type="quarterly", org_unit_kind="commune", due_day=20
    )
    quarterly.indicators.set([world.a])
    for month in ("202504", "202505"):
        send(world.a, world.commune_a, month, on=dt.date(2025, 7, 1))
    q2 = Period.parse("2025Q2")
    assert states(world, q2, dt.date(2025, 7, 21), quarterly)["25741"] == ObligationState.MISSING

    send(world.a, world.commune_a, "202506", on=dt.date(2025, 7, 15))

    assert states(world, q2, dt.date(2025, 7, 21), quarterly)["25741"] == ObligationState.ON_TIME


def test_the_due_date_falls_on_the_months_last_day_when_it_is_shorter_and_crosses_the_year() -> None:
    data_set = DataSet(period_type="monthly", due_day=31, due_months_after=1)

    assert data_set.due_date(Period.parse("202501")) == dt.date(2025, 2, 28)
    assert data_set.due_date(Period.parse("202412")) == dt.date(2025, 1, 31)
    assert DataSet(period_type="yearly", due_day=15, due_months_after=2).due_date(Period.parse("2025")) == dt.date(
        2026, 2, 15
    )


def test_a_group_data_set_asks_only_the_members_of_its_kind(world: World) -> None:
    group = OrgUnitGroup.objects.create(code="TRONG_DIEM", name="Địa bàn trọng điểm")
    group.members.add(world.commune_a, world.district)
    data_set = DataSet.objects.create(
        code="NHOM", name="Báo cáo nhóm", period_type="monthly", org_unit_kind="commune", org_unit_group=group
    )
    data_set.indicators.set([world.a])

    assert set(states(world, JUNE, dt.date(2025, 8, 1), data_set)) == {"25741"}


def test_a_data_set_asks_only_for_periods_within_its_validity(world: World) -> None:
    world.data_set.valid_from = dt.date(2025, 7, 1)
    world.data_set.save()

    assert states(world, JUNE, dt.date(2025, 8, 1)) == {}
    assert set(states(world, JULY, dt.date(2025, 9, 1))) == {"26000"}


def test_obligations_take_the_same_queries_for_three_communes_as_for_sixty(world: World) -> None:
    months = Period.parse("2025").sub_periods(JUNE.type)
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 1))
    data_set = data_sets().get(pk=world.data_set.pk)
    with CaptureQueriesContext(connection) as few:
        small = obligations(data_set=data_set, periods=months, on=dt.date(2026, 1, 1))
    for n in range(60):
        unit = OrgUnitFactory(code=f"X{n}", parent=world.province)
        DataValue.objects.create(
            indicator=world.a, org_unit=unit, period="202509", period_start=dt.date(2025, 9, 1), value=1
        )

    with CaptureQueriesContext(connection) as many:
        large = obligations(data_set=data_set, periods=months, on=dt.date(2026, 1, 1))

    assert len(large) > len(small) + 60 * 11
    assert len(many) == len(few) == 4


def test_the_calendar_of_a_quarter_lists_each_months_report(world: World) -> None:
    report(world, world.ward, "202507", on=dt.date(2025, 8, 1))

    found = calendar_for(period=Period.parse("2025Q3"), on=dt.date(2025, 10, 1))

    assert [(c.period.code, c.due_date, c.counts["on_time"], c.counts["missing"]) for c in found] == [
        ("202507", dt.date(2025, 8, 18), 1, 0),
        ("202508", dt.date(2025, 9, 18), 0, 1),
        ("202509", dt.date(2025, 10, 18), 0, 0),
    ]


def test_an_indicator_reported_less_often_than_its_data_set_is_refused() -> None:
    yearly = IndicatorFactory.build(code="POP", period_type="yearly")
    monthly = IndicatorFactory.build(code="RETAIL", period_type="monthly")

    assert data_set_indicator_problems(period_type="quarterly", indicators=[monthly]) == []
    [problem] = data_set_indicator_problems(period_type="quarterly", indicators=[yearly, monthly])
    assert "POP" in problem


def test_a_moment_is_shown_in_the_provinces_day() -> None:
    assert at(dt.date(2025, 7, 18), 23).astimezone(dt.UTC).date() == dt.date(2025, 7, 18)
