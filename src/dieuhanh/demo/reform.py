"""The 1 July 2025 reform around Hồ Chí Minh City, read from the reference files in ``data/vn``.

Until 30 June 2025: three provinces — Hồ Chí Minh City (79), Bình Dương (74), Bà Rịa – Vũng Tàu
(77) — with their district-level units and communes (``hcmc_pre2025_units.csv``). From 1 July
2025: the new Hồ Chí Minh City (79 again) with 168 communes directly under it
(``hcmc_2025_units.csv``). Between them, the official conversion table, one row per (old unit,
new unit) with how the old one went (``hcmc_2025_old_to_new.csv``): the successions.

A code names a unit only with a date: 167 of the new communes carry the code of the old commune
that hosts their People's Committee, and the new city the code of the old one. See
``data/PROVENANCE.md`` for where each file comes from.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from dieuhanh.demo.units import english_name
from dieuhanh.orgunits.choices import MergeType

REFORM_DATE = dt.date(2025, 7, 1)
LAST_OLD_DAY = REFORM_DATE - dt.timedelta(days=1)
CITY_CODE = "79"
CITY_NAME = "Thành phố Hồ Chí Minh"
OLD_UNITS_FILE = Path("vn") / "hcmc_pre2025_units.csv"
NEW_UNITS_FILE = Path("vn") / "hcmc_2025_units.csv"
CONVERSION_FILE = Path("vn") / "hcmc_2025_old_to_new.csv"
# The demo's illustrative shares of the parts (the official table gives none): see ``part_shares_by_area``.
SHARES_FILE = Path("demo") / "hcmc_2025_part_shares.csv"
SHARE_DECIMALS = 6
# The provinces merged into the new city, by Resolution 202/2025/QH15 (in its order).
FORMER_PROVINCES = ("79", "74", "77")

# The new units' kinds in the reference file, as the names begin.
_NEW_TYPES = {"phuong": "Phường", "xa": "Xã", "dac_khu": "Đặc khu"}


class ReformDataError(ValueError):
    """A reference file does not say what this module expects; the message names the file and line."""


@dataclass(frozen=True)
class OldUnit:
    code: str
    name: str
    type: str
    parent: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    type: str
    latitude: float
    longitude: float
    area_km2: float | None


@dataclass(frozen=True)
class Conversion:
    """One row of the conversion table: where (part of) an old unit went."""

    old: str
    new: str
    merge_type: str
    text: str


@dataclass(frozen=True)
class Reform:
    provinces: tuple[OldUnit, ...]
    districts: tuple[OldUnit, ...]
    communes: tuple[OldUnit, ...]
    new_communes: tuple[NewUnit, ...]
    conversions: tuple[Conversion, ...]

    def reused_codes(self) -> set[str]:
        """Codes that name an old commune until 30/6/2025 and a new one from 1/7/2025."""
        return {u.code for u in self.new_communes} & {u.code for u in self.communes}


def merge_type_of(text: str, *, where: str) -> str:
    """The conversion table's wording of how a unit went, as a merge type. Wording not known here is
    refused rather than guessed: a part read as whole would carry all of a unit's figures."""
    words = " ".join(text.split()).lower()
    if "một phần" in words:
        return MergeType.PART
    if words in {"nhập toàn bộ", "sáp nhập toàn bộ"} or words.startswith("sắp xếp toàn bộ"):
        return MergeType.WHOLE
    if words == "giữ nguyên":
        return MergeType.UNCHANGED
    if words.startswith("đổi tên"):
        return MergeType.RENAMED
    raise ReformDataError(f"{where}: unknown merge type {text!r}")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from enumerate(csv.DictReader(handle), start=2)
    except OSError as exc:
        raise ReformDataError(f"{path}: {exc.strerror or exc}") from exc


def _coordinate(text: str) -> float | None:
    return float(text) if text.strip() else None


def reform_read(root: Path) -> Reform:
    """Read the three reference files under ``root`` (the data folder) and check they agree."""
    provinces: dict[str, OldUnit] = {}
    districts: dict[str, OldUnit] = {}
    communes: list[OldUnit] = []
    for line, row in _rows(root / OLD_UNITS_FILE):
        province = row["province_code"]
        if province not in FORMER_PROVINCES:
            raise ReformDataError(f"{OLD_UNITS_FILE}:{line}: unexpected province {province!r}")
        name = row["province"]
        kind = "Thành phố" if name.startswith("Thành phố") else "Tỉnh"
        provinces.setdefault(province, OldUnit(province, name, kind, "", None, None))
        district = row["district_code"]
        districts.setdefault(
            district,
            OldUnit(
                district,
                row["district"],
                row["district_type"],
                province,
                _coordinate(row["district_lat"]),
                _coordinate(row["district_lon"]),
            ),
        )
        if row["ward_code"]:  # Côn Đảo was a district without communes
            communes.append(
                OldUnit(
                    row["ward_code"],
                    row["ward"],
                    row["ward_type"],
                    district,
                    _coordinate(row["ward_lat"]),
                    _coordinate(row["ward_lon"]),
                )
            )
    new_communes = []
    for line, row in _rows(root / NEW_UNITS_FILE):
        if row["kind"] not in _NEW_TYPES:
            raise ReformDataError(f"{NEW_UNITS_FILE}:{line}: unknown kind {row['kind']!r}")
        area = row.get("area_km2_official", "")
        new_communes.append(
            NewUnit(
                row["code"],
                row["name"],
                _NEW_TYPES[row["kind"]],
                float(row["lat"]),
                float(row["lon"]),
                float(area) if area else None,
            )
        )
    old_codes = {u.code for u in communes} | set(districts)
    new_codes = {u.code for u in new_communes}
    conversions = []
    for line, row in _rows(root / CONVERSION_FILE):
        where = f"{CONVERSION_FILE}:{line}"
        # The table leaves the old unit empty where a whole district became a unit (Côn Đảo).
        old = row["old_code"] or row["old_district_code"]
        if old not in old_codes or row["new_code"] not in new_codes:
            raise ReformDataError(f"{where}: {old!r} → {row['new_code']!r} names a unit not in the unit files")
        conversions.append(
            Conversion(old, row["new_code"], merge_type_of(row["merge_type"], where=where), row["merge_type"])
        )
    return Reform(
        provinces=tuple(provinces[p] for p in FORMER_PROVINCES if p in provinces),
        districts=tuple(sorted(districts.values(), key=lambda d: (FORMER_PROVINCES.index(d.parent), d.code))),
        communes=tuple(sorted(communes, key=lambda c: (c.parent, c.code))),
        new_communes=tuple(sorted(new_communes, key=lambda c: c.code)),
        conversions=tuple(conversions),
    )


