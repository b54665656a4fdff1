"""In a browser, on the small reform of ``tests/reform.py``: the trend draws the break of 1 July 2025,
a re-based figure is marked, and a unit's name reaches the page as text, never as markup."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM_ARGS
from tests.reform import Reform, reform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["reform"]


@pytest.fixture
def reform_page(chromium: str, live_server: Any, reform: Reform) -> Iterator[Any]:
    """A page of a live server holding the reform; fails the test on a script error."""
    from playwright.sync_api import sync_playwright

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


def test_the_trend_draws_the_break_and_the_marks_read_as_text(reform_page: Any) -> None:
    page = reform_page
    page.goto(f"{page.base_url}/indicators/REV/?org_unit=N&period=2026S1")
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-chart=trend]');"
        " return !!(el && el.hasAttribute('data-chart-ready') && window.echarts.getInstanceByDom(el)); }"
    )

    # The trend's first series carries a vertical line at July 2025, labelled
    lines = page.evaluate(
        "() => window.echarts.getInstanceByDom(document.querySelector('[data-chart=trend]'))"
        ".getOption().series[0].markLine.data.map(d => [d.name, d.xAxis])"
    )
    assert lines == [["1/7/2025: sắp xếp đơn vị hành chính", "7/2025"]]

    # n2's last year is marked, and its tooltip names Xã <Ba> as text (no element <ba> was made)
    mark = page.locator('tr[data-unit="n2"] [data-measure="previous"] .rebased')
    assert mark.inner_text().startswith("quy đổi")
    assert "Phường Hai (40 %), Xã <Ba> (toàn bộ)" in (mark.get_attribute("title") or "")
    assert page.locator("ba").count() == 0

    # The ranking's tooltip is built as DOM text: its formatter returns an element whose text is the name
    tip = page.evaluate(
        "() => { const chart = window.echarts.getInstanceByDom(document.querySelector('[data-chart=ranking]'));"
        " const option = chart.getOption(); const f = option.tooltip[0].formatter;"
        " const node = f({name: '<b>x</b>', value: 1, dataIndex: 0});"
        " return [node.nodeType, node.textContent, node.querySelector('b') === null]; }"
    )
    assert tip[0] == 1
    assert tip[1].startswith("<b>x</b>")
    assert tip[2] is True
