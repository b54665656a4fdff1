"""The dashboards in a real browser, on the demo: figures equal the API's, drill-down, period switch, screenshots."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tests.browser.conftest import Api, matches, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

FIGURES = ("value", "change", "ytd", "plan_completion_pct")


def tiles(page: Any) -> list[dict[str, str]]:
    """Every tile: its indicator, the period it stands for and the figures it shows."""
    return list(
        page.eval_on_selector_all(
            "ul.tiles > li[data-indicator]",
            """tiles => tiles.map(t => {
                const out = {indicator: t.dataset.indicator, period: t.dataset.period};
                t.querySelectorAll('[data-measure]').forEach(m => {
                    const number = m.querySelector('.num');
                    out[m.dataset.measure] = (number || m).textContent;
                });
                return out;
            })""",
        )
    )


def change_of(shown: str, value: float, previous: float) -> float:
    """The change a page should show: a rate's in points, the difference of the two rates as printed
    (at the decimals shown); any other figure's in per cent."""
    if not shown.endswith("điểm %"):
        return (value / previous - 1) * 100
    places = len(shown.replace("điểm", "").strip().rstrip("%").strip().split(",")[1]) if "," in shown else 0
    step = Decimal(1).scaleb(-places)
    printed = [Decimal(str(v)).quantize(step, rounding=ROUND_HALF_UP) for v in (value, previous)]
    return float(printed[0] - printed[1])


def check_tiles(page: Any, api: Api, org_unit: str, *, ytd_change: bool = True) -> int:
    """Every tile's figures are the API's for its indicator, the unit and the period it stands for.

    ``ytd_change=False``: a cumulative's change is not checked — for the new city's 2025, whose year
    before it did not live: its code then names the former city, so the API cannot be asked for it.
    """
    shown = tiles(page)
    assert shown, "no tiles"
    for tile in shown:
        period = tile["period"]
        if period.endswith("YTD"):
            # Nine months: the cumulative of September against that of September a year earlier.
            code = period.removesuffix("YTD")  # 202309, or 2023Q3 for a quarterly indicator
            now = api.measures(tile["indicator"], org_unit, code)
            before = api.measures(tile["indicator"], org_unit, str(int(code[:4]) - 1) + code[4:])
            expected = {"value": now["ytd"], "plan_completion_pct": now["plan_completion_pct"]}
            if ytd_change and now["ytd"] is not None and before["ytd"]:
                expected["change"] = change_of(tile.get("change", ""), now["ytd"], before["ytd"])
        else:
            expected = api.measures(tile["indicator"], org_unit, period)
            if expected["value"] is not None and expected["previous"]:
                expected["change"] = change_of(tile.get("change", ""), expected["value"], expected["previous"])
        for name in FIGURES:
            if name in tile and name in expected:
                assert matches(tile[name], expected[name]), (tile, name, expected[name])
    return len(shown)


def test_the_overview_shows_the_apis_figures_and_switches_period(page: Any, api: Api, demo_url: str) -> None:
    page.goto(demo_url + "/")

    # The new city (79 since 1/7/2025) at the latest month complete in approved figures: the demo is
    # pinned at 11/2026, and three communes' November awaits approval.
    assert page.locator("h2.result-title").inner_text() == "Thành phố Hồ Chí Minh · Tháng 10/2026"
    assert check_tiles(page, api, "79") >= 10
    assert page.locator("table.figures tr[data-indicator]").count() >= 70
    screenshot(page, "overview", full_page=False)

    # A quarter, chosen in words: htmx swaps the result and the address follows.
    page.select_option("#id_part", label="Quý III")
    page.wait_for_url(re.compile(r"period=2026Q3"))
    page.wait_for_selector("h2.result-title:has-text('Quý III/2026')")
    check_tiles(page, api, "79")

    # Nine months: the cumulative figures at the end of September, against January–September 2025
    # (re-based: January–June from the three former provinces).
    page.select_option("#id_part", label="9 tháng đầu năm")
    page.wait_for_selector("h2.result-title:has-text('9 tháng đầu năm 2026')")
    assert page.locator("#id_part").input_value() == "9M"
    check_tiles(page, api, "79")
    screenshot(page, "overview-nine-months", full_page=False)

    # The previous period, from the stepper.
    page.click("nav.period-step a[rel=prev]")
    page.wait_for_selector("h2.result-title:has-text('9 tháng đầu năm 2025')")
    page.wait_for_url(re.compile(r"period=202509YTD"))
    check_tiles(page, api, "79", ytd_change=False)


