"""Re-based values: 2025 seen as a whole on the map of 1 July 2025 (docs/analytics.md, "Re-based values").

Two old provinces merge into a new one, and their communes into new communes:

    A (province, until 2025-06-30)            B (province, until 2025-06-30)
    ├── D1 (district): c1, c2                 ├── c4
    └── D2 (district): c3                     └── c5
    N (province, from 2025-07-01): n1, n2, n3, n4

    A → N whole, B → N whole
    c1 → n1 whole, c2 → n1 part 0.6, c2 → n2 part 0.4, c3 → n2 whole,
    c4 → n3 renamed, c5 → n4 part of unknown share.

Every figure is constant within a stretch of months, so each measure is a few multiplications,
written out beside the number it must be. The same numbers are asked of the engine alone, then
of the database: computed from the figures and read from the rollups, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from dieuhanh.analytics.engine import Engine, IndicatorSpec, Measures, Series, UnitTree
from dieuhanh.analytics.models import Rollup
from dieuhanh.analytics.selectors import ExpectedCounter, analytics_ranking, build_engine, spec_of
from dieuhanh.analytics.services import rollups_ready, rollups_rebuild
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.ingest.services import data_value_set
from dieuhanh.orgunits.models import OrgUnit, Succession
from tests.factories import IndicatorFactory, OrgUnitFactory, TargetFactory

D = Decimal
OLD_END = dt.date(2025, 6, 30)
NEW_START = dt.date(2025, 7, 1)

# code: (parent, kind, valid from, valid to)
UNITS: dict[str, tuple[str | None, str, dt.date | None, dt.date | None]] = {
    "A": (None, "province", None, OLD_END),
    "D1": ("A", "district", None, OLD_END),
    "D2": ("A", "district", None, OLD_END),
    "c1": ("D1", "commune", None, OLD_END),
    "c2": ("D1", "commune", None, OLD_END),
    "c3": ("D2", "commune", None, OLD_END),
    "B": (None, "province", None, OLD_END),
    "c4": ("B", "commune", None, OLD_END),
    "c5": ("B", "commune", None, OLD_END),
    "N": (None, "province", NEW_START, None),
    "n1": ("N", "commune", NEW_START, None),
    "n2": ("N", "commune", NEW_START, None),
    "n3": ("N", "commune", NEW_START, None),
    "n4": ("N", "commune", NEW_START, None),
}
# (predecessor, successor, merge type, share)
SUCCESSIONS: list[tuple[str, str, str, Decimal | None]] = [
    ("A", "N", "whole", None),
    ("B", "N", "whole", None),
    ("c1", "n1", "whole", None),
    ("c2", "n1", "part", D("0.6")),
    ("c2", "n2", "part", D("0.4")),
    ("c3", "n2", "whole", None),
    ("c4", "n3", "renamed", None),
    ("c5", "n4", "part", None),  # a part whose share nobody has recorded yet
]
OLD = ["c1", "c2", "c3", "c4", "c5"]
NEW = ["n1", "n2", "n3", "n4"]


def months(first: str, last: str) -> list[str]:
    a, b = Period.parse(first).ordinal, Period.parse(last).ordinal
    return [Period.from_ordinal(PeriodType.MONTHLY, o).code for o in range(a, b + 1)]


def monthly(values_2024: dict[str, int], values_2025h1: dict[str, int], values_new: dict[str, int]) -> dict:
    """Each old commune's figure every month of 2024 and of January–June 2025; each new
    commune's every month from July 2025 to June 2026."""
    figures: dict[tuple[str, str], Decimal] = {}
    for code, value in values_2024.items():
        figures.update({(code, m): D(value) for m in months("202401", "202412")})
    for code, value in values_2025h1.items():
        figures.update({(code, m): D(value) for m in months("202501", "202506")})
    for code, value in values_new.items():
        figures.update({(code, m): D(value) for m in months("202507", "202606")})
    return figures


