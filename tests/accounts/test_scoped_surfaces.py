"""Surfaces that count or list per unit answer each reader with their own units: the directive
scorecards and summary, the reporting calendar, the Excel template, the catalogue's history."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.services import DirectiveInput, directives_create, source_document_create
from dieuhanh.orgunits.models import CatalogueChange
from dieuhanh.reporting.models import DataSet
from tests.conftest import Tree
from tests.factories import IndicatorFactory, UserFactory, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(tree: Tree) -> Any:
    user = UserFactory(username="reporter718")
    membership_add(user=user, role=Role.REPORTER, org_unit=tree.district_a)
    return user


@pytest.fixture
def operator(db: None) -> Any:
    user = UserFactory(username="operator")
    membership_add(user=user, role=Role.OPERATOR)
    return user


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def directives(tree: Tree, owner: Any) -> None:
    """One directive led by each district, in 2024 (the scorecards' figures follow the writes)."""
    source = source_document_create(
        kind=SourceKind.CONCLUSION_NOTICE, date=dt.date(2024, 9, 12), number="412/TB-UBND", user=owner
    )
    directives_create(
        source=source,
        items=[DirectiveInput(content="Việc của 718", lead="718"), DirectiveInput(content="Việc của 719", lead="719")],
        user=owner,
    )


# ---- directive scorecards and summary --------------------------------------------------------------


def _scorecard_units(client: APIClient) -> list[str]:
    response = client.get("/api/v1/directives/scorecards/?period=2024")
    assert response.status_code == 200
    return [row["org_unit"] for row in response.json()]


def test_a_district_reporter_sees_only_its_districts_scorecard(directives: None, reporter: Any) -> None:
    assert _scorecard_units(_api(reporter)) == ["718"]


def test_a_leader_sees_every_units_scorecard(directives: None, leader: Any) -> None:
    assert set(_scorecard_units(_api(leader))) == {"74", "718", "719"}


def test_a_user_without_a_role_sees_no_scorecard(directives: None, colleague: Any) -> None:
    assert _scorecard_units(_api(colleague)) == []


def test_the_scorecards_page_lists_only_the_readers_units(directives: None, reporter: Any) -> None:
    page = _signed_in(reporter).get("/directives/scorecards/?period=2024").content.decode()

    assert "Thành phố Thủ Dầu Một" in page
    assert "Huyện Bàu Bàng" not in page


def test_the_directive_summary_of_another_district_counts_nothing_for_a_reporter(
    directives: None, reporter: Any, leader: Any
) -> None:
    url = "/api/v1/directives/summary/?agency=719&role=lead&as_of=2024-12-31"

    assert _api(reporter).get(url).json()["total"] == 0
    assert _api(leader).get(url).json()["total"] == 1


# ---- the reporting calendar ------------------------------------------------------------------------


@pytest.fixture
def data_set(tree: Tree) -> DataSet:
    indicator = IndicatorFactory(code="REV", is_public=True)
    data_set = DataSet.objects.create(
        code="BC_THANG", name="Báo cáo tháng", period_type="monthly", org_unit_kind="district"
    )
    data_set.indicators.add(indicator)
    return data_set


def _obligation_units(client: APIClient) -> set[str]:
    response = client.get("/api/v1/reporting/obligations/?period=202401")
    assert response.status_code == 200
    return {row["org_unit"] for row in response.json()}


def test_the_obligations_api_lists_a_reporters_own_units(data_set: DataSet, reporter: Any, leader: Any) -> None:
    assert _obligation_units(_api(reporter)) == {"718"}
    assert _obligation_units(_api(leader)) == {"718", "719"}


def test_the_obligations_api_lists_nothing_to_a_user_without_a_role(data_set: DataSet, colleague: Any) -> None:
    assert _obligation_units(_api(colleague)) == set()


def test_the_calendar_page_shows_a_reporter_only_its_units(data_set: DataSet, reporter: Any) -> None:
    page = _signed_in(reporter).get("/reporting/?period=202401").content.decode()

    assert "Thành phố Thủ Dầu Một" in page
    assert "Huyện Bàu Bàng" not in page


def test_a_units_calendar_outside_the_readers_scope_is_refused(data_set: DataSet, reporter: Any, leader: Any) -> None:
    assert _signed_in(reporter).get("/reporting/unit/718/").status_code == 200
    assert _signed_in(reporter).get("/reporting/unit/719/").status_code == 403
    assert _signed_in(leader).get("/reporting/unit/719/").status_code == 200


def test_an_operator_keeps_the_reporting_calendar(data_set: DataSet, operator: Any) -> None:
    response = _api(operator).patch("/api/v1/data-sets/BC_THANG/", {"due_day": 20}, format="json")

    assert response.status_code == 200
    data_set.refresh_from_db()
    assert data_set.due_day == 20


# ---- the Excel template ----------------------------------------------------------------------------


def _template_rows(client: Client, unit: str) -> dict[str, list[Any]]:
    response = client.get(f"/imports/template.xlsx?org_unit={unit}&year=2023")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return {str(row[0]): list(row) for row in sheet.iter_rows(values_only=True) if row and row[0]}


def test_a_template_of_another_district_leaves_out_its_non_public_figures(tree: Tree, reporter: Any) -> None:
    public = IndicatorFactory(code="REV", is_public=True)
    secret = IndicatorFactory(code="SECRET", is_public=False)
    put(public, tree.district_b, "202301", 7)
    put(secret, tree.district_b, "202301", 99)
    put(secret, tree.district_a, "202301", 55)

    theirs = _template_rows(_signed_in(reporter), "719")
    mine = _template_rows(_signed_in(reporter), "718")

    assert "REV" in theirs
    assert "SECRET" not in theirs
    assert "SECRET" in mine
    assert 55 in mine["SECRET"]


# ---- the catalogue's history -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"), [("colleague", 403), ("reporter", 403), ("leader", 200), ("operator", 200)]
)
def test_the_catalogue_history_is_for_leaders_operators_and_administrators(
    request: pytest.FixtureRequest, actor: str, status: int
) -> None:
    CatalogueChange.objects.create(way="api", action="update", model="indicators.indicator", code="REV")

    response = _api(request.getfixturevalue(actor)).get("/api/v1/catalogue-changes/")

    assert response.status_code == status