def test_the_overview_drills_down_to_a_district_and_a_commune(page: Any, api: Api, demo_url: str) -> None:
    page.goto(demo_url + "/?org_unit=74&period=2023Q2")

    page.click("ul.chips a:has-text('Thành phố Dĩ An')")
    page.wait_for_url(re.compile(r"org_unit=724"))
    assert page.locator("#id_org_unit").input_value() == "724"
    check_tiles(page, api, "724")
    page.locator("ul.chips a").first.click()
    # The district's page has as many crumbs as the commune's: wait for the commune itself, in the
    # address and in the form, before reading its tiles.
    page.wait_for_url(re.compile(r"org_unit=(?!724\b)\d+"))
    page.wait_for_function("document.querySelector('#id_org_unit').value !== '724'")
    commune = page.locator("#id_org_unit").input_value()
    assert commune in page.url
    check_tiles(page, api, commune)
    page.click("nav.breadcrumb a:has-text('Tỉnh Bình Dương')")
    page.wait_for_url(re.compile(r"org_unit=74&"))
    # Focus follows the new result, and a tile opens from the keyboard.
    assert page.evaluate("document.activeElement.classList.contains('result-title')")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    while not page.evaluate("document.activeElement.classList.contains('tile__link')"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/indicators/\w+/\?org_unit=74&period=2023Q2"))


def test_on_the_2026_map_the_city_drills_down_to_a_commune_and_its_re_based_past_is_marked(
    page: Any, api: Api, demo_url: str
) -> None:
    page.goto(demo_url + "/?period=2026S1")
    assert page.locator("h2.result-title").inner_text() == "Thành phố Hồ Chí Minh · 6 tháng đầu năm 2026"
    # The units below on the map of 2026: the city's 168 communes, no district.
    assert page.locator("details.drill ul.chips a").count() == 168
    # Its first half of 2025 is the three former provinces re-based: the tiles say so.
    assert page.locator(".tile sup.rebased").count() >= 10
    assert page.locator(".tile sup.rebased").first.inner_text().startswith("quy đổi")

    page.click("details.drill summary")
    page.click("ul.chips a:has-text('Phường Thủ Dầu Một')")
    page.wait_for_url(re.compile(r"org_unit=25747"))
    page.wait_for_selector("nav.breadcrumb li:nth-child(2)")
    # City → commune: two levels, no district between them.
    assert page.locator("nav.breadcrumb li").count() == 2
    assert page.locator("h2.result-title").inner_text() == "Phường Thủ Dầu Một · 6 tháng đầu năm 2026"
    check_tiles(page, api, "25747")

    # The trend of a figure the communes report marks the day the map changed.
    page.goto(demo_url + "/indicators/ENT_NEW/?period=2026S1")
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-chart=trend]');"
        " return !!(el && el.hasAttribute('data-chart-ready') && window.echarts.getInstanceByDom(el)); }"
    )
    lines = page.evaluate(
        "() => window.echarts.getInstanceByDom(document.querySelector('[data-chart=trend]'))"
        ".getOption().series[0].markLine.data.map(d => [d.name, d.xAxis])"
    )
    assert lines == [["1/7/2025: sắp xếp đơn vị hành chính", "7/2025"]]
    screenshot(page, "indicator-2026-break", full_page=False)


