"""The engine against a second, deliberately naive reading of docs/analytics.md, on random data.

The reference below recomputes everything from scratch for every question, with no memoisation
and no ordinals, straight from the sentences of the contract. Hypothesis draws trees, sparse
figures and periods; the engine must agree exactly.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dieuhanh.analytics.engine import Engine, IndicatorSpec, Series, UnitTree
from dieuhanh.indicators.periods import Period, PeriodType

YEARS = (2019, 2020, 2021, 2022, 2023)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    unit_count = draw(st.integers(min_value=1, max_value=9))
    parents = {0: None}
    for unit in range(1, unit_count):
        parents[unit] = draw(st.integers(min_value=0, max_value=unit - 1))
    aggregation = draw(st.sampled_from(["sum", "sum", "average", "last", "none"]))
    cells = st.tuples(
        st.integers(min_value=0, max_value=unit_count - 1),
        st.sampled_from(YEARS),
        st.integers(min_value=1, max_value=12),
    )
    figures = draw(st.dictionaries(cells, st.integers(min_value=-50, max_value=500).map(Decimal), max_size=150))
    # Some fully reported years at the root, so that projections use shares of complete years.
    for year in draw(st.sets(st.sampled_from(YEARS[:-1]))):
        for month in range(1, 13):
            figures[(0, year, month)] = Decimal(draw(st.integers(min_value=1, max_value=100)))
    code = draw(st.sampled_from(["2023", "2023S1", "2023S2", "2023Q1", "2023Q3", "202301", "202307", "202312"]))
    return {"parents": parents, "aggregation": aggregation, "figures": figures, "period": Period.parse(code)}


class Reference:
    """The contract, read literally."""

    def __init__(self, parents: dict[int, int | None], figures: dict[tuple[int, int, int], Decimal], aggregation: str):
        self.parents = parents
        self.figures = figures
        self.aggregation = aggregation

    def children(self, unit: int) -> list[int]:
        return [u for u, p in self.parents.items() if p == unit]

    def base(self, unit: int, year: int, month: int) -> Decimal | None:
        if (unit, year, month) in self.figures:
            return self.figures[(unit, year, month)]
        parts = [b for c in self.children(unit) if (b := self.base(c, year, month)) is not None]
        if not parts:
            return None
        return sum(parts, Decimal(0)) / len(parts) if self.aggregation == "average" else sum(parts, Decimal(0))

    def value(self, unit: int, year: int, months: list[int]) -> Decimal | None:
        if self.aggregation in ("sum", "average"):
            parts = [b for m in months if (b := self.base(unit, year, m)) is not None]
            if not parts:
                return None
            return sum(parts, Decimal(0)) / len(parts) if self.aggregation == "average" else sum(parts, Decimal(0))
        own = [self.figures[(unit, year, m)] for m in sorted(months) if (unit, year, m) in self.figures]
        if own:
            return own[-1]
        if self.aggregation == "none":
            return None
        parts = [v for c in self.children(unit) if (v := self.value(c, year, months)) is not None]
        return sum(parts, Decimal(0)) if parts else None

    def projection(self, unit: int, year: int, last_month: int) -> Decimal | None:
        ytd = self.value(unit, year, list(range(1, last_month + 1)))
        if ytd is None or self.aggregation != "sum":
            return ytd
        shares = []
        for past in (year - 1, year - 2, year - 3):
            if any(self.base(unit, past, m) is None for m in range(1, 13)):
                continue
            full = self.value(unit, past, list(range(1, 13)))
            part = self.value(unit, past, list(range(1, last_month + 1)))
            if full and part is not None:
                shares.append(part / full)
        if shares and sum(shares, Decimal(0)) / len(shares) > 0:
            return ytd / (sum(shares, Decimal(0)) / len(shares))
        return ytd * 12 / last_month


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_the_engine_agrees_with_a_literal_reading_of_the_contract(scenario: dict[str, object]) -> None:
    parents: dict[int, int | None] = scenario["parents"]  # type: ignore[assignment]
    figures: dict[tuple[int, int, int], Decimal] = scenario["figures"]  # type: ignore[assignment]
    aggregation: str = scenario["aggregation"]  # type: ignore[assignment]
    period: Period = scenario["period"]  # type: ignore[assignment]

    spec = IndicatorSpec(id=1, code="X", period_type=PeriodType.MONTHLY, aggregation=aggregation)
    own: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for (unit, year, month), value in figures.items():
        own[unit][Period(year, PeriodType.MONTHLY, month).ordinal] = value
    children: dict[int, list[int]] = defaultdict(list)
    for unit, parent in parents.items():
        if parent is not None:
            children[parent].append(unit)
    tree = UnitTree(children)
    engine = Engine(
        series={1: Series(spec=spec, own=own, tree=tree)}, targets={}, unit_codes={u: str(u) for u in parents}
    )
    reference = Reference(parents, figures, aggregation)
    months = list(range(period.first_month, period.last_month + 1))

    for unit in parents:
        measures = engine.measures(spec, unit, period)
        assert measures.value == reference.value(unit, period.year, months)
        assert measures.previous == reference.value(unit, period.year - 1, months)
        assert measures.ytd == reference.value(unit, period.year, list(range(1, period.last_month + 1)))
        assert measures.projection == reference.projection(unit, period.year, period.last_month)


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_one_measure_alone_equals_the_same_measure_of_all_eight(scenario: dict[str, object]) -> None:
    parents: dict[int, int | None] = scenario["parents"]  # type: ignore[assignment]
    figures: dict[tuple[int, int, int], Decimal] = scenario["figures"]  # type: ignore[assignment]
    period: Period = scenario["period"]  # type: ignore[assignment]
    spec = IndicatorSpec(id=1, code="X", period_type=PeriodType.MONTHLY, aggregation=scenario["aggregation"])  # type: ignore[arg-type]
    own: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for (unit, year, month), value in figures.items():
        own[unit][Period(year, PeriodType.MONTHLY, month).ordinal] = value
    children: dict[int, list[int]] = defaultdict(list)
    for unit, parent in parents.items():
        if parent is not None:
            children[parent].append(unit)
    engine = Engine(
        series={1: Series(spec=spec, own=own, tree=UnitTree(children))},
        targets={(1, 0, period.year): Decimal(500)},
        unit_codes={u: str(u) for u in parents},
    )

    for unit in parents:
        all_eight = engine.measures(spec, unit, period)
        for name in ("value", "previous", "yoy_pct", "ytd", "plan", "plan_completion_pct", "projection"):
            assert engine.measure(spec, unit, period, name) == getattr(all_eight, name)


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_january_to_each_month_asked_in_turn_is_what_each_asked_alone_is(scenario: dict[str, object]) -> None:
    # Given a series, asked (as a rollup is made) January to January, to February, … to December
    parents: dict[int, int | None] = scenario["parents"]  # type: ignore[assignment]
    figures: dict[tuple[int, int, int], Decimal] = scenario["figures"]  # type: ignore[assignment]
    spec = IndicatorSpec(id=1, code="X", period_type=PeriodType.MONTHLY, aggregation=scenario["aggregation"])  # type: ignore[arg-type]
    own: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for (unit, year, month), value in figures.items():
        # Figures with as many decimal places as a rollup of means may carry, or written in tens
        # ("5E+1"), so that an addition in another order or from another start would show in the digits.
        own[unit][Period(year, PeriodType.MONTHLY, month).ordinal] = value / 7 if value % 2 else value.scaleb(1)
    children: dict[int, list[int]] = defaultdict(list)
    for unit, parent in parents.items():
        if parent is not None:
            children[parent].append(unit)
    january = Period(2023, PeriodType.MONTHLY, 1).ordinal

    def fresh() -> Series:
        return Series(spec=spec, own=own, tree=UnitTree(children))

    for unit in parents:
        in_turn = fresh()
        for last in range(january, january + 12):
            # When each is also asked of a series that was asked nothing before
            alone, counted = fresh(), fresh()

            # Then the value is the same to the last digit, and so is how many months had a figure
            assert str(in_turn.value(unit, january, last)) == str(alone.value(unit, january, last))
            assert in_turn.filled(unit, january, last) == counted.filled(unit, january, last)
