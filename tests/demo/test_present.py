"""The demo in the present: the new Hồ Chí Minh City since 1/7/2025 with its 168 communes, the three
former provinces until 30/6/2025, and figures that stay comparable across the change.

The demo is loaded once for the run with its figures up to November 2026 (tests/conftest.py,
``DEMO_UNTIL``); the tests without the database generate the figures themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from dieuhanh.analytics.engine import Basis
from dieuhanh.analytics.readmodel.lists import headline_indicator_ids
from dieuhanh.analytics.readmodel.scope import (
    ADMINISTRATIVE_KINDS,
    complete_period,
    data_span,
    default_org_unit,
    stored_operands,
)
from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.demo.catalogue import demo_data_dir
from dieuhanh.demo.figures import demo_generate, fingerprint
from dieuhanh.demo.present import GROWTH
from dieuhanh.demo.reform import part_shares_by_area, part_shares_read, reform_read
from dieuhanh.demo.services import DemoLoadResult
from dieuhanh.demo.synth import GeneratedValue
from dieuhanh.demo.units import units_read
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator, Target
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.orgunits.selectors import org_unit_tree, unit_at
from tests.conftest import DEMO_UNTIL
from tests.factories import UserFactory

# The demo leaves three communes' figures of its last month awaiting approval (``demo_awaiting``).
MONTH_BEFORE = Period.from_ordinal(PeriodType.MONTHLY, DEMO_UNTIL.ordinal - 1)

# Bình Dương's figures of 2019–2023 as the demo generated them before it reached the present
# (commit cc9fd16): 52,476 values whose SHA-256 fingerprint is this.
BINH_DUONG_2019_2023 = (52_476, "12e355a1d37ade177d9f2bc0406c0bb4eedbbed6b70dc6e0ad6b77beb502c81a")
REFORM_DAY = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def values() -> list[GeneratedValue]:
    return demo_generate(until=DEMO_UNTIL)


def city() -> OrgUnit:
    return unit_at("79", on=dt.date(2026, 6, 30))


def test_binh_duongs_figures_of_2019_to_2023_are_those_the_demo_always_had(values: list[GeneratedValue]) -> None:
    units = units_read(demo_data_dir() / "vn" / "binhduong_pre2025_units.csv")
    codes = {"74"} | {d.code for d in units.districts} | {c.code for c in units.communes}
    binh_duong = [v for v in values if v.org_unit in codes and v.period[:4] <= "2023"]

    assert (len(binh_duong), fingerprint(binh_duong)) == BINH_DUONG_2019_2023


def test_a_later_cut_off_adds_months_and_changes_none(values: list[GeneratedValue]) -> None:
    earlier = demo_generate(until=Period.parse("202603"))
    later = {(v.indicator, v.org_unit, v.period): v.value for v in values}

    assert {(v.indicator, v.org_unit, v.period): v.value for v in earlier}.items() <= later.items()
    assert max(v.period for v in earlier if v.period.isdigit() and len(v.period) == 6) == "202603"
    assert max(v.period for v in values if v.period.isdigit() and len(v.period) == 6) == "202611"
    assert len(values) > len(earlier)


def test_a_cut_off_before_the_reform_leaves_the_new_map_empty_and_the_old_one_cut() -> None:
    values = demo_generate(until=Period.parse("202412"))
    months = {v.period for v in values if v.period.isdigit() and len(v.period) == 6}

    assert max(months) == "202412"
    assert not [v for v in values if v.period[:4] == "2025"]
    assert {v.period for v in values if v.indicator == "GRDP" and v.org_unit == "79"} >= {"2024Q4"}


def test_the_demo_shares_of_the_parts_follow_the_new_communes_areas_and_leave_one_split_unknown() -> None:
    root = demo_data_dir()
    given = part_shares_read(root)
    by_area = part_shares_by_area(reform_read(root))
    withheld = {key for key, share in given.items() if share is None}

    assert set(given) == set(by_area)
    assert withheld == {("26737", "26737"), ("26737", "26740")}  # Phường Đa Kao → Tân Định, Sài Gòn
    assert {key: share for key, share in given.items() if share is not None} == {
        key: share for key, share in by_area.items() if key not in withheld
    }
    totals = Counter[str]()
    for (old, _new), share in by_area.items():
        totals[old] += share  # type: ignore[assignment]
    assert all(abs(total - 1) <= Decimal("0.000002") for total in totals.values())


@pytest.mark.django_db
def test_the_demo_holds_the_651_units_of_the_reform_and_its_496_successions(demo: DemoLoadResult) -> None:
    administrative = OrgUnit.objects.exclude(kind="agency")
    new_city = city()
    parts = Succession.objects.filter(merge_type="part")

    assert administrative.count() == 651
    assert OrgUnit.objects.filter(code="79").count() == 2
    assert (new_city.valid_from, new_city.valid_to, new_city.parent) == (REFORM_DAY, None, None)
    assert OrgUnit.objects.filter(parent=new_city, kind="commune", valid_from=REFORM_DAY).count() == 168
    # The reform's 496, the catalogue's agency merger (SKHDT → STC), Bình Dương's 20 agencies of
    # 30/6/2025 going on in the new city's 17 (two pairs and one three merged), and its 3 project
    # management boards in the city's.
    assert Succession.objects.exclude(predecessor__kind="agency").count() == 496
    assert Succession.objects.count() == demo.successions == 520
    assert set(Succession.objects.filter(successor=new_city).values_list("predecessor__code", flat=True)) == {
        "79",
        "74",
        "77",
    }
    assert (parts.count(), parts.filter(share__isnull=True).count()) == (98, 2)
    assert unit_at("25747", on=dt.date(2025, 6, 30)).name == "Phường Phú Cường"
    assert unit_at("25747", on=REFORM_DAY).name == "Phường Thủ Dầu Một"


@pytest.mark.django_db
def test_the_new_city_and_its_communes_have_figures_from_july_2025_to_the_pinned_month(demo: DemoLoadResult) -> None:
    new_city = city()
    communes = OrgUnit.objects.filter(parent=new_city)
    months = DataValue.objects.filter(org_unit=new_city, indicator__code="BUDGET_REV")
    new_firms = DataValue.objects.filter(org_unit__in=communes, indicator__code="ENT_NEW")

    assert demo.until == DEMO_UNTIL
    assert sorted(months.values_list("period", flat=True)) == [f"2025{m:02d}" for m in range(7, 13)] + [
        f"2026{m:02d}" for m in range(1, 12)
    ]
    assert new_firms.filter(period="202611").count() == 168
    assert not DataValue.objects.filter(period_start__gt=dt.date(2026, 11, 1)).exists()
    assert not DataValue.objects.filter(org_unit=new_city, period_start__lt=REFORM_DAY).exists()
    assert not DataValue.objects.filter(org_unit__valid_to__isnull=False, period_start__gte=REFORM_DAY).exists()
    assert sorted(
        DataValue.objects.filter(org_unit=new_city, indicator__code="GRDP").values_list("period", flat=True)
    ) == ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["GRDP", "BUDGET_REV", "RETAIL", "EXPORT"])
def test_the_new_citys_first_half_of_2026_grows_on_its_rebased_first_half_of_2025(
    demo: DemoLoadResult, code: str
) -> None:
    indicator = Indicator.objects.get(code=code)

    (m,) = analytics_measures(indicators=[indicator], org_units=[city()], periods=[Period.parse("2026S1")])

    assert m.rebased
    assert m.value is not None
    assert m.previous is not None
    growth = Decimal(str(GROWTH[code]))
    assert 1 + growth - Decimal("0.04") < m.value / m.previous < 1 + growth + Decimal("0.04")


@pytest.mark.django_db
def test_a_new_commune_rebases_through_its_shares_unless_one_is_withheld(demo: DemoLoadResult) -> None:
    new_firms = Indicator.objects.get(code="ENT_NEW")
    first_half = Period.parse("2025S1")
    thu_dau_mot = unit_at("25747", on=REFORM_DAY)  # whole merges and parts with their shares
    sai_gon = unit_at("26740", on=REFORM_DAY)  # a part of Phường Đa Kao, whose share the demo withholds

    rebased, missing = analytics_measures(
        indicators=[new_firms], org_units=[thu_dau_mot, sai_gon], periods=[first_half]
    )

    assert rebased.rebased
    assert rebased.value is not None
    assert rebased.value > 0
    assert missing.value is None
    assert missing.missing_reason == "share_unknown"


@pytest.mark.django_db
def test_the_new_city_has_its_2026_plan_with_the_published_growth_target(demo: DemoLoadResult) -> None:
    plan = Target.objects.filter(org_unit=city(), year_from=2026, year_to=2026)
    growth = plan.get(indicator__code="GRDP_GROWTH")

    assert plan.count() >= 8
    assert (growth.value, growth.note) == (10, "trên 10%")
    assert "Vietnamplus" in growth.source
    assert plan.get(indicator__code="BUDGET_REV").value == 807526
    assert all("Minh họa" in t.source for t in plan.filter(note__startswith="Minh họa"))
    # Bình Dương's plans stay.
    assert Target.objects.filter(org_unit__code="74", year_from=2023).exists()


@pytest.mark.django_db
def test_the_default_view_is_the_new_city_at_the_latest_complete_month(demo: DemoLoadResult) -> None:
    tree = org_unit_tree(kinds=ADMINISTRATIVE_KINDS)
    unit = default_org_unit(tree)
    assert unit is not None
    indicators = list(Indicator.objects.select_related("numerator", "denominator"))
    headline = headline_indicator_ids(unit=unit)

    period = complete_period(
        span=data_span(indicators=stored_operands(indicators)),
        unit=unit,
        headline=[i for i in indicators if i.pk in headline],
    )
    with_submitted = complete_period(
        span=data_span(indicators=stored_operands(indicators), basis=Basis.SUBMITTED),
        unit=unit,
        headline=[i for i in indicators if i.pk in headline],
        basis=Basis.SUBMITTED,
    )

    assert unit == city()
    # Asked about a period before it began, the new city still (re-based over the three provinces).
    assert default_org_unit(tree, on=dt.date(2024, 1, 1)) == unit
    # Three communes' last month awaits approval: in approved figures the month before is the
    # latest complete one; with the figures awaiting approval, the last month.
    assert period == MONTH_BEFORE
    assert with_submitted == DEMO_UNTIL


@pytest.mark.django_db
def test_the_overview_opens_on_the_new_city_at_the_latest_complete_month(demo: DemoLoadResult, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    client.force_login(UserFactory(username="leader", is_superuser=True))
    with_submitted = client.get("/?basis=submitted")

    assert response.status_code == 200
    assert response.context["org_unit"] == city()
    assert response.context["report"].code == MONTH_BEFORE.code
    assert with_submitted.context["report"].code == DEMO_UNTIL.code


def test_in_2026_an_indicator_answers_to_the_city_s_agency_and_its_past_to_binh_duong_s(
    demo: DemoLoadResult, db: None
) -> None:
    from dieuhanh.indicators.models import Indicator
    from dieuhanh.indicators.selectors import responsible_agency_at

    enterprises = Indicator.objects.get(code="ENT_NEW")
    now = responsible_agency_at(enterprises, on=dt.date(2026, 6, 30))
    then = responsible_agency_at(enterprises, on=dt.date(2023, 6, 30))
    assert now is not None
    assert then is not None
    assert now.unit is not None
    assert then.unit is not None
    assert now.unit.name.endswith("Thành phố Hồ Chí Minh")
    assert now.formerly
    assert then.unit.name.endswith("tỉnh Bình Dương")


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["2019", "2020Q2", "2021"])
def test_the_new_city_s_re_based_past_holds_all_three_former_provinces_from_2019(
    demo: DemoLoadResult, period: str
) -> None:
    revenue = Indicator.objects.get(code="BUDGET_REV")
    asked = Period.parse(period)
    former = [unit_at(code, on=asked.end_date) for code in ("79", "74", "77")]
    parts = analytics_measures(indicators=[revenue], org_units=former, periods=[asked])
    [whole] = analytics_measures(indicators=[revenue], org_units=[city()], periods=[asked])

    assert all(p.value is not None and p.value > 0 for p in parts)
    assert whole.rebased
    assert whole.value == sum(p.value for p in parts if p.value is not None)
    assert {code for code, _share in whole.composition} == {"79", "74", "77"}


def test_the_demo_history_is_approved_and_three_communes_last_month_awaits_approval(
    demo: DemoLoadResult, db: None
) -> None:
    from dieuhanh.figures.choices import DataValueStatus

    awaiting = DataValue.objects.filter(status=DataValueStatus.SUBMITTED)
    units = set(awaiting.values_list("org_unit__code", "org_unit__kind"))
    # A flow the communes report (summed to the city).
    revenue = Indicator.objects.get(
        pk=awaiting.filter(indicator__aggregation="sum").order_by("indicator__code").values("indicator")[:1]
    )

    (approved,) = analytics_measures(indicators=[revenue], org_units=[city()], periods=[DEMO_UNTIL])
    (submitted,) = analytics_measures(
        indicators=[revenue], org_units=[city()], periods=[DEMO_UNTIL], basis=Basis.SUBMITTED
    )

    assert len(units) == 3
    assert {kind for _code, kind in units} == {"commune"}
    assert set(awaiting.values_list("period", flat=True)) == {DEMO_UNTIL.code}
    assert not DataValue.objects.exclude(period=DEMO_UNTIL.code).filter(status=DataValueStatus.SUBMITTED).exists()
    # The toggle shows a difference: the city's revenue of the last month, marked where it is.
    assert approved.value is not None
    assert submitted.value is not None
    assert submitted.value > approved.value
    assert approved.is_partial
    assert (approved.unapproved, submitted.unapproved) == (False, True)