def test_the_overview_fits_a_phone(browser: Any, demo_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN", device_scale_factor=2)
    phone = context.new_page()
    try:
        phone.goto(demo_url + "/")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(phone, "overview-phone", full_page=False)
        # The new city's communes report new enterprises (budget revenue, once the districts', the city reports).
        phone.goto(demo_url + "/indicators/ENT_NEW/")
        phone.wait_for_selector("#map-chart canvas")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def map_click(page: Any, longitude: float, latitude: float) -> None:
    """Click the map where a place is, as a visitor would (ECharts says where it drew it)."""
    page.wait_for_selector("#map-chart canvas")
    page.wait_for_function(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('map-chart'));"
        " return c && c.getOption() && c.getOption().series && c.getOption().series.length; }"
    )
    x, y = page.evaluate(
        """([lon, lat]) => {
            const chart = echarts.getInstanceByDom(document.getElementById('map-chart'));
            const option = chart.getOption();
            const finder = option.geo && option.geo.length ? {geoIndex: 0} : {seriesIndex: 0};
            return chart.convertToPixel(finder, [lon, lat]);
        }""",
        [longitude, latitude],
    )
    page.locator("#map-chart").scroll_into_view_if_needed()
    box = page.locator("#map-chart").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def key_figures(page: Any) -> dict[str, str]:
    return dict(
        page.eval_on_selector_all(
            "dl.keyfigures [data-measure]",
            # A change's figure is its .num (beside it: its arrow, and words for screen readers only).
            "cells => cells.map(c => [c.dataset.measure, (c.querySelector('.num') || c).textContent])",
        )
    )


def check_key_figures(page: Any, api: Api, indicator: str, org_unit: str, period: str) -> None:
    shown = key_figures(page)
    expected = api.measures(indicator, org_unit, period)
    for name in ("value", "previous", "ytd", "plan", "plan_completion_pct", "projection"):
        assert matches(shown[name], expected[name]), (name, shown[name], expected[name])
    # The change on last year: in points for a rate, in per cent otherwise
    if expected["value"] is not None and expected["previous"]:
        change = change_of(shown["change"], expected["value"], expected["previous"])
        assert matches(shown["change"], change), (shown["change"], change)


def test_the_indicator_page_drills_down_on_the_map_from_province_to_commune(page: Any, api: Api, demo_url: str) -> None:
    page.goto(demo_url + "/indicators/BUDGET_REV/?org_unit=74&period=202312")

    check_key_figures(page, api, "BUDGET_REV", "74", "202312")
    ranking = api.ranking("BUDGET_REV", "74", "202312")
    rows = page.eval_on_selector_all(
        "table.figures--units tbody tr[data-unit]",
        "rows => rows.map(r => [r.dataset.unit, r.querySelector('[data-measure=value]').textContent])",
    )
    assert [code for code, _v in rows] == ["74", *(r["org_unit"] for r in ranking)]
    assert all(matches(value, r["value"]) for (_c, value), r in zip(rows[1:], ranking, strict=True))
    page.wait_for_selector("[data-chart=trend] canvas")
    page.wait_for_selector("[data-chart=ranking] canvas")
    page.wait_for_selector("#map-chart canvas")
    page.wait_for_timeout(300)  # the map's boundaries arrive by a request of their own
    screenshot(page, "indicator-map", full_page=True)
    map_click(page, 106.66, 11.01)  # inside Thủ Dầu Một
    page.wait_for_url(re.compile(r"org_unit=718"))
    page.wait_for_selector("h2.result-title:has-text('Thành phố Thủ Dầu Một')")
    check_key_figures(page, api, "BUDGET_REV", "718", "202312")

    # The district's communes have no polygons: points at their centroids, which drill down too.
    page.goto(demo_url + "/indicators/ENT_NEW/?org_unit=718&period=202312")
    centre = page.evaluate(
        "JSON.parse(document.getElementById('chart-map').textContent).items.find(i => i.code === '25741')"
    )
    page.wait_for_selector("#map-chart canvas")
    page.wait_for_timeout(300)
    screenshot(page, "indicator-district-points", full_page=True)
    map_click(page, centre["lon"], centre["lat"])
    page.wait_for_url(re.compile(r"org_unit=25741"))
    page.wait_for_selector("h2.result-title:has-text('Phường Hiệp Thành')")
    check_key_figures(page, api, "ENT_NEW", "25741", "202312")


