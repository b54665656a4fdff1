"""The indicator page: its figures, the units below it ranked and mapped, completeness, downloads."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
import pytest
from django.test import Client

from dieuhanh.analytics.selectors import analytics_ranking
from dieuhanh.indicators.periods import Period
from tests.dashboard.conftest import Plans, api_measures, get, shown, shown_pct
from tests.dashboard.pages import figures_in, section
from tests.factories import OrgUnitFactory, put

pytestmark = pytest.mark.django_db


def key_figures(html: str) -> dict[str, str]:
    return figures_in(html, tag="dl", key="unit")["74"]


def unit_rows(html: str) -> dict[str, dict[str, str]]:
    return figures_in(section(html, '<table class="figures figures--units">', "</table>"), tag="tr", key="unit")


def chart(html: str, name: str) -> dict[str, Any]:
    return json.loads(section(html, f'<script id="chart-{name}" type="application/json">', "</script>"))


def test_the_key_figures_are_the_apis_for_the_same_query(plans: Plans, client: Client) -> None:
    status, html = get(client, "/indicators/REV/?org_unit=74&period=2023Q2")

    assert status == 200
    api = api_measures(plans.rev, plans.tree.province, "2023Q2")
    figures = key_figures(html)
    assert (figures["value"], figures["previous"], figures["ytd"]) == (
        shown(api.value),
        shown(api.previous),
        shown(api.ytd),
    )
    assert figures["plan"] == shown(api.plan)
    assert figures["plan_completion_pct"] == shown_pct(api.plan_completion_pct)
    assert figures["projection"] == shown(api.projection)
    assert figures["status"].strip()
    assert api.status == "off_track"
    assert "<h1>Thu ngân sách" in html


def test_the_units_below_are_ranked_as_the_ranking_api_ranks_them(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/indicators/ACC/?org_unit=74&period=2023Q2")

    ranking = analytics_ranking(indicator=plans.acc, org_unit=plans.tree.province, period=Period.parse("2023Q2"))
    rows = unit_rows(html)
    assert list(rows) == ["74", *(r.org_unit for r in ranking)]
    for r in ranking:
        assert rows[r.org_unit]["rank"] == str(r.rank)
        assert rows[r.org_unit]["value"] == shown(r.value, 0)
    bars = chart(html, "ranking")["items"]
    assert [b["code"] for b in bars] == [r.org_unit for r in ranking]
    assert bars[0]["url"] == f"/indicators/ACC/?org_unit={ranking[0].org_unit}&period=2023Q2"


def test_the_trend_covers_five_years_with_last_year_and_the_plan_spread_over_the_months(
    plans: Plans, client: Client
) -> None:
    _status, html = get(client, "/indicators/REV/?org_unit=74&period=202306")

    trend = chart(html, "trend")
    assert len(trend["x"]) == 60
    assert trend["x"][0] == "1/2019"
    assert trend["x"][-1] == "12/2023"
    value, previous, plan = (s["data"] for s in trend["series"])
    june = trend["x"].index("6/2023")
    api = api_measures(plans.rev, plans.tree.province, "202306")
    assert value[june] == float(api.value or 0)
    assert previous[june] == float(api.previous or 0)
    assert plan[june] == pytest.approx(5000 / 12)
    assert value[trend["x"].index("7/2023")] is None
    cumulative = chart(html, "cumulative")
    assert cumulative["series"][0]["data"][5] == float(api.ytd or 0)
    assert cumulative["series"][2]["data"] == [5000] * 12
    assert cumulative["projection"]["value"] == pytest.approx(float(api.projection or 0))


def test_completeness_names_the_units_that_have_not_reported_every_month(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/indicators/REV/?org_unit=718&period=2023Q2")

    # Each commune reports for itself: 25741 has every month of the quarter, 25744 lacks June
    rows = unit_rows(html)
    assert rows["25741"]["reported"] == "1/1"
    assert rows["25744"]["reported"] == "0/1"
    # The district's own figure is one of its two communes' whole quarter, and says so
    assert rows["718"]["reported"] == "1/2"
    assert rows["718"]["partial"] == "1/2"
    missing = section(html, '<ul class="missing">', "</ul>")
    assert 'data-unit="25744"' in missing
    assert "Tháng 6/2023" in missing
    assert "25741" not in missing
    assert 'data-reported="1" data-expected="2"' in html


def test_an_indicator_kept_only_at_the_province_says_so_instead_of_listing_every_unit_as_missing(
    plans: Plans, client: Client
) -> None:
    _status, html = get(client, "/indicators/GRDP/?org_unit=74&period=2023Q2")

    assert "các đơn vị trực thuộc không báo cáo chỉ tiêu này" in html.lower()
    assert '<ul class="missing">' not in html


def test_a_month_of_a_quarterly_indicator_shows_its_latest_quarter_with_a_warning(plans: Plans, client: Client) -> None:
    _status, html = get(client, "/indicators/GRDP/?org_unit=74&period=202305")

    assert 'class="alert alert--warning"' in html
    assert key_figures(html)["value"] == shown(api_measures(plans.grdp, plans.tree.province, "2023Q1").value)
    assert 'data-period="2023Q1"' in html


def test_the_map_colours_the_districts_from_the_shipped_boundaries_and_shows_communes_as_points(
    plans: Plans, client: Client
) -> None:
    _status, html = get(client, "/indicators/REV/?org_unit=74&period=202306")
    province_map = chart(html, "map")
    assert province_map["mode"] == "choropleth"
    # The boundaries of the period's last day: the shipped districts are those of before 1/7/2025.
    assert province_map["geojson"] == "/maps/74.geojson?on=2023-06-30"
    assert {i["code"] for i in province_map["items"]} == {"718", "719"}
    district = next(i for i in province_map["items"] if i["code"] == "718")
    assert district["url"] == "/indicators/REV/?org_unit=718&period=202306"
    api = api_measures(plans.rev, plans.tree.district_a, "202306")
    assert district["values"]["value"] == float(api.value or 0)
    # Its text is the one every page writes; the map names the period of each measure
    assert district["texts"]["value"] == shown(api.value)
    assert province_map["measures"][0]["label"] == "Giá trị tháng 6/2023"
    assert district["short"] == "Thủ Dầu Một"

    _status, html = get(client, "/indicators/REV/?org_unit=718&period=202306")
    district_map = chart(html, "map")
    assert district_map["mode"] == "points"
    assert {(i["code"], i["lat"]) for i in district_map["items"]} == {("25741", 11.01), ("25744", 11.02)}
    assert "mỗi đơn vị là một điểm" in html


def test_the_boundaries_of_a_province_are_its_districts_and_of_a_district_its_outline(
    plans: Plans, client: Client
) -> None:
    response = client.get("/maps/74.geojson?on=2023-06-30")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "max-age=86400" in response["Cache-Control"]
    features = response.json()["features"]
    assert sorted(f["properties"]["name"] for f in features) == ["718", "719"]
    assert {f["properties"]["role"] for f in features} == {"child"}

    outline = client.get("/maps/25741.geojson?on=2023-06-30").json()["features"]
    assert [(f["properties"]["name"], f["properties"]["role"]) for f in outline] == [("718", "outline")]
    # The shipped polygons of Bình Dương's districts ended on 30/6/2025 (data/vn/boundaries.json).
    assert client.get("/maps/74.geojson?on=2025-07-01").json()["features"] == []
    assert client.get("/maps/NOPE.geojson").status_code == 404


def test_the_figures_download_as_csv_and_xlsx_with_the_same_numbers(plans: Plans, client: Client) -> None:
    response = client.get("/indicators/REV/export.csv?org_unit=74&period=2023Q2")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="REV_74_2023Q2.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    api = api_measures(plans.rev, plans.tree.province, "2023Q2")
    # Numbers as a spreadsheet reads them, rounded as the page shows them (one decimal here)
    assert rows[2][:4] == ["74", "Tỉnh Bình Dương", "Quý II/2023", f"{round(api.value or 0, 1):f}"]
    assert [r[0] for r in rows[2:]] == ["74", "718", "719"] or [r[0] for r in rows[2:]] == ["74", "719", "718"]

    response = client.get("/indicators/REV/export.xlsx?org_unit=74&period=2023Q2")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.cell(row=3, column=1).value == "74"
    assert sheet.cell(row=3, column=4).value == pytest.approx(float(api.value or 0))
    assert book.worksheets[1].max_row == 61  # a heading and five years of months
    assert client.get("/indicators/REV/export.pdf?org_unit=74").status_code == 404


def test_an_internal_indicator_is_not_found_by_anonymous_visitors(
    plans: Plans, client: Client, colleague: Any, leader: Any
) -> None:
    assert client.get("/indicators/SECRET/").status_code == 404
    assert client.get("/indicators/NOPE/").status_code == 404

    client.force_login(colleague)  # signed in without a role: as the public
    assert client.get("/indicators/SECRET/").status_code == 404
    client.force_login(leader)
    assert client.get("/indicators/SECRET/").status_code == 200


def test_under_htmx_only_the_result_comes_back_with_the_address_to_bookmark(plans: Plans, client: Client) -> None:
    response = client.get("/indicators/REV/?org_unit=718&period=2023q2", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response["HX-Push-Url"] == "/indicators/REV/?org_unit=718&period=2023Q2"
    assert "<h1>" not in html
    assert 'id="chart-trend"' in html


def test_the_page_costs_the_same_queries_however_many_units_are_below(
    plans: Plans, client: Client, django_assert_num_queries: Any
) -> None:
    # sample-data check, indicator, unit tree, data span, children; analytics: rollup state, units, values,
    # targets; the ranking (by value, so no targets): children, rollup state, units, values; the days
    # the map changed within the trend (its breaks).
    with django_assert_num_queries(14):
        assert client.get("/indicators/REV/?org_unit=718&period=2023Q2").status_code == 200

    for n in range(15):
        put(plans.rev, OrgUnitFactory(code=f"C{n}", parent=plans.tree.district_a), "202306", n)

    with django_assert_num_queries(14):
        response = client.get("/indicators/REV/?org_unit=718&period=2023Q2")
    assert len(unit_rows(response.content.decode())) == 18
