"""Boundaries of administrative units for the maps, from the GeoJSON files shipped in ``data/vn/``.

Each feature names its unit by GSO code (``province_code``, ``district_code`` or
``ward_code``; the most specific one wins), which is the ``code`` of the unit in the
catalogue. Files are read once per process. Units without a polygon (the demo's communes)
are drawn as points at their approximate centroid (``OrgUnit.latitude``/``longitude``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from dieuhanh.orgunits.models import OrgUnit

BOUNDARY_FOLDER = "vn"
# Most specific first: a district's feature also carries its province's code.
CODE_PROPERTIES = ("ward_code", "commune_code", "district_code", "province_code", "code")


def _code_of(properties: dict[str, Any]) -> str | None:
    for name in CODE_PROPERTIES:
        value = properties.get(name)
        if value not in (None, ""):
            return str(value)
    return None


@functools.cache
def _features(folder: Path) -> dict[str, dict[str, Any]]:
    """Every feature of every GeoJSON file in ``folder``, by unit code."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.geojson")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for feature in document.get("features", []):
            code = _code_of(feature.get("properties") or {})
            if code is not None and feature.get("geometry"):
                found.setdefault(code, feature)
    return found


def boundary_features() -> dict[str, dict[str, Any]]:
    """The shipped polygons, by unit code."""
    return _features(Path(settings.DIEUHANH_DATA_DIR) / BOUNDARY_FOLDER)


def boundary_codes(codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` have a polygon."""
    features = boundary_features()
    return {code for code in codes if code in features}


def boundary_collection(*, unit: OrgUnit, children: Sequence[OrgUnit], ancestors: Sequence[OrgUnit]) -> dict[str, Any]:
    """A FeatureCollection for the map of ``unit``: its children's polygons, or else its own outline.

    Every feature gets ``name`` = the unit's code (what the map joins figures on), ``label``
    and ``role``: ``child`` (a polygon to colour and click) or ``outline`` (the area the
    children's points lie in: the unit itself, or its nearest ancestor with a polygon).
    """
    features = boundary_features()
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
