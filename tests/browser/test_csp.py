"""The Content-Security-Policy holds in a real browser: the pages load and draw their charts with
no script or style refused, and the API's documentation works under its own policy."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def refused(page: Any) -> list[str]:
    """What the browser refused under the policy: its console's "Refused to …" messages and the
    page's securitypolicyviolation events."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text) if "Refused to" in message.text else None)
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__violations.push("
        "e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));"
    )
    return messages


def violations(page: Any, refused: list[str]) -> list[str]:
    return refused + list(page.evaluate("window.__violations || []"))


def test_the_overview_loads_under_the_policy(page: Any, demo_url: str, refused: list[str]) -> None:
    response = page.goto(demo_url + "/")
    page.wait_for_selector("li.tile")

    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert violations(page, refused) == []


def test_the_indicator_page_draws_its_charts_and_tooltips_under_the_policy(
    page: Any, demo_url: str, refused: list[str]
) -> None:
    # Given an indicator page with its trend, ranking and map
    page.goto(demo_url + "/indicators/BUDGET_REV/?org_unit=74&period=202312")
    for chart in ("[data-chart=trend] canvas", "[data-chart=ranking] canvas", "#map-chart canvas"):
        page.wait_for_selector(chart)

    # When the reader hovers the trend (a tooltip) and changes the period (htmx swaps the result)
    page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('[data-chart=trend]'))"
        ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 2})"
    )
    page.wait_for_selector("[data-chart=trend] div[style*='display: block']")
    image = page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('[data-chart=trend]')).getDataURL({type: 'png'})"
    )
    page.goto(demo_url + "/indicators/BUDGET_REV/?org_unit=74&period=2023Q3")
    page.wait_for_selector("[data-chart=trend] canvas")

    # Then the charts are drawn (a PNG export too) and nothing was refused
    assert image.startswith("data:image/png;base64,")
    assert violations(page, refused) == []


def test_the_wall_loads_and_draws_under_the_policy(browser: Any, demo_url: str) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    wall = context.new_page()
    refused: list[str] = []
    wall.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    try:
        wall.goto(demo_url + "/wall/?rotate=600")
        wall.wait_for_selector(".wall-panel:not([hidden]) li.tile")
        while not (wall.locator(".wall-panel:not([hidden])").get_attribute("data-panel") or "").startswith("map-"):
            wall.keyboard.press("ArrowRight")
        wall.wait_for_selector(".wall-panel:not([hidden]) canvas")
        wall.wait_for_timeout(300)
    finally:
        context.close()

    assert refused == []


def test_the_api_documentation_renders_under_its_own_policy(page: Any, demo_url: str, refused: list[str]) -> None:
    page.goto(demo_url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=30_000)

    assert page.locator(".swagger-ui .opblock").count() > 10
    assert violations(page, refused) == []


def test_redoc_renders_and_the_policy_refuses_only_its_vendors_logo_from_another_site(
    browser: Any, demo_url: str
) -> None:
    # Redoc's side menu always shows Redocly's logo from Redocly's site: the policy keeps the
    # reader's browser from fetching it, which is all it refuses.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    try:
        page.goto(demo_url + "/api/redoc/")
        page.wait_for_selector("[role=menuitem]", timeout=30_000)
        page.wait_for_timeout(300)
        assert page.locator("[role=menuitem]").count() > 10
    finally:
        context.close()

    assert all("https://cdn.redoc.ly/" in message for message in refused), refused
