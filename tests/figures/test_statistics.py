"""Imports keep the planner's statistics of the figures table current (SQLite never does so itself)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dieuhanh import planner
from dieuhanh.figures import statistics
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

MONTHS = [f"{year}{month:02d}" for year in range(2015, 2024) for month in range(1, 13)]


@pytest.fixture
def revenue(tree: Tree) -> Any:
    if connection.vendor == "sqlite":
        # As a table never analysed (an earlier test that committed may have left statistics;
        # this test's transaction puts them back).
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is not None:
                cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'ingest_datavalue'")
    return IndicatorFactory(code="REV")


def imported(periods: list[str]) -> bool:
    """Import one figure per period; say whether the import analysed the figures table."""
    content = "indicator,org_unit,period,value\n" + "".join(f"REV,718,{p},1\n" for p in periods)
    with CaptureQueriesContext(connection) as queries:
        result = import_file(content=content.encode(), filename="x.csv")
    assert result.ok, [i.message for i in result.issues]
    return any(q["sql"].lstrip().upper().startswith("ANALYZE") for q in queries.captured_queries)


def sqlite_statistics_rows() -> int | None:
    with connection.cursor() as cursor:
        return planner.analysed_rows(cursor, "ingest_datavalue")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps no statistics of its own accord")
def test_on_sqlite_the_first_import_leaves_statistics_of_the_figures(revenue: Any) -> None:
    assert sqlite_statistics_rows() is None

    assert imported(MONTHS[:40])

    assert sqlite_statistics_rows() == 40


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps no statistics of its own accord")
def test_on_sqlite_an_import_analyses_the_figures_again_only_if_it_changes_over_a_tenth(revenue: Any) -> None:
    assert imported(MONTHS[:40])

    assert not imported(MONTHS[40:44])  # 4 new figures: a tenth of the 40 analysed
    assert sqlite_statistics_rows() == 40
    assert imported(MONTHS[44:49])  # 5: more than a tenth
    assert sqlite_statistics_rows() == 49
    assert not imported(MONTHS[:49])  # nothing changed, nothing to analyse


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own threshold")
def test_on_postgresql_an_import_analyses_the_figures_only_above_its_threshold(
    revenue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statistics, "ANALYZE_ABOVE", 10)

    assert not imported(MONTHS[:10])
    assert imported(MONTHS[10:21])
