"""The demo's catalogue: the units of the 1 July 2025 reform around Hồ Chí Minh City (the three former
provinces until 30/6/2025, the new city and its 168 communes since, from the reference files in
``data/vn``), their successions with the demo's shares, and the YAML catalogue of sectors, agencies,
indicators and targets, as one document for the catalogue loader."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from dieuhanh.demo.reform import ReformDataError, part_shares_read, reform_org_units, reform_read, reform_successions
from dieuhanh.demo.synth import IndicatorRules

# Bình Dương's units alone (the generator of its 2019–2023 figures reads them from here).
UNITS_FILE = Path("vn") / "binhduong_pre2025_units.csv"
CATALOGUE_FILE = Path("demo") / "binhduong-catalogue.yaml"


class DemoDataError(Exception):
    """The demo's reference files are missing or unreadable."""


def demo_data_dir() -> Path:
    """The ``data/`` folder of the source tree, unless settings name another one."""
    return Path(settings.DIEUHANH_DATA_DIR)


def demo_document(*, data_dir: Path | None = None) -> dict[str, Any]:
    """The catalogue document: the reform's units and successions (with the demo's shares), then the
    YAML catalogue (its agencies after the units)."""
    root = data_dir or demo_data_dir()
    try:
        reform = reform_read(root)
        shares = part_shares_read(root)
        catalogue = yaml.safe_load((root / CATALOGUE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, ReformDataError, yaml.YAMLError) as exc:
        raise DemoDataError(_("The demo's data files cannot be read: %(error)s") % {"error": exc}) from exc
    document = dict(catalogue)
    document["org_units"] = reform_org_units(reform) + list(catalogue.get("org_units") or [])
    document["successions"] = reform_successions(reform, shares) + list(catalogue.get("successions") or [])
    return document


def demo_aggregations(document: dict[str, Any]) -> dict[str, str]:
    """Each indicator's aggregation (sum, last, average, none, ratio), by code."""
    return {item["code"]: item.get("aggregation", "sum") for item in document.get("indicators") or []}


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
