"""Load the Bình Dương demo: its catalogue and its synthetic figures, in one transaction.

``demo_load`` is idempotent. The catalogue (units, agencies, indicators, targets) is
upserted by code, so loading it again changes nothing. The figures carry a fingerprint
(the SHA-256 of the generated values, kept as the demo batch's checksum): if the
database already holds exactly that sample, it is left alone; otherwise — another
seed, a newer generator, values deleted — every value of earlier demo batches is
deleted and the new sample written. Values that someone has since imported over a
demo value (they belong to another batch) are kept and win over the sample.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.demo.generate import DEFAULT_SEED, generate_values
from dieuhanh.demo.synth import GeneratedValue, IndicatorRules
from dieuhanh.demo.units import units_as_documents, units_read
from dieuhanh.figures.choices import ImportFormat, ImportStatus
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.services import FigureRow, figures_changed, figures_withdraw, figures_write
from dieuhanh.indicators.metadata import MetadataLoadResult, metadata_load
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit

DEMO_SOURCE_NAME = "Số liệu mẫu giả lập (không phải số liệu chính thức)"
DEMO_CHANNEL = "demo"
UNITS_FILE = Path("vn") / "binhduong_pre2025_units.csv"
CATALOGUE_FILE = Path("demo") / "binhduong-catalogue.yaml"


class DemoDataError(Exception):
    """The demo's reference files are missing or unreadable."""


@dataclass(frozen=True)
class DemoLoadResult:
    """What a load did, for the command's summary and for tests."""

    seed: int
    org_units: int
    indicators: int
    targets: int
    values: int
    written: int
    replaced: int
    catalogue: MetadataLoadResult
    batch_id: int
    seconds: float

    @property
    def unchanged(self) -> bool:
        """True when the database already held this very sample."""
        return self.written == 0 and self.replaced == 0


def demo_data_dir() -> Path:
    """The ``data/`` folder of the source tree, unless settings name another one."""
    return Path(settings.DIEUHANH_DATA_DIR)


def demo_document(*, data_dir: Path | None = None) -> dict[str, Any]:
    """The catalogue document: Bình Dương's units from the CSV, then the YAML catalogue."""
    root = data_dir or demo_data_dir()
    try:
        units = units_read(root / UNITS_FILE)
        catalogue = yaml.safe_load((root / CATALOGUE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, yaml.YAMLError) as exc:
        raise DemoDataError(_("The demo's data files cannot be read: %(error)s") % {"error": exc}) from exc
    document = dict(catalogue)
    document["org_units"] = units_as_documents(units) + list(catalogue.get("org_units") or [])
    return document


def demo_rules(document: dict[str, Any]) -> dict[str, IndicatorRules]:
    """Decimals and bounds of every stored (non-ratio) indicator of the document."""

    def bound(value: object) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    return {
        item["code"]: IndicatorRules(
            code=item["code"],
            period_type=item.get("period_type", "monthly"),
            decimals=int(item.get("decimals", 1)),
            min_value=bound(item.get("min")),
            max_value=bound(item.get("max")),
        )
        for item in document.get("indicators") or []
        if item.get("aggregation") != "ratio"
    }


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


def demo_load(*, seed: int = DEFAULT_SEED, data_dir: Path | None = None) -> DemoLoadResult:
    """Upsert the demo catalogue and make the database hold the sample for ``seed``."""
    started = time.perf_counter()
    root = data_dir or demo_data_dir()
    document = demo_document(data_dir=root)
    values = generate_values(units=units_read(root / UNITS_FILE), rules=demo_rules(document), seed=seed)
    checksum = fingerprint(values)

    with transaction.atomic():
        catalogue = metadata_load(document=document)
        current = (
            ImportBatch.objects.filter(file_format=ImportFormat.DEMO, status=ImportStatus.COMMITTED, checksum=checksum)
            .order_by("-id")
            .first()
        )
        demo_batches = ImportBatch.objects.filter(file_format=ImportFormat.DEMO)
        if (
            current is not None
            and demo_batches.count() == 1
            and DataValue.objects.filter(batch=current).count() == current.rows_created
        ):
            written = replaced = 0
            batch = current
        else:
            replaced = figures_withdraw(batches=demo_batches)
            batch = _write_values(values, checksum=checksum)
            written = batch.rows_created
        stored = DataValue.objects.filter(batch=batch).count()
        # One announcement for the withdrawn sample and the new one; ``complete`` also brings
        # rollups left out of date before (a catalogue just loaded) up to date.
        figures_changed(count=written + replaced, complete=True)

    return DemoLoadResult(
        seed=seed,
        org_units=len(document["org_units"]),
        indicators=len(document.get("indicators") or []),
        targets=len(document.get("targets") or []),
        values=stored,
        written=written,
        replaced=replaced,
        catalogue=catalogue,
        batch_id=batch.pk,
        seconds=time.perf_counter() - started,
    )


def _write_values(values: list[GeneratedValue], *, checksum: str) -> ImportBatch:
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
