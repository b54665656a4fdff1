"""Issue 16's acceptance in a real browser, on the demo: a leader goes from the overview's
disbursement tile to the slowest investor, to its slowest project, to the obstacle blocking it and
the agency that must resolve it, in three clicks; a screenshot of every step.

The demo's public-investment projects (``demo/projects.py``) tell that story: in the last year the
slowest investor's slowest project has an open obstacle past its deadline. The demo fixture loads the
figures only: the test loads the demo's projects on top of them (``projects_demo_load``), or, where
the demo has no projects module, writes the story itself through the register's services.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.analytics.readmodel.scope import ADMINISTRATIVE_KINDS, default_org_unit
from dieuhanh.demo.services import DemoLoadResult
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import org_unit_tree, today
from dieuhanh.projects.choices import AllocationKind, CapitalSource, ObstacleCategory, ProjectStage
from dieuhanh.projects.models import Project
from dieuhanh.projects.services import (
    DisbursementRow,
    allocation_add,
    disbursements_write,
    obstacle_create,
    project_save,
)
from tests.browser.conftest import number, screenshot
from tests.browser.test_agencies_safely import PASSWORD, sign_in
from tests.conftest import DEMO_UNTIL
from tests.factories import OrgUnitFactory, UserFactory

# Transactional: signing in writes, which the live server would not see inside a test's transaction.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TILE = "PI_DISB_RATE"


def _home() -> OrgUnit:
    """The province the overview opens on (the new city)."""
    home = default_org_unit(org_unit_tree(kinds=ADMINISTRATIVE_KINDS))
    assert home is not None
    return home


def _shares(locator: Any) -> list[Decimal | None]:
    return [number(locator.nth(i).inner_text()) for i in range(locator.count())]


def _demo_projects() -> ModuleType | None:
    """The demo's public-investment module (``demo/projects.py``), when the demo has one."""
    try:
        return importlib.import_module("dieuhanh.demo.projects")
    except ImportError:
        return None


def _story_written(year: int) -> None:
    """The story on the demo's units when the demo holds no projects: two investors of the city,
    the slower one's slowest project blocked by site clearance past its deadline."""
    city = _home()
    commune = OrgUnit.objects.filter(parent=city, kind="commune").order_by("code").first() or city
    slow = OrgUnitFactory(code="BQLDA_NN_TEST", name="Ban Quản lý dự án Nông nghiệp (thử)", kind="agency")
    fast = OrgUnitFactory(code="BQLDA_GT_TEST", name="Ban Quản lý dự án Giao thông (thử)", kind="agency")
    resolver = OrgUnitFactory(code="SNNMT_TEST", name="Sở Nông nghiệp và Môi trường (thử)", kind="agency")
    plans = [
        ("DA-TEST-1", slow, "Kè bờ sông Sài Gòn (thử)", 50_000, 5_000),
        ("DA-TEST-2", slow, "Đường ven sông (thử)", 20_000, 8_000),
        ("DA-TEST-3", fast, "Cầu Cần Giờ (thử)", 30_000, 21_000),
    ]
    for code, investor, name, plan, disbursed in plans:
        project = project_save(
            code=code,
            name=name,
            investor=investor,
            group="B",
            sector="irrigation",
            stage=ProjectStage.IMPLEMENTATION,
            total_investment=Decimal(plan * 4),
            sources=[CapitalSource.PROVINCIAL],
            locations=[commune],
            geometry={"type": "Point", "coordinates": [106.70 + plan / 1_000_000, 10.78]},
        )
        allocation_add(
            project=project,
            year=year,
            source=CapitalSource.PROVINCIAL,
            kind=AllocationKind.INITIAL,
            amount=Decimal(plan),
            effective_on=dt.date(year, 1, 1),
        )
        disbursements_write(
            rows=[DisbursementRow(project.pk, year, CapitalSource.PROVINCIAL, f"{year}03", Decimal(disbursed))]
        )
    obstacle_create(
        project=Project.objects.get(code="DA-TEST-1"),
        category=ObstacleCategory.SITE_CLEARANCE,
        description="Chưa thống nhất đơn giá bồi thường, 37 hộ chưa bàn giao mặt bằng",
        reported_on=dt.date(year, 4, 1),
        resolving_agency=resolver,
        deadline=dt.date(year, 6, 30),
    )


