"""The unit scorecard and the off-track list: figures against the plan, the worst first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dieuhanh.analytics.engine import Measures
from dieuhanh.indicators.models import Indicator
from tests.dashboard.conftest import Plans, api_measures, get, shown, shown_pct
from tests.dashboard.pages import rows_in, section
from tests.factories import IndicatorFactory, OrgUnitFactory, TargetFactory, put

pytestmark = pytest.mark.django_db


def gap(indicator: Indicator, measures: Measures) -> Decimal:
    """The year-end estimate's distance from the plan in % of it; negative is behind."""
    assert measures.projection is not None
    assert measures.plan is not None
    distance = (measures.projection - measures.plan) / abs(measures.plan) * 100
    return -distance if indicator.direction == "down" else distance


def rows_of(html: str) -> list[dict[str, str]]:
    return rows_in(section(html, "<tbody>", "</tbody>"))


def test_the_scorecard_lists_every_indicator_of_the_unit_widest_gap_first(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/scorecard/?org_unit=74&period=2023Q2")

    order = [r["indicator"] for r in rows_of(html)]
    planned = [(i, api_measures(i, plans.tree.province, "2023Q2")) for i in (plans.rev, plans.acc, plans.grdp)]
    expected = [i.code for i, m in sorted(planned, key=lambda im: gap(*im))]
    # Then, in catalogue order, those without a plan for the period they are shown for: the indicator
    # without any, and the yearly one, whose latest complete year (2022) has none.
    assert order == [*expected, "NOPLAN", "POOR"]
    revenue = rows_of(html)[order.index("REV")]
    api = api_measures(plans.rev, plans.tree.province, "2023Q2")
    assert revenue["gap"] == shown_pct(gap(plans.rev, api), signed=True) + "%"
    assert revenue["value"] == shown(api.value)
    assert revenue["status"] == api.status


def test_the_off_track_list_holds_every_pair_behind_its_plan_under_the_unit_most_behind_first(
    plans: Plans, client: Client
) -> None:
    _status, html = get(client, "/off-track/?org_unit=74&period=2023Q2")

    tree = plans.tree
    planned = [
        (plans.rev, tree.province),
        (plans.rev, tree.district_a),
        (plans.rev, tree.district_b),
        (plans.acc, tree.province),
        (plans.grdp, tree.province),
    ]
    behind = sorted(
        (gap(i, m), i.code, u.code)
        for i, u in planned
        if (m := api_measures(i, u, "2023Q2")).status in ("off_track", "at_risk")
    )
    assert len(behind) >= 2  # the fixture has some, and some on track
    rows = rows_of(html)
    assert [(r["indicator"], r["unit"]) for r in rows] == [(code, unit) for _gap, code, unit in behind]
    assert [r["gap"] for r in rows] == [shown_pct(g, signed=True) + "%" for g, _c, _u in behind]
    _gap, code, unit = behind[0]
    assert f'href="/indicators/{code}/?org_unit={unit}&amp;period=2023Q2"' in html


def test_the_off_track_list_of_a_district_covers_only_it_and_its_communes(plans: Plans, client: Client) -> None:
    TargetFactory(indicator=plans.rev, org_unit=plans.tree.commune_b1, value=10_000)
    TargetFactory(indicator=plans.rev, org_unit=plans.tree.commune_a1, value=10_000)

    _status, html = get(client, "/off-track/?org_unit=719&period=2023Q2")

    units = {r["unit"] for r in rows_of(html)}
    assert "25816" in units  # far behind its plan of 10 000
    assert units <= {"719", "25816"}  # never 25741, behind as well but in another district


def test_a_unit_with_nothing_behind_says_so(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/off-track/?org_unit=25741&period=2023Q2")

    assert 'class="alert alert--success"' in html


def test_the_lists_cost_the_same_queries_with_more_plans_units_and_indicators(
    plans: Plans, client: Client, django_assert_num_queries: Any
) -> None:
    # Off-track: sample-data check, indicators, unit tree, data span, plans under the unit, their units;
    # analytics: rollup state, units, values, targets.
    with django_assert_num_queries(10):
        assert client.get("/off-track/?org_unit=74&period=2023Q2").status_code == 200
    # Scorecard: sample-data check, indicators, unit tree, data span; analytics: rollup state, units, values,
    # targets.
    with django_assert_num_queries(8):
        assert client.get("/scorecard/?org_unit=74&period=2023Q2").status_code == 200

    for n in range(10):
        district = OrgUnitFactory(code=f"D{n}", kind="district", parent=plans.tree.province)
        indicator = IndicatorFactory(code=f"MORE{n}")
        # Every month of the half-year, so that the cumulative is whole and can be judged.
        for month in ("202301", "202302", "202303", "202304", "202305", "202306"):
            put(indicator, district, month, 1)
        TargetFactory(indicator=indicator, org_unit=district, value=1000)
        TargetFactory(indicator=plans.rev, org_unit=district, value=1000)

    with django_assert_num_queries(10):
        response = client.get("/off-track/?org_unit=74&period=2023Q2")
    listed = {r["indicator"] for r in rows_of(response.content.decode())}
    assert {f"MORE{n}" for n in range(10)} <= listed  # the new indicators are all behind
    with django_assert_num_queries(8):
        assert client.get("/scorecard/?org_unit=74&period=2023Q2").status_code == 200


def test_a_lower_is_better_indicator_above_its_ceiling_has_a_negative_gap(plans: Plans, client: Client) -> None:
    # 719's one commune has reported every month: its figure is whole and can be judged.
    TargetFactory(indicator=plans.acc, org_unit=plans.tree.district_b, value=1)

    _status, html = get(client, "/scorecard/?org_unit=719&period=2023Q2")

    accidents = next(r for r in rows_of(html) if r["indicator"] == "ACC")
    assert accidents["gap"].startswith("-")
    assert accidents["status"] == "off_track"
