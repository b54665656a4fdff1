"""What the read model tells every surface about re-based figures: which numbers of a figure are
re-based, from which predecessors (names and shares), why one is missing; a ranking's rows the same
(docs/analytics.md, "Re-based values"). The world of ``test_rebased.py``, through the database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from dieuhanh.analytics.engine import Engine, IndicatorSpec, PredecessorsNotReadError
from dieuhanh.analytics.models import Rollup
from dieuhanh.analytics.readmodel.book import FigureBook, Predecessor, periods_needed, rebased_note
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.analytics.selectors import analytics_ranking, build_engine, spec_of
from dieuhanh.analytics.services import rolled_units, rollups_rebuild, rollups_stamp
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit, Succession
from tests.analytics.test_rebased import NEW, world

__all__ = ["world"]

D = Decimal


def book_for(units: list[OrgUnit], report: ReportPeriod) -> tuple[FigureBook, list[Indicator]]:
    indicators = list(Indicator.objects.select_related("numerator", "denominator").order_by("code"))
    periods = set(periods_needed(indicators, [report]))
    periods |= {p.shift_years(-1) for p in periods}
    return FigureBook(indicators=indicators, units=units, periods=sorted(periods)), indicators


@pytest.mark.parametrize("rolled", [False, True])
def test_a_figure_says_which_of_its_numbers_are_re_based_and_from_what(world: dict[str, OrgUnit], rolled: bool) -> None:
    if rolled:
        rollups_rebuild()
    report = ReportPeriod.parse("2026S1")
    book, _indicators = book_for([world["N"], world["n1"], world["n4"]], report)
    revenue = Indicator.objects.get(code="REV")

    with translation.override("vi"):
        n = book.figure(revenue, world["N"].pk, report)
        n1 = book.figure(revenue, world["n1"].pk, report)
        n4 = book.figure(revenue, world["n4"].pk, report)

    # N's first half of 2026 is its own; last year's, and the past years its estimate weighs, are re-based
    assert not n.is_rebased("value")
    assert not n.is_rebased("ytd")
    assert n.is_rebased("previous")
    assert n.is_rebased("projection")
    assert n.previous_rebased
    assert n.rebasing.composition == (Predecessor("A", "A", D(1)), Predecessor("B", "B", D(1)))
    with translation.override("vi"):
        assert n.composition_text == "Quy đổi theo địa giới hành chính mới từ: A (toàn bộ), B (toàn bộ)"
        assert n1.composition_list == "c1 (toàn bộ), c2 (60 %)"
        # n4's last year is missing, not re-based: the share of c5 is not known
        assert not n4.is_rebased("previous")
        assert n4.missing_reason("previous") == "share_unknown"
        assert n4.missing_short("previous") == "chưa rõ tỷ lệ của c5"
        assert n4.composition_list == "c5 (chưa rõ tỷ lệ)"
        assert rebased_note([n, n1]).startswith("Số liệu cùng kỳ quy đổi theo địa giới hành chính mới.")


def test_an_index_says_it_is_not_re_based(world: dict[str, OrgUnit]) -> None:
    report = ReportPeriod.parse("2026S1")
    book, _indicators = book_for([world["N"]], report)
    cpi = book.figure(Indicator.objects.get(code="CPI"), world["N"].pk, report)

    assert cpi.measures.value == 104
    assert cpi.missing_reason("previous") == "not_rebased"
    assert not cpi.rebased


def test_a_unit_that_never_changed_has_nothing_to_say(world: dict[str, OrgUnit]) -> None:
    report = ReportPeriod.parse("2025S1")
    book, _indicators = book_for([world["A"]], report)
    figure = book.figure(Indicator.objects.get(code="REV"), world["A"].pk, report)

    assert figure.measures.value == 360
    assert not figure.rebased
    assert figure.rebasing.composition == ()
    assert rebased_note([figure]) == ""


@pytest.mark.parametrize("rolled", [False, True])
def test_a_ranking_s_rows_say_which_figures_are_re_based_and_why_one_is_missing(
    world: dict[str, OrgUnit], rolled: bool
) -> None:
    if rolled:
        rollups_rebuild()
    revenue = Indicator.objects.get(code="REV")

    # By the change on last year: every new commune compares with its re-based past, n4 cannot
    rows = analytics_ranking(indicator=revenue, org_unit=world["N"], period=Period.parse("2026Q1"), measure="yoy_pct")
    marks = {r.org_unit: (r.rebased, r.missing_reason, r.missing_units) for r in rows}
    assert marks == {
        "n1": (True, None, ()),
        "n2": (True, None, ()),
        "n3": (True, None, ()),
        "n4": (False, "share_unknown", ("c5",)),
    }

    # By the value of the quarter alone: the communes' own figures, nothing re-based
    rows = analytics_ranking(indicator=revenue, org_unit=world["N"], period=Period.parse("2026Q1"))
    assert [r.rebased for r in rows] == [False] * 4


@pytest.mark.parametrize("rolled", [False, True])
def test_a_ranking_s_successor_that_stored_its_own_months_before_it_began_is_not_re_based(
    world: dict[str, OrgUnit], rolled: bool
) -> None:
    # Given n1's own revenue for January–March 2025 (a published re-based series: 30 a month)
    revenue = Indicator.objects.get(code="REV")
    for month in ("202501", "202502", "202503"):
        period = Period.parse(month)
        DataValue.objects.create(
            indicator=revenue,
            org_unit=world["n1"],
            period=period.code,
            period_start=period.start_date,
            value=D(30),
            status=DataValueStatus.APPROVED,
        )
    if rolled:
        rollups_rebuild()

    # When the new communes are ranked by the change on the first quarter of 2025
    rows = analytics_ranking(indicator=revenue, org_unit=world["N"], period=Period.parse("2026Q1"), measure="yoy_pct")

    # Then n1 compares with its own past, not a re-based one; the others with theirs
    marks = {r.org_unit: (r.value, r.rebased, r.missing_reason) for r in rows}
    assert marks["n1"] == ((D(75) / 90 - 1) * 100, False, None)
    assert marks["n2"] == ((D(105) / 114 - 1) * 100, True, None)
    assert marks["n4"] == (None, False, "share_unknown")


def test_a_ranking_of_successors_looks_up_their_own_figures_of_the_months_before_they_began_alone(
    world: dict[str, OrgUnit],
) -> None:
    # Given the rollups, and n1's own revenue for January 2025 (before it began) and January 2026
    revenue = Indicator.objects.get(code="REV")
    for month in ("202501", "202601"):
        period = Period.parse(month)
        DataValue.objects.update_or_create(
            indicator=revenue,
            org_unit=world["n1"],
            period=period.code,
            defaults={"period_start": period.start_date, "value": D(30), "status": DataValueStatus.APPROVED},
        )
    rollups_rebuild()

    # When the new communes are ranked by the change of 2026's first quarter on 2025's
    with CaptureQueriesContext(connection) as queries:
        rows = analytics_ranking(
            indicator=revenue, org_unit=world["N"], period=Period.parse("2026Q1"), measure="yoy_pct"
        )

    # Then their own figures are asked for by the months of 2025 alone: the months of 2026 come
    # from their rollups, and a figure of 2026 could not say whether 2025 is re-based
    figures = [q["sql"] for q in queries.captured_queries if DataValue._meta.db_table in q["sql"]]
    assert figures
    assert all("202501" in sql and "202601" not in sql for sql in figures)
    # and n1, which stored January 2025 itself, is still re-based: February and March 2025 are not its own
    assert {r.org_unit: r.rebased for r in rows}["n1"] is True


def test_an_engine_built_for_a_ranking_reads_neither_what_successors_came_from_nor_their_later_figures(
    world: dict[str, OrgUnit],
) -> None:
    # Given the rollups, and an engine for the new communes as a ranking builds it
    rollups_rebuild()
    spec = spec_of(Indicator.objects.get(code="REV"))
    units = [world[code] for code in NEW]
    period = Period.parse("2026Q1")

    def engine(*, ranking: bool) -> Engine:
        return build_engine(
            specs=[spec],
            units=units,
            periods=[period],
            measures=["yoy_pct"],
            with_targets=False,
            completeness=not ranking,
            composition=not ranking,
        )

    full, lean = engine(ranking=False), engine(ranking=True)

    # Then it gives the same figures, and says as much of which are re-based
    for unit in units:
        assert lean.measure(spec, unit.pk, period, "yoy_pct") == full.measure(spec, unit.pk, period, "yoy_pct")
        assert lean.measure_rebasing(spec, unit.pk, period, "yoy_pct", reasons=False) == full.measure_rebasing(
            spec, unit.pk, period, "yoy_pct", reasons=False
        )
    assert lean.successors(spec, period, "yoy_pct") == full.successors(spec, period, "yoy_pct")
    # but read neither the communes' own figures of 2026 (their values come from their rollups)
    assert not lean.series[spec.id].own.get(world["n1"].pk)
    assert full.series[spec.id].own[world["n1"].pk]
    # nor what each was re-based from: asked, it says so rather than answer "nothing"
    assert full.predecessors_of(spec, world["n1"].pk)
    with pytest.raises(PredecessorsNotReadError):
        lean.predecessors_of(spec, world["n1"].pk)


@pytest.mark.parametrize("rolled", [False, True])
@pytest.mark.parametrize("measure", ["value", "previous", "yoy_pct", "ytd", "projection"])
def test_a_rankings_measures_and_re_basing_of_many_units_at_once_are_each_units_own(
    world: dict[str, OrgUnit], rolled: bool, measure: str
) -> None:
    # The one-pass reading of thousands of units (a national ranking) answers as unit by unit.
    if rolled:
        rollups_rebuild()
    units = [world[code] for code in NEW] + [world["N"]]
    ids = [unit.pk for unit in units]
    for code in ("REV", "DOS", "PRICE", "BEDS", "CPI", "RATIO"):
        spec = spec_of(Indicator.objects.select_related("numerator", "denominator").get(code=code))
        for period in (Period.parse("2026Q1"), Period.parse("2025S2"), Period.parse("202503")):
            engine = build_engine(specs=[spec], units=units, periods=[period], measures=[measure])

            many_as_one_by_one(engine, spec, ids, period, measure)


def many_as_one_by_one(
    engine: Engine, spec: IndicatorSpec, ids: list[int], period: Period, measure: str
) -> list[tuple[bool, frozenset[int], bool]]:
    """Assert that many units asked at once are each told as when asked alone; the re-basing of each."""
    assert engine.measure_of_units(spec, ids, period, measure) == [
        engine.measure(spec, unit_id, period, measure) for unit_id in ids
    ]
    one_by_one = [engine.measure_rebasing(spec, unit_id, period, measure, reasons=False) for unit_id in ids]
    assert engine.rebasing_of_units(spec, ids, period, measure) == one_by_one
    return one_by_one


def publish_own_series(world: dict[str, OrgUnit]) -> None:
    """A published re-based series: n1 has its own figures for all of January–June 2025, n3 for
    January–March alone (April–June re-based), of every stored indicator."""
    values = []
    for code in ("REV", "DOS", "PRICE", "BEDS", "CPI"):
        indicator = Indicator.objects.get(code=code)
        for unit, months in ((world["n1"], range(1, 7)), (world["n3"], range(1, 4))):
            for month in months:
                p = Period.parse(f"2025{month:02d}")
                values.append(
                    DataValue(
                        indicator=indicator,
                        org_unit=unit,
                        period=p.code,
                        period_start=p.start_date,
                        value=Decimal(7),
                        status=DataValueStatus.APPROVED,
                    )
                )
    DataValue.objects.bulk_create(values)


@pytest.mark.parametrize("rolled", [False, True])
@pytest.mark.parametrize("lean", [False, True])
def test_a_successors_own_figures_before_it_began_are_told_apart_the_same_for_many_units_at_once(
    world: dict[str, OrgUnit], rolled: bool, lean: bool
) -> None:
    publish_own_series(world)
    if rolled:
        rollups_rebuild()
    units = [world[code] for code in NEW] + [world["N"]]
    ids = [unit.pk for unit in units]
    for code in ("REV", "DOS", "PRICE", "BEDS", "CPI", "RATIO"):
        spec = spec_of(Indicator.objects.select_related("numerator", "denominator").get(code=code))
        for measure in ("value", "previous", "yoy_pct"):
            for period in (Period.parse("2026S1"), Period.parse("2026Q2"), Period.parse("202602")):
                engine = build_engine(
                    specs=[spec],
                    units=units,
                    periods=[period],
                    measures=[measure],
                    completeness=not lean,
                    composition=not lean,
                )

                # When many units are asked at once, each is told as when asked alone
                one_by_one = many_as_one_by_one(engine, spec, ids, period, measure)
                if measure != "value" and code not in ("CPI", "BEDS") and period.code == "2026S1":
                    # n1's own January–June 2025 are its own, n3's April–June re-based
                    assert not one_by_one[0][0], (code, measure)
                    assert one_by_one[2][0], (code, measure)


def test_a_successors_rollups_count_its_own_figures_before_it_began(world: dict[str, OrgUnit]) -> None:
    publish_own_series(world)

    rollups_rebuild()

    def own(unit: str, period: str) -> int:
        p = Period.parse(period)
        first, last = p.sub_periods(PeriodType.MONTHLY)[0].ordinal, p.sub_periods(PeriodType.MONTHLY)[-1].ordinal
        return Rollup.objects.get(indicator__code="REV", org_unit=world[unit], first=first, last=last).own

    assert (own("n1", "2025S1"), own("n3", "2025S1"), own("n2", "2025S1")) == (6, 3, 0)
    assert (own("n3", "2025Q1"), own("n3", "2025Q2"), own("n3", "202504")) == (3, 0, 0)
    assert own("n1", "2025") == 6  # July–December: after it began, its own figures simply
    assert own("N", "2025S1") == 0  # the province has none of its own


def test_a_rankings_engine_reads_no_figure_of_the_successors_it_reads_rollups_of(world: dict[str, OrgUnit]) -> None:
    publish_own_series(world)
    rollups_rebuild()
    units = [world[code] for code in NEW]
    spec = spec_of(Indicator.objects.get(code="REV"))
    period = Period.parse("2026S1")

    with CaptureQueriesContext(connection) as queries:
        lean = build_engine(
            specs=[spec], units=units, periods=[period], measures=["yoy_pct"], completeness=False, composition=False
        )

    assert not [q for q in queries.captured_queries if DataValue._meta.db_table in q["sql"]]
    full = build_engine(specs=[spec], units=units, periods=[period], measures=["yoy_pct"])
    for unit in units:
        assert lean.measure_rebasing(spec, unit.pk, period, "yoy_pct", reasons=False) == full.measure_rebasing(
            spec, unit.pk, period, "yoy_pct", reasons=False
        )
    # n1's January–June 2025 are its own (not re-based), n2's re-based
    assert [lean.measure_rebasing(spec, u.pk, period, "yoy_pct", reasons=False)[0] for u in units] == [
        False,
        True,
        True,
        True,
    ]


def test_a_ranking_knows_which_units_have_rollups_without_asking_the_tree_again_until_they_change(
    world: dict[str, OrgUnit], settings: Any
) -> None:
    # Given the rollups, and answers computed on every call (the answer cache off)
    settings.DIEUHANH_ANALYTICS_CACHE_SECONDS = 0
    rollups_rebuild()
    revenue = Indicator.objects.get(code="REV")

    def ranking() -> dict[str, tuple[bool, str | None]]:
        rows = analytics_ranking(
            indicator=revenue, org_unit=world["N"], period=Period.parse("2026Q1"), measure="yoy_pct"
        )
        return {r.org_unit: (r.rebased, r.missing_reason) for r in rows}

    first = ranking()
    with CaptureQueriesContext(connection) as queries:
        again = ranking()

    # Then asked again it does not look its units up in the successions or for children: which
    # units have rollups is known for these rollups (n4's successions alone are read, to say why
    # its figure is missing)
    assert again == first
    assert not [q for q in queries.captured_queries if "EXISTS" in q["sql"].upper()]
    read = [q["sql"] for q in queries.captured_queries if Succession._meta.db_table in q["sql"]]
    assert read
    assert all(f"IN ({world['n4'].pk})" in sql for sql in read)
    assert first["n4"] == (False, "share_unknown")
    assert world["n4"].pk in rolled_units(rollups_stamp() or "")[1]

    # When n4 stops being a successor and the rollups are rebuilt, the ranking knows at once
    Succession.objects.filter(successor=world["n4"]).delete()
    rollups_rebuild()
    assert world["n4"].pk not in rolled_units(rollups_stamp() or "")[1]
    assert ranking()["n4"] == (False, None)
    assert {code: first[code] for code in ("n1", "n2", "n3")} == {
        code: mark for code, mark in ranking().items() if code != "n4"
    }
