"""The basis of an answer (docs/analytics.md, "The basis"): approved figures by default; with
``submitted``, those awaiting approval too, marked; drafts never. Rollups hold approved figures
and follow an approval at once.

The hand-computed case, REV (a sum) in January 2023:

    25741 (in 718)  10  approved
    25744 (in 718)   4  submitted (awaiting approval)
    25816 (in 719)   5  approved
    25816 (in 719)   3  a draft, February

    approved:  718 = 10 (1 of its 2 communes), 719 = 5, 74 = 15
    submitted: 718 = 14 (both), 719 = 5, 74 = 19; 718 and 74 rest on an unapproved figure
"""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from dieuhanh.analytics.api.views import Question
from dieuhanh.analytics.engine import Basis
from dieuhanh.analytics.models import Rollup
from dieuhanh.analytics.selectors import analytics_measures, analytics_ranking
from dieuhanh.analytics.services import rollups_ready, rollups_rebuild
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.figures.services import figure_set
from dieuhanh.indicators.periods import Period
from tests.conftest import Tree
from tests.factories import IndicatorFactory, put

pytestmark = pytest.mark.django_db

JANUARY = Period.parse("202301")


@pytest.fixture
def revenue(tree: Tree) -> Any:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.commune_a1, "202301", 10)
    put(revenue, tree.commune_a2, "202301", 4, status=DataValueStatus.SUBMITTED)
    put(revenue, tree.commune_b1, "202301", 5)
    put(revenue, tree.commune_b1, "202302", 3, status=DataValueStatus.DRAFT)
    return revenue


def ask(revenue: Any, tree: Tree, basis: Basis = Basis.APPROVED, period: Period = JANUARY) -> dict[str, Any]:
    units = [tree.province, tree.district_a, tree.district_b]
    answers = analytics_measures(indicators=[revenue], org_units=units, periods=[period], basis=basis)
    return {m.org_unit: m for m in answers}


@pytest.mark.parametrize("rolled", [True, False], ids=["rollups", "figures"])
def test_the_approved_basis_counts_approved_figures_only(revenue: Any, tree: Tree, rolled: bool) -> None:
    if rolled:
        rollups_rebuild()

    answers = ask(revenue, tree)

    assert rollups_ready() is rolled
    assert answers["74"].value == Decimal(15)
    assert answers["718"].value == Decimal(10)
    assert answers["719"].value == Decimal(5)
    assert {m.basis for m in answers.values()} == {"approved"}
    assert not any(m.unapproved or m.ytd_unapproved for m in answers.values())
    # The commune whose figure awaits approval shows as not reported: 718 is partial.
    assert (answers["718"].reported, answers["718"].expected) == (1, 2)
    assert answers["718"].is_partial


@pytest.mark.parametrize("rolled", [True, False], ids=["rollups", "figures"])
def test_the_submitted_basis_counts_figures_awaiting_approval_and_marks_what_rests_on_them(
    revenue: Any, tree: Tree, rolled: bool
) -> None:
    if rolled:
        rollups_rebuild()

    answers = ask(revenue, tree, Basis.SUBMITTED)

    assert answers["74"].value == Decimal(19)
    assert answers["718"].value == Decimal(14)
    assert answers["719"].value == Decimal(5)
    assert {m.basis for m in answers.values()} == {"submitted"}
    assert (answers["74"].unapproved, answers["718"].unapproved, answers["719"].unapproved) == (True, True, False)
    assert answers["74"].ytd_unapproved
    assert not answers["74"].previous_unapproved
    assert (answers["718"].reported, answers["718"].expected) == (2, 2)


def test_a_draft_counts_on_no_basis(revenue: Any, tree: Tree) -> None:
    february = Period.parse("202302")

    for basis in Basis:
        assert ask(revenue, tree, basis, february)["719"].value is None


def test_an_average_or_a_stock_is_marked_only_where_its_value_rests_on_an_unapproved_figure(tree: Tree) -> None:
    # Given a stock whose latest month is approved and an earlier one awaits approval
    beds = IndicatorFactory(code="BEDS", aggregation="last")
    put(beds, tree.commune_b1, "202301", 100, status=DataValueStatus.SUBMITTED)
    put(beds, tree.commune_b1, "202302", 110)
    quarter = Period.parse("2023Q1")

    # Then the quarter's stock is February's, approved, and not marked; January's is
    stock = ask(beds, tree, Basis.SUBMITTED, quarter)["719"]
    assert (stock.value, stock.unapproved) == (Decimal(110), False)
    january = ask(beds, tree, Basis.SUBMITTED)["719"]
    assert (january.value, january.unapproved) == (Decimal(100), True)


def test_the_rollups_hold_approved_figures_and_follow_an_approval_at_once(revenue: Any, tree: Tree) -> None:
    rollups_rebuild()
    month = JANUARY.ordinal
    rolled = Rollup.objects.get(indicator=revenue, org_unit=tree.district_a, first=month, last=month)
    assert (Decimal(rolled.value), rolled.reported) == (Decimal(10), 1)

    # When the figure awaiting approval is approved through the figures service
    figure_set(
        indicator=revenue,
        org_unit=tree.commune_a2,
        period=JANUARY,
        value=Decimal(4),
        status=DataValueStatus.APPROVED,
    )

    # Then the rollups stay in use and count it: the default basis has it at once
    assert rollups_ready()
    rolled = Rollup.objects.get(indicator=revenue, org_unit=tree.district_a, first=month, last=month)
    assert (Decimal(rolled.value), rolled.reported) == (Decimal(14), 2)
    answers = ask(revenue, tree)
    assert answers["74"].value == Decimal(19)
    assert not answers["74"].unapproved