# A monthly sum (budget revenue), collected from the communes.
REV = monthly(
    {"c1": 8, "c2": 16, "c3": 24, "c4": 32, "c5": 40},
    {"c1": 10, "c2": 20, "c3": 30, "c4": 40, "c5": 50},
    {"n1": 25, "n2": 35, "n3": 45, "n4": 15},
)
# Its denominator for a ratio (dossiers): 10 a month at every old commune, 20 at every new one.
DOS = monthly(dict.fromkeys(OLD, 10), dict.fromkeys(OLD, 10), dict.fromkeys(NEW, 20))
# A monthly average (a price).
PRICE = monthly(
    {"c1": 4, "c2": 6, "c3": 8, "c4": 10, "c5": 12},
    {"c1": 5, "c2": 7, "c3": 9, "c4": 11, "c5": 13},
    {"n1": 6, "n2": 8, "n3": 10, "n4": 12},
)
# A stock (hospital beds): the latest month's figure.
BEDS = monthly(
    {"c1": 100, "c2": 200, "c3": 300, "c4": 400, "c5": 500},
    {"c1": 110, "c2": 220, "c3": 330, "c4": 440, "c5": 550},
    {"n1": 250, "n2": 350, "n3": 450, "n4": 150},
)
# An index (aggregation none), stored at the provinces only.
CPI = {("A", m): D(103) for m in months("202401", "202506")} | {("N", m): D(104) for m in months("202507", "202606")}

# The annual plan of N for the revenue.
PLANS = {2025: D(1600), 2026: D(1500)}

SPECS = {
    "REV": IndicatorSpec(id=1, code="REV", period_type=PeriodType.MONTHLY, aggregation="sum", collected_at="commune"),
    "DOS": IndicatorSpec(id=2, code="DOS", period_type=PeriodType.MONTHLY, aggregation="sum", collected_at="commune"),
    "PRICE": IndicatorSpec(
        id=3, code="PRICE", period_type=PeriodType.MONTHLY, aggregation="average", collected_at="commune"
    ),
    "BEDS": IndicatorSpec(
        id=4, code="BEDS", period_type=PeriodType.MONTHLY, aggregation="last", collected_at="commune"
    ),
    "CPI": IndicatorSpec(id=5, code="CPI", period_type=PeriodType.MONTHLY, aggregation="none"),
}
SPECS["RATIO"] = IndicatorSpec(
    id=6,
    code="RATIO",
    period_type=PeriodType.MONTHLY,
    aggregation="ratio",
    numerator=SPECS["REV"],
    denominator=SPECS["DOS"],
    factor=D(100),
)
FIGURES = {"REV": REV, "DOS": DOS, "PRICE": PRICE, "BEDS": BEDS, "CPI": CPI}
SHARE_UNKNOWN = ("share_unknown", ("c5",))


@dataclass(frozen=True)
class Row:
    """The measures of the revenue at a unit for a period, as computed by hand."""

    value: Decimal | None
    previous: Decimal | None
    ytd: Decimal | None
    projection: Decimal | None
    plan: Decimal | None = None
    status: str | None = "no_target"
    rebased: bool = True


def third(x: int | str) -> Decimal:
    return D(x) / 3