MAP_DRAWN = """() => {
    const el = document.getElementById('map-chart');
    const chart = echarts.getInstanceByDom(el);
    const option = chart && chart.getOption();
    return option && option.series && option.series.length > 0 && chart.getWidth() === el.clientWidth;
}"""


def test_a_map_survives_a_window_shrunk_to_nothing(page: Any, demo_url: str) -> None:
    # Given a province map drawn (a full-page capture or a minimised wall screen shrinks the window
    # to nothing for a moment; ECharts then throws laying a map out in no room)
    page.goto(demo_url + "/indicators/BUDGET_REV/?org_unit=74&period=202312")
    page.wait_for_function(MAP_DRAWN)

    # When the window shrinks to one pixel and grows back
    page.set_viewport_size({"width": 1, "height": 1})
    page.wait_for_function("() => window.innerWidth === 1")
    page.wait_for_timeout(200)  # the resize event is handled
    page.set_viewport_size({"width": 1280, "height": 900})

    # Then the map fills its box again, and no script error was raised (the page fixture checks)
    page.wait_for_function(MAP_DRAWN)


def test_a_map_whose_page_opened_with_no_room_is_drawn_when_the_room_comes(page: Any, demo_url: str) -> None:
    # Given a page that opens in a window of one pixel: the map's boundaries arrive with no room to draw in
    page.set_viewport_size({"width": 1, "height": 1})
    with page.expect_response(re.compile(r"/maps/74\.geojson(\?[^/]*)?$")):
        page.goto(demo_url + "/indicators/BUDGET_REV/?org_unit=74&period=202312")
    page.wait_for_selector("#map-chart[data-chart-stale]", state="attached")

    # When the window grows
    page.set_viewport_size({"width": 1280, "height": 900})

    # Then the map is drawn in it
    page.wait_for_function(MAP_DRAWN)
    assert page.locator("#map-chart[data-chart-stale]").count() == 0


def test_a_chart_offers_its_png_download(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/indicators/RETAIL/?org_unit=74&period=2023Q4")
    page.wait_for_selector("[data-chart=cumulative] canvas")

    image = page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('[data-chart=cumulative]'))"
        ".getDataURL({type: 'png', pixelRatio: 1})"
    )
    assert image.startswith("data:image/png;base64,")
    option = page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('[data-chart=cumulative]')).getOption().toolbox[0]"
    )
    assert option["feature"]["saveAsImage"]["name"] == "RETAIL_74_cumulative"