def _located(document: dict[str, Any], latitude: float | None, longitude: float | None) -> dict[str, Any]:
    if latitude is not None and longitude is not None:
        document["latitude"], document["longitude"] = latitude, longitude
    return document


def reform_org_units(reform: Reform) -> list[dict[str, Any]]:
    """The ``org_units`` of a catalogue document: the old map until 30/6/2025, then the new one."""
    until = LAST_OLD_DAY.isoformat()
    documents: list[dict[str, Any]] = []
    for order, province in enumerate(reform.provinces, start=1):
        documents.append(
            {
                "code": province.code,
                "name": province.name,
                "name_en": english_name(province.name, province.type),
                "kind": "province",
                "valid_to": until,
                "sort_order": order,
            }
        )
    for group, kind in ((reform.districts, "district"), (reform.communes, "commune")):
        for order, unit in enumerate(group, start=1):
            documents.append(
                _located(
                    {
                        "code": unit.code,
                        "name": unit.name,
                        "name_en": english_name(unit.name, unit.type),
                        "kind": kind,
                        "parent": unit.parent,
                        "valid_to": until,
                        "sort_order": order,
                    },
                    unit.latitude,
                    unit.longitude,
                )
            )
    since = REFORM_DATE.isoformat()
    documents.append(
        {
            "code": CITY_CODE,
            "name": CITY_NAME,
            "name_en": english_name(CITY_NAME, "Thành phố"),
            "kind": "province",
            "valid_from": since,
        }
    )
    for order, new in enumerate(reform.new_communes, start=1):
        documents.append(
            _located(
                {
                    "code": new.code,
                    "name": new.name,
                    "name_en": english_name(new.name, new.type),
                    "kind": "commune",
                    "parent": CITY_CODE,
                    "valid_from": since,
                    "sort_order": order,
                },
                new.latitude,
                new.longitude,
            )
        )
    return documents


def part_shares_by_area(reform: Reform) -> dict[tuple[str, str], Decimal]:
    """An illustrative share for every part of the conversion table: an old unit split between several
    new communes is divided among them in proportion to their official areas (``area_km2_official``).

    This is the demo's choice, not an official figure: the table says which new communes received a
    part of an old one, not how much of it. The shares of one old unit add up to 1 (to the sixth decimal).
    """
    area = {new.code: new.area_km2 for new in reform.new_communes}
    successors: dict[str, list[str]] = {}
    for conversion in reform.conversions:
        if conversion.merge_type == MergeType.PART:
            successors.setdefault(conversion.old, []).append(conversion.new)
    quantum = Decimal(1).scaleb(-SHARE_DECIMALS)
    shares: dict[tuple[str, str], Decimal] = {}
    for old, news in successors.items():
        if any(area[new] is None for new in news):
            raise ReformDataError(f"{NEW_UNITS_FILE}: an area is missing among the successors of {old}")
        total = sum(Decimal(str(area[new])) for new in news)
        for new in news:
            shares[(old, new)] = (Decimal(str(area[new])) / total).quantize(quantum)
    return shares


def part_shares_read(root: Path) -> dict[tuple[str, str], Decimal | None]:
    """The demo's shares of the parts (``data/demo/hcmc_2025_part_shares.csv``): (old, new) → share, None
    where the file leaves the share empty on purpose (the demo's "share not known yet")."""
    shares: dict[tuple[str, str], Decimal | None] = {}
    for line, row in _rows(root / SHARES_FILE):
        text = row["share"].strip()
        try:
            shares[(row["old_code"], row["new_code"])] = Decimal(text) if text else None
        except ArithmeticError as exc:
            raise ReformDataError(f"{SHARES_FILE}:{line}: {text!r} is not a share") from exc
    return shares


def reform_successions(
    reform: Reform, shares: Mapping[tuple[str, str], Decimal | None] | None = None
) -> list[dict[str, Any]]:
    """The ``successions``: each former province went whole into the new city; each old commune (or
    district without communes) went as the conversion table says, a part with its share in ``shares``
    when one is given there (else not known)."""
    shares = shares or {}
    effective = REFORM_DATE.isoformat()
    documents: list[dict[str, Any]] = [
        {
            "predecessor": p.code,
            "successor": CITY_CODE,
            "effective_date": effective,
            "merge_type": MergeType.WHOLE.value,
        }
        for p in reform.provinces
    ]
    for conversion in reform.conversions:
        document: dict[str, Any] = {
            "predecessor": conversion.old,
            "successor": conversion.new,
            "effective_date": effective,
            "merge_type": str(conversion.merge_type),
            "note": conversion.text[:200],
        }
        share = shares.get((conversion.old, conversion.new))
        if conversion.merge_type == MergeType.PART and share is not None:
            document["share"] = str(share)
        documents.append(document)
    return documents
