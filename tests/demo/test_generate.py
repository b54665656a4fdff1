"""The demo's synthetic figures as generated, before anything is stored: the same for a seed, within
the catalogue's rules, each indicator at the level the catalogue says. No database: these run once,
on the SQLite run (tests/conftest.py, ``same_on_every_database``).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from dieuhanh.demo.catalogue import CATALOGUE_FILE, demo_data_dir, demo_document, demo_rules
from dieuhanh.demo.figures import demo_generate, fingerprint
from dieuhanh.demo.generate import DEFAULT_SEED
from dieuhanh.demo.synth import GeneratedValue
from dieuhanh.indicators.periods import Period
from tests.conftest import DEMO_UNTIL, remembered_sample

CON_DAO = "755"


def on_the_old_map(period: str) -> bool:
    """Whether a period ends by 30/6/2025 (a year until 2024, a quarter until 2025Q2, a month until 202506)."""
    return period[:4] < "2025" or period in {"2025Q1", "2025Q2"} or (len(period) == 6 and period <= "202506")


@pytest.fixture(scope="module")
def values() -> list[GeneratedValue]:
    """The demo's figures as the run's loads of the demo take them (made once a run)."""
    return remembered_sample(until=DEMO_UNTIL)


def test_the_figures_are_reproducible_for_a_seed(values: list[GeneratedValue]) -> None:
    # ``values`` was made once for the run; these are made again, the same way.
    assert demo_generate(until=DEMO_UNTIL) == values
    # Another seed, other figures: a year of them shows it.
    year = Period.parse("201912")
    assert fingerprint(demo_generate(seed=DEFAULT_SEED + 1, until=year)) != fingerprint(demo_generate(until=year))


def test_the_figures_obey_the_catalogue(values: list[GeneratedValue]) -> None:
    document = demo_document()
    rules = demo_rules(document)
    # From January 2019 to the pinned month, November 2026.
    period_pattern = {
        "monthly": r"^(20(19|2[0-5])(0[1-9]|1[0-2])|2026(0[1-9]|1[01]))$",
        "quarterly": r"^(20(19|2[0-5])Q[1-4]|2026Q[1-3])$",
        "yearly": r"^20(19|2[0-4])$",
    }

    assert {v.indicator for v in values} == set(rules)
    for v in values:
        rule = rules[v.indicator]
        assert re.match(period_pattern[rule.period_type], v.period), v
        assert v.value.as_tuple().exponent == -rule.decimals, v
        assert rule.min_value is None or v.value >= rule.min_value, v
        assert rule.max_value is None or v.value <= rule.max_value, v


def test_each_indicator_is_stored_at_the_level_the_catalogue_says(values: list[GeneratedValue]) -> None:
    text = (demo_data_dir() / CATALOGUE_FILE).read_text(encoding="utf-8")
    documented = dict(re.findall(r"- code: (\w+)\s+# level: (province|district|commune)", text))
    # A code names a unit only with a date: the old map's kinds until 30/6/2025, the new one's since.
    old_units = {u["code"]: u["kind"] for u in demo_document()["org_units"] if u.get("valid_to") == "2025-06-30"}
    new_units = {u["code"]: u["kind"] for u in demo_document()["org_units"] if u.get("valid_from") == "2025-07-01"}
    stored: dict[str, set[str]] = defaultdict(set)
    stored_new: dict[str, set[str]] = defaultdict(set)
    for v in values:
        if on_the_old_map(v.period):
            kind = old_units[v.org_unit]
            if v.org_unit == CON_DAO and documented[v.indicator] == "commune":
                kind = "commune"  # a district without communes reports the communes' figures itself
            stored[v.indicator].add(kind)
        else:
            stored_new[v.indicator].add(new_units[v.org_unit])

    assert set(documented) == set(stored)
    assert {code: kinds for code, kinds in stored.items() if kinds != {documented[code]}} == {}
    # Since 1/7/2025 there are no districts: what they reported, the city reports.
    assert {
        code: kinds
        for code, kinds in stored_new.items()
        if kinds != {"commune" if documented[code] == "commune" else "province"}
    } == {}
    assert {"IIP", "CPI", "EXPORT", "IMPORT", "FDI_REG", "GRDP"} <= {
        c for c, lvl in documented.items() if lvl == "province"
    }
    assert {"BUDGET_REV", "RETAIL", "PI_DISB"} <= {c for c, lvl in documented.items() if lvl == "district"}
    assert {"TRAFFIC_ACCIDENTS", "ENT_NEW", "POOR_HH", "ENROL_RATE"} <= {
        c for c, lvl in documented.items() if lvl == "commune"
    }
