"""Figures and formats for the report tests, written independently of the code under test."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from dieuhanh.analytics.engine import Measures
from dieuhanh.analytics.readmodel.book import Figure
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.indicators.models import Indicator

# A number as Vietnamese reports write it: 1.234.567,8 — or a plain 2023, 6, 45,8.
NUMBER = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+(?:,\d+)?")


def vietnamese(value: Decimal, places: int) -> str:
    """``value`` rounded half up to ``places`` decimals, grouped with dots, decimals after a comma."""
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    sign = "-" if q < 0 else ""
    whole, _dot, fraction = f"{abs(q):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = ".".join(groups) or "0"
    return sign + text + ("," + fraction if places else "")


def indicator(**fields: object) -> Indicator:
    """An indicator that is never saved: sentences only read its fields."""
    defaults: dict[str, object] = {
        "code": "BUDGET_REV",
        "name": "Thu ngân sách nhà nước",
        "unit": "tỷ đồng",
        "period_type": "monthly",
        "aggregation": "sum",
        "direction": "up",
        "decimals": 1,
    }
    return Indicator(**{**defaults, **fields})


def a_figure(ind: Indicator, period: str, **measures: object) -> Figure:
    report = ReportPeriod.parse(period)
    shown = report.shown_for(ind.period_type_enum)
    values = {
        k: (Decimal(str(v)) if isinstance(v, int | float | str) and k != "status" else v) for k, v in measures.items()
    }
    return Figure(
        indicator=ind,
        org_unit_id=1,
        shown=shown,
        measures=Measures(indicator=ind.code, org_unit="74", period=shown.period.code, **values),  # type: ignore[arg-type]
    )
