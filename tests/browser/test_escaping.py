"""In a browser: a unit and an indicator whose names are markup (stored XSS through the catalogue)
reach every chart, its tooltips and the page as text; no script of theirs runs.

The names carry an ``onerror`` that would set ``window.__xss``: after the page is drawn and every
chart's tooltip has been shown — by moving the mouse over the charts, then by asking ECharts for
each point's tooltip — ``window.__xss`` must still be undefined, and the tooltips must show the
names literally.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, screenshot
from tests.reform import Reform, reform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["reform"]

UNIT_NAME = '<img src=x onerror="window.__xss=1">'
INDICATOR_NAME = '<img src=x onerror="window.__xss=2"> Thu'
MEASURE_UNIT = '<svg onload="window.__xss=3">'


@pytest.fixture
def hostile_page(chromium: str, live_server: Any, reform: Reform) -> Iterator[Any]:
    """The reform with a commune, the indicator and its unit of measure named as markup, and a page
    of a live server showing it."""
    from playwright.sync_api import sync_playwright

    unit = reform.units["n2"]
    unit.name = UNIT_NAME
    unit.save()
    reform.rev.name = INDICATOR_NAME
    reform.rev.short_name = INDICATOR_NAME
    reform.rev.unit = MEASURE_UNIT
    reform.rev.save()
    allowed = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(f"script error: {error.message}"))
            page.base_url = live_server.url  # type: ignore[attr-defined]
            yield page
            browser.close()
            assert not problems, "\n".join(problems)
    finally:
        if allowed is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allowed


# Every point of every chart on the page: its tooltip shown through ECharts (as a hover does), and
# the text the tooltip then holds.
SHOW_EVERY_TIP = """
() => {
  const texts = [];
  document.querySelectorAll('[data-chart-ready]').forEach((el) => {
    const chart = window.echarts.getInstanceByDom(el);
    if (!chart) { return; }
    const option = chart.getOption();
    (option.series || []).forEach((series, seriesIndex) => {
      const count = (series.data || []).length;
      for (let dataIndex = 0; dataIndex < count; dataIndex++) {
        chart.dispatchAction({ type: 'showTip', seriesIndex, dataIndex });
        texts.push(el.innerText);
      }
    });
    chart.dispatchAction({ type: 'hideTip' });
  });
  return texts;
}
"""


def test_markup_in_names_is_shown_as_text_and_never_runs(hostile_page: Any) -> None:
    page = hostile_page
    page.goto(f"{page.base_url}/indicators/REV/?org_unit=N&period=2026S1")
    page.wait_for_function(
        "() => ['trend', 'ranking'].every((kind) => { const el = document.querySelector(`[data-chart=${kind}]`);"
        " return !!(el && el.hasAttribute('data-chart-ready') && window.echarts.getInstanceByDom(el)); })"
    )

    # The mouse over every chart, row by row, as a visitor reading the tooltips
    for chart in page.locator("[data-chart-ready]").all():
        box = chart.bounding_box()
        if not box:
            continue
        for step in range(1, 20):
            page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * step / 20)
            page.mouse.move(box["x"] + box["width"] * step / 20, box["y"] + box["height"] * 0.5)
    tips = page.evaluate(SHOW_EVERY_TIP)
    page.mouse.move(1, 1)
    screenshot(page, "escaping-indicator")

    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("svg[onload]").count() == 0
    # The names are shown literally: in the page, and in the tooltips that name them
    assert INDICATOR_NAME in page.locator("h1").inner_text()
    assert UNIT_NAME in page.locator('tr[data-unit="n2"]').inner_text()
    assert any(UNIT_NAME in text for text in tips), tips
    assert any(MEASURE_UNIT in text for text in tips), tips


def test_markup_in_names_never_runs_on_the_overview_and_the_wall(hostile_page: Any) -> None:
    page = hostile_page
    for path in ("/?org_unit=N&period=2026S1", "/wall/?org_unit=N&period=2026S1"):
        page.goto(f"{page.base_url}{path}")
        page.wait_for_load_state("networkidle")
        page.evaluate(SHOW_EVERY_TIP)

        assert page.evaluate("() => window.__xss") is None, path
        assert page.locator("img[src=x]").count() == 0, path
        assert INDICATOR_NAME in page.locator("body").inner_text() or "Thu" in page.locator("body").inner_text()
