"""Reading stored figures for the engine: by the figures' unique key when a few units are named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from dieuhanh.analytics import figures as figures_module
from dieuhanh.analytics.figures import own_figures
from dieuhanh.analytics.selectors import spec_of
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.periods import Period
from tests.factories import IndicatorFactory, OrgUnitFactory, put

pytestmark = pytest.mark.django_db

YEARS = [(dt.date(2022, 1, 1), dt.date(2023, 12, 31))]


def _world() -> tuple[dict[int, object], list[int]]:
    root = OrgUnitFactory(code="R", kind="province")
    units = [OrgUnitFactory(code=f"C{n}", parent=root, kind="commune") for n in range(6)]
    monthly = IndicatorFactory(code="M", period_type="monthly")
    quarterly = IndicatorFactory(code="Q", period_type="quarterly")
    for n, unit in enumerate(units):
        for month in range(1, 13):
            put(monthly, unit, f"2023{month:02d}", n * 100 + month)
            put(monthly, unit, f"2021{month:02d}", 1)  # before the years read
        put(quarterly, unit, "2022Q4", n)
    specs = {i.pk: spec_of(i) for i in (monthly, quarterly)}
    return specs, [u.pk for u in units]


def test_the_figures_read_by_key_are_those_read_by_dates() -> None:
    specs, units = _world()
    named = Q(org_unit_id__in=units[:3])
    by_dates = own_figures(specs, named, YEARS)
    by_key = own_figures(specs, named, YEARS, by_key=True)
    assert by_key == by_dates
    assert sum(len(series) for unit in by_key.values() for series in unit.values()) == 3 * 12 + 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner: PostgreSQL's weighs its statistics")
def test_sqlite_reads_a_few_named_units_by_the_unique_key_not_every_units_dates() -> None:
    specs, units = _world()
    # The statistics a loaded database has (the demo's are from ANALYZE, as SQLite's optimize runs it).
    connection.cursor().execute("ANALYZE")
    plans = {}
    for by_key in (False, True):
        with CaptureQueriesContext(connection) as queries:
            own_figures(specs, Q(org_unit_id__in=units[:2]), YEARS, by_key=by_key)
        (query,) = [q["sql"] for q in queries.captured_queries if DataValue._meta.db_table in q["sql"]]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + query)
            plans[by_key] = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "datavalue_ind_start" in plans[False]  # the dates' index, every unit's figures read
    assert "autoindex" in plans[True], plans[True]  # the unique key (indicator, unit, period)
    assert "org_unit_id=?" in plans[True], plans[True]


def test_years_of_periods_are_read_as_a_range_with_the_figures_a_list_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    specs, units = _world()
    monthly = next(i for i, spec in specs.items() if spec.code == "M")
    # A figure whose code is of another type than its indicator's (no collector stores one): the
    # range of the monthly codes 202201…202312 would take "2022Q4" in; the codes' pattern keeps it out.
    DataValue.objects.create(
        indicator_id=monthly,
        org_unit_id=units[0],
        period="2022Q4",
        period_start=dt.date(2022, 10, 1),
        value=Decimal(99),
        status=DataValueStatus.APPROVED,
    )
    every = Q(org_unit_id__in=units)

    with CaptureQueriesContext(connection) as queries:
        as_range = own_figures(specs, every, YEARS)
    monkeypatch.setattr(figures_module, "LISTED_PERIODS", 10_000)
    listed = own_figures(specs, every, YEARS)

    assert as_range == listed
    assert as_range[monthly][units[0]][Period.parse("202312").ordinal] == Decimal(12)
    assert Period.parse("2022Q4").ordinal not in as_range[monthly][units[0]]
    (query,) = [q["sql"] for q in queries.captured_queries if DataValue._meta.db_table in q["sql"]]
    if connection.vendor == "postgresql":
        assert "'202201'" in query  # a range of the codes …
        assert "'202312'" in query
        assert "'202206'" not in query  # … not the 24 of them