# Revenue of N. Before July 2025 N is re-based from A and B (each whole): one month of 2024 is
# 8 + 16 + 24 + 32 + 40 = 120, one of January–June 2025 is 10 + 20 + 30 + 40 + 50 = 150; from July
# 2025 on it is its communes' 25 + 35 + 45 + 15 = 120.
N_REV = {
    # Q1 2025: 3 × 150 = 450 against 3 × 120 = 360 (+25 %). 2024 is complete (re-based) and its
    # January–March held 360 / 1440 = 0.25 of it: projection 450 / 0.25 = 1800 ≥ 1600: on track.
    "2025Q1": Row(D(450), D(360), D(450), D(1800), PLANS[2025], "on_track"),
    # 2025: 6 × 150 + 6 × 120 = 1620 against 12 × 120 = 1440 (+12.5 %); the year is over: the
    # projection is the outcome, 1620 ≥ 1600: on track (101.25 % of the plan).
    "2025": Row(D(1620), D(1440), D(1620), D(1620), PLANS[2025], "on_track"),
    # September 2025: 120 against September 2024's 120; January–September 6 × 150 + 3 × 120 = 1260
    # (78.75 % of 1600); January–September held 0.75 of 2024: 1260 / 0.75 = 1680: on track.
    "202509": Row(D(120), D(120), D(1260), D(1680), PLANS[2025], "on_track"),
    # H1 2026: 6 × 120 = 720 against January–June 2025 re-based, 6 × 150 = 900 (−20 %). Shares of
    # January–June: 2025 900 / 1620 = 5/9, 2024 720 / 1440 = 1/2; mean 19/36; projection
    # 720 × 36 / 19 = 1364.21…, more than 5 % below 1500 (1425): off track.
    "2026S1": Row(D(720), D(900), D(720), D(25920) / 19, PLANS[2026], "off_track"),
    # March 2026: 120 against March 2025 re-based, 150 (−20 %); January–March 360 (24 % of 1500).
    # Shares of January–March: 2025 450 / 1620 = 5/18, 2024 360 / 1440 = 1/4; mean 19/72;
    # projection 360 × 72 / 19 = 1364.21…: off track.
    "202603": Row(D(120), D(150), D(360), D(25920) / 19, PLANS[2026], "off_track"),
}


def commune_rows(a: Decimal, b: Decimal, c: Decimal) -> dict[str, Row]:
    """A new commune whose re-based month is ``a`` in 2024 and ``b`` in January–June 2025, and whose
    own month is ``c`` from July 2025: the same arithmetic as N's, without a plan."""
    return {
        "2025Q1": Row(3 * b, 3 * a, 3 * b, 3 * b / (3 * a / (12 * a))),  # = 12 b
        "2025": Row(6 * b + 6 * c, 12 * a, 6 * b + 6 * c, 6 * b + 6 * c),
        "202509": Row(c, a, 6 * b + 3 * c, (6 * b + 3 * c) / (9 * a / (12 * a))),
        "2026S1": Row(6 * c, 6 * b, 6 * c, 6 * c / ((6 * b / (6 * b + 6 * c) + 6 * a / (12 * a)) / 2)),
        "202603": Row(c, b, 3 * c, 3 * c / ((3 * b / (6 * b + 6 * c) + 3 * a / (12 * a)) / 2)),
    }


COMMUNE_REV = {
    # n1 = c1 + 0.6 × c2: 8 + 9.6 = 17.6 a month of 2024, 10 + 12 = 22 of 2025; then 25.
    # Q1 2025 = 66 against 52.8 (+25 %); 2025 = 132 + 150 = 282 against 211.2.
    "n1": commune_rows(D("17.6"), D(22), D(25)),
    # n2 = 0.4 × c2 + c3: 6.4 + 24 = 30.4, 8 + 30 = 38; then 35. H1 2026 = 210 against 228.
    "n2": commune_rows(D("30.4"), D(38), D(35)),
    # n3 = c4 (renamed): 32, 40; then 45.
    "n3": commune_rows(D(32), D(40), D(45)),
    # n4 = a part of c5 of unknown share: nothing before July 2025, and nothing guessed. Without a
    # complete past year the projection is ytd × 12 / months elapsed.
    "n4": {
        "2025Q1": Row(None, None, None, None),
        "2025": Row(D(90), None, D(90), D(90)),  # July–December 6 × 15, the months before are missing
        "202509": Row(D(15), None, D(45), D(60)),  # 45 × 12 / 9
        "2026S1": Row(D(90), None, D(90), D(180)),  # 90 × 12 / 6
        "202603": Row(D(15), None, D(45), D(180)),  # 45 × 12 / 3
    },
}
COMPOSITION = {
    "N": (("A", D(1)), ("B", D(1))),
    "n1": (("c1", D(1)), ("c2", D("0.6"))),
    "n2": (("c2", D("0.4")), ("c3", D(1))),
    "n3": (("c4", D(1)),),
    "n4": (("c5", None),),
}
PERIODS = ["2025Q1", "2025", "202509", "2026S1", "202603"]


