"""Boundaries of administrative units for the maps, from the GeoJSON files shipped in ``data/vn/``.

Each feature names its unit by GSO code (``province_code``, ``district_code`` or
``ward_code``; the most specific one wins), which is the ``code`` of the unit in the
catalogue. A code names a unit only with a date (25747 is Phường Phú Cường until 30/6/2025 and
Phường Thủ Dầu Một after it), and so does a polygon: ``boundaries.json`` in the folder gives each
file its validity (``{"file.geojson": {"valid_from": "2025-07-01", "valid_to": null}}``), a
feature may narrow it with properties of the same names (or ``valid_until``), and a map takes the
polygon valid on its date. A file the manifest does not name is valid at all times. Files are read
once per process. Units without a polygon (the demo's communes) are drawn as points at their
approximate centroid (``OrgUnit.latitude``/``longitude``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import today

BOUNDARY_FOLDER = "vn"
MANIFEST = "boundaries.json"
# Most specific first: a district's feature also carries its province's code.
CODE_PROPERTIES = ("ward_code", "commune_code", "district_code", "province_code", "code")


def _code_of(properties: dict[str, Any]) -> str | None:
    for name in CODE_PROPERTIES:
        value = properties.get(name)
        if value not in (None, ""):
            return str(value)
    return None


def _day(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value not in (None, "") else None


@dataclass(frozen=True)
class Boundary:
    """A unit's polygon and the days it is the unit's (either end open)."""

    feature: dict[str, Any]
    valid_from: dt.date | None
    valid_to: dt.date | None

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


@functools.cache
def boundary_index(folder: Path) -> dict[str, list[Boundary]]:
    """Every feature of every GeoJSON file in ``folder``, by unit code, each with its validity."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    found: dict[str, list[Boundary]] = defaultdict(list)
    for path in sorted(folder.glob("*.geojson")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        dated = manifest.get(path.name) or {}
        for feature in document.get("features", []):
            properties = feature.get("properties") or {}
            code = _code_of(properties)
            if code is None or not feature.get("geometry"):
                continue
            valid_from = _day(properties.get("valid_from")) or _day(dated.get("valid_from"))
            valid_to = (
                _day(properties.get("valid_to")) or _day(properties.get("valid_until")) or _day(dated.get("valid_to"))
            )
            found[code].append(Boundary(feature=feature, valid_from=valid_from, valid_to=valid_to))
    return dict(found)


def boundary_features(*, on: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """The shipped polygons valid ``on`` (default today), by unit code."""
    day = on or today()
    index = boundary_index(Path(settings.DIEUHANH_DATA_DIR) / BOUNDARY_FOLDER)
    found: dict[str, dict[str, Any]] = {}
    for code, shapes in index.items():
        shape = next((s for s in shapes if s.is_valid_on(day)), None)
        if shape is not None:
            found[code] = shape.feature
    return found


def unit_boundary(code: str, *, on: dt.date, dated: bool = False) -> dict[str, Any] | None:
    """The one polygon of ``code`` valid ``on``; None when there is none, or more than one. With
    ``dated`` (a code two units carry at different times), only a polygon whose validity the files
    state: one valid at all times cannot say which of the two units it is."""
    index = boundary_index(Path(settings.DIEUHANH_DATA_DIR) / BOUNDARY_FOLDER)
    valid = [s for s in index.get(code, []) if s.is_valid_on(on)]
    if len(valid) != 1:
        return None
    if dated and valid[0].valid_from is None and valid[0].valid_to is None:
        return None
    return valid[0].feature


def boundary_codes(codes: Iterable[str], *, on: dt.date | None = None) -> set[str]:
    """Which of ``codes`` have a polygon valid ``on`` (default today)."""
    features = boundary_features(on=on)
    return {code for code in codes if code in features}


def boundary_collection(
    *, unit: OrgUnit, children: Sequence[OrgUnit], ancestors: Sequence[OrgUnit], on: dt.date | None = None
) -> dict[str, Any]:
    """A FeatureCollection for the map of ``unit`` on a day: its children's polygons, or else its own outline.

    Every feature gets ``name`` = the unit's code (what the map joins figures on), ``label``
    and ``role``: ``child`` (a polygon to colour and click) or ``outline`` (the area the
    children's points lie in: the unit itself, or its nearest ancestor with a polygon).
    """
    features = boundary_features(on=on)
    out: list[dict[str, Any]] = []
    for child in children:
        feature = features.get(child.code)
        if feature is not None:
            out.append(_feature(feature, child, "child"))
    if not out:
        for area in (unit, *reversed(ancestors)):
            feature = features.get(area.code)
            if feature is not None:
                out.append(_feature(feature, area, "outline"))
                break
    return {"type": "FeatureCollection", "features": out}


def _feature(feature: dict[str, Any], unit: OrgUnit, role: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": unit.code, "label": unit.name, "role": role},
        "geometry": feature["geometry"],
    }
