"""The analytics contract, against figures computed by hand.

Each test builds the smallest tree and series that exercise one rule of
docs/analytics.md and states the expected numbers explicitly.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dieuhanh.analytics.engine import Measures
from dieuhanh.analytics.selectors import analytics_measures, analytics_ranking
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from tests.conftest import Tree
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db


def measure(indicator, unit: OrgUnit, period: str) -> Measures:  # type: ignore[no-untyped-def]
    (result,) = analytics_measures(indicators=[indicator], org_units=[unit], periods=[Period.parse(period)])
    return result


def dec(text: str | int) -> Decimal:
    return Decimal(str(text))


def test_a_sum_adds_children_month_by_month_and_skips_gaps(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV", aggregation="sum")
    put(revenue, tree.commune_a1, "202301", 10)
    put(revenue, tree.commune_a1, "202303", 5)  # February missing for a1
    put(revenue, tree.commune_a2, "202301", 2)
    put(revenue, tree.commune_a2, "202302", 3)
    put(revenue, tree.commune_b1, "202303", 7)  # b1 reported March only

    assert measure(revenue, tree.province, "2023Q1").value == dec(27)
    assert measure(revenue, tree.district_a, "2023Q1").value == dec(20)
    assert measure(revenue, tree.district_b, "202301").value is None
    assert measure(revenue, tree.district_b, "2023Q1").value == dec(7)


def test_a_units_own_stored_total_overrides_its_children_for_that_month(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV", aggregation="sum")
    put(revenue, tree.commune_a1, "202301", 10)
    put(revenue, tree.commune_a2, "202301", 2)
    put(revenue, tree.commune_a2, "202302", 3)
    put(revenue, tree.district_a, "202302", 100)  # the district reported its own total for February

    assert measure(revenue, tree.district_a, "202301").value == dec(12)
    assert measure(revenue, tree.district_a, "202302").value == dec(100)
    assert measure(revenue, tree.province, "2023Q1").value == dec(112)


def test_a_ratio_is_the_ratio_of_sums_not_the_mean_of_ratios(tree: Tree) -> None:
    solved = IndicatorFactory(code="SOLVED", aggregation="sum")
    received = IndicatorFactory(code="RECEIVED", aggregation="sum")
    rate = IndicatorFactory(
        code="RATE", aggregation="ratio", numerator=solved, denominator=received, factor=100, unit="%"
    )
    put(solved, tree.commune_a1, "202301", 1)
    put(received, tree.commune_a1, "202301", 2)  # 50 %
    put(solved, tree.commune_a2, "202301", 9)
    put(received, tree.commune_a2, "202301", 10)  # 90 %

    result = measure(rate, tree.district_a, "202301")

    assert result.value == pytest.approx(dec(10) / dec(12) * 100)  # 83.33 %, not 70 %
    assert measure(rate, tree.commune_a1, "202301").value == dec(50)


def test_a_ratio_is_null_when_the_denominator_is_zero_or_missing(tree: Tree) -> None:
    solved = IndicatorFactory(code="SOLVED", aggregation="sum")
    received = IndicatorFactory(code="RECEIVED", aggregation="sum")
    rate = IndicatorFactory(code="RATE", aggregation="ratio", numerator=solved, denominator=received, factor=100)
    put(solved, tree.commune_a1, "202301", 1)
    put(received, tree.commune_a1, "202301", 0)
    put(solved, tree.commune_a2, "202301", 1)

    assert measure(rate, tree.commune_a1, "202301").value is None
    assert measure(rate, tree.commune_a2, "202301").value is None


def test_last_takes_the_latest_own_month_else_sums_childrens_latest(tree: Tree) -> None:
    beds = IndicatorFactory(code="BEDS", aggregation="last")
    put(beds, tree.commune_a1, "202301", 5)
    put(beds, tree.commune_a1, "202303", 7)
    put(beds, tree.commune_a2, "202301", 4)  # a2 did not report February or March

    assert measure(beds, tree.commune_a1, "2023Q1").value == dec(7)
    assert measure(beds, tree.district_a, "2023Q1").value == dec(11)  # 7 + 4, each child's latest
    assert measure(beds, tree.province, "2023Q1").value == dec(11)  # district b has nothing

    put(beds, tree.province, "202302", 50)  # the province's own count wins over its children
    assert measure(beds, tree.province, "2023Q1").value == dec(50)


def test_none_is_never_computed_from_children(tree: Tree) -> None:
    cpi = IndicatorFactory(code="CPI", aggregation="none", unit="%")
    put(cpi, tree.district_a, "202301", dec("103.2"))
    put(cpi, tree.district_b, "202301", dec("104.0"))

    assert measure(cpi, tree.province, "202301").value is None

    put(cpi, tree.province, "202301", dec("103.5"))
    put(cpi, tree.province, "202303", dec("103.9"))
    assert measure(cpi, tree.province, "2023Q1").value == dec("103.9")


def test_average_is_the_mean_over_months_of_the_mean_over_children(tree: Tree) -> None:
    rate = IndicatorFactory(code="AVG", aggregation="average", unit="%")
    put(rate, tree.commune_a1, "202301", 10)
    put(rate, tree.commune_a2, "202301", 20)  # January at district a: 15
    put(rate, tree.commune_a1, "202302", 30)  # February at district a: 30

    assert measure(rate, tree.district_a, "202301").value == dec(15)
    assert measure(rate, tree.district_a, "2023Q1").value == dec(45) / 2


def test_previous_is_the_same_period_a_year_earlier_across_the_year_boundary(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.province, "202212", 999)
    put(revenue, tree.province, "202201", 80)
    put(revenue, tree.province, "202301", 100)

    january = measure(revenue, tree.province, "202301")

    assert january.previous == dec(80)
    assert january.yoy_pct == dec(25)
    assert january.ytd == dec(100)  # December 2022 is not part of 2023's cumulative total


def test_ytd_plan_completion_and_yoy(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    for month, value in enumerate([10, 20, 30, 40, 50, 60], start=1):
        put(revenue, tree.province, f"2023{month:02d}", value)
        put(revenue, tree.province, f"2022{month:02d}", value // 2)
    TargetFactory(indicator=revenue, org_unit=tree.province, year_from=2023, value=420)

    result = measure(revenue, tree.province, "2023Q2")

    assert result.value == dec(150)
    assert result.previous == dec(75)
    assert result.yoy_pct == dec(100)
    assert result.ytd == dec(210)
    assert result.plan == dec(420)
    assert result.plan_completion_pct == dec(50)


def test_projection_uses_the_mean_share_of_past_complete_years(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    # 2022: January–June held 40 of 100 (share 0.40); 2021: 45 of 100 (0.45).
    for year, first_half in ((2022, 40), (2021, 45)):
        for month in range(1, 7):
            put(revenue, tree.province, f"{year}{month:02d}", dec(first_half) / 6)
        for month in range(7, 13):
            put(revenue, tree.province, f"{year}{month:02d}", dec(100 - first_half) / 6)
    # 2020 lacks December, so it is not a complete year and does not count.
    for month in range(1, 12):
        put(revenue, tree.province, f"2020{month:02d}", 1)
    for month in range(1, 7):
        put(revenue, tree.province, f"2023{month:02d}", 10)  # ytd 60
    TargetFactory(indicator=revenue, org_unit=tree.province, year_from=2023, value=140)

    result = measure(revenue, tree.province, "2023S1")

    assert result.ytd == dec(60)
    assert result.projection == pytest.approx(dec(60) / dec("0.425"))  # 141.18
    assert result.status == "on_track"


def test_projection_without_history_scales_ytd_by_months_elapsed(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    for month in range(1, 4):
        put(revenue, tree.province, f"2023{month:02d}", 10)

    assert measure(revenue, tree.province, "202303").projection == dec(120)


def test_projection_of_a_non_sum_is_its_ytd(tree: Tree) -> None:
    beds = IndicatorFactory(code="BEDS", aggregation="last")
    put(beds, tree.province, "202303", 500)

    result = measure(beds, tree.province, "202303")

    assert result.projection == dec(500) == result.ytd


@pytest.mark.parametrize(
    ("direction", "projection", "expected"),
    [
        ("up", 100, "on_track"),
        ("up", 96, "at_risk"),
        ("up", 95, "at_risk"),
        ("up", 94, "off_track"),
        ("down", 100, "on_track"),
        ("down", 90, "on_track"),
        ("down", 104, "at_risk"),
        ("down", 110, "off_track"),
    ],
)
def test_status_compares_the_projection_with_the_plan_by_direction(
    tree: Tree, direction: str, projection: int, expected: str
) -> None:
    indicator = IndicatorFactory(code="X", aggregation="last", direction=direction)
    put(indicator, tree.province, "202306", projection)
    TargetFactory(indicator=indicator, org_unit=tree.province, year_from=2023, value=100)

    assert measure(indicator, tree.province, "2023S1").status == expected


@pytest.mark.parametrize(
    ("direction", "projection", "expected"),
    [
        ("up", 100, "on_track"),
        ("up", 99, "off_track"),
        ("up", 95, "off_track"),
        ("down", 100, "on_track"),
        ("down", 101, "off_track"),
    ],
)
@pytest.mark.parametrize("period", ["2023", "2023S2", "2023Q4", "202312"])
def test_a_period_that_ends_in_december_gets_the_verdict_not_a_risk(
    tree: Tree, direction: str, projection: int, expected: str, period: str
) -> None:
    # Given a plan of 100 and a year-end figure within 5 % of it, on the wrong side
    indicator = IndicatorFactory(code="X", aggregation="last", direction=direction)
    put(indicator, tree.province, "202312", projection)
    TargetFactory(indicator=indicator, org_unit=tree.province, year_from=2023, value=100)

    # Then the year is over: nothing is left to be at risk, the plan is met or it is not
    assert measure(indicator, tree.province, period).status == expected


def test_status_is_no_target_without_a_plan_and_null_with_a_plan_but_no_data(tree: Tree) -> None:
    with_plan = IndicatorFactory(code="WITH")
    without_plan = IndicatorFactory(code="WITHOUT")
    TargetFactory(indicator=with_plan, org_unit=tree.province, year_from=2023, value=10)
    put(without_plan, tree.province, "202301", 5)

    assert measure(with_plan, tree.province, "202301").status is None
    assert measure(without_plan, tree.province, "202301").status == "no_target"


def test_a_multi_year_plan_is_not_the_annual_plan(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.province, "202301", 5)
    TargetFactory(indicator=revenue, org_unit=tree.province, year_from=2021, year_to=2025, value=1000)

    assert measure(revenue, tree.province, "202301").plan is None


def test_drafts_are_not_counted(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.commune_a1, "202301", 5)
    put(revenue, tree.commune_a2, "202301", 7, status="draft")

    assert measure(revenue, tree.district_a, "202301").value == dec(5)


def test_a_quarterly_indicator_asked_for_a_month_gives_nulls(tree: Tree) -> None:
    grdp = IndicatorFactory(code="GRDP", period_type="quarterly")
    put(grdp, tree.province, "2023Q1", 100)
    put(grdp, tree.province, "2023Q2", 110)

    assert measure(grdp, tree.province, "202302").value is None
    assert measure(grdp, tree.province, "2023S1").value == dec(210)
    assert measure(grdp, tree.province, "2023Q2").ytd == dec(210)


def test_a_yearly_indicator_compares_with_last_year(tree: Tree) -> None:
    households = IndicatorFactory(code="POOR", period_type="yearly", aggregation="last", direction="down")
    put(households, tree.province, "2022", 2000)
    put(households, tree.province, "2023", 1500)

    result = measure(households, tree.province, "2023")

    assert result.value == dec(1500)
    assert result.yoy_pct == dec(-25)


def test_many_combinations_come_in_indicator_unit_period_order(tree: Tree) -> None:
    a = IndicatorFactory(code="A")
    b = IndicatorFactory(code="B")

    results = analytics_measures(
        indicators=[a, b],
        org_units=[tree.province, tree.district_a],
        periods=[Period.parse("202301"), Period.parse("2023")],
    )

    assert [(m.indicator, m.org_unit, m.period) for m in results] == [
        (i, u, p) for i in ("A", "B") for u in ("74", "718") for p in ("202301", "2023")
    ]


def test_ranking_puts_the_best_first_shares_ties_and_leaves_the_silent_last(tree: Tree) -> None:
    accidents = IndicatorFactory(code="ACC", direction="down")
    third = OrgUnit.objects.create(code="720", name="Thị xã Dầu Tiếng", kind="district", parent=tree.province)
    fourth = OrgUnit.objects.create(code="721", name="Huyện Phú Giáo", kind="district", parent=tree.province)
    put(accidents, tree.district_a, "202301", 9)
    put(accidents, tree.district_b, "202301", 4)
    put(accidents, third, "202301", 4)

    rows = analytics_ranking(indicator=accidents, org_unit=tree.province, period=Period.parse("202301"))

    assert [(r.rank, r.org_unit, r.value) for r in rows] == [
        (1, "719", dec(4)),
        (1, "720", dec(4)),
        (3, "718", dec(9)),
        (None, fourth.code, None),
    ]


def test_ranking_leaves_out_children_that_did_not_exist_in_the_period(tree: Tree) -> None:
    import datetime as dt

    revenue = IndicatorFactory(code="REV")
    tree.district_b.valid_to = dt.date(2022, 12, 31)
    tree.district_b.save()

    rows = analytics_ranking(indicator=revenue, org_unit=tree.province, period=Period.parse("202301"))

    assert [r.org_unit for r in rows] == ["718"]
