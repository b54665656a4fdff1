"""What a leader reads is true: the scenarios seen on the demo, replayed on a small province.

- one district uploads January before the others: the pages stay on the last complete month,
  and January, when asked for, is marked as some units' only;
- a flow's tile for a month shows the cumulative from January beside it, % of plan beside that;
- a wall map colours and ranks its units by one measure, for one period, and says which;
- in December the status is the verdict, never "at risk".
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client

from dieuhanh.analytics.services import rollups_rebuild
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.indicators.models import Indicator
from dieuhanh.ingest.services import import_file
from dieuhanh.orgunits.models import OrgUnit
from tests.conftest import Tree
from tests.dashboard.conftest import api_measures, get, shown, shown_pct
from tests.dashboard.pages import figures_in, section
from tests.factories import IndicatorFactory, OrgUnitFactory, TargetFactory, put

pytestmark = pytest.mark.django_db

MONTHS_2023 = [f"2023{m:02d}" for m in range(1, 13)]


@pytest.fixture
def province(tree: Tree) -> Tree:
    """Budget revenue reported by the two districts every month of 2022 and 2023, a 2023 plan the
    province misses by 1,8 %, and a disbursement rate (disbursed / capital plan) with district plans."""
    revenue = IndicatorFactory(code="REV", name="Thu ngân sách", short_name="Thu NS", collected_at="district")
    for month in [f"2022{m:02d}" for m in range(1, 13)] + MONTHS_2023:
        put(revenue, tree.district_a, month, 60)
        put(revenue, tree.district_b, month, 40)
    TargetFactory(indicator=revenue, org_unit=tree.province, value=Decimal(1222))  # 1 200 reached: 98,2 %

    disbursed = IndicatorFactory(code="DISB", name="Giải ngân", collected_at="district")
    capital = IndicatorFactory(code="CAPITAL", name="Vốn giao", aggregation="last", collected_at="district")
    rate = IndicatorFactory(
        code="DISB_RATE", name="Tỷ lệ giải ngân", unit="%", aggregation="ratio",
        numerator=disbursed, denominator=capital, factor=100,
    )  # fmt: skip
    # 718 disburses evenly (100 % by December); 719 little all year and a big December.
    for month in MONTHS_2023:
        put(capital, tree.district_a, month, 120)
        put(capital, tree.district_b, month, 120)
        put(disbursed, tree.district_a, month, 10)
        put(disbursed, tree.district_b, month, 40 if month == "202312" else 2)
    for district in (tree.district_a, tree.district_b):
        TargetFactory(indicator=rate, org_unit=district, value=95)
    TargetFactory(indicator=rate, org_unit=tree.province, value=95)
    return tree


def tiles(html: str) -> dict[str, dict[str, str]]:
    return figures_in(section(html, '<ul class="tiles">', "</ul>"), tag="li")


def picked_period(html: str) -> str:
    match = re.search(r'data-picked-period="(\w+)"', html)
    assert match is not None
    return match.group(1)


def upload(text: str) -> None:
    # Approved, as a figure no approval applies to is stored: the pages count approved figures.
    result = import_file(content=text.encode(), filename="so-lieu.csv", status=DataValueStatus.APPROVED)
    assert result.ok, result.errors


def test_one_district_uploading_january_does_not_move_the_pages_and_january_is_marked_partial(
    province: Tree, client: Client
) -> None:
    TargetFactory(indicator=Indicator.objects.get(code="REV"), org_unit=province.province, year_from=2024, value=1300)
    rollups_rebuild()
    # Given one district's January figure, uploaded before the other's
    upload("indicator,org_unit,period,value\nREV,718,202401,48\n")

    # Then the overview, the wall and the report page stay on the latest complete month
    _status, overview = get(client, "/")
    assert picked_period(overview) == "202312"
    assert tiles(overview)["REV"]["value"] == shown(Decimal(100))
    _status, wall = get(client, "/wall/")
    assert 'data-period="202312"' in section(wall, 'data-panel="overview-1"', "</section>")
    client.force_login(_clerk())
    _status, reports = get(client, "/reports/")
    assert '<option value="2023" selected>2023</option>' in reports
    assert '<option value="M12" selected>Tháng 12</option>' in reports

    # And January, when asked for, is one district's figure, marked so, with no verdict on the plan
    _status, january = get(client, "/?org_unit=74&period=202401")
    tile = tiles(january)["REV"]
    assert tile["value"] == shown(Decimal(48))
    assert tile["partial"] == "1/2"
    assert "1/2 đơn vị đã báo cáo" in section(january, 'data-indicator="REV"', "</li>")
    assert tile["status"] == "partial"
    assert "Chưa đủ số liệu" in section(january, 'data-indicator="REV"', "</li>")
    row = figures_in(section(january, '<table class="figures">', "</table>"), tag="tr")["REV"]
    assert row["partial"] == "1/2"
    # Not on the off-track list either: a figure of some units only is not the province behind
    _status, behind = get(client, "/off-track/?org_unit=74&period=202401")
    assert 'data-indicator="REV" data-unit="74"' not in behind


def _clerk():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory(username="clerk")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_generatedreport", "add_generatedreport"]))
    return user


def test_the_default_period_waits_for_every_headline_figure_then_moves(province: Tree, client: Client) -> None:
    put(Indicator.objects.get(code="REV"), province.district_a, "202401", 48)
    for code in ("DISB", "CAPITAL"):
        put(Indicator.objects.get(code=code), province.district_a, "202401", 10)
        put(Indicator.objects.get(code=code), province.district_b, "202401", 10)
    assert picked_period(get(client, "/")[1]) == "202312"

    # When the other district's revenue arrives, January is complete
    put(Indicator.objects.get(code="REV"), province.district_b, "202401", 40)

    assert picked_period(get(client, "/")[1]) == "202401"


def test_a_month_s_tile_shows_the_cumulative_and_the_plan_beside_it(province: Tree, client: Client) -> None:
    _status, html = get(client, "/?org_unit=74&period=202306")

    revenue = tiles(html)["REV"]
    api = api_measures(Indicator.objects.get(code="REV"), province.province, "202306")
    # The month, and from January to it; % of the annual plan is the cumulative's
    assert revenue["value"] == shown(api.value)
    assert revenue["ytd"] == shown(api.ytd) == shown(Decimal(600))
    assert revenue["plan_completion_pct"] == shown_pct(api.plan_completion_pct)
    tile = section(html, 'data-indicator="REV"', "</li>")
    assert tile.index('data-measure="ytd"') < tile.index('data-measure="plan_completion_pct"')
    assert "Lũy kế 6 tháng đầu năm 2023" in tile


def test_a_rate_s_tile_compares_in_points_and_its_cumulative_with_the_plan(province: Tree, client: Client) -> None:
    _status, html = get(client, "/?org_unit=74&period=202312")

    rate = tiles(html)["DISB_RATE"]
    api = api_measures(Indicator.objects.get(code="DISB_RATE"), province.province, "202312")
    # December alone (50 of 240) and the year (178 of 240), never one beside the other's plan share
    assert rate["value"] == shown(Decimal(50) / 240 * 100)
    assert rate["ytd"] == shown(api.ytd)
    assert "plan_completion_pct" not in rate
    tile = section(html, 'data-indicator="DISB_RATE"', "</li>")
    assert "điểm %" in section(tile, 'data-measure="gap"', "</span></span>")


def test_a_wall_map_colours_and_ranks_its_units_by_one_measure_for_one_period(province: Tree, client: Client) -> None:
    _status, html = get(client, "/wall/?org_unit=74&period=202312&map=DISB_RATE")

    panel = section(html, 'data-panel="map-DISB_RATE"', "</section>")
    chart = json.loads(section(html, '<script id="wall-map-data-DISB_RATE" type="application/json">', "</script>"))
    # Coloured by the status against the plan, judged on January to December; the legend says so
    assert chart["measure"] == "status"
    assert [m["key"] for m in chart["measures"]] == ["status"]
    assert "lũy kế năm 2023" in chart["measures"][0]["label"]
    assert chart["measures"][0]["label"] in panel
    # December alone would rank 719 first (40 of 120); the year ranks 718 first (100 %) — as coloured
    ranked = re.findall(r'<li data-unit="(\w+)">', panel)
    assert ranked == ["718", "719"]
    status_of = {i["code"]: i["status"] for i in chart["items"]}
    assert status_of == {"718": "on_track", "719": "off_track"}
    listed = figures_in(panel, tag="li", key="unit")
    assert listed["718"]["status"] == "on_track"
    assert listed["719"]["status"] == "off_track"


def test_in_december_the_status_is_the_verdict(province: Tree, client: Client) -> None:
    # 98,2 % of the plan with the year over: not "at risk" but not met
    _status, html = get(client, "/?org_unit=74&period=202312")

    revenue = tiles(html)["REV"]
    assert revenue["plan_completion_pct"] == "98,2"
    assert revenue["status"] == "off_track"
    _status, html = get(client, "/?org_unit=74&period=202311")
    assert tiles(html)["REV"]["status"] == "at_risk"


def test_a_dissolved_district_is_not_waited_for(province: Tree, client: Client) -> None:
    OrgUnitFactory(code="720", kind="district", parent=province.province, valid_to="2022-12-31")

    _status, html = get(client, "/?org_unit=74&period=202312")

    assert "partial" not in tiles(html)["REV"]
    assert OrgUnit.objects.filter(code="720").exists()
