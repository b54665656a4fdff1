"""A large clean CSV's first load on PostgreSQL, outside any transaction, checks its rows on a
second connection while the import's own connection writes them (``bulk._load_read_beside``).
The catalogue must be committed for the second connection to see it: these tests commit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from dieuhanh.figures import postgres as figures_postgres
from dieuhanh.figures.models import DataValue
from dieuhanh.ingest import bulk
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory
from tests.ingest.first_loads import DECIDED_STATUSES, file_the_policy_decides

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the first load beside exists on PostgreSQL only"),
]


@pytest.fixture
def revenue(tree: Tree) -> Any:
    return IndicatorFactory(code="REV", min_value=0)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    """Each one-pass load tried: (with a reader, loaded). Files of three figures are first loads."""
    monkeypatch.setattr(figures_postgres, "BULK_LOAD_ABOVE", 3)
    tried: list[tuple[bool, bool]] = []
    load = bulk.load_into_empty

    def spy(cursor: Any, **kwargs: Any) -> Any:
        counts = load(cursor, **kwargs)
        tried.append((kwargs.get("reader") is not None, counts is not None))
        return counts

    monkeypatch.setattr(bulk, "load_into_empty", spy)
    return tried


def stored() -> list[tuple[str, str, str, Decimal, str, str, bool]]:
    return sorted(
        (v.indicator.code, v.org_unit.code, v.period, v.value, v.comment, v.status, v.batch_id == v.created_batch_id)
        for v in DataValue.objects.select_related("indicator", "org_unit")
    )


def figure_schema() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s UNION ALL"
            " SELECT column_name, column_default FROM information_schema.columns WHERE table_name = %s ORDER BY 1",
            [DataValue._meta.db_table] * 2,
        )
        return list(cursor.fetchall())


def test_a_first_load_is_checked_beside_and_stores_what_the_merge_stores(
    revenue: Any, loads: list[tuple[bool, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    content = file_the_policy_decides(revenue)
    schema = figure_schema()

    beside = import_file(content=content, filename="a.csv")

    assert beside.ok, [i.message for i in beside.issues]
    assert loads == [(True, True)]
    assert (beside.batch.rows_total, beside.batch.rows_created) == (8, 8)
    assert figure_schema() == schema
    first = stored()
    assert {(ind, unit, status) for ind, unit, _p, _v, _c, status, _b in first} == DECIDED_STATUSES
    assert ("REV", "718", "202301", Decimal("1.5"), "note 1", "approved", True) in first

    # When the same file is merged the usual way into an empty table, the same figures are stored.
    DataValue.objects.all().delete()
    monkeypatch.setattr(figures_postgres, "BULK_LOAD_ABOVE", 10**9)
    assert import_file(content=content, filename="b.csv").ok
    assert stored() == first


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "REV,718,202301,1\nREV,718,202302,-5\nREV,718,202303,3\nREV,999,202304,4\n",
            [(3, "value"), (5, "org_unit")],
        ),
        ("REV,718,202301,1\nREV,718,202302,2\nREV,718,202301,3\nREV,718,202304,4\n", [(4, "indicator")]),
    ],
    ids=["a-broken-rule", "a-key-given-twice"],
)
def test_a_first_load_checked_beside_with_a_bad_row_writes_nothing_and_words_it_by_line(
    revenue: Any, loads: list[tuple[bool, bool]], rows: str, expected: list[tuple[int, str]]
) -> None:
    schema = figure_schema()

    result = import_file(content=("indicator,org_unit,period,value\n" + rows).encode(), filename="a.csv")

    assert [(i.line, i.column) for i in result.issues] == expected
    # Tried beside, and not again on one connection: the usual way words the rows at once.
    assert loads == [(True, False)]
    assert not DataValue.objects.exists()
    assert figure_schema() == schema


def test_a_first_load_goes_on_one_connection_when_no_second_one_is_had(
    revenue: Any, loads: list[tuple[bool, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "reader_connection", lambda: None)

    result = import_file(
        content=b"indicator,org_unit,period,value\nREV,718,202301,1\nREV,718,202302,2\nREV,719,202301,3\n",
        filename="a.csv",
    )

    assert result.ok
    assert loads == [(False, True)]
    assert DataValue.objects.count() == 3


def test_inside_a_transaction_a_first_load_reads_what_the_transaction_wrote(
    tree: Tree, loads: list[tuple[bool, bool]]
) -> None:
    # A second connection would not see the indicator made in the same transaction.
    with transaction.atomic():
        IndicatorFactory(code="NEW")
        result = import_file(
            content=b"indicator,org_unit,period,value\nNEW,718,202301,1\nNEW,718,202302,2\nNEW,719,202301,3\n",
            filename="a.csv",
        )

    assert result.ok, [i.message for i in result.issues]
    assert loads == [(False, True)]
    assert DataValue.objects.count() == 3