def test_a_leader_goes_from_the_disbursement_tile_to_the_blocked_project_in_three_clicks(
    page: Any, demo: DemoLoadResult, demo_url: str, django_db_blocker: Any
) -> None:
    year = today().year
    sample = _demo_projects()
    with django_db_blocker.unblock():
        if not Project.objects.exists():
            if sample is not None:
                sample.projects_demo_load(seed=demo.seed, until=DEMO_UNTIL)
            else:
                _story_written(year)
        leader = UserFactory(username="chu-tich")
        leader.set_password(PASSWORD)
        leader.save()
        membership_add(user=leader, role=Role.VIEWER, org_unit=_home())

    # What the browser refuses under the Content-Security-Policy, on every page of the walk
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error('Refused to ' + e.violatedDirective));"
    )

    # Given the leader on the overview
    sign_in(page, demo_url, "chu-tich", "/")
    tile = page.locator(f"[data-indicator={TILE}] .tile__link")
    assert tile.count() == 1
    screenshot(page, "public-investment-1-overview")

    # When they open the disbursement tile (1)
    tile.click()
    page.wait_for_url(re.compile(rf"/indicators/{TILE}/"))
    panel = page.locator("[data-panel=slowest-investors]")
    assert panel.count() == 1
    first = panel.locator("li[data-investor]").first
    investor_id = first.get_attribute("data-investor")
    # Then the panel leads with the investor with the lowest share of its plan disbursed
    shares = _shares(panel.locator("li[data-investor] > .num"))
    assert shares
    assert shares == sorted(shares)
    period_year = re.search(r"year=(\d{4})", first.locator("a").get_attribute("href") or "")
    assert period_year is not None
    if sample is not None:
        # The demo's story: its slowest investor
        with django_db_blocker.unblock():
            assert OrgUnit.objects.get(pk=investor_id).code == sample.STORY_INVESTOR
    first.scroll_into_view_if_needed()
    screenshot(page, "public-investment-2-slowest-investors")

    # When they open that investor (2)
    first.locator("a").click()
    page.wait_for_url(re.compile(rf"/projects/\?year={period_year.group(1)}&on=[0-9-]+&investor={investor_id}$"))
    rows = page.locator("tr[data-code]")
    assert rows.count() >= 1
    # Then its projects are listed slowest first (the lowest share disbursed first), each with a named status
    listed = [share for share in _shares(page.locator("tr[data-code] [data-measure=percent]")) if share is not None]
    assert listed == sorted(listed)
    code = rows.first.get_attribute("data-code") or ""
    if sample is not None:
        assert code == sample.STORY_PROJECT  # the demo's story: its slowest project
    assert rows.first.locator("[data-status]").inner_text().strip()
    screenshot(page, "public-investment-3-investor-projects")

    # When they open its slowest project (3)
    rows.first.locator("th a").first.click()
    page.wait_for_url(re.compile(rf"/projects/{re.escape(code)}/"))
    # Then the obstacle blocking it is there, open and overdue, with the agency that must resolve it
    blocking = page.locator(".pi-obstacles tr[data-open]").first
    assert blocking.count() == 1
    agency = blocking.locator("[data-fact=resolving-agency]").inner_text().strip()
    assert agency
    assert blocking.locator(".badge--overdue").count() == 1
    assert page.locator("[data-chart-ready]").count() == 1  # the curve is drawn
    page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('[data-pi-chart=curve]'))"
        ".dispatchAction({type: 'showTip', seriesIndex: 2, dataIndex: 2})"
    )
    page.wait_for_selector("[data-pi-chart=curve] div[style*='display: block']")
    blocking.scroll_into_view_if_needed()
    screenshot(page, "public-investment-4-project-obstacle", full_page=True)

    # And the scorecard's list read out at meetings names that investor below 30 %, and the map draws
    # the projects coloured by status under a titled legend
    page.goto(f"{demo_url}/projects/investors/?year={period_year.group(1)}&below=30")
    assert page.locator(f".pi-below-list li[data-investor='{investor_id}']").count() == 1
    screenshot(page, "public-investment-5-investors-below-30")
    page.goto(f"{demo_url}/projects/map/?year={period_year.group(1)}")
    page.wait_for_selector("#pi-map[data-chart-drawn]")
    assert page.locator(".pi-legend figcaption").inner_text().strip()
    screenshot(page, "public-investment-6-map")
    assert refused == []
