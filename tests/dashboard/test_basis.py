"""The toggle "Gồm số liệu chờ phê duyệt" (docs/dashboards.md): leaders see approved figures by
default and may include those awaiting approval, marked; the public and the wall never do; the
choice is kept in the address and the page cache never serves one basis for the other."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from dieuhanh.analytics.services import rollups_rebuild
from dieuhanh.figures.choices import DataValueStatus
from tests.conftest import Tree
from tests.dashboard.conftest import get
from tests.dashboard.pages import figures_in, section
from tests.dashboard.test_overview import rows_of
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db

TOGGLE = 'name="basis" value="submitted"'
MARK = "gồm số liệu chưa phê duyệt"


@pytest.fixture
def awaiting(tree: Tree) -> Tree:
    """REV in January 2023: 10 approved in 25741, 4 awaiting approval in 25744 (both in 718), 5
    approved in 25816 (in 719). Rollups current: pages are cached."""
    revenue = IndicatorFactory(code="REV", name="Thu ngân sách", decimals=0)
    put(revenue, tree.commune_a1, "202301", 10)
    put(revenue, tree.commune_a2, "202301", 4, status=DataValueStatus.SUBMITTED)
    put(revenue, tree.commune_b1, "202301", 5)
    # A plan makes it a headline indicator: a tile on the overview and on the wall.
    TargetFactory(indicator=revenue, org_unit=tree.province, year_from=2023, value=300)
    rollups_rebuild()
    return tree


@pytest.fixture
def leader_client(leader: Any) -> Client:
    client = Client()
    client.force_login(leader)
    return client


def test_a_leader_sees_approved_figures_and_the_toggle(awaiting: Tree, leader_client: Client) -> None:
    status, html = get(leader_client, "/?org_unit=74&period=202301")

    assert status == 200
    assert TOGGLE in html
    assert f"{TOGGLE} checked" not in html
    row = rows_of(html)["REV"]
    assert row["value"] == "15"
    assert "unapproved" not in row
    assert MARK not in html


def test_the_toggle_includes_figures_awaiting_approval_marked_and_keeps_it_in_links(
    awaiting: Tree, leader_client: Client
) -> None:
    status, html = get(leader_client, "/?org_unit=74&period=202301&basis=submitted")

    assert status == 200
    assert f"{TOGGLE} checked" in html
    row = rows_of(html)["REV"]
    assert row["value"] == "19"
    assert row["unapproved"] == "yes"
    assert figures_in(html, tag="li")["REV"]["unapproved"] == "yes"
    assert MARK in html
    assert 'data-basis="submitted"' in html
    # Every link to another page or period keeps the choice.
    assert "/indicators/REV/?org_unit=74&amp;period=202301&amp;basis=submitted" in html


def test_the_indicator_page_marks_its_figure_and_its_units_and_ranks_on_the_basis(
    awaiting: Tree, leader_client: Client
) -> None:
    _status, approved = get(leader_client, "/indicators/REV/?org_unit=74&period=202301")
    _status, submitted = get(leader_client, "/indicators/REV/?org_unit=74&period=202301&basis=submitted")

    def units(html: str) -> dict[str, dict[str, str]]:
        return figures_in(section(html, '<table class="figures figures--units">', "</table>"), tag="tr", key="unit")

    # On the approved basis, the leader is told what is left out; on the submitted one, it is in.
    assert 'data-awaiting="1"' in approved
    assert "1 đơn vị chờ phê duyệt" in approved
    assert "data-awaiting" not in submitted
    assert units(approved)["718"]["value"] == "10"
    assert units(approved)["718"]["partial"] == "1/2"
    assert "unapproved" not in units(approved)["718"]
    assert units(submitted)["718"]["value"] == "14"
    assert units(submitted)["718"]["unapproved"] == "yes"
    assert "unapproved" not in units(submitted)["719"]
    assert MARK in submitted


def test_the_public_asking_for_figures_awaiting_approval_sees_approved_ones(awaiting: Tree, client: Client) -> None:
    _status, html = get(client, "/?org_unit=74&period=202301&basis=submitted")
    _status, indicator = get(client, "/indicators/REV/?org_unit=74&period=202301")

    assert "data-awaiting" not in indicator
    assert TOGGLE not in html
    assert rows_of(html)["REV"]["value"] == "15"
    assert MARK not in html


def test_the_wall_shows_approved_figures_whatever_is_asked(awaiting: Tree, leader_client: Client) -> None:
    _status, html = get(leader_client, "/wall/?org_unit=74&period=202301&basis=submitted")
    _status, panels = get(leader_client, "/wall/panels/?org_unit=74&period=202301&basis=submitted")

    assert figures_in(html, tag="li")["REV"]["value"] == "15"
    assert figures_in(panels, tag="li")["REV"]["value"] == "15"
    assert TOGGLE not in html
    assert MARK not in html
    assert MARK not in panels
    assert 'data-basis="submitted"' not in html


def test_the_page_cache_never_serves_one_basis_for_the_other(
    awaiting: Tree, leader_client: Client, client: Client
) -> None:
    # The public asks first (and is shown approved figures), then a leader both ways, then again.
    _status, public = get(client, "/?org_unit=74&period=202301&basis=submitted")
    _status, submitted = get(leader_client, "/?org_unit=74&period=202301&basis=submitted")
    _status, approved = get(leader_client, "/?org_unit=74&period=202301")
    _status, submitted_again = get(leader_client, "/?org_unit=74&period=202301&basis=submitted")

    assert rows_of(public)["REV"]["value"] == "15"
    assert rows_of(submitted)["REV"]["value"] == "19"
    assert rows_of(approved)["REV"]["value"] == "15"
    assert rows_of(submitted_again)["REV"]["value"] == "19"


def test_the_indicator_export_follows_the_basis_and_marks_its_rows(awaiting: Tree, leader_client: Client) -> None:
    with translation.override("vi"):
        approved = leader_client.get("/indicators/REV/export.csv?org_unit=74&period=202301").content.decode()
        submitted = leader_client.get(
            "/indicators/REV/export.csv?org_unit=74&period=202301&basis=submitted"
        ).content.decode()

    def row(text: str, code: str) -> list[str]:
        return next(r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if r and r[0] == code)

    assert row(approved, "718")[3] == "10"
    assert MARK not in approved
    assert row(submitted, "718")[3] == "14"
    assert MARK in row(submitted, "718")[-1]
    assert MARK not in row(submitted, "719")[-1]
