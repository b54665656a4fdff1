"""The demo's figures: synthetic values for every stored indicator, written through the figures
service as one batch marked with its fingerprint.

Bình Dương's 2019–2023 come from ``generate.py``; the rest of the three former provinces' history to
June 2025 and the new Hồ Chí Minh City's figures from July 2025 to the cut-off month from ``present.py``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dieuhanh.demo.catalogue import UNITS_FILE, demo_aggregations, demo_data_dir, demo_document, demo_rules
from dieuhanh.demo.generate import DEFAULT_SEED, build
from dieuhanh.demo.present import present_series
from dieuhanh.demo.reform import part_shares_read, reform_read
from dieuhanh.demo.synth import GeneratedValue, Synth, series_values
from dieuhanh.demo.units import units_read
from dieuhanh.figures.choices import DataValueStatus, ImportFormat
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.services import FigureRow, figures_write
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.selectors import today, unit_in, units_by_code

DEMO_SOURCE_NAME = "Số liệu mẫu giả lập (không phải số liệu chính thức)"
DEMO_CHANNEL = "demo"
# How many communes' figures of the latest month await approval in the demo: the leaders' toggle
# "Gồm số liệu chờ phê duyệt" then shows a difference (docs/dashboards.md).
AWAITING_COMMUNES = 3


def demo_last_month() -> Period:
    """The default cut-off of the demo's figures: the last complete month before today."""
    this = Period.containing(today(), PeriodType.MONTHLY)
    return Period.from_ordinal(PeriodType.MONTHLY, this.ordinal - 1)


def demo_generate(
    *, seed: int = DEFAULT_SEED, data_dir: Path | None = None, until: Period | None = None
) -> list[GeneratedValue]:
    """The demo's figures for ``seed`` up to the month ``until`` (default ``demo_last_month()``), without
    touching the database; a value does not depend on ``until``, only whether it is there."""
    root = data_dir or demo_data_dir()
    document = demo_document(data_dir=root)
    rules = demo_rules(document)
    last = until or demo_last_month()
    base = build(Synth(units=units_read(root / UNITS_FILE), rules=rules, seed=seed))
    values = base.values()
    more = present_series(
        base=base,
        reform=reform_read(root),
        rules=rules,
        aggregations=demo_aggregations(document),
        shares=part_shares_read(root),
        seed=seed,
        last_month=(last.end_date.year, last.end_date.month),
    )
    return sorted(values + series_values(more, rules))


def fingerprint(values: list[GeneratedValue]) -> str:
    digest = hashlib.sha256()
    for v in values:
        digest.update(f"{v.indicator},{v.org_unit},{v.period},{v.value}\n".encode())
    return digest.hexdigest()


def demo_figures_write(values: list[GeneratedValue], *, checksum: str) -> ImportBatch:
    """The sample's figures, through the figures service; a value someone imported over the
    sample stays (their figure beats a made-up one)."""
    indicator_ids = dict(Indicator.objects.filter(code__in={v.indicator for v in values}).values_list("code", "id"))
    # A code names a unit only with a date (79 is the former city until 30/6/2025 and the new one
    # since): each figure goes to the unit its code names in its period, as an import row would.
    candidates = units_by_code({v.org_unit for v in values})
    periods: dict[str, Period] = {}
    unit_ids: dict[tuple[str, str], int] = {}
    rows = []
    for v in values:
        period = periods.get(v.period)
        if period is None:
            period = periods[v.period] = Period.parse(v.period)
        key = (v.org_unit, v.period)
        unit_id = unit_ids.get(key)
        if unit_id is None:
            unit = unit_in(candidates[v.org_unit], period.start_date, period.end_date)
            if unit is None:
                raise ValueError(f"{v.org_unit} names no unit in {v.period}")
            unit_id = unit_ids[key] = unit.pk
        rows.append(FigureRow(indicator_ids[v.indicator], unit_id, period, v.value))
    batch = ImportBatch(
        source_name=DEMO_SOURCE_NAME, file_format=ImportFormat.DEMO, channel=DEMO_CHANNEL, checksum=checksum
    )
    # The history is approved (the province's figures as published); a few communes' latest month
    # awaits approval (``demo_awaiting``).
    return figures_write(rows, batch=batch, keep_existing=True, announce=False, status=DataValueStatus.APPROVED)


def demo_awaiting(batch: ImportBatch, *, last: Period) -> list[str]:
    """Leave the figures of the month ``last`` of a few communes submitted, awaiting approval, as
    they would be on the day after reports are due; returns their codes. The caller announces the
    change (the rollups, which hold approved figures, are rebuilt after the load)."""
    latest = DataValue.objects.filter(batch=batch, period=last.code, org_unit__kind=OrgUnitKind.COMMUNE)
    codes = sorted(set(latest.order_by().values_list("org_unit__code", flat=True)))[:AWAITING_COMMUNES]
    latest.filter(org_unit__code__in=codes).update(status=DataValueStatus.SUBMITTED)
    return codes
