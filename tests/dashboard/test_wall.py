"""The wall screen: its panels, its refresh, and what it costs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from dieuhanh.figures.models import ImportBatch
from tests.dashboard.conftest import Plans, api_measures, get, shown
from tests.dashboard.pages import figures_in, section
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db


def panels(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-panel="')[1:]]


def test_the_wall_rotates_through_the_overview_the_maps_and_the_off_track_list(plans: Plans, client: Client) -> None:
    status, html = get(client, "/wall/?org_unit=74&period=202306")

    assert status == 200
    assert panels(html) == ["overview-1", "map-REV", "map-ACC", "map-POOR", "offtrack"]
    assert 'class="wall"' in html
    assert 'data-rotate="20"' in html
    assert "site-header" not in html  # full screen: no menu
    tiles = figures_in(section(html, 'data-panel="overview-1"', "</section>"), tag="li")
    assert tiles["REV"]["value"] == shown(api_measures(plans.rev, plans.tree.province, "202306").value)
    behind = section(html, 'data-panel="offtrack"', "</section>")
    assert 'data-indicator="REV" data-unit="74"' in behind


def test_a_wall_map_colours_the_units_by_status_where_they_have_plans(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/wall/?org_unit=74&period=202306")

    revenue = json.loads(section(html, '<script id="wall-map-data-REV" type="application/json">', "</script>"))
    assert revenue["measure"] == "status"
    assert {i["code"] for i in revenue["items"]} == {"718", "719"}
    # The legend names the measure and the period the colours stand for: the status, from January
    assert section(html, 'data-panel="map-REV"', "</section>").count("6 tháng đầu năm 2023") >= 1
    accidents = json.loads(section(html, '<script id="wall-map-data-ACC" type="application/json">', "</script>"))
    # No plans at the districts: the figure of the month, and the list beside it ranks by the same
    assert accidents["measure"] == "value"
    assert accidents["measures"] == [{"key": "value", "label": "Giá trị tháng 6/2023", "kind": "number", "unit": "vụ"}]


def test_the_maps_can_be_chosen_in_the_address(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/wall/?org_unit=74&map=ACC,NOPE&rotate=40")

    assert panels(html) == ["overview-1", "map-ACC", "offtrack"]
    assert 'data-rotate="40"' in html


def test_the_wall_refreshes_its_panels_from_an_address_that_is_never_cached(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/wall/?org_unit=74")
    assert 'hx-get="/wall/panels/?org_unit=74" hx-trigger="every 300s, wall:refresh"' in html

    response = client.get("/wall/panels/?org_unit=74")
    fragment = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "<html" not in fragment
    assert panels(fragment) == ["overview-1", "map-REV", "map-ACC", "map-POOR", "offtrack"]
    assert "data-wall-fresh" in fragment


def test_the_wall_says_when_it_shows_sample_data(plans: Plans, client: Client) -> None:
    assert "wall-bar__sample" not in get(client, "/wall/")[1]

    ImportBatch.objects.create(source_name="demo", file_format="demo", status="committed")

    assert "wall-bar__sample" in get(client, "/wall/")[1]


def test_a_wall_with_a_bad_choice_shows_the_message_instead_of_failing(plans: Plans, client: Client) -> None:
    status, html = get(client, "/wall/?period=2023Q9")

    assert status == 200
    assert 'role="alert"' in html


def test_the_wall_costs_the_same_queries_with_more_indicators_and_plans(
    plans: Plans, client: Client, django_assert_num_queries: Any
) -> None:
    # sample-data check (twice: the bar and the page), indicators, unit tree, data span, children, plans
    # under the unit and their units, headline plans; analytics: rollup state, units, values, targets;
    # whether public-investment projects hold a plan of the year (none here); the answers' stamp (the
    # page cache's key: the figures are computed here, the rollups not being current).
    with django_assert_num_queries(14):
        assert client.get("/wall/?org_unit=74&period=202306").status_code == 200

    for n in range(12):
        indicator = IndicatorFactory(code=f"MORE{n}")
        put(indicator, plans.tree.commune_b1, "202306", n + 1)
        TargetFactory(indicator=indicator, org_unit=plans.tree.district_b, value=100)
        TargetFactory(indicator=indicator, org_unit=plans.tree.province, value=100)

    with django_assert_num_queries(14):
        response = client.get("/wall/?org_unit=74&period=202306")
    assert panels(response.content.decode())[:2] == ["overview-1", "overview-2"]
