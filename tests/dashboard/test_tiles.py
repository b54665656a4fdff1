"""The overview's tiles: the plan indicators at a glance, and how to move between units and periods."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from dieuhanh.indicators.models import Indicator
from tests.dashboard.conftest import Plans, api_measures, get, shown, shown_pct
from tests.dashboard.pages import figures_in, section
from tests.factories import IndicatorFactory, OrgUnitFactory, TargetFactory, put

pytestmark = pytest.mark.django_db


def tiles(html: str) -> dict[str, dict[str, str]]:
    return figures_in(section(html, '<ul class="tiles">', "</ul>"), tag="li")


def test_the_tiles_are_the_indicators_with_a_plan_and_show_what_the_api_gives(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/?org_unit=74&period=202306")

    shown_tiles = tiles(html)
    assert list(shown_tiles) == ["REV", "GRDP", "ACC", "POOR"]  # sector, then catalogue order; no NOPLAN
    revenue = shown_tiles["REV"]
    api = api_measures(plans.rev, plans.tree.province, "202306")
    assert revenue["value"] == shown(api.value)
    # June 2023 lacks one commune's figure: lower than June 2022, an unfavourable fall.
    assert api.yoy_pct is not None
    assert api.yoy_pct < 0
    assert revenue["change"] == "▼ " + shown_pct(api.yoy_pct, signed=True) + "%"
    assert revenue["tone"] == "bad"
    assert revenue["plan_completion_pct"] == shown_pct(api.plan_completion_pct)
    assert revenue["status"] == api.status == "off_track"


def test_a_rise_of_a_lower_is_better_indicator_is_marked_unfavourable(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/?org_unit=74&period=202306")

    accidents = tiles(html)["ACC"]
    api = api_measures(plans.acc, plans.tree.province, "202306")
    assert accidents["value"] == shown(api.value, 0)
    assert api.yoy_pct is not None
    assert accidents["tone"] == ("bad" if api.yoy_pct > 0 else "good")


def test_for_a_month_quarterly_and_yearly_indicators_show_their_latest_complete_period_labelled(
    plans: Plans, client: Client
) -> None:
    _status, html = get(client, "/?org_unit=74&period=202305")

    grdp, poor = tiles(html)["GRDP"], tiles(html)["POOR"]
    assert grdp["period"] == "2023Q1"
    assert grdp["value"] == shown(api_measures(plans.grdp, plans.tree.province, "2023Q1").value)
    assert poor["period"] == "2022"
    assert poor["value"] == shown(api_measures(plans.poor, plans.tree.province, "2022").value, 0)
    tile = section(html, 'data-indicator="GRDP"', "</li>")
    assert "Quý I/2023" in tile
    assert "kỳ đầy đủ gần nhất" in tile


def test_nine_months_are_the_cumulative_figures_against_the_same_months_a_year_earlier(
    plans: Plans, client: Client
) -> None:
    for code in ("202307", "202308", "202309"):
        for n, commune in enumerate([plans.tree.commune_a1, plans.tree.commune_a2, plans.tree.commune_b1], 1):
            put(plans.rev, commune, code, n)

    _status, html = get(client, "/?org_unit=74&period=202309YTD")

    revenue = tiles(html)["REV"]
    september, year_before = (api_measures(plans.rev, plans.tree.province, p) for p in ("202309", "202209"))
    assert revenue["period"] == "202309YTD"
    assert revenue["value"] == shown(september.ytd)
    assert revenue["plan_completion_pct"] == shown_pct(september.plan_completion_pct)
    assert september.ytd is not None
    assert year_before.ytd is not None
    change = (september.ytd / year_before.ytd - 1) * 100
    arrow = "▲ " if change > 0 else "▼ "
    assert revenue["change"] == arrow + shown_pct(change, signed=True) + "%"
    assert "9 tháng đầu năm 2023" in html
    # The full table says the same.
    row = figures_in(section(html, '<table class="figures">'), tag="tr")["REV"]
    assert (row["value"], row["previous"]) == (shown(september.ytd), shown(year_before.ytd))


def test_at_a_commune_a_plan_indicator_kept_only_for_the_province_is_named_not_tiled(
    plans: Plans, client: Client
) -> None:
    _status, html = get(client, "/?org_unit=25741&period=202306")

    assert "GRDP" not in tiles(html)
    assert "REV" in tiles(html)
    assert "Không báo cáo ở đơn vị này:" in html
    assert section(html, "Không báo cáo ở đơn vị này:", "</p>").count("GRDP") == 1


def test_the_status_summary_counts_the_tiles(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/?org_unit=74&period=202306")

    shown_tiles = tiles(html)
    statuses = [t.get("status", "none") for t in shown_tiles.values()]
    summary = section(html, 'class="status-summary"', "</p>")
    # Every tile is counted once, under the status it shows: the counts add up to the tiles
    counts = dict(re.findall(r'data-status="(\w+)" data-count="(\d+)"', summary))
    assert f'data-total="{len(shown_tiles)}"' in section(html, '<p class="status-summary"', ">") + ">"
    assert sum(int(c) for c in counts.values()) == len(shown_tiles)
    assert {k: int(v) for k, v in counts.items()} == {s: statuses.count(s) for s in set(statuses)}
    assert 'href="/off-track/?org_unit=74&amp;period=202306"' in section(html, 'class="status-summary"', "</ul>")


def test_a_tile_opens_its_indicator_page_for_the_same_unit_and_period(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/?org_unit=718&period=2023Q2")

    assert 'href="/indicators/REV/?org_unit=718&amp;period=2023Q2"' in section(html, '<ul class="tiles">', "</ul>")


def test_the_breadcrumb_leads_up_and_the_units_below_lead_down(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/?org_unit=25741&period=202306")
    crumbs = section(html, 'class="breadcrumb"', "</nav>")
    assert crumbs.index("Tỉnh Bình Dương") < crumbs.index("Thành phố Thủ Dầu Một") < crumbs.index("Phường Hiệp Thành")
    assert 'href="/?org_unit=74&amp;period=202306"' in crumbs
    assert 'aria-current="location">Phường Hiệp Thành' in crumbs

    _status, html = get(client, "/?org_unit=74&period=202306")
    below = section(html, 'class="chips"', "</ul>")
    assert 'href="/?org_unit=718&amp;period=202306"' in below
    assert 'href="/?org_unit=719&amp;period=202306"' in below
    assert "25741" not in below  # only the level directly below


def test_the_period_steps_back_and_forward_but_not_past_the_latest_data(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/?org_unit=74&period=202305")
    steps = section(html, 'class="period-step"', "</nav>")
    assert 'rel="prev" href="/?org_unit=74&amp;period=202304"' in steps
    assert 'rel="next" href="/?org_unit=74&amp;period=202306"' in steps

    _status, html = get(client, "/?org_unit=74&period=202306")
    assert 'rel="next"' not in section(html, 'class="period-step"', "</nav>")

    _status, html = get(client, "/?org_unit=74&period=202209YTD")
    assert 'rel="prev" href="/?org_unit=74&amp;period=202109YTD"' in section(html, 'class="period-step"', "</nav>")


def test_a_drill_down_under_htmx_returns_the_result_for_the_pickers_to_follow(plans: Plans, client: Client) -> None:
    response = client.get("/?org_unit=718&period=202306", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response["HX-Push-Url"] == "/?org_unit=718&period=202306"
    assert 'data-picked-unit="718" data-picked-period="202306"' in html
    assert "<form" not in html


def test_the_overview_costs_the_same_queries_with_more_units_and_indicators(
    plans: Plans, client: Client, django_assert_num_queries: Any
) -> None:
    # sample-data check, the page cache's stamp, indicators, unit tree, data span, headline plans; analytics:
    # rollup state, units, values, targets.
    with django_assert_num_queries(10):
        assert client.get("/?org_unit=74&period=202306").status_code == 200

    for n in range(20):
        commune = OrgUnitFactory(code=f"C{n}", parent=plans.tree.district_b)
        put(plans.rev, commune, "202306", n)
        indicator = IndicatorFactory(code=f"PLAN{n}")
        put(indicator, commune, "202306", n)
        TargetFactory(indicator=indicator, org_unit=plans.tree.province)

    with django_assert_num_queries(10):
        response = client.get("/?org_unit=74&period=202306")
    assert len(tiles(response.content.decode())) == 24


@pytest.mark.parametrize("with_rollups", [False, True])
def test_a_tiles_sparkline_is_the_apis_value_of_each_of_its_periods(plans: Plans, with_rollups: bool) -> None:
    # Given the province's figures, read from rollups or computed from the figures
    from dieuhanh.analytics.readmodel.book import sparkline_periods
    from dieuhanh.analytics.readmodel.lists import headline_indicator_ids
    from dieuhanh.analytics.readmodel.periods import ReportPeriod
    from dieuhanh.analytics.services import rollups_rebuild
    from dieuhanh.dashboard.selectors import overview_book, overview_tiles
    from dieuhanh.indicators.periods import PeriodType

    if with_rollups:
        rollups_rebuild()
    province = plans.tree.province
    indicators = list(Indicator.objects.order_by("code"))
    report = ReportPeriod.parse("202306")

    # When the overview draws its tiles
    book = overview_book(indicators=indicators, unit=province, report=report)
    headline_ids = headline_indicator_ids(unit=province)
    result = overview_tiles(book=book, indicators=indicators, headline_ids=headline_ids, unit=province, report=report)

    # Then every point of every sparkline is the API's value for its period: 24 months of the revenue, not
    # only the months the tile's own measures read
    drawn = {tile.figure.indicator.code: tile for tile in result.tiles}
    assert set(drawn) >= {"REV", "ACC", "GRDP"}
    for tile in drawn.values():
        period_type = PeriodType(tile.figure.indicator.period_type)
        periods = sparkline_periods(tile.figure.shown, period_type)
        expected = [api_measures(tile.figure.indicator, province, p.code).value for p in periods]
        assert tile.sparkline == expected, tile.figure.indicator.code
    assert sum(v is not None for v in drawn["REV"].sparkline) == 18  # January 2022 to June 2023
