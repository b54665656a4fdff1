"""The demo's catalogue: Bình Dương's units (from the reference CSV) and the YAML catalogue of
sectors, agencies, indicators and targets, as one document for the catalogue loader."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from dieuhanh.demo.synth import IndicatorRules
from dieuhanh.demo.units import units_as_documents, units_read

UNITS_FILE = Path("vn") / "binhduong_pre2025_units.csv"
CATALOGUE_FILE = Path("demo") / "binhduong-catalogue.yaml"


class DemoDataError(Exception):
    """The demo's reference files are missing or unreadable."""


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
