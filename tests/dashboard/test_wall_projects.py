"""The wall's panel "Dự án chậm giải ngân": the public-investment projects slowest to disburse the
year's plan, with the share disbursed and their status's colour."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dieuhanh.orgunits.models import OrgUnit
from tests.dashboard.conftest import Plans, get
from tests.dashboard.pages import section
from tests.factories import OrgUnitFactory
from tests.projects.conftest import disburse, project

pytestmark = pytest.mark.django_db


def panels(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-panel="')[1:]]


def rows(html: str) -> list[tuple[str, str, str]]:
    """(project code, share disbursed as written, colour) of each row of the panel, in order."""
    panel = section(html, 'data-panel="projects"', "</section>")
    out = []
    for part in panel.split('<tr data-project="')[1:]:
        code = part.split('"', 1)[0]
        percent = part.split('data-measure="percent">', 1)[1].split("<", 1)[0]
        colour = part.split('class="badge badge--', 1)[1].split('"', 1)[0]
        out.append((code, percent, colour))
    return out


@pytest.fixture
def slow(plans: Plans) -> OrgUnit:
    """Three projects of 2023 in the province's communes: by 31/7/2023 one disbursed 12.5 % of its plan
    (behind the 30 % milestone of 30/6), one 40 % (past it, below the pace of 40.1 %: at risk), one
    55 % (on schedule)."""
    board = OrgUnitFactory(code="BQLDA", name="Ban Quản lý dự án đầu tư xây dựng tỉnh", kind="agency")
    tree = plans.tree
    for code, commune, paid in (("DA-1", tree.commune_a1, 1_000), ("DA-2", tree.commune_b1, 3_200)):
        item = project(code, board, locations=[commune], plan={"provincial": 8_000}, year=2023)
        disburse(item, "202305", paid, year=2023)
    fast = project("DA-3", board, locations=[tree.commune_a2], plan={"provincial": 10_000}, year=2023)
    disburse(fast, "202306", 5_500, year=2023)
    return board


def test_the_wall_lists_the_projects_slowest_to_disburse_with_their_share_and_status_colour(
    slow: OrgUnit, client: Client
) -> None:
    _status, html = get(client, "/wall/?org_unit=74&period=202307")
    panel = section(html, 'data-panel="projects"', "</section>")

    assert panels(html)[-1] == "projects"
    assert "Dự án chậm giải ngân" in panel
    assert "kế hoạch vốn năm 2023, giải ngân đến 31/7/2023" in panel
    # Slowest first; the project on schedule is not listed.
    assert rows(html) == [("DA-1", "12,5", "off_track"), ("DA-2", "40,0", "at_risk")]
    assert "Chậm tiến độ" in panel
    assert "Có nguy cơ chậm" in panel
    assert "Ban Quản lý dự án đầu tư xây dựng tỉnh" in panel
    assert ">8,0<" in panel  # the plan in tỷ đồng


def test_a_wall_without_slow_projects_or_below_the_province_has_no_projects_panel(
    slow: OrgUnit, plans: Plans, client: Client
) -> None:
    assert "projects" in panels(get(client, "/wall/?org_unit=74&period=202307")[1])
    assert "projects" not in panels(get(client, "/wall/?org_unit=718&period=202307")[1])
    # A year without plans: no panel.
    assert "projects" not in panels(get(client, "/wall/?org_unit=74&period=202212")[1])


def test_the_panel_costs_the_same_queries_with_more_projects(slow: OrgUnit, plans: Plans, client: Client) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/wall/?org_unit=74&period=202307").status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        item = project(f"DA-MORE-{n}", slow, locations=[plans.tree.commune_a1], plan={"provincial": 1_000}, year=2023)
        disburse(item, "202306", 10 * (n + 1), year=2023)

    assert queries() == before
    assert len(rows(get(client, "/wall/?org_unit=74&period=202307")[1])) == 7