def close(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and round(a - b, 12) == 0)


def check_revenue(m: Measures, expected: Row, unit: str) -> None:
    where = (unit, m.period)
    assert close(m.value, expected.value), (where, "value", m.value, expected.value)
    assert close(m.previous, expected.previous), (where, "previous", m.previous)
    assert close(m.ytd, expected.ytd), (where, "ytd", m.ytd)
    assert close(m.projection, expected.projection), (where, "projection", m.projection)
    yoy = (expected.value / expected.previous - 1) * 100 if expected.value and expected.previous else None
    assert close(m.yoy_pct, yoy), (where, "yoy_pct", m.yoy_pct)
    assert m.plan == expected.plan, where
    completion = expected.ytd / expected.plan * 100 if expected.ytd is not None and expected.plan else None
    assert close(m.plan_completion_pct, completion), (where, "plan_completion_pct")
    assert m.status == expected.status, (where, m.status)
    assert m.rebased is expected.rebased, where
    assert m.composition == COMPOSITION[unit], where
    if unit == "n4":
        assert (m.missing_reason, m.missing_units) == SHARE_UNKNOWN, where
        assert "c5" in m.missing_text
    else:
        assert (m.missing_reason, m.missing_units, m.missing_text) == (None, (), ""), where


# ---------------------------------------------------------------------------------------------
# The engine alone


def engine_world() -> tuple[Engine, dict[str, int]]:
    ids = {code: n for n, code in enumerate(UNITS, start=1)}
    children: dict[int, list[int]] = defaultdict(list)
    rows = []
    for code, (parent, kind, valid_from, valid_to) in UNITS.items():
        if parent:
            children[ids[parent]].append(ids[code])
        path = f"/{ids[parent]}/{ids[code]}/" if parent else f"/{ids[code]}/"
        if parent and UNITS[parent][0]:
            path = f"/{ids[UNITS[parent][0]]}{path}"  # type: ignore[index]
        rows.append((ids[code], ids[parent] if parent else None, kind, path, valid_from, valid_to))
    predecessors: dict[int, list[tuple[int, Decimal | None]]] = defaultdict(list)
    for old, new, merge_type, share in SUCCESSIONS:
        predecessors[ids[new]].append((ids[old], share if merge_type == "part" else D(1)))
    validity = {ids[c]: (f, t) for c, (_p, _k, f, t) in UNITS.items()}
    kinds = {ids[c]: k for c, (_p, k, _f, _t) in UNITS.items()}
    series = {}
    for name, figures in FIGURES.items():
        own: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for (code, period), value in figures.items():
            own[ids[code]][Period.parse(period).ordinal] = value
        spec = SPECS[name]
        series[spec.id] = Series(
            spec=spec,
            own=own,
            tree=UnitTree(children),
            kinds=kinds,
            predecessors=predecessors,
            validity=validity,
        )
    targets = {(SPECS["REV"].id, ids["N"], year): plan for year, plan in PLANS.items()}
    expected = ExpectedCounter(ids.values(), rows, successors=predecessors)
    return Engine(
        series=series, targets=targets, unit_codes={i: c for c, i in ids.items()}, expected_units=expected
    ), ids


def ask(engine: Engine, ids: dict[str, int], indicator: str, unit: str, period: str) -> Measures:
    return engine.measures(SPECS[indicator], ids[unit], Period.parse(period))


@pytest.mark.parametrize("period", PERIODS)
def test_the_new_province_s_revenue_is_re_based_from_the_old_provinces(period: str) -> None:
    engine, ids = engine_world()
    check_revenue(ask(engine, ids, "REV", "N", period), N_REV[period], "N")


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("unit", NEW)
def test_a_new_commune_s_revenue_is_re_based_from_its_parts(unit: str, period: str) -> None:
    engine, ids = engine_world()
    check_revenue(ask(engine, ids, "REV", unit, period), COMMUNE_REV[unit][period], unit)


