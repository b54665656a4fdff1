"""The wall's figures in the page cache: every wall screen of a province refreshes the same panels, so
they are computed once per state of the figures; the projects slowest to disburse and the time of the
refresh are read for every request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dieuhanh.analytics.services import rollups_rebuild, rollups_stamp
from dieuhanh.dashboard import views
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.services import figure_set
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.projects.models import Project
from tests.dashboard.conftest import Plans, count_requests, get
from tests.dashboard.pages import figures_in, section
from tests.dashboard.test_wall_projects import rows
from tests.projects.conftest import disburse, project

pytestmark = pytest.mark.django_db

WALL = "/wall/?org_unit=74&period=202306"


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The requests for which the wall computed its figures (rather than serving it again)."""
    return count_requests(monkeypatch, views, "_wall_figures")


def tiles(html: str) -> dict[str, dict[str, str]]:
    return figures_in(section(html, 'data-panel="overview-1"', "</section>"), tag="li")


def test_the_wall_and_its_refresh_serve_the_figures_again_without_computing_them(
    current: Plans, client: Client, computed: list[str]
) -> None:
    _status, first = get(client, WALL)
    _status, again = get(client, WALL + "&rotate=30")  # its pace is not another wall
    get(client, WALL.replace("/wall/", "/wall/panels/"))
    _status, refreshed = get(client, WALL.replace("/wall/", "/wall/panels/"))

    assert computed == [WALL, WALL.replace("/wall/", "/wall/panels/")]
    assert tiles(again) == tiles(first) == tiles(refreshed)
    assert tiles(first)["REV"]["value"] != "–"
    # The header names the unit and the period from what was kept.
    for html in (first, again):
        assert "Trung tâm giám sát điều hành · Tỉnh Bình Dương</h1>" in html
        assert '<p class="wall-bar__period">Tháng 6/2023</p>' in html
    assert 'data-rotate="30"' in again


def test_a_changed_figure_shows_on_the_walls_next_refresh(current: Plans, client: Client) -> None:
    before = tiles(get(client, WALL)[1])["REV"]["value"]

    figure_set(
        indicator=current.rev,
        org_unit=current.tree.commune_a1,
        period=Period.parse("202306"),
        value=Decimal(100000),
        status=DataValueStatus.APPROVED,
    )

    after = tiles(get(client, WALL)[1])["REV"]["value"]
    assert after != before
    assert after.startswith("100.")


def test_the_projects_panel_follows_the_register_while_the_figures_are_kept(
    current: Plans, client: Client, computed: list[str]
) -> None:
    board = OrgUnit.objects.create(code="BQLDA", name="Ban Quản lý dự án", kind="agency")
    for code in ("DA-1", "DA-2"):
        item = project(code, board, locations=[current.tree.commune_a1], plan={"provincial": 8_000}, year=2023)
        disburse(item, "202305", 1_000, year=2023)
    rollups_rebuild()  # a new agency made the rollups, and so the cache, wait for a rebuild
    assert rows(get(client, WALL)[1]) == [("DA-1", "12,5", "off_track"), ("DA-2", "12,5", "off_track")]

    # A disbursement written to the register (the Treasury's import, the API) changes no figure yet.
    stamp = rollups_stamp()
    disburse(Project.objects.get(code="DA-1"), "202306", 2_000, year=2023)
    assert rollups_stamp() == stamp

    # 37.5 % by 30/6: past the 30 % milestone, no longer slow.
    assert rows(get(client, WALL)[1]) == [("DA-2", "12,5", "off_track")]
    assert computed == [WALL]


def test_the_wall_served_again_costs_a_few_queries(
    current: Plans, client: Client, django_assert_num_queries: Any
) -> None:
    get(client, WALL)
    # The page cache's stamp, the unit, whether a project holds a plan of the year, the sample-data mark.
    with django_assert_num_queries(4):
        assert client.get(WALL).status_code == 200
