"""Odd but legal CSV files read the same on SQLite and on PostgreSQL (where most files are copied natively)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from dieuhanh.figures import postgres as figures_postgres
from dieuhanh.figures.models import DataValue, DataValueChange
from dieuhanh.ingest import bulk
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory
from tests.ingest.first_loads import DECIDED_STATUSES, file_the_policy_decides

pytestmark = pytest.mark.django_db


@pytest.fixture
def revenue(tree: Tree) -> Any:
    return IndicatorFactory(code="REV", min_value=0)


def lines_with_errors(content: bytes) -> list[tuple[int | None, str]]:
    return [(i.line, i.column) for i in import_file(content=content, filename="x.csv").issues]


def test_a_comment_spanning_lines_keeps_later_line_numbers_right(revenue: Any) -> None:
    content = b'indicator,org_unit,period,value,comment\nREV,718,202301,1,"two\nlines"\nREV,718,202302,x,\n'

    assert lines_with_errors(content) == [(4, "value")]


def test_blank_lines_are_skipped_and_counted(revenue: Any) -> None:
    content = b"indicator,org_unit,period,value\n\nREV,718,202301,1\n\n\nREV,718,202302,-1\n"

    assert lines_with_errors(content) == [(6, "value")]


def test_windows_line_ends_and_spaces_around_cells_are_fine(revenue: Any) -> None:
    content = b"indicator,org_unit,period,value,comment\r\n REV , 718 , 202301 , 1.5 , c\r\n"

    result = import_file(content=content, filename="x.csv")

    assert result.ok, [i.message for i in result.issues]
    stored = DataValue.objects.get()
    assert (stored.value, stored.comment, stored.period) == (Decimal("1.5"), "c", "202301")


def test_a_short_row_is_an_error_not_a_crash(revenue: Any) -> None:
    assert lines_with_errors(b"indicator,org_unit,period,value\nREV,718,202301\n") == [(2, "value")]


def test_lower_case_period_codes_and_a_file_without_final_newline(revenue: Any) -> None:
    IndicatorFactory(code="GRDP", period_type="quarterly")

    result = import_file(content=b"indicator,org_unit,period,value\nGRDP,74,2023q2,7", filename="x.csv")

    assert result.ok
    assert DataValue.objects.get().period == "2023Q2"


def test_a_seventh_decimal_is_refused_and_an_exponent_is_read(revenue: Any) -> None:
    IndicatorFactory(code="BAL")

    refused = import_file(content=b"indicator,org_unit,period,value\nBAL,718,202301,-2.0000005\n", filename="x.csv")
    taken = import_file(content=b"indicator,org_unit,period,value\nREV,718,202301,1e3\n", filename="y.csv")

    assert [(i.line, i.column) for i in refused.issues] == [(2, "value")]
    assert taken.ok
    assert {v.indicator.code: v.value for v in DataValue.objects.all()} == {"REV": Decimal(1000)}


def test_years_outside_1900_to_2200_are_refused(revenue: Any) -> None:
    assert lines_with_errors(b"indicator,org_unit,period,value\nREV,718,180001,1\nREV,718,000001,1\n") == [
        (2, "period"),
        (3, "period"),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the native COPY path exists on PostgreSQL only")
def test_on_postgresql_a_plain_csv_is_copied_natively_and_an_odd_one_parsed(
    revenue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[bool] = []
    native = bulk._stage_csv_natively

    def spy(cursor: Any, stream: Any) -> Any:
        result = native(cursor, stream)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(bulk, "_stage_csv_natively", spy)
    import_file(content=b"indicator,org_unit,period,value\nREV,718,202301,1\n", filename="a.csv")
    import_file(content=b'indicator,org_unit,period,value,comment\nREV,718,202302,1,"a\nb"\n', filename="b.csv")

    assert taken == [True, False]
    assert DataValue.objects.count() == 2


def test_cells_are_trimmed_of_every_kind_of_space_as_on_every_database(revenue: Any) -> None:
    content = "indicator,org_unit,period,value,comment\nREV\t,\u00a0718,202301 ,\t1 234.5\u2003, ghi chú \n".encode()

    result = import_file(content=content, filename="x.csv")

    assert result.ok, [i.message for i in result.issues]
    stored = DataValue.objects.get()
    assert (stored.value, stored.comment) == (Decimal("1234.5"), "ghi chú")


def test_a_row_of_only_spaces_and_commas_is_left_out(revenue: Any) -> None:
    result = import_file(content=b"indicator,org_unit,period,value\n , , ,\t\nREV,718,202301,1\n", filename="x.csv")

    assert result.ok
    assert result.batch.rows_total == 1


def _figure_indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [DataValue._meta.db_table]
        )
        return list(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the first-load path exists on PostgreSQL only")
def test_a_first_load_builds_the_indexes_after_the_insert_exactly_as_they_were(
    revenue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _figure_indexes()
    monkeypatch.setattr(figures_postgres, "BULK_LOAD_ABOVE", 3)
    rows = "".join(f"REV,718,2023{m:02d},{m}\n" for m in range(1, 7))
    with CaptureQueriesContext(connection) as first:
        assert import_file(content=("indicator,org_unit,period,value\n" + rows).encode(), filename="a.csv").ok
    assert any(q["sql"].startswith("DROP INDEX") for q in first.captured_queries)
    assert _figure_indexes() == before
    assert DataValue.objects.count() == 6

    # The table now holds as many figures as the next file: an ordinary merge, indexes untouched;
    # and the rebuilt unique constraint still refuses a second copy of a figure.
    more = "".join(f"REV,718,2023{m:02d},{m}\n" for m in range(7, 13))
    with CaptureQueriesContext(connection) as second:
        assert import_file(content=("indicator,org_unit,period,value\n" + more).encode(), filename="b.csv").ok
    assert not any("DROP INDEX" in q["sql"] or "DROP CONSTRAINT" in q["sql"] for q in second.captured_queries)
    assert DataValue.objects.count() == 12

    existing = DataValue.objects.first()
    assert existing is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        DataValue.objects.create(
            indicator_id=existing.indicator_id,
            org_unit_id=existing.org_unit_id,
            period=existing.period,
            period_start=existing.period_start,
            value=1,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the first-load path exists on PostgreSQL only")
def test_a_small_file_never_touches_the_indexes(revenue: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert import_file(content=b"indicator,org_unit,period,value\nREV,718,202301,1\n", filename="a.csv").ok
    assert not any("DROP INDEX" in q["sql"] or "DROP CONSTRAINT" in q["sql"] for q in queries.captured_queries)


def _stored() -> list[tuple[str, str, str, Decimal, str, str, bool, bool]]:
    """The figures as an operator reads them, with whether each records its batch and creation."""
    return sorted(
        (
            v.indicator.code,
            v.org_unit.code,
            v.period,
            v.value,
            v.comment,
            v.status,
            v.batch_id == v.created_batch_id is not None,
            v.created_at is not None,
        )
        for v in DataValue.objects.select_related("indicator", "org_unit")
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass first load exists on PostgreSQL only")
def test_a_first_load_into_an_empty_table_is_copied_in_one_pass_and_stores_what_the_merge_stores(
    revenue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = file_the_policy_decides(revenue)
    before = _figure_indexes()
    monkeypatch.setattr(figures_postgres, "BULK_LOAD_ABOVE", 3)

    with CaptureQueriesContext(connection) as queries:
        loaded = import_file(content=content, filename="a.csv")

    assert loaded.ok, [i.message for i in loaded.issues]
    assert not any("CREATE TEMP TABLE import_checked" in q["sql"] for q in queries.captured_queries)
    assert (loaded.batch.rows_total, loaded.batch.rows_created, loaded.batch.rows_updated) == (8, 8, 0)
    assert _figure_indexes() == before
    one_pass = _stored()
    assert {(ind, unit, status) for ind, unit, _p, _v, _c, status, _b, _t in one_pass} == DECIDED_STATUSES

    # When the same file is merged the usual way into an empty table, the same figures are stored.
    DataValue.objects.all().delete()
    monkeypatch.setattr(figures_postgres, "BULK_LOAD_ABOVE", 10**9)
    merged = import_file(content=content, filename="b.csv")

    assert merged.ok
    assert _stored() == one_pass


def _figure_defaults() -> list[tuple[str, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, column_default FROM information_schema.columns WHERE table_name = %s ORDER BY 1",
            [DataValue._meta.db_table],
        )
        return list(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass first load exists on PostgreSQL only")
def test_a_first_load_gives_every_figure_its_status_batch_and_time_and_leaves_the_table_s_defaults(
    revenue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the rows share is the table's defaults during the load's COPY, and only then.
    before = _figure_defaults()
    monkeypatch.setattr(figures_postgres, "BULK_LOAD_ABOVE", 3)
    content = b"indicator,org_unit,period,value\nREV,718,202301,1\nREV,718,202302,2\nREV,25741,202301,3\n"

    loaded = import_file(content=content, filename="a.csv", status="approved")

    assert loaded.ok, [i.message for i in loaded.issues]
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        (now,) = cursor.fetchone()
    stored = list(
        DataValue.objects.values_list(
            "status", "batch_id", "created_batch_id", "updated_by_id", "created_by_id", "created_at", "updated_at"
        )
    )
    assert stored == [("approved", loaded.batch.pk, loaded.batch.pk, None, None, now, now)] * 3
    assert _figure_defaults() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass first load exists on PostgreSQL only")
@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("REV,718,202301,1\nREV,718,202302,-5\nREV,718,202303,3\nREV,999,202304,4\n", [(3, "value"), (5, "org_unit")]),
        ("REV,718,202301,1\nREV,718,202302,2\nREV,718,202301,3\nREV,718,202304,4\n", [(4, "indicator")]),
    ],
    ids=["a-broken-rule", "a-key-given-twice"],
)
def test_a_first_load_with_a_bad_row_writes_nothing_and_words_it_by_line_as_usual(
    revenue: Any, monkeypatch: pytest.MonkeyPatch, rows: str, expected: list[tuple[int, str]]
) -> None:
    before = _figure_indexes()
    monkeypatch.setattr(figures_postgres, "BULK_LOAD_ABOVE", 3)

    result = import_file(content=("indicator,org_unit,period,value\n" + rows).encode(), filename="a.csv")

    assert [(i.line, i.column) for i in result.issues] == expected
    assert not DataValue.objects.exists()
    assert _figure_indexes() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the probe of the figures exists on PostgreSQL only")
@pytest.mark.parametrize("probe", [True, False], ids=["probed-row-by-row", "joined-whole"])
def test_a_small_file_into_a_large_table_finds_the_figures_it_changes_either_way(
    revenue: Any, monkeypatch: pytest.MonkeyPatch, probe: bool
) -> None:
    held = "".join(f"REV,718,2023{m:02d},{m}\n" for m in range(1, 13))
    assert import_file(content=("indicator,org_unit,period,value\n" + held).encode(), filename="a.csv").ok
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {DataValue._meta.db_table}")
    # 12 figures held, a file of 3: probed when 12 is more than 3 × the ratio.
    monkeypatch.setattr(figures_postgres, "PROBE_ABOVE_RATIO", 2 if probe else 8)
    content = b"indicator,org_unit,period,value\nREV,718,202301,1\nREV,718,202302,20\nREV,718,202401,5\n"

    with CaptureQueriesContext(connection) as queries:
        dry = import_file(content=content, filename="b.csv", dry_run=True)
        result = import_file(content=content, filename="b.csv")

    assert any("LATERAL (SELECT d.id" in q["sql"] for q in queries.captured_queries) == probe
    counts = (result.batch.rows_created, result.batch.rows_updated, result.batch.rows_unchanged)
    assert counts == (1, 1, 1)
    assert (dry.batch.rows_created, dry.batch.rows_updated, dry.batch.rows_unchanged) == counts
    assert DataValue.objects.get(period="202302").value == Decimal(20)
    assert list(DataValueChange.objects.values_list("period", "old_value", "new_value")) == [
        ("202302", Decimal(2), Decimal(20))
    ]
