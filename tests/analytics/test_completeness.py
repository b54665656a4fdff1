"""Completeness: of the units expected to report a figure, how many have (docs/analytics.md).

Every case is checked twice, computed from the figures and read from the rollups: a partial
figure shown as the province's total is the failure this guards against.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dieuhanh.analytics.engine import Measures
from dieuhanh.analytics.selectors import build_engine, spec_of
from dieuhanh.analytics.services import rollups_rebuild
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from tests.conftest import Tree
from tests.factories import IndicatorFactory, OrgUnitFactory, put

pytestmark = pytest.mark.django_db


def both_ways(indicator: Indicator, unit: OrgUnit, period: str) -> Measures:
    """The measures computed from the figures and read from the rollups; they must agree."""
    spec = spec_of(indicator)
    p = Period.parse(period)
    computed = build_engine(specs=[spec], units=[unit], periods=[p], use_rollups=False).measures(spec, unit.pk, p)
    rollups_rebuild()
    rolled = build_engine(specs=[spec], units=[unit], periods=[p], use_rollups=True).measures(spec, unit.pk, p)
    assert rolled == computed
    return computed


def test_one_district_of_two_reporting_makes_the_province_figure_partial(tree: Tree) -> None:
    # Given budget revenue collected from the districts, and only Thủ Dầu Một's January figure
    revenue = IndicatorFactory(code="REV", collected_at="district")
    put(revenue, tree.district_a, "202401", 480)

    result = both_ways(revenue, tree.province, "202401")

    # Then the province's figure is that one district's, and says so
    assert result.value == 480
    assert (result.reported, result.expected) == (1, 2)
    assert result.is_partial


def test_the_units_of_the_collection_level_count_wherever_they_are(tree: Tree) -> None:
    # Given an indicator collected from the communes: two of the three reported
    enterprises = IndicatorFactory(code="ENT", collected_at="commune")
    put(enterprises, tree.commune_a1, "202401", 3)
    put(enterprises, tree.commune_b1, "202401", 4)

    # Then the province has 2 of its 3 communes, district 718 one of its two, 719 its only one
    province = both_ways(enterprises, tree.province, "202401")
    assert (province.reported, province.expected) == (2, 3)
    district_a = both_ways(enterprises, tree.district_a, "202401")
    assert (district_a.reported, district_a.expected) == (1, 2)
    district_b = both_ways(enterprises, tree.district_b, "202401")
    assert (district_b.reported, district_b.expected) == (1, 1)
    assert not district_b.is_partial


def test_a_unit_reports_a_quarter_only_with_every_month_of_it(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV", collected_at="district")
    for month in ("202401", "202402", "202403"):
        put(revenue, tree.district_a, month, 10)
    put(revenue, tree.district_b, "202401", 10)
    put(revenue, tree.district_b, "202403", 10)  # February missing

    quarter = both_ways(revenue, tree.province, "2024Q1")

    assert (quarter.reported, quarter.expected) == (1, 2)
    # January to March, the cumulative, is the same two units
    assert (quarter.ytd_reported, quarter.ytd_expected) == (1, 2)


def test_the_cumulative_is_partial_when_an_earlier_month_is(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV", collected_at="district")
    put(revenue, tree.district_a, "202401", 10)
    put(revenue, tree.district_a, "202402", 10)
    put(revenue, tree.district_b, "202402", 10)

    february = both_ways(revenue, tree.province, "202402")

    # February itself is whole; January to February is not (719 has no January)
    assert (february.reported, february.expected) == (2, 2)
    assert (february.ytd_reported, february.ytd_expected) == (1, 2)
    assert february.ytd_is_partial


def test_a_unit_that_no_longer_existed_is_not_expected(tree: Tree) -> None:
    # Given a third district dissolved at the end of 2023
    gone = OrgUnitFactory(code="720", kind="district", parent=tree.province, valid_to=dt.date(2023, 12, 31))
    revenue = IndicatorFactory(code="REV", collected_at="district")
    put(revenue, tree.district_a, "202401", 10)
    put(revenue, tree.district_b, "202401", 10)
    put(revenue, gone, "202312", 10)

    # Then January 2024 is whole with the two that remain, and December 2023 misses two of three
    january = both_ways(revenue, tree.province, "202401")
    assert (january.reported, january.expected) == (2, 2)
    december = both_ways(revenue, tree.province, "202312")
    assert (december.reported, december.expected) == (1, 3)


def test_without_a_collection_level_the_direct_children_count(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV", collected_at="")
    put(revenue, tree.commune_a1, "202401", 10)

    # 718 has a figure from one of its communes: one of the province's two districts has reported
    result = both_ways(revenue, tree.province, "202401")
    assert (result.reported, result.expected) == (1, 2)


def test_a_unit_s_own_total_makes_its_figure_whole(tree: Tree) -> None:
    # Given the province's own figure (it wins over its districts') and one district's
    revenue = IndicatorFactory(code="REV", collected_at="district")
    put(revenue, tree.province, "202401", 500)
    put(revenue, tree.district_a, "202401", 480)

    result = both_ways(revenue, tree.province, "202401")

    assert result.value == 500
    assert (result.reported, result.expected) == (2, 2)


def test_an_indicator_that_is_not_aggregated_is_complete_where_it_is_collected(tree: Tree) -> None:
    cpi = IndicatorFactory(code="CPI", aggregation="none", collected_at="province")
    put(cpi, tree.province, "202401", 3.2)

    at_province = both_ways(cpi, tree.province, "202401")
    at_district = both_ways(cpi, tree.district_a, "202401")

    assert (at_province.reported, at_province.expected) == (1, 1)
    # Not collected at a district: completeness does not apply there
    assert (at_district.reported, at_district.expected) == (None, None)


def test_a_ratio_is_as_complete_as_its_least_complete_side(tree: Tree) -> None:
    disbursed = IndicatorFactory(code="DISB", collected_at="district")
    plan = IndicatorFactory(code="PLAN", aggregation="last", collected_at="district")
    rate = IndicatorFactory(
        code="RATE", aggregation="ratio", numerator=disbursed, denominator=plan, factor=100, unit="%"
    )
    for district in (tree.district_a, tree.district_b):
        put(plan, district, "202401", 100)
    put(disbursed, tree.district_a, "202401", 10)

    result = both_ways(rate, tree.province, "202401")

    assert (result.reported, result.expected) == (1, 2)


def test_a_stock_counts_a_unit_with_any_figure_in_the_period(tree: Tree) -> None:
    beds = IndicatorFactory(code="BEDS", aggregation="last", collected_at="district")
    put(beds, tree.district_a, "202401", 100)
    put(beds, tree.district_b, "202403", 50)

    quarter = both_ways(beds, tree.province, "2024Q1")

    # A stock's quarter is its latest figure in it: both districts have one
    assert quarter.value == 150
    assert (quarter.reported, quarter.expected) == (2, 2)