def check_other_aggregations(ask_: Any) -> None:
    """The average, the stock, the index and the ratio, as computed by hand."""
    # Average: the mean of the predecessors' figures, shares do not weight it. A month of 2025 at
    # A is the mean of its districts, D1 (5 + 7) / 2 = 6 and D2 9: 7.5; at B (11 + 13) / 2 = 12:
    # N = (7.5 + 12) / 2 = 9.75; of 2024 A = (5 + 8) / 2 = 6.5, B = 11, N = 8.75; from July the
    # mean of its communes (6 + 8 + 10 + 12) / 4 = 9.
    q1 = ask_("PRICE", "N", "2025Q1")
    assert (q1.value, q1.previous, q1.rebased) == (D("9.75"), D("8.75"), True)
    year = ask_("PRICE", "N", "2025")
    assert year.value == (6 * D("9.75") + 6 * 9) / 12  # 9.375
    h1 = ask_("PRICE", "N", "2026S1")
    assert (h1.value, h1.previous, h1.rebased) == (9, D("9.75"), True)
    # n1 = the mean of c1 and c2: (5 + 7) / 2 = 6; n4 needs no share for a mean: c5's 13.
    assert ask_("PRICE", "n1", "2025Q1").value == 6
    n4 = ask_("PRICE", "n4", "2025Q1")
    assert (n4.value, n4.rebased, n4.missing_reason) == (13, True, None)

    # Stock: Σ share × the predecessors' stock. March 2025: A = D1 (110 + 220) + D2 330 = 660,
    # B = 440 + 550 = 990, N = 1650; March 2024: 100 + 200 + 300 + 400 + 500 = 1500.
    q1 = ask_("BEDS", "N", "2025Q1")
    assert (q1.value, q1.previous, q1.ytd, q1.rebased) == (1650, 1500, 1650, True)
    # The year 2025 ends after N began: its own communes' December, 250 + 350 + 450 + 150 = 1200,
    # against December 2024 re-based, 1500.
    year = ask_("BEDS", "N", "2025")
    assert (year.value, year.previous, year.rebased) == (1200, 1500, True)
    # n1 = 110 + 0.6 × 220 = 242; n4 is missing: c5's share is unknown.
    assert ask_("BEDS", "n1", "2025Q1").value == 242
    n4 = ask_("BEDS", "n4", "2025Q1")
    assert (n4.value, n4.missing_reason, n4.missing_units) == (None, *SHARE_UNKNOWN)
    # A province that ended in June has no stock at the end of 2025, but has one for its H1.
    assert ask_("BEDS", "A", "2025").value is None
    assert ask_("BEDS", "A", "2025S1").value == 660

    # An index is not re-based: N has none before July 2025, and says why.
    q1 = ask_("CPI", "N", "2025Q1")
    assert (q1.value, q1.rebased, q1.missing_reason) == (None, False, "not_rebased")
    assert ask_("CPI", "N", "2025").value == 104

    # A ratio of the re-based sums: Q1 2025 100 × 450 / (3 × 50) = 300, Q1 2024 100 × 360 / 150 = 240.
    q1 = ask_("RATIO", "N", "2025Q1")
    assert (q1.value, q1.previous, q1.rebased) == (300, 240, True)
    assert q1.composition == COMPOSITION["N"]
    # n1: 100 × 66 / (3 × (10 + 0.6 × 10)) = 137.5; n4: missing, for the numerator's and the
    # denominator's unknown share.
    assert ask_("RATIO", "n1", "2025Q1").value == D("137.5")
    n4 = ask_("RATIO", "n4", "2025Q1")
    assert (n4.value, n4.missing_reason, n4.missing_units) == (None, *SHARE_UNKNOWN)


