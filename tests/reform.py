"""A small reform to show re-based figures on every surface: the world of
``tests/analytics/test_rebased.py`` (two old provinces merged into N on 1 July 2025, their communes
into n1–n4, one share unknown) with names a reader sees, a plan at N, and an index (not re-based).

One former commune is named ``Xã <Ba>``: a name from the catalogue is text, never markup, and every
surface that lists it must escape it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit, Succession
from tests.analytics.test_rebased import CPI, NEW_START, PLANS, REV, SUCCESSIONS, UNITS
from tests.factories import IndicatorFactory, TargetFactory

NAMES = {
    "A": "Tỉnh A",
    "D1": "Huyện Một",
    "D2": "Huyện Hai",
    "c1": "Phường Một",
    "c2": "Phường Hai",
    "c3": "Xã <Ba>",
    "B": "Tỉnh B",
    "c4": "Xã Bốn",
    "c5": "Xã Năm",
    "N": "Tỉnh Mới",
    "n1": "Phường Tân Một",
    "n2": "Phường Tân Hai",
    "n3": "Xã Tân Ba",
    "n4": "Xã Tân Bốn",
}


@dataclass
class Reform:
    units: dict[str, OrgUnit]
    rev: Indicator
    cpi: Indicator


@pytest.fixture
def reform(db: None) -> Reform:
    units: dict[str, OrgUnit] = {}
    for code, (parent, kind, valid_from, valid_to) in UNITS.items():
        units[code] = OrgUnit.objects.create(
            code=code,
            name=NAMES[code],
            kind=kind,
            parent=units[parent] if parent else None,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    for old, new, merge_type, share in SUCCESSIONS:
        Succession.objects.create(
            predecessor=units[old], successor=units[new], effective_date=NEW_START, merge_type=merge_type, share=share
        )
    rev = IndicatorFactory(code="REV", name="Thu ngân sách", short_name="Thu NS", collected_at="commune")
    cpi = IndicatorFactory(code="CPI", name="Chỉ số giá", unit="%", aggregation="none", decimals=2)
    values = []
    for indicator, figures in ((rev, REV), (cpi, CPI)):
        for (code, period), value in figures.items():
            p = Period.parse(period)
            values.append(
                DataValue(
                    indicator=indicator,
                    org_unit=units[code],
                    period=p.code,
                    period_start=p.start_date,
                    value=value,
                    status=DataValueStatus.APPROVED,
                )
            )
    DataValue.objects.bulk_create(values)
    for year, plan in PLANS.items():
        TargetFactory(indicator=rev, org_unit=units["N"], year_from=year, value=plan)
    return Reform(units=units, rev=rev, cpi=cpi)
