"""Completeness and timeliness per unit and month, written as indicator values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.reporting.completeness import reporting_figures_collect
from tests.reporting.conftest import World, report

pytestmark = pytest.mark.django_db

AUGUST_2025 = dt.date(2025, 8, 20)


def stored(unit_code: str, period: str) -> dict[str, int]:
    rows = DataValue.objects.filter(
        indicator__code__startswith="REP_", org_unit__code=unit_code, period=period
    ).values_list("indicator__code", "value")
    return {code: int(value) for code, value in rows}


def test_a_units_figures_count_its_reports_due_and_those_below_it(world: World) -> None:
    world.data_set.valid_from = dt.date(2025, 6, 1)
    world.data_set.save()
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 10))  # on time
    report(world, world.commune_b, "202506", on=dt.date(2025, 7, 25))  # late
    report(world, world.ward, "202507", on=dt.date(2025, 8, 1))  # on time, June's are the old map's

    reporting_figures_collect(today=AUGUST_2025)

    assert stored("25741", "202506") == {"REP_EXPECTED": 1, "REP_SUBMITTED": 1, "REP_ONTIME": 1}
    assert stored("25744", "202506") == {"REP_EXPECTED": 1, "REP_SUBMITTED": 1, "REP_ONTIME": 0}
    assert stored("718", "202506") == {"REP_EXPECTED": 2, "REP_SUBMITTED": 2, "REP_ONTIME": 1}
    assert stored("74", "202506") == {"REP_EXPECTED": 2, "REP_SUBMITTED": 2, "REP_ONTIME": 1}
    # July's report is due on 18/8, passed on 20/8; the old communes did not live in July.
    assert stored("26000", "202507") == {"REP_EXPECTED": 1, "REP_SUBMITTED": 1, "REP_ONTIME": 1}
    assert stored("74", "202507") == {"REP_EXPECTED": 1, "REP_SUBMITTED": 1, "REP_ONTIME": 1}
    assert stored("25741", "202507") == {}


def test_the_shares_are_read_through_analytics_as_ratios_of_the_counts(world: World) -> None:
    world.data_set.valid_from = dt.date(2025, 6, 1)
    world.data_set.save()
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 10))
    report(world, world.commune_b, "202506", on=dt.date(2025, 7, 25))

    reporting_figures_collect(today=AUGUST_2025)
    indicators = list(Indicator.objects.select_related("numerator", "denominator").filter(code__startswith="REP_"))
    measures = analytics_measures(indicators=indicators, org_units=[world.district], periods=[Period.parse("202506")])
    value = {m.indicator: m.value for m in measures}

    assert value["REP_COMPLETE"] == Decimal(100)
    assert value["REP_TIMELY"] == Decimal(50)


def test_a_report_not_yet_due_counts_nothing_and_a_missing_one_counts_as_expected(world: World) -> None:
    world.data_set.valid_from = dt.date(2025, 7, 1)
    world.data_set.save()

    reporting_figures_collect(today=dt.date(2025, 8, 18))
    assert stored("26000", "202507") == {"REP_EXPECTED": 0, "REP_SUBMITTED": 0, "REP_ONTIME": 0}

    reporting_figures_collect(today=dt.date(2025, 8, 19))
    assert stored("26000", "202507") == {"REP_EXPECTED": 1, "REP_SUBMITTED": 0, "REP_ONTIME": 0}


def test_collecting_again_writes_nothing_when_nothing_changed(world: World) -> None:
    world.data_set.valid_from = dt.date(2025, 6, 1)
    world.data_set.save()
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 10))
    first = reporting_figures_collect(today=AUGUST_2025)
    batches = ImportBatch.objects.count()

    second = reporting_figures_collect(today=AUGUST_2025)

    assert first.batch is not None
    assert second.batch is None
    assert second.unchanged == second.rows > 0
    assert ImportBatch.objects.count() == batches


def test_until_stops_the_months_written(world: World) -> None:
    world.data_set.valid_from = dt.date(2025, 6, 1)
    world.data_set.save()

    result = reporting_figures_collect(today=dt.date(2025, 12, 1), until=Period.parse("202507"))

    assert [m.code for m in result.months][-1] == "202507"
    assert not DataValue.objects.filter(indicator__code="REP_EXPECTED", period="202508").exists()
