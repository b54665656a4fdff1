"""The rollup of disbursement to date is filled from the disbursement held when it is created
(``0004_disbursed_to_date``). Runs with migrations: ``pytest --migrations -m migrations``."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dieuhanh.projects.models import DisbursedToDate
from dieuhanh.projects.rollups import disbursed_rebuild

pytestmark = pytest.mark.migrations

BEFORE = [("projects", "0003_scale_indexes")]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def before_the_rollup(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = _migrate(BEFORE)
    yield executor
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_rollup_is_filled_with_the_disbursement_held(before_the_rollup: MigrationExecutor) -> None:
    loader = before_the_rollup.loader
    old = loader.project_state(list(loader.applied_migrations or {})).apps
    unit = old.get_model("orgunits", "OrgUnit").objects.create(code="74", name="Bình Dương", path="74", depth=0)
    item = old.get_model("projects", "Project").objects.create(
        code="DA-1", name="Dự án 1", investor=unit, group="B", sector="transport", total_investment=Decimal(100)
    )
    disbursement = old.get_model("projects", "Disbursement")
    for year, source, period, amount in [
        (2024, "provincial", "202403", "10.5"),
        (2024, "central", "202403", "2"),
        (2024, "provincial", "202406", "7"),
        (2023, "provincial", "202401", "1"),
    ]:
        disbursement.objects.create(project=item, plan_year=year, source=source, period=period, amount=Decimal(amount))

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    held = {
        (year, period): amount
        for year, period, amount in DisbursedToDate.objects.values_list("plan_year", "period", "amount")
    }
    assert held[(2024, "202403")] == held[(2024, "202405")] == Decimal("12.5")
    assert held[(2024, "202406")] == held[(2024, "202501")] == Decimal("19.5")
    assert (2024, "202402") not in held
    assert held[(2023, "202401")] == Decimal(1)
    assert len(held) == 11 + 1
    disbursed_rebuild()
    assert held == {
        (year, period): amount
        for year, period, amount in DisbursedToDate.objects.values_list("plan_year", "period", "amount")
    }