def test_a_figure_submitted_later_leaves_the_rollups_unchanged(revenue: Any, tree: Tree) -> None:
    rollups_rebuild()
    before = sorted(Rollup.objects.values_list("org_unit_id", "first", "last", "value", "reported"))

    figure_set(
        indicator=revenue,
        org_unit=tree.commune_b1,
        period=Period.parse("202303"),
        value=Decimal(7),
        status=DataValueStatus.SUBMITTED,
    )

    assert rollups_ready()
    assert sorted(Rollup.objects.values_list("org_unit_id", "first", "last", "value", "reported")) == before
    assert ask(revenue, tree, Basis.SUBMITTED, Period.parse("202303"))["74"].value == Decimal(7)
    assert ask(revenue, tree, Basis.APPROVED, Period.parse("202303"))["74"].value is None


def test_the_answer_cache_keeps_the_two_bases_apart(revenue: Any, tree: Tree) -> None:
    rollups_rebuild()

    approved = ask(revenue, tree)["74"]
    submitted = ask(revenue, tree, Basis.SUBMITTED)["74"]
    approved_again = ask(revenue, tree)["74"]

    assert (approved.value, submitted.value, approved_again.value) == (Decimal(15), Decimal(19), Decimal(15))
    assert approved_again.basis == "approved"


def test_a_ranking_says_its_basis_and_which_rows_rest_on_unapproved_figures(revenue: Any, tree: Tree) -> None:
    rollups_rebuild()

    approved = analytics_ranking(indicator=revenue, org_unit=tree.province, period=JANUARY)
    submitted = analytics_ranking(indicator=revenue, org_unit=tree.province, period=JANUARY, basis=Basis.SUBMITTED)

    assert [(r.org_unit, r.value, r.unapproved, r.basis) for r in approved] == [
        ("718", Decimal(10), False, "approved"),
        ("719", Decimal(5), False, "approved"),
    ]
    assert [(r.org_unit, r.value, r.unapproved, r.basis) for r in submitted] == [
        ("718", Decimal(14), True, "submitted"),
        ("719", Decimal(5), False, "submitted"),
    ]


# ---- the API -------------------------------------------------------------------------------

QUERY = {"indicator": "REV", "org_unit": "74,718", "period": "202301"}


def test_the_api_answers_approved_figures_by_default_and_says_so(revenue: Any, api: APIClient) -> None:
    rollups_rebuild()

    rows = api.get("/api/v1/analytics", QUERY).json()

    assert [(r["org_unit"], r["value"], r["basis"], r["unapproved"]) for r in rows] == [
        ("74", 15, "approved", False),
        ("718", 10, "approved", False),
    ]
    assert (rows[1]["reported"], rows[1]["expected"]) == (1, 2)


def test_the_api_answers_a_leader_on_the_submitted_basis_marked(revenue: Any, leader_api: APIClient) -> None:
    rollups_rebuild()

    approved = leader_api.get("/api/v1/analytics", QUERY).json()
    submitted = leader_api.get("/api/v1/analytics", {**QUERY, "basis": "submitted"}).json()
    ranking = leader_api.get(
        "/api/v1/analytics/ranking", {"indicator": "REV", "org_unit": "74", "period": "202301", "basis": "submitted"}
    ).json()

    assert [r["value"] for r in approved] == [15, 10]
    assert [(r["org_unit"], r["value"], r["basis"], r["unapproved"], r["ytd_unapproved"]) for r in submitted] == [
        ("74", 19, "submitted", True, True),
        ("718", 14, "submitted", True, True),
    ]
    assert [(r["org_unit"], r["value"], r["unapproved"]) for r in ranking] == [("718", 14, True), ("719", 5, False)]


def test_the_api_refuses_figures_awaiting_approval_to_the_public(revenue: Any, api: APIClient) -> None:
    response = api.get("/api/v1/analytics", {**QUERY, "basis": "submitted"})
    ranking = api.get(
        "/api/v1/analytics/ranking", {"indicator": "REV", "org_unit": "74", "period": "202301", "basis": "submitted"}
    )

    assert response.status_code == 403
    assert ranking.status_code == 403
    assert "submitted" not in response.content.decode()


def test_the_api_names_a_basis_that_does_not_exist(revenue: Any, leader_api: APIClient) -> None:
    response = leader_api.get("/api/v1/analytics", {**QUERY, "basis": "draft"})

    assert response.status_code == 400
    assert "approved" in response.json()["detail"][0]


def test_two_bases_are_two_questions_for_the_answer_cache() -> None:
    asked = Question(indicators=("REV",), org_units=("74",), periods=("202301",), internal=True)

    assert (
        asked.normalised()
        != Question(
            indicators=("REV",), org_units=("74",), periods=("202301",), internal=True, basis=Basis.SUBMITTED
        ).normalised()
    )


def test_the_migration_approves_the_figures_stored_before_approval_existed(revenue: Any) -> None:
    migration = import_module("dieuhanh.figures.migrations.0003_existing_figures_approved")
    submitted = DataValue.objects.get(status=DataValueStatus.SUBMITTED)
    draft = DataValue.objects.get(status=DataValueStatus.DRAFT)

    migration.approve_existing(apps, None)

    assert DataValue.objects.get(pk=submitted.pk).status == DataValueStatus.APPROVED
    assert DataValue.objects.get(pk=draft.pk).status == DataValueStatus.DRAFT
