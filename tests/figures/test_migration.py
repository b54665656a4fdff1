"""The figures' move from ingest to their own app: no row moved, no row lost, permissions kept.

The suite runs without migrations (``--no-migrations``), so this test runs on its own, with them:
``pytest --migrations -m migrations`` (``.ci/run`` does, on both databases).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dieuhanh.figures.models import DataValue, DataValueChange, ImportBatch

pytestmark = pytest.mark.migrations

BEFORE = [("ingest", "0004_exact_figures"), ("figures", None)]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def before_the_move(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The database as it was when ingest owned the figures; brought back to today after the test."""
    executor = _migrate(BEFORE)
    yield executor
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_moving_the_figures_keeps_every_row_and_every_granted_permission(
    before_the_move: MigrationExecutor,
) -> None:
    loader = before_the_move.loader
    old = loader.project_state(list(loader.applied_migrations or {})).apps
    unit = old.get_model("orgunits", "OrgUnit").objects.create(code="74", name="Bình Dương", path="74", depth=0)
    indicator = old.get_model("indicators", "Indicator").objects.create(code="BUDGET_REV", name="Thu ngân sách")
    batch = old.get_model("ingest", "ImportBatch").objects.create(
        source_name="thu-ngan-sach.csv", file_format="csv", status="committed", rows_total=1, rows_created=1
    )
    old.get_model("ingest", "DataValue").objects.create(
        indicator=indicator,
        org_unit=unit,
        period="202312",
        period_start=dt.date(2023, 12, 1),
        value=Decimal("1234567890123456.123456"),
        batch=batch,
        created_batch=batch,
    )
    old.get_model("ingest", "DataValueChange").objects.create(
        indicator=indicator, org_unit=unit, period="202312", action="create", new_value=Decimal("1"), batch=batch
    )
    content_type = old.get_model("contenttypes", "ContentType").objects.get(app_label="ingest", model="importbatch")
    permission = old.get_model("auth", "Permission").objects.get(content_type=content_type, codename="add_importbatch")
    importer = old.get_model("auth", "User").objects.create(username="importer")
    importer.user_permissions.add(permission)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    (value,) = DataValue.objects.all()
    assert (value.indicator.code, value.org_unit.code, value.period) == ("BUDGET_REV", "74", "202312")
    assert value.value == Decimal("1234567890123456.123456")
    assert value.batch == ImportBatch.objects.get(source_name="thu-ngan-sach.csv")
    assert DataValueChange.objects.get().batch == value.batch
    assert get_user_model().objects.get(username="importer").has_perm("figures.add_importbatch")
