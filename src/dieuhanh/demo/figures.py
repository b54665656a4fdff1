"""The demo's figures: synthetic values for every stored indicator, written through the figures
service as one batch marked with its fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dieuhanh.demo.catalogue import UNITS_FILE, demo_data_dir, demo_document, demo_rules
from dieuhanh.demo.generate import DEFAULT_SEED, generate_values
from dieuhanh.demo.synth import GeneratedValue
from dieuhanh.demo.units import units_read
from dieuhanh.figures.choices import ImportFormat
from dieuhanh.figures.models import ImportBatch
from dieuhanh.figures.services import FigureRow, figures_write
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit

DEMO_SOURCE_NAME = "Số liệu mẫu giả lập (không phải số liệu chính thức)"
DEMO_CHANNEL = "demo"


def demo_generate(*, seed: int = DEFAULT_SEED, data_dir: Path | None = None) -> list[GeneratedValue]:
    """The demo's figures for ``seed``, without touching the database."""
    root = data_dir or demo_data_dir()
    document = demo_document(data_dir=root)
    return generate_values(units=units_read(root / UNITS_FILE), rules=demo_rules(document), seed=seed)


def fingerprint(values: list[GeneratedValue]) -> str:
    digest = hashlib.sha256()
    for v in values:
        digest.update(f"{v.indicator},{v.org_unit},{v.period},{v.value}\n".encode())
    return digest.hexdigest()


def demo_figures_write(values: list[GeneratedValue], *, checksum: str) -> ImportBatch:
    """The sample's figures, through the figures service; a value someone imported over the
    sample stays (their figure beats a made-up one)."""
    indicator_ids = dict(Indicator.objects.filter(code__in={v.indicator for v in values}).values_list("code", "id"))
    unit_ids = dict(OrgUnit.objects.filter(code__in={v.org_unit for v in values}).values_list("code", "id"))
    periods: dict[str, Period] = {}
    rows = []
    for v in values:
        if v.period not in periods:
            periods[v.period] = Period.parse(v.period)
        rows.append(FigureRow(indicator_ids[v.indicator], unit_ids[v.org_unit], periods[v.period], v.value))
    batch = ImportBatch(
        source_name=DEMO_SOURCE_NAME, file_format=ImportFormat.DEMO, channel=DEMO_CHANNEL, checksum=checksum
    )
    return figures_write(rows, batch=batch, keep_existing=True, announce=False)
