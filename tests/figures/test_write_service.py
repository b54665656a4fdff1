"""The figures app's write service: one way in for every figure, one announcement per write.

Each caller — a file import (on the database the suite runs on: CI runs it on SQLite and on
PostgreSQL), a single edit, the demo, the directive scorecards, the catalogue — is shown to
write through the service by what only the service does: exactly one ``figures_written`` per
write, inside the write's transaction, with the rollups current when it commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dieuhanh.analytics.selectors import build_engine, spec_of
from dieuhanh.analytics.services import rollups_ready, rollups_rebuild
from dieuhanh.figures import services
from dieuhanh.figures.choices import ChangeAction, DataValueStatus, ImportStatus
from dieuhanh.figures.models import DataValue, DataValueChange, ImportBatch
from dieuhanh.figures.services import FigureRow, figure_delete, figure_set, figures_write
from dieuhanh.figures.signals import figures_written
from dieuhanh.indicators.periods import Period
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[dict[str, Any]]]:
    """Every announcement of a write, with the keys it names (asked for, as analytics would)."""
    calls: list[dict[str, Any]] = []

    def listener(sender: Any, *, count: int, keys: Any, complete: bool, **_: Any) -> None:
        calls.append({"count": count, "keys": keys(), "complete": complete})

    figures_written.connect(listener, dispatch_uid="test_heard")
    yield calls
    figures_written.disconnect(dispatch_uid="test_heard")


def province_total(indicator: Any, tree: Tree, period: str) -> Decimal | None:
    spec = spec_of(indicator)
    engine = build_engine(specs=[spec], units=[tree.province], periods=[Period.parse(period)], use_rollups=True)
    return engine.measures(spec, tree.province.pk, Period.parse(period)).value


def rows_of(indicator: Any, tree: Tree, values: dict[str, int], period: str = "202401") -> list[FigureRow]:
    units = {u.code: u for u in (tree.commune_a1, tree.commune_a2, tree.commune_b1)}
    return [FigureRow(indicator.pk, units[code].pk, Period.parse(period), Decimal(v)) for code, v in values.items()]


@pytest.mark.parametrize("copy_from", [None, 1], ids=["portable", "postgres-copy"])
def test_a_batch_creates_updates_with_history_and_counts_what_it_left(
    tree: Tree, heard: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, copy_from: int | None
) -> None:
    if copy_from is not None:
        if connection.vendor != "postgresql":
            pytest.skip("the COPY strategy is PostgreSQL's")
        monkeypatch.setattr(services, "POSTGRES_COPY_FROM", copy_from)
    revenue = IndicatorFactory(code="REV")
    rollups_rebuild()
    # Approved: analytics counts those by default (docs/analytics.md, "The basis").
    approved = DataValueStatus.APPROVED
    first = figures_write(
        rows_of(revenue, tree, {"25741": 10, "25744": 20}), batch=ImportBatch(source_name="a"), status=approved
    )
    assert (first.status, first.rows_total, first.rows_created, first.rows_updated) == ("committed", 2, 2, 0)
    assert province_total(revenue, tree, "202401") == Decimal(30)

    second = figures_write(
        rows_of(revenue, tree, {"25741": 10, "25744": 25, "25816": 5}),
        batch=ImportBatch(source_name="b"),
        status=approved,
    )
    assert (second.rows_created, second.rows_updated, second.rows_unchanged) == (1, 1, 1)
    change = DataValueChange.objects.get()
    assert (change.action, change.old_value, change.new_value, change.batch_id) == (
        ChangeAction.UPDATE,
        Decimal(20),
        Decimal(25),
        second.pk,
    )
    # The rollups were refreshed inside each write: the province reads 40 from them.
    assert rollups_ready()
    assert province_total(revenue, tree, "202401") == Decimal(40)
    assert [(h["count"], h["complete"]) for h in heard] == [(2, False), (2, False)]
    january = dt.date(2024, 1, 1)
    assert {(revenue.pk, tree.commune_a2.pk, january), (revenue.pk, tree.commune_b1.pk, january)} <= heard[1]["keys"]


def test_keep_existing_leaves_an_operators_figure_and_a_dry_run_writes_nothing(
    tree: Tree, heard: list[dict[str, Any]]
) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.commune_a1, "202401", 99)
    kept = figures_write(
        rows_of(revenue, tree, {"25741": 1, "25744": 2}), batch=ImportBatch(source_name="s"), keep_existing=True
    )
    assert (kept.rows_created, kept.rows_updated, kept.rows_unchanged) == (1, 0, 1)
    assert DataValue.objects.get(org_unit=tree.commune_a1).value == Decimal(99)

    dry = figures_write(
        rows_of(revenue, tree, {"25741": 5, "25816": 6}), batch=ImportBatch(source_name="d"), dry_run=True
    )
    assert (dry.status, dry.rows_created, dry.rows_updated) == (ImportStatus.DRY_RUN, 1, 1)
    assert DataValue.objects.count() == 2
    assert len(heard) == 1


def test_one_value_set_and_deleted_is_announced_once_each_with_its_history(
    tree: Tree, heard: list[dict[str, Any]], owner: Any
) -> None:
    revenue = IndicatorFactory(code="REV")
    period = Period.parse("202403")
    value = figure_set(indicator=revenue, org_unit=tree.commune_a1, period=period, value=Decimal(7), user=owner)
    figure_set(indicator=revenue, org_unit=tree.commune_a1, period=period, value=Decimal(7), user=owner)
    figure_set(indicator=revenue, org_unit=tree.commune_a1, period=period, value=Decimal(8), user=owner)
    figure_delete(data_value=DataValue.objects.get(pk=value.pk), user=owner)
    assert [h["count"] for h in heard] == [1, 1, 1]  # the unchanged second set writes nothing
    assert list(DataValueChange.objects.order_by("id").values_list("action", "changed_by")) == [
        (ChangeAction.UPDATE, owner.pk),
        (ChangeAction.DELETE, owner.pk),
    ]


def test_the_demo_writes_its_sample_through_the_service_and_announces_it_once(heard: list[dict[str, Any]]) -> None:
    from dieuhanh.demo.services import demo_load

    # Half a year of the sample is enough to see how it is written (the whole is the demo's tests').
    until = Period.parse("201906")
    loaded = demo_load(until=until)
    assert [(h["count"], h["complete"]) for h in heard] == [(loaded.written, True)]
    assert loaded.written == DataValue.objects.count() > 0
    assert rollups_ready()
    heard.clear()
    assert demo_load(until=until).written == 0  # the same sample again: nothing written, only checked
    assert [(h["count"], h["complete"]) for h in heard] == [(0, True)]


def test_a_file_import_writes_through_the_service(tree: Tree, heard: list[dict[str, Any]]) -> None:
    revenue = IndicatorFactory(code="REV")
    rollups_rebuild()
    csv = b"indicator,org_unit,period,value\nREV,25741,202401,10\nREV,25816,202401,4\n"
    result = import_file(content=csv, filename="thu.csv", status=DataValueStatus.APPROVED)
    assert result.ok, result.issues
    assert [(h["count"], h["keys"]) for h in heard] == [
        (
            2,
            {
                (revenue.pk, tree.commune_a1.pk, dt.date(2024, 1, 1)),
                (revenue.pk, tree.commune_b1.pk, dt.date(2024, 1, 1)),
            },
        )
    ]
    assert province_total(revenue, tree, "202401") == Decimal(14)
    # A refused file announces nothing.
    assert not import_file(content=b"indicator,org_unit,period,value\nREV,25741,2024Q1,1\n", filename="x.csv").ok
    assert len(heard) == 1


def test_the_catalogue_has_analytics_made_whole_through_the_service(
    tree: Tree, heard: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.commune_a1, "202401", 3)
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text("org_units:\n  - code: '25750'\n    name: Phường Mới\n    parent: '718'\n    kind: commune\n")
    call_command("load_metadata", str(catalogue))
    assert [(h["count"], h["complete"]) for h in heard] == [(0, True)]
    assert rollups_ready()
    assert "Đã tính lại số liệu tổng hợp sẵn: 3 đơn vị có cấp dưới" in capsys.readouterr().out


def test_the_figures_a_batch_may_change_are_read_in_one_query_however_many_indicators_it_gives(tree: Tree) -> None:
    # Given twenty indicators, some with a figure already stored for the month
    indicators = [IndicatorFactory(code=f"M{n:02d}") for n in range(20)]
    for n, indicator in enumerate(indicators[::3]):
        put(indicator, tree.commune_a1, "202406", n)
    units = (tree.commune_a1, tree.commune_a2)
    june = Period.parse("202406")
    rows = [
        FigureRow(indicator.pk, unit.pk, june, Decimal(n))  # M00 at the first commune: 0 again
        for n, (indicator, unit) in enumerate((i, u) for i in indicators for u in units)
    ]

    # When a collector writes every indicator for the same units and month
    with CaptureQueriesContext(connection) as queries:
        batch = figures_write(rows, batch=ImportBatch(source_name="collector"))

    # Then the stored figures are read once, and those changed and those new are told apart
    table = f'FROM "{DataValue._meta.db_table}"'
    reads = [q["sql"] for q in queries.captured_queries if table in q["sql"] and '"period" IN' in q["sql"]]
    assert len(reads) == 1, reads
    assert (batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (33, 6, 1)
