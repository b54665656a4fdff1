"""A province that did not change across 1 July 2025 while its communes merged (as most of the
34 provinces did): its figures for a period that straddles the change are counted on the new map.

    P (province, always)
    ├── p1, p2 (communes, until 2025-06-30)  → q (commune, from 2025-07-01), both whole
    ├── q
    └── r (commune, always)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.analytics.services import rollups_rebuild
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit, Succession
from tests.factories import IndicatorFactory, OrgUnitFactory

OLD_END = dt.date(2025, 6, 30)
NEW_START = dt.date(2025, 7, 1)
# Monthly revenue of each commune while it exists.
MONTHLY = {"p1": Decimal(10), "p2": Decimal(20), "q": Decimal(33), "r": Decimal(5)}


@pytest.fixture
def province(db: None) -> OrgUnit:
    p = OrgUnitFactory(code="P", name="P", kind="province")
    units = {
        "p1": OrgUnitFactory(code="p1", name="p1", kind="commune", parent=p, valid_to=OLD_END),
        "p2": OrgUnitFactory(code="p2", name="p2", kind="commune", parent=p, valid_to=OLD_END),
        "q": OrgUnitFactory(code="q", name="q", kind="commune", parent=p, valid_from=NEW_START),
        "r": OrgUnitFactory(code="r", name="r", kind="commune", parent=p),
    }
    for old in ("p1", "p2"):
        Succession.objects.create(
            predecessor=units[old], successor=units["q"], effective_date=NEW_START, merge_type="whole"
        )
    rev = IndicatorFactory(code="REV", aggregation="sum", collected_at="commune")
    rows = []
    for ordinal in range(Period.parse("202401").ordinal, Period.parse("202512").ordinal + 1):
        month = Period.from_ordinal(PeriodType.MONTHLY, ordinal)
        for code, value in MONTHLY.items():
            unit = units[code]
            if unit.is_valid_on(month.start_date):
                rows.append(
                    DataValue(
                        indicator=rev,
                        org_unit=unit,
                        period=month.code,
                        period_start=month.start_date,
                        value=value,
                        status=DataValueStatus.APPROVED,
                    )
                )
    DataValue.objects.bulk_create(rows)
    return p


@pytest.mark.parametrize("use_rollups", [False, True])
def test_an_unchanged_province_counts_the_communes_of_the_new_map_for_a_straddling_year(
    province: OrgUnit, use_rollups: bool
) -> None:
    if use_rollups:
        rollups_rebuild()

    def ask(period: str):  # type: ignore[no-untyped-def]
        return analytics_measures(
            indicators=list(Indicator.objects.filter(code="REV")), org_units=[province], periods=[Period.parse(period)]
        )[0]

    year = ask("2025")
    # January–June from p1, p2 and r; July–December from q and r.
    assert year.value == 6 * (10 + 20 + 5) + 6 * (33 + 5)
    # On the map of 31/12/2025 the province has two communes, q and r, and both have every month
    # (q's first six re-based from p1 and p2): not four communes of which two reported.
    assert (year.reported, year.expected) == (2, 2)
    assert (year.ytd_reported, year.ytd_expected) == (2, 2)
    # Before the change, the map of its day: p1, p2 and r.
    first_half = ask("2025S1")
    assert (first_half.reported, first_half.expected) == (3, 3)
    # After it: q and r.
    assert (ask("2025S2").reported, ask("2025S2").expected) == (2, 2)
    assert (ask("2024").reported, ask("2024").expected) == (3, 3)