def check_units_through_time(ask_: Any) -> None:
    """Completeness on the new map; the old units after they ended; a re-based value not flagged
    where none is used."""
    # Q1 2025 at N, on the new map: n1, n2, n3 have re-based figures for every month, n4 none.
    q1 = ask_("REV", "N", "2025Q1")
    assert (q1.reported, q1.expected) == (3, 4)
    year = ask_("REV", "N", "2025")
    assert (year.reported, year.expected, year.ytd_reported, year.ytd_expected) == (3, 4, 3, 4)
    # From July on N's own communes report: September 2025 is whole.
    september = ask_("REV", "N", "202509")
    assert (september.reported, september.expected) == (4, 4)
    assert (september.ytd_reported, september.ytd_expected) == (3, 4)
    # The old province in 2025: January–June only; nothing after it ended.
    assert ask_("REV", "A", "2025").value == 6 * 60  # 10 + 20 + 30 a month
    assert ask_("REV", "A", "2025S2").value is None
    assert not ask_("REV", "A", "2025").rebased
    # A province that never changed is never re-based.
    assert ask_("REV", "A", "2024").composition == ()


def test_the_other_aggregations_are_re_based_by_their_own_rule() -> None:
    engine, ids = engine_world()
    check_other_aggregations(lambda i, u, p: ask(engine, ids, i, u, p))


def test_completeness_counts_the_new_map_and_old_units_end() -> None:
    engine, ids = engine_world()
    check_units_through_time(lambda i, u, p: ask(engine, ids, i, u, p))


def test_a_published_re_based_series_wins_over_re_basing() -> None:
    # Given N's own stored figure for March 2025 (a statistics office's re-based series)
    engine, ids = engine_world()
    revenue = engine.series[SPECS["REV"].id]
    own = dict(revenue.own)
    own[ids["N"]] = {**own.get(ids["N"], {}), Period.parse("202503").ordinal: D(999)}
    engine.series = {**engine.series}
    engine.series[SPECS["REV"].id] = Series(
        spec=revenue.spec,
        own=own,
        tree=revenue.tree,
        kinds=revenue.kinds,
        predecessors=revenue.predecessors,
        validity=revenue.validity,
    )

    # Then March is its own, not re-based (its previous year is); Q1 is 150 + 150 + 999
    march = Period.parse("202503").ordinal
    assert ask(engine, ids, "REV", "N", "202503").value == 999
    assert engine.rebasing(SPECS["REV"], ids["N"], [(march, march)]) == (False, (), None, ())
    assert ask(engine, ids, "REV", "N", "2025Q1").value == 1299


# ---------------------------------------------------------------------------------------------
# Through the database: computed from the figures, and read from the rollups


