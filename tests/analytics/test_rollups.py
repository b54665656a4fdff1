"""Rollups: read from them or compute from the figures, analytics must give the very same numbers.

Random trees and figures, every aggregation, every kind of period; then imports that
change figures and must refresh the rollups in their own transaction; then the ways
rollups become invalid and analytics falls back to computing.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from dieuhanh.analytics.engine import Measures
from dieuhanh.analytics.models import Rollup, RollupState
from dieuhanh.analytics.selectors import analytics_ranking, build_engine, spec_of
from dieuhanh.analytics.services import rollups_ready, rollups_rebuild
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.ingest.services import data_value_delete, data_value_set, import_file
from dieuhanh.orgunits.models import OrgUnit
from tests.conftest import Tree
from tests.factories import IndicatorFactory, OrgUnitFactory, TargetFactory, put

pytestmark = pytest.mark.django_db

PERIODS = ["2023", "2023S1", "2023S2", "2023Q1", "2023Q4", "202301", "202306", "202312", "2022Q3", "2022"]


def measures(indicators: list[Indicator], units: list[OrgUnit], *, use_rollups: bool) -> list[Measures]:
    specs = [spec_of(i) for i in indicators]
    periods = [Period.parse(p) for p in PERIODS]
    engine = build_engine(specs=specs, units=units, periods=periods, use_rollups=use_rollups)
    return [engine.measures(s, u.pk, p) for s in specs for u in units for p in periods]


def random_world(rng: random.Random) -> tuple[list[OrgUnit], list[Indicator]]:
    """A random tree under one root, random indicators and sparse random figures 2019–2023."""
    root = OrgUnitFactory(code="R", kind="province")
    units = [root]
    for n in range(rng.randint(3, 14)):
        kind = rng.choice(["district", "commune"])
        units.append(OrgUnitFactory(code=f"U{n}", parent=rng.choice(units), kind=kind))
    indicators = []
    for n, aggregation in enumerate(["sum", "sum", "average", "last", "none"]):
        period_type = rng.choice(["monthly", "monthly", "quarterly", "yearly"])
        # Completeness counts the units of the collection level (or the children, without one).
        level = rng.choice(["", "district", "commune", "province"])
        indicators.append(
            IndicatorFactory(code=f"I{n}", aggregation=aggregation, period_type=period_type, collected_at=level)
        )
    numerator, denominator = (i for i in indicators if i.aggregation == "sum")
    denominator.period_type = numerator.period_type
    denominator.save()
    indicators.append(
        IndicatorFactory(
            code="RATIO",
            aggregation="ratio",
            numerator=numerator,
            denominator=denominator,
            factor=100,
            period_type=numerator.period_type,
        )
    )
    for indicator in indicators:
        if indicator.is_ratio:
            continue
        per_year = {"monthly": 12, "quarterly": 4, "yearly": 1}[indicator.period_type]
        for unit in units:
            density = rng.choice([0.0, 0.3, 0.9, 1.0])
            for year in range(2019, 2024):
                for index in range(1, per_year + 1):
                    if rng.random() < density:
                        code = {12: f"{year}{index:02d}", 4: f"{year}Q{index}", 1: f"{year}"}[per_year]
                        put(indicator, unit, code, Decimal(rng.randint(-20, 400)) / rng.choice([1, 3, 7]))
    for indicator in indicators:
        TargetFactory(indicator=indicator, org_unit=root, year_from=2023, value=rng.randint(1, 3000))
    return units, indicators


@pytest.mark.parametrize("seed", range(12))
def test_rollups_give_exactly_what_computing_from_the_figures_gives(seed: int) -> None:
    units, indicators = random_world(random.Random(seed))

    direct = measures(indicators, units, use_rollups=False)
    rollups_rebuild()
    rolled = measures(indicators, units, use_rollups=True)

    assert rollups_ready()
    assert Rollup.objects.exists()
    assert rolled == direct


@pytest.mark.parametrize("seed", range(6))
def test_imports_edits_and_deletions_refresh_the_rollups_in_the_same_transaction(seed: int) -> None:
    rng = random.Random(1000 + seed)
    units, indicators = random_world(rng)
    rollups_rebuild()
    stored = [i for i in indicators if not i.is_ratio and i.period_type == "monthly"]
    if not stored:
        stored = [IndicatorFactory(code="MONTHLY", aggregation="sum")]
        indicators.append(stored[0])
    lines = ["indicator,org_unit,period,value"]
    for _ in range(rng.randint(1, 30)):
        lines.append(
            f"{rng.choice(stored).code},{rng.choice(units).code},{rng.choice([2022, 2023])}{rng.randint(1, 12):02d},"
            f"{rng.randint(0, 999)}"
        )
    unique = list(dict.fromkeys(lines[1:], None))
    keys = {}
    for line in unique:
        keys[tuple(line.split(",")[:3])] = line
    csv = "\n".join([lines[0], *keys.values()]) + "\n"

    # Approved figures: the rollups hold those alone (a submitted one would leave them unchanged).
    result = import_file(content=csv.encode(), filename="more.csv", status=DataValueStatus.APPROVED)
    assert result.ok, [i.message for i in result.issues]
    data_value_set(
        indicator=stored[0], org_unit=units[-1], period="202307", value=Decimal("12.5"), status=DataValueStatus.APPROVED
    )
    value = stored[0].data_values.order_by("?").first()
    if value is not None:
        data_value_delete(data_value=value)

    assert rollups_ready()
    assert measures(indicators, units, use_rollups=True) == measures(indicators, units, use_rollups=False)


def stored_rollups() -> set[tuple[int, int, int, int, str, int, int]]:
    return set(
        Rollup.objects.values_list("indicator_id", "org_unit_id", "first", "last", "value", "filled", "reported")
    )


def period_in(period_type: str, year: int, rng: random.Random) -> str:
    if period_type == "monthly":
        return f"{year}{rng.randint(1, 12):02d}"
    if period_type == "quarterly":
        return f"{year}Q{rng.randint(1, 4)}"
    return str(year)


@pytest.mark.parametrize("seed", range(8))
def test_a_refresh_leaves_the_very_rollups_a_rebuild_writes(seed: int) -> None:
    # Given rollups of random figures, then figures of every period type imported, edited and
    # deleted here and there — in years with rollups and in a year without any yet
    rng = random.Random(2000 + seed)
    units, indicators = random_world(rng)
    rollups_rebuild()
    stored = [i for i in indicators if not i.is_ratio]
    rows = {}
    for _ in range(rng.randint(1, 25)):
        indicator, unit = rng.choice(stored), rng.choice(units)
        period = period_in(indicator.period_type, rng.choice([2021, 2023, 2024]), rng)
        rows[(indicator.code, unit.code, period)] = rng.randint(0, 999)
    csv = "indicator,org_unit,period,value\n" + "".join(f"{i},{u},{p},{v}\n" for (i, u, p), v in rows.items())
    assert import_file(content=csv.encode(), filename="more.csv", status=DataValueStatus.APPROVED).ok
    indicator = rng.choice(stored)
    data_value_set(
        indicator=indicator,
        org_unit=rng.choice(units),
        period=period_in(indicator.period_type, 2022, rng),
        value=7,
        status=DataValueStatus.APPROVED,
    )
    for value in DataValue.objects.order_by("?")[:3]:
        data_value_delete(data_value=value)

    # When the rollups left by those refreshes are set beside a rebuild's from the same figures
    refreshed = stored_rollups()
    rollups_rebuild()

    # Then they are the same rows: the same values, to the last digit, and the same completeness
    assert refreshed == stored_rollups()


def test_a_new_month_keeps_the_rollups_of_the_months_before_it(tree: Tree) -> None:
    # Given rollups of January to May at the communes of one district
    revenue = IndicatorFactory(code="REV")
    for month in range(1, 6):
        for unit in (tree.commune_a1, tree.commune_a2):
            put(revenue, unit, f"2023{month:02d}", month)
    rollups_rebuild()
    june = Period.parse("202306").ordinal
    before = dict(
        Rollup.objects.filter(org_unit=tree.district_a, last__lt=june).values_list("pk", "value").order_by("pk")
    )

    # When June is imported
    import_file(
        content=b"indicator,org_unit,period,value\nREV,25741,202306,6\n",
        filename="june.csv",
        status=DataValueStatus.APPROVED,
    )

    # Then the rollups that end before June are the very rows they were; those from June on are new
    after = Rollup.objects.filter(org_unit=tree.district_a)
    assert dict(after.filter(last__lt=june).values_list("pk", "value").order_by("pk")) == before
    january = Period.parse("202301").ordinal
    assert Decimal(after.get(first=january, last=june).value) == 36  # 2 × (1 + … + 5) + 6
    assert after.get(first=june, last=june).filled == 1
    assert not after.filter(last__gte=june, pk__in=before).exists()


def test_a_refresh_recomputes_only_the_changed_units_ancestors(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    for unit in (tree.commune_a1, tree.commune_a2, tree.commune_b1):
        put(revenue, unit, "202301", 10)
    rollups_rebuild()
    untouched = set(Rollup.objects.filter(org_unit=tree.district_b).values_list("pk", flat=True))

    import_file(
        content=b"indicator,org_unit,period,value\nREV,25741,202302,5\n",
        filename="x.csv",
        status=DataValueStatus.APPROVED,
    )

    first, last = Period.parse("202301").ordinal, Period.parse("202302").ordinal
    assert Decimal(Rollup.objects.get(org_unit=tree.district_a, first=first, last=last).value) == 25
    assert Decimal(Rollup.objects.get(org_unit=tree.province, first=first, last=last).value) == 35
    assert set(Rollup.objects.filter(org_unit=tree.district_b).values_list("pk", flat=True)) == untouched


def test_moving_a_unit_invalidates_the_rollups_and_analytics_stays_right(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.commune_a1, "202301", 10)
    put(revenue, tree.commune_b1, "202301", 1)
    rollups_rebuild()

    tree.commune_a1.parent = tree.district_b
    tree.commune_a1.save()

    assert not rollups_ready()
    (district_b,) = measures([revenue], [tree.district_b], use_rollups=False)[5:6]
    assert district_b.value == Decimal(11)
    call_command("rollups", "rebuild")
    assert rollups_ready()
    assert measures([revenue], [tree.district_b], use_rollups=True)[5].value == Decimal(11)


def test_a_new_unit_or_a_figure_written_around_the_services_invalidates_them(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    rollups_rebuild()

    OrgUnitFactory(code="NEW", parent=tree.commune_a1)
    assert not rollups_ready()

    rollups_rebuild()
    put(revenue, tree.commune_a1, "202301", 10)
    assert not rollups_ready()
    assert RollupState.objects.get().note


def test_changing_how_an_indicator_aggregates_invalidates_them(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    rollups_rebuild()

    revenue.name = "Thu ngân sách"
    revenue.save()
    assert rollups_ready()

    revenue.aggregation = "average"
    revenue.save()
    assert not rollups_ready()


def test_a_ranking_may_reach_grandchildren_and_reads_the_same_either_way(tree: Tree) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.commune_a1, "202301", 3)
    put(revenue, tree.commune_a2, "202301", 9)
    put(revenue, tree.commune_b1, "202301", 5)
    put(revenue, tree.district_a, "202302", 100)

    before = analytics_ranking(indicator=revenue, org_unit=tree.province, period=Period.parse("2023Q1"), depth=2)
    rollups_rebuild()
    after = analytics_ranking(indicator=revenue, org_unit=tree.province, period=Period.parse("2023Q1"), depth=2)
    districts = analytics_ranking(indicator=revenue, org_unit=tree.province, period=Period.parse("2023Q1"))

    assert [(r.rank, r.org_unit, r.value) for r in after] == [(1, "25744", 9), (2, "25816", 5), (3, "25741", 3)]
    assert after == before
    assert [(r.org_unit, r.value) for r in districts] == [("718", 112), ("719", 5)]


def test_the_command_reports_the_state(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    put(IndicatorFactory(code="REV"), tree.commune_a1, "202301", 3)

    call_command("rollups", "status")
    call_command("rollups", "rebuild")
    call_command("rollups", "status")

    out = capsys.readouterr().out
    assert out.count("\n") >= 3
    assert Rollup.objects.count() > 0


@pytest.mark.parametrize("rolled", [False, True])
def test_a_ranking_costs_the_same_queries_however_many_units_it_ranks(
    tree: Tree, rolled: bool, django_assert_num_queries: Any
) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.commune_a1, "202301", 3)
    if rolled:
        rollups_rebuild()
    # the rollup state, the ranked units, then (rolled: which units have children or predecessors,
    # read once for each rebuild of the rollups) their rollups and figures — or (computed) the
    # subtree and its figures.
    queries = 5 if rolled else 4
    with django_assert_num_queries(queries):
        analytics_ranking(indicator=revenue, org_unit=tree.province, period=Period.parse("202301"), depth=2)

    for n in range(30):
        put(revenue, OrgUnitFactory(code=f"X{n}", parent=tree.district_b), "202301", n)
    if rolled:
        rollups_rebuild()
    with django_assert_num_queries(queries):
        rows = analytics_ranking(indicator=revenue, org_unit=tree.province, period=Period.parse("202301"), depth=2)
    assert len(rows) == 33


def test_an_engine_refuses_a_period_whose_rollups_it_did_not_read(tree: Tree) -> None:
    # Given rollups of a monthly sum, and an engine built for June 2023 only
    from dieuhanh.analytics.engine import RangeNotLoadedError

    indicator = IndicatorFactory(code="REV")
    for month in ("202301", "202306"):
        put(indicator, tree.commune_a1, month, 5)
    rollups_rebuild()
    spec = spec_of(indicator)
    engine = build_engine(specs=[spec], units=[tree.province], periods=[Period.parse("202306")], use_rollups=True)
    assert engine.measures(spec, tree.province.pk, Period.parse("202306")).value == 5

    # When it is asked about a month it was not built for, then it says so rather than answer "no data"
    with pytest.raises(RangeNotLoadedError):
        engine.measures(spec, tree.province.pk, Period.parse("202302"))

    # And an engine told of the month's value reads it
    engine = build_engine(
        specs=[spec],
        units=[tree.province],
        periods=[Period.parse("202306")],
        value_periods=[Period.parse("202301")],
        use_rollups=True,
    )
    assert engine.measure(spec, tree.province.pk, Period.parse("202301"), "value") == 5


RANKED_MEASURES = ["value", "previous", "yoy_pct", "ytd", "plan_completion_pct", "projection"]
RANKED_PERIODS = ["2023", "2023Q4", "202306", "2022Q3"]


@pytest.mark.parametrize("seed", range(3))
def test_a_ranking_by_any_measure_reads_what_that_measure_needs_and_no_less(seed: int) -> None:
    # Given a random tree and figures, and every measure of every unit computed with all eight
    units, indicators = random_world(random.Random(500 + seed))
    periods = [Period.parse(p) for p in RANKED_PERIODS]
    specs = [spec_of(i) for i in indicators]
    engine = build_engine(specs=specs, units=units, periods=periods, use_rollups=False)
    expected = {
        (spec.code, unit.code, period.code): engine.measures(spec, unit.pk, period)
        for spec in specs
        for unit in units
        for period in periods
    }
    root = units[0]

    # When each unit below the root is ranked by one measure — a ranking reads only what the
    # measure needs (the period alone for a value, not the months before it) — from the figures,
    # then from rollups, then each value ranked is the one computed with all eight measures
    for rolled in (False, True):
        if rolled:
            rollups_rebuild()
        for indicator in indicators:
            for measure in RANKED_MEASURES:
                for period in periods:
                    for depth in (1, 2):
                        rows = analytics_ranking(
                            indicator=indicator, org_unit=root, period=period, measure=measure, depth=depth
                        )
                        for row in rows:
                            wanted = getattr(expected[(indicator.code, row.org_unit, period.code)], measure)
                            assert row.value == wanted, (rolled, indicator.code, measure, period.code, row.org_unit)


def test_a_ranking_by_value_reads_the_figures_of_its_period_alone(tree: Tree) -> None:
    # Given figures of every month of 2022 and 2023 at the communes
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    revenue = IndicatorFactory(code="REV")
    for unit in (tree.commune_a1, tree.commune_b1):
        for year in (2022, 2023):
            for month in range(1, 13):
                put(revenue, unit, f"{year}{month:02d}", month)
    june = Period.parse("202306")

    # When the communes are ranked by June's value, and by its change on June 2022
    reads = {}
    for measure in ("value", "yoy_pct"):
        with CaptureQueriesContext(connection) as queries:
            analytics_ranking(indicator=revenue, org_unit=tree.province, period=june, measure=measure, depth=2)
        reads[measure] = " ".join(q["sql"] for q in queries.captured_queries if "ingest_datavalue" in q["sql"])

    # Then the value reads June alone, the change June of both years: not the months between
    assert "'202306'" in reads["value"]
    assert "'202305'" not in reads["value"]
    assert "'202206'" not in reads["value"]
    assert "'202206'" in reads["yoy_pct"]
    assert "'202305'" not in reads["yoy_pct"]


def test_an_engine_refuses_figures_it_did_not_read(tree: Tree) -> None:
    # Given a commune's figures, and an engine built to ask June's value alone
    from dieuhanh.analytics.engine import RangeNotLoadedError

    indicator = IndicatorFactory(code="REV")
    for month in ("202301", "202306"):
        put(indicator, tree.commune_a1, month, 5)
    spec = spec_of(indicator)
    june = Period.parse("202306")
    engine = build_engine(specs=[spec], units=[tree.commune_a1], periods=[june], measures=["value"], use_rollups=True)
    assert engine.measure(spec, tree.commune_a1.pk, june, "value") == 5

    # When it is asked for the year to date, which reads January too, then it says so, every time
    # (what it remembers of the ranges it read is only those it did read)
    for _asked in range(2):
        with pytest.raises(RangeNotLoadedError):
            engine.measure(spec, tree.commune_a1.pk, june, "ytd")
    assert engine.measure(spec, tree.commune_a1.pk, june, "value") == 5