def test_the_scorecard_and_the_off_track_list_show_the_apis_figures(page: Any, api: Api, demo_url: str) -> None:
    page.goto(demo_url + "/scorecard/?org_unit=721&period=202312")
    rows = page.eval_on_selector_all(
        "table.figures--scorecard tbody tr",
        """rows => rows.map(r => ({indicator: r.dataset.indicator, period: r.dataset.period,
            value: r.querySelector('[data-measure=value]').textContent,
            rate: !!r.querySelector('[data-points=true]'),
            pct: r.querySelector('[data-measure=plan_completion_pct]').textContent}))""",
    )
    assert len(rows) >= 70
    for row in rows[:8]:
        expected = api.measures(row["indicator"], "721", row["period"])
        assert matches(row["value"], expected["value"])
        # A rate is held against its plan in points (the gap), not as a share of it
        assert matches(row["pct"], None if row["rate"] else expected["plan_completion_pct"])
    screenshot(page, "scorecard", full_page=False)

    page.goto(demo_url + "/off-track/?org_unit=74&period=202312")
    first = page.locator("table.figures--offtrack tbody tr").first
    indicator, unit, period = (first.get_attribute(f"data-{k}") for k in ("indicator", "unit", "period"))
    expected = api.measures(indicator, unit, period)
    assert expected["status"] in ("off_track", "at_risk")
    assert matches(first.locator("[data-measure=plan_completion_pct]").inner_text(), expected["plan_completion_pct"])
    # Most behind first, in % of the plan (a rate's gap is written in points, but ranked alike)
    behind = [
        Decimal(b)
        for b in page.eval_on_selector_all(
            "table.figures--offtrack tbody tr", "rows => rows.map(r => r.dataset.behind)"
        )
    ]
    assert behind == sorted(behind)
    screenshot(page, "off-track", full_page=False)
    first.locator("a").click()
    page.wait_for_url(re.compile(rf"/indicators/{indicator}/\?org_unit={unit}&period=202312"))


def test_the_wall_rotates_and_keeps_its_figures_when_a_refresh_fails(browser: Any, demo_url: str) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    wall = context.new_page()
    try:
        wall.goto(demo_url + "/wall/?rotate=600")
        assert wall.locator(".wall-panel:not([hidden])").get_attribute("data-panel") == "overview-1"
        api = Api(page=wall, base=demo_url)
        first = wall.locator(".wall-panel:not([hidden]) li[data-indicator]").first
        expected = api.measures(first.get_attribute("data-indicator"), "79", first.get_attribute("data-period"))
        assert matches(first.locator("[data-measure=value]").inner_text(), expected["value"])
        # On a 1080p screen every tile shows its last line (the status), not cut off by its row.
        clipped = wall.evaluate(
            "() => [...document.querySelectorAll('.wall-panel:not([hidden]) li.tile')].filter(tile => {"
            " const foot = tile.querySelector('.tile__foot'); if (!foot) return false;"
            " return foot.getBoundingClientRect().bottom > tile.getBoundingClientRect().bottom + 0.5; })"
            ".map(tile => tile.dataset.indicator)"
        )
        assert clipped == []
        screenshot(wall, "wall", full_page=False)

        # On to the first map.
        while not (wall.locator(".wall-panel:not([hidden])").get_attribute("data-panel") or "").startswith("map-"):
            wall.keyboard.press("ArrowRight")
        wall.wait_for_selector(".wall-panel:not([hidden]) canvas")
        wall.wait_for_timeout(400)
        screenshot(wall, "wall-map", full_page=False)
        shown_panel = wall.locator(".wall-panel:not([hidden])").get_attribute("data-panel")

        # The server stops answering: the panels stay, a small marker says they are stale.
        wall.route("**/wall/panels/**", lambda route: route.abort())
        wall.evaluate("htmx.trigger('#wall-panels', 'wall:refresh')")
        wall.wait_for_selector("[data-wall-stale]:not([hidden])")
        assert wall.locator(".wall-panel").count() >= 3
        assert wall.locator(".wall-panel:not([hidden])").get_attribute("data-panel") == shown_panel

        # It answers again: fresh panels, no marker, still on the same panel.
        wall.unroute("**/wall/panels/**")
        wall.evaluate("htmx.trigger('#wall-panels', 'wall:refresh')")
        wall.wait_for_selector("[data-wall-stale]", state="hidden")
        assert wall.locator(".wall-panel:not([hidden])").get_attribute("data-panel") == shown_panel

        while wall.locator(".wall-panel:not([hidden])").get_attribute("data-panel") != "offtrack":
            wall.keyboard.press("ArrowRight")
        screenshot(wall, "wall-off-track", full_page=False)
    finally:
        context.close()