@pytest.fixture
def world(db: None) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for code, (parent, kind, valid_from, valid_to) in UNITS.items():
        units[code] = OrgUnitFactory(
            code=code,
            name=code,
            kind=kind,
            parent=units[parent] if parent else None,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    for old, new, merge_type, share in SUCCESSIONS:
        Succession.objects.create(
            predecessor=units[old], successor=units[new], effective_date=NEW_START, merge_type=merge_type, share=share
        )
    indicators = {
        name: IndicatorFactory(code=name, aggregation=spec.aggregation, collected_at=spec.collected_at)
        for name, spec in SPECS.items()
        if spec.aggregation != "ratio"
    }
    IndicatorFactory(
        code="RATIO", aggregation="ratio", numerator=indicators["REV"], denominator=indicators["DOS"], factor=100
    )
    values = []
    for name, figures in FIGURES.items():
        for (code, period), value in figures.items():
            p = Period.parse(period)
            values.append(
                DataValue(
                    indicator=indicators[name],
                    org_unit=units[code],
                    period=p.code,
                    period_start=p.start_date,
                    value=value,
                    status=DataValueStatus.APPROVED,
                )
            )
    DataValue.objects.bulk_create(values)
    for year, plan in PLANS.items():
        TargetFactory(indicator=indicators["REV"], org_unit=units["N"], year_from=year, value=plan)
    return units


ASKED = [*PERIODS, "2024", "2025S1", "2025S2"]


def db_engine(units: list[OrgUnit], *, use_rollups: bool) -> tuple[Engine, dict[str, IndicatorSpec]]:
    cache: dict[int, IndicatorSpec] = {}
    specs = {i.code: spec_of(i, cache) for i in Indicator.objects.select_related("numerator", "denominator")}
    periods = [Period.parse(p) for p in ASKED]
    engine = build_engine(specs=list(specs.values()), units=units, periods=periods, use_rollups=use_rollups)
    return engine, specs


@pytest.mark.parametrize("use_rollups", [False, True])
def test_through_the_database_each_unit_asked_alone_gives_the_hand_computed_numbers(
    world: dict[str, OrgUnit], use_rollups: bool
) -> None:
    # Given the rollups, when they are read
    if use_rollups:
        rollups_rebuild()

    # When each unit is asked alone (its predecessors are loaded with it)
    def ask_(indicator: str, unit: str, period: str) -> Measures:
        engine, specs = db_engine([world[unit]], use_rollups=use_rollups)
        return engine.measures(specs[indicator], world[unit].pk, Period.parse(period))

    # Then every measure is the one computed by hand
    for period in PERIODS:
        check_revenue(ask_("REV", "N", period), N_REV[period], "N")
        for unit in NEW:
            check_revenue(ask_("REV", unit, period), COMMUNE_REV[unit][period], unit)
    check_other_aggregations(ask_)
    check_units_through_time(ask_)


def test_rollups_give_what_computing_from_the_figures_gives_across_the_change(world: dict[str, OrgUnit]) -> None:
    units = list(world.values())
    periods = [Period.parse(p) for p in ASKED]
    direct, specs = db_engine(units, use_rollups=False)
    rollups_rebuild()
    rolled, _specs = db_engine(units, use_rollups=True)

    for spec in specs.values():
        for unit in units:
            for period in periods:
                computed = direct.measures(spec, unit.pk, period)
                assert rolled.measures(spec, unit.pk, period) == computed, (spec.code, unit.code, period.code)


def test_a_ranking_of_the_new_communes_compares_with_their_re_based_past(world: dict[str, OrgUnit]) -> None:
    revenue = Indicator.objects.get(code="REV")
    for rolled in (False, True):
        if rolled:
            rollups_rebuild()
        rows = analytics_ranking(
            indicator=revenue, org_unit=world["N"], period=Period.parse("2026Q1"), measure="yoy_pct"
        )
        # Q1 2026 against Q1 2025 re-based: n1 75 / 66, n3 135 / 120, n2 105 / 114; n4 has no past
        assert [(r.org_unit, r.value) for r in rows] == [
            ("n1", (D(75) / 66 - 1) * 100),
            ("n3", D("12.5")),
            ("n2", (D(105) / 114 - 1) * 100),
            ("n4", None),
        ]


def test_a_ranking_of_many_new_units_reads_their_successions_by_subquery_with_the_same_answer(
    world: dict[str, OrgUnit], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A national ranking names its thousands of units by a subquery; here every ranking is "many".
    revenue = Indicator.objects.get(code="REV")
    rollups_rebuild()

    def ranked() -> list[tuple[str, Decimal | None, bool, tuple[str, ...]]]:
        rows = analytics_ranking(
            indicator=revenue, org_unit=world["N"], period=Period.parse("2026Q1"), measure="yoy_pct"
        )
        return [(r.org_unit, r.value, r.rebased, r.missing_units) for r in rows]

    by_ids = ranked()
    monkeypatch.setattr("dieuhanh.analytics.selectors._MANY_IDS", 0)
    monkeypatch.setattr("django.conf.settings.DIEUHANH_ANALYTICS_CACHE_SECONDS", 0)
    assert ranked() == by_ids
    assert by_ids[-1] == ("n4", None, False, ("c5",))


def test_changing_a_succession_invalidates_the_rollups(world: dict[str, OrgUnit]) -> None:
    rollups_rebuild()
    link = Succession.objects.get(predecessor=world["c5"], successor=world["n4"])

    # When the operator records the share of c5 that went to n4
    link.share = D("0.5")
    link.save()

    # Then the rollups wait for a rebuild, and n4's Q1 2025 is 3 × 0.5 × 50 = 75 either way
    assert not rollups_ready()
    engine, specs = db_engine([world["n4"]], use_rollups=False)
    q1 = engine.measures(specs["REV"], world["n4"].pk, Period.parse("2025Q1"))
    assert (q1.value, q1.missing_reason, q1.composition) == (75, None, (("c5", D("0.5")),))
    rollups_rebuild()
    engine, specs = db_engine([world["n4"]], use_rollups=True)
    assert engine.measures(specs["REV"], world["n4"].pk, Period.parse("2025Q1")).value == 75

    # And deleting it too
    link.delete()
    assert not rollups_ready()


def test_a_late_correction_of_an_old_commune_refreshes_its_successors_rollups(world: dict[str, OrgUnit]) -> None:
    # Given rollups, when c1's March 2025 is corrected through the services (10 → 13)
    rollups_rebuild()
    revenue = Indicator.objects.get(code="REV")
    data_value_set(
        indicator=revenue, org_unit=world["c1"], period="202503", value=D(13), status=DataValueStatus.APPROVED
    )

    # Then the rollups stay in use, and n1 and N have it: Q1 2025 is 66 + 3 = 69 and 450 + 3 = 453
    assert rollups_ready()
    for unit, value in (("n1", 69), ("N", 453)):
        engine, specs = db_engine([world[unit]], use_rollups=True)
        assert engine.measures(specs["REV"], world[unit].pk, Period.parse("2025Q1")).value == value
    refreshed = set(Rollup.objects.values_list("indicator_id", "org_unit_id", "first", "last", "value"))
    rollups_rebuild()
    assert refreshed == set(Rollup.objects.values_list("indicator_id", "org_unit_id", "first", "last", "value"))


@pytest.mark.parametrize("rolled", [False, True])
def test_the_api_says_what_is_re_based_from_what_and_why_a_figure_is_missing(
    world: dict[str, OrgUnit], api: APIClient, rolled: bool
) -> None:
    if rolled:
        rollups_rebuild()
    response = api.get("/api/v1/analytics", {"indicator": "REV", "org_unit": "N,n4", "period": "2026S1,2024"})

    assert response.status_code == 200
    rows = {(r["org_unit"], r["period"]): r for r in response.json()}
    n = rows[("N", "2026S1")]
    assert (n["value"], n["previous"], n["yoy_pct"], n["rebased"]) == (720, 900, -20, True)
    assert n["composition"] == [{"org_unit": "A", "share": 1}, {"org_unit": "B", "share": 1}]
    assert (n["missing_reason"], n["missing_units"]) == (None, [])
    n4 = rows[("n4", "2026S1")]
    assert (n4["value"], n4["previous"], n4["rebased"]) == (90, None, True)
    assert n4["composition"] == [{"org_unit": "c5", "share": None}]
    assert (n4["missing_reason"], n4["missing_units"]) == ("share_unknown", ["c5"])
    # 2024 is wholly before N began: every month re-based, 12 × 120
    assert (rows[("N", "2024")]["value"], rows[("N", "2024")]["rebased"]) == (1440, True)


def test_the_reason_a_re_based_figure_is_missing_reads_in_vietnamese() -> None:
    from django.utils import translation

    missing = Measures(indicator="REV", org_unit="n4", period="2025Q1", missing_reason="share_unknown")
    missing = Measures(**{**missing.__dict__, "missing_units": ("c5",)})
    with translation.override("vi"):
        assert missing.missing_text == "Chưa quy đổi được: chưa có tỷ lệ phần của c5 chuyển về đơn vị này."
    with translation.override("en"):
        assert "share of c5" in missing.missing_text


def test_the_tops_of_the_predecessors_subtrees_are_those_under_no_other_nor_under_one_kept() -> None:
    from dieuhanh.analytics.selectors import _new_tops

    paths = ["/1/5/9/", "/1/5/", "/1/50/", "/2/3/", "/2/3/4/", "/1/5/9/3/", "/1/50/"]
    assert [t.path for t in _new_tops(paths, kept={"/2/"})] == ["/1/5/", "/1/50/"]
    assert [t.path for t in _new_tops(paths, kept=set())] == ["/1/5/", "/1/50/", "/2/3/"]
    assert [t.path for t in _new_tops(paths, kept={"/1/5/9/"})] == ["/1/5/", "/1/50/", "/2/3/"]
