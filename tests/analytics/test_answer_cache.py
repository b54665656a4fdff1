"""Cached answers: asked again they cost one query, and no change ever leaves one stale."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dieuhanh.analytics.selectors import analytics_measures, analytics_ranking
from dieuhanh.analytics.services import rollups_rebuild
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.indicators.models import Target
from dieuhanh.indicators.periods import Period
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def revenue(tree: Tree) -> Any:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.commune_a1, "202301", 10)
    put(revenue, tree.commune_b1, "202301", 5)
    TargetFactory(indicator=revenue, org_unit=tree.province, year_from=2023, value=100)
    rollups_rebuild()
    return revenue


def ask(revenue: Any, tree: Tree) -> Any:
    (measures,) = analytics_measures(indicators=[revenue], org_units=[tree.province], periods=[Period.parse("202301")])
    return measures


def test_the_same_question_again_costs_one_query(revenue: Any, tree: Tree, django_assert_num_queries: Any) -> None:
    first = ask(revenue, tree)

    with django_assert_num_queries(1):
        again = ask(revenue, tree)

    assert again == first
    assert again.value == Decimal(15)


def test_an_import_changes_the_answer_at_once(revenue: Any, tree: Tree) -> None:
    ask(revenue, tree)

    import_file(
        content=b"indicator,org_unit,period,value\nREV,25816,202301,7\n",
        filename="x.csv",
        status=DataValueStatus.APPROVED,
    )

    assert ask(revenue, tree).value == Decimal(17)


def test_a_new_target_changes_the_plan_at_once(revenue: Any, tree: Tree) -> None:
    ask(revenue, tree)

    Target.objects.filter(indicator=revenue).update(value=200)  # around the ORM's signals: not followed …
    target = Target.objects.get(indicator=revenue)
    target.value = Decimal(300)
    target.save()  # … but a save is

    assert ask(revenue, tree).plan == Decimal(300)


def test_a_renamed_unit_shows_in_the_ranking_at_once(revenue: Any, tree: Tree) -> None:
    period = Period.parse("202301")
    analytics_ranking(indicator=revenue, org_unit=tree.province, period=period)

    tree.district_a.name = "Thành phố Thủ Dầu Một (mới)"
    tree.district_a.save()

    names = [r.name for r in analytics_ranking(indicator=revenue, org_unit=tree.province, period=period)]
    assert "Thành phố Thủ Dầu Một (mới)" in names


def test_without_rollups_nothing_is_cached(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.commune_a1, "202301", 10)
    ask(revenue, tree)

    put(revenue, tree.commune_a2, "202301", 1)  # around the services; the next answer must see it

    assert ask(revenue, tree).value == Decimal(11)
