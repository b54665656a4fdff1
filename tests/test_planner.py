"""Large writes leave the planner's statistics of what they wrote (dieuhanh.planner): a catalogue's
units and successions, the rollups rebuilt or largely refreshed."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from dieuhanh import planner
from dieuhanh.analytics.models import Rollup
from dieuhanh.analytics.services import SPREAD_INDEXES, rollups_rebuild
from dieuhanh.indicators.metadata import metadata_load
from dieuhanh.orgunits.models import OrgUnit, Succession
from tests.conftest import Tree
from tests.factories import IndicatorFactory, put

pytestmark = pytest.mark.django_db


def analysed(queries: CaptureQueriesContext) -> list[str]:
    """The tables ANALYZE was run on, in order."""
    return [
        q["sql"].split()[1].strip('"`')
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("ANALYZE")
    ]


def test_a_table_analysed_counts_its_rows_as_then_even_inside_the_writing_transaction(tree: Tree) -> None:
    table = OrgUnit._meta.db_table

    planner.analyse(table)

    with connection.cursor() as cursor:
        assert planner.analysed_rows(cursor, table) == OrgUnit.objects.count() == 6


@pytest.mark.parametrize(
    ("rows_analysed", "changed", "analyses"),
    [
        (None, 1, True),  # never analysed: any write
        (None, 0, False),  # nothing changed
        (100, 10, False),  # a tenth: the statistics stay representative
        (100, 11, True),  # more than a tenth
        (0, 1, True),  # analysed empty
    ],
)
def test_a_table_is_analysed_again_when_a_write_changes_more_than_a_tenth_of_it(
    monkeypatch: pytest.MonkeyPatch, rows_analysed: int | None, changed: int, analyses: bool
) -> None:
    monkeypatch.setattr(planner, "analysed_rows", lambda cursor, table: rows_analysed)

    with CaptureQueriesContext(connection) as queries:
        assert planner.analyse_if_stale(OrgUnit._meta.db_table, changed=changed) is analyses

    assert analysed(queries) == ([OrgUnit._meta.db_table] if analyses else [])


def test_loading_a_catalogue_of_many_units_analyses_the_units_and_successions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planner, "analysed_rows", lambda cursor, table: None)
    document = {
        "org_units": [{"code": "79", "name": "Thành phố Hồ Chí Minh", "kind": "province"}]
        + [
            {"code": f"{26700 + i}", "name": f"Xã {i}", "kind": "commune", "parent": "79", "valid_from": "2025-07-01"}
            for i in range(3)
        ]
        + [
            {"code": f"{27700 + i}", "name": f"Xã cũ {i}", "kind": "commune", "parent": "79", "valid_to": "2025-06-30"}
            for i in range(3)
        ],
        "successions": [
            {
                "predecessor": f"{27700 + i}",
                "successor": f"{26700 + i}",
                "effective_date": "2025-07-01",
                "merge_type": "whole",
            }
            for i in range(3)
        ],
    }

    with CaptureQueriesContext(connection) as queries:
        metadata_load(document=document)

    assert Succession.objects.count() == 3
    assert analysed(queries) == [OrgUnit._meta.db_table, Succession._meta.db_table]


def test_loading_a_catalogue_that_changes_no_unit_analyses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planner, "analysed_rows", lambda cursor, table: None)

    with CaptureQueriesContext(connection) as queries:
        metadata_load(document={"sectors": [{"code": "KT", "name": "Kinh tế"}]})

    assert analysed(queries) == []


def test_rebuilding_the_rollups_analyses_them(tree: Tree) -> None:
    put(IndicatorFactory(code="REV"), tree.commune_a1, "202401", 5)

    with CaptureQueriesContext(connection) as queries:
        rollups_rebuild()

    assert Rollup.objects.exists()
    assert Rollup._meta.db_table in analysed(queries)


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_outside_any_transaction_vacuums_the_rollups_on_postgresql(tree: Tree) -> None:
    put(IndicatorFactory(code="REV"), tree.commune_a1, "202401", 5)

    with CaptureQueriesContext(connection) as queries:
        rollups_rebuild()

    vacuumed = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("VACUUM")]
    assert vacuumed == ([f'VACUUM "{Rollup._meta.db_table}"'] if connection.vendor == "postgresql" else [])
    # and, before that, builds afresh the two indexes it filled out of their order
    rebuilt = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("REINDEX")]
    postgresql = connection.vendor == "postgresql"
    assert rebuilt == ([f'REINDEX INDEX CONCURRENTLY "{name}"' for name in SPREAD_INDEXES] if postgresql else [])
    if postgresql:
        assert set(valid_indexes()) >= set(SPREAD_INDEXES)


def valid_indexes() -> dict[str, bool]:
    """The rollups' indexes, each with whether PostgreSQL may read it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = to_regclass(%s)",
            [Rollup._meta.db_table],
        )
        return dict(cursor.fetchall())


def test_the_indexes_a_rebuild_builds_afresh_are_the_rollups_own() -> None:
    names = {c.name for c in Rollup._meta.constraints} | {i.name for i in Rollup._meta.indexes}
    assert set(SPREAD_INDEXES) <= names


@pytest.mark.skipif(connection.vendor != "postgresql", reason="REINDEX CONCURRENTLY is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_reindex_cut_short_before_is_cleared_away_by_the_next(tree: Tree) -> None:
    # Given a half-built copy of an index, left invalid as a killed REINDEX CONCURRENTLY leaves it
    indicator = IndicatorFactory(code="REV")
    put(indicator, tree.commune_a1, "202401", 5)
    put(indicator, tree.commune_a2, "202401", 7)
    rollups_rebuild()
    table = Rollup._meta.db_table
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute(f'CREATE UNIQUE INDEX CONCURRENTLY "rollup_range_ccnew" ON "{table}" (indicator_id)')
    assert valid_indexes()["rollup_range_ccnew"] is False

    # When the indexes are built afresh
    assert planner.reindex(table, SPREAD_INDEXES) is True

    # Then the copy is gone and the indexes are there, valid
    indexes = valid_indexes()
    assert "rollup_range_ccnew" not in indexes
    assert all(indexes[name] for name in SPREAD_INDEXES)


def test_inside_a_transaction_no_index_is_built_afresh(tree: Tree) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert planner.reindex(Rollup._meta.db_table, SPREAD_INDEXES) is False

    assert not queries.captured_queries


def test_inside_a_transaction_nothing_is_vacuumed(tree: Tree) -> None:
    put(IndicatorFactory(code="REV"), tree.commune_a1, "202401", 5)

    with CaptureQueriesContext(connection) as queries:
        rollups_rebuild()

    assert not [q for q in queries.captured_queries if q["sql"].upper().startswith("VACUUM")]
