"""The administrative units of Bình Dương before 1 July 2025, read from the reference CSV.

The file (``data/vn/binhduong_pre2025_units.csv``, see ``data/PROVENANCE.md``) has one row
per commune-level unit with its district and province. This module turns it into the
tree the catalogue loader takes: province 74, its 9 district-level units and 91 communes.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROVINCE_CODE = "74"
PROVINCE_NAME = "Tỉnh Bình Dương"
# The 1 July 2025 reform merged Bình Dương into Hồ Chí Minh City and abolished the
# district level, so every unit of this file ended the day before.
VALID_TO = dt.date(2025, 6, 30)

_TYPE_EN = {
    "Tỉnh": "Province",
    "Thành phố": "City",
    "Thị xã": "Town",
    "Huyện": "District",
    "Phường": "Ward",
    "Xã": "Commune",
    "Thị trấn": "Township",
    "Quận": "District",
    "Đặc khu": "Special Zone",
}


@dataclass(frozen=True)
class District:
    code: str
    name: str
    type: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    type: str
    district: str
    latitude: float
    longitude: float

    @property
    def is_rural(self) -> bool:
        """A xã (rural commune), as opposed to an urban phường or a thị trấn."""
        return self.type == "Xã"


@dataclass(frozen=True)
class AdminUnits:
    """Province 74 and its units, in the file's order (districts by GSO code)."""

    districts: tuple[District, ...]
    communes: tuple[Commune, ...]

    def communes_of(self, district_code: str) -> tuple[Commune, ...]:
        return tuple(c for c in self.communes if c.district == district_code)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def english_name(name: str, unit_type: str) -> str:
    """The form used in English-language documents: "Phường Hiệp Thành" → "Hiep Thanh Ward"."""
    bare = name[len(unit_type) :].strip() if name.startswith(unit_type) else name
    return f"{_ascii(bare)} {_TYPE_EN.get(unit_type, '')}".strip()


def units_read(path: Path) -> AdminUnits:
    """Read the reference CSV; raise ValueError if it is not the Bình Dương file we expect."""
    districts: dict[str, District] = {}
    communes: list[Commune] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["province_code"] != PROVINCE_CODE:
                raise ValueError(f"{path}: unexpected province {row['province_code']!r}")
            code = row["district_code"]
            if code not in districts:
                districts[code] = District(
                    code=code,
                    name=row["district"],
                    type=row["district_type"],
                    latitude=float(row["district_lat"]),
                    longitude=float(row["district_lon"]),
                )
            communes.append(
                Commune(
                    code=row["ward_code"],
                    name=row["ward"],
                    type=row["ward_type"],
                    district=code,
                    latitude=float(row["ward_lat"]),
                    longitude=float(row["ward_lon"]),
                )
            )
    return AdminUnits(
        districts=tuple(sorted(districts.values(), key=lambda d: d.code)),
        communes=tuple(sorted(communes, key=lambda c: (c.district, c.code))),
    )


def units_as_documents(units: AdminUnits) -> list[dict[str, Any]]:
    """The ``org_units`` entries of a catalogue document, parents before children."""
    valid_to = VALID_TO.isoformat()
    documents: list[dict[str, Any]] = [
        {
            "code": PROVINCE_CODE,
            "name": PROVINCE_NAME,
            "name_en": english_name(PROVINCE_NAME, "Tỉnh"),
            "kind": "province",
            "parent": None,
            "valid_to": valid_to,
        }
    ]
    for order, district in enumerate(units.districts, start=1):
        documents.append(
            {
                "code": district.code,
                "name": district.name,
                "name_en": english_name(district.name, district.type),
                "kind": "district",
                "parent": PROVINCE_CODE,
                "valid_to": valid_to,
                "latitude": district.latitude,
                "longitude": district.longitude,
                "sort_order": order,
            }
        )
    for order, commune in enumerate(units.communes, start=1):
        documents.append(
            {
                "code": commune.code,
                "name": commune.name,
                "name_en": english_name(commune.name, commune.type),
                "kind": "commune",
                "parent": commune.district,
                "valid_to": valid_to,
                "latitude": commune.latitude,
                "longitude": commune.longitude,
                "sort_order": order,
            }
        )
    return documents
