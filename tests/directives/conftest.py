"""Fixtures of the directive tests: a small province with agencies, the three actors, a movable clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.extraction import AgencyCatalogue, AgencyRecord, catalogue_from
from dieuhanh.directives.models import AgencyContact, SourceDocument
from dieuhanh.orgunits.models import OrgUnit
from tests.factories import OrgUnitFactory, UserFactory


@dataclass
class Clock:
    """Today, as every service and page sees it; tests move it across deadlines."""

    today: dt.date

    def move_to(self, day: dt.date) -> None:
        self.today = day

    def advance(self, days: int) -> None:
        self.today += dt.timedelta(days=days)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    current = Clock(dt.date(2024, 9, 12))
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: current.today)
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime.combine(current.today, dt.time(2, 0), tzinfo=dt.UTC))
    return current


@dataclass
class Province:
    """Tỉnh 74 with two district-level units and four agencies outside the tree."""

    province: OrgUnit
    thu_dau_mot: OrgUnit
    bau_bang: OrgUnit
    planning: OrgUnit
    finance: OrgUnit
    health: OrgUnit
    office: OrgUnit


@pytest.fixture
def province(db: None) -> Province:
    root = OrgUnitFactory(code="74", name="Tỉnh Bình Dương", kind="province")
    return Province(
        province=root,
        thu_dau_mot=OrgUnitFactory(code="718", name="Thành phố Thủ Dầu Một", kind="district", parent=root),
        bau_bang=OrgUnitFactory(code="719", name="Huyện Bàu Bàng", kind="district", parent=root),
        planning=OrgUnitFactory(code="SKHDT", name="Sở Kế hoạch và Đầu tư tỉnh Bình Dương", kind="agency"),
        finance=OrgUnitFactory(code="STC", name="Sở Tài chính tỉnh Bình Dương", kind="agency"),
        health=OrgUnitFactory(code="SYT", name="Sở Y tế tỉnh Bình Dương", kind="agency"),
        office=OrgUnitFactory(code="VPUBND", name="Văn phòng UBND tỉnh Bình Dương", kind="agency"),
    )


@pytest.fixture
def office_user(db: None):  # type: ignore[no-untyped-def]
    """Staff of the provincial office, an operator: adds directives and confirms completion."""
    user = UserFactory(username="office", email="office@example.org")
    membership_add(user=user, role=Role.OPERATOR)
    return user


@pytest.fixture
def reporter(province: Province):  # type: ignore[no-untyped-def]
    """The health department's focal point for directives."""
    user = UserFactory(username="yte", email="yte@example.org")
    AgencyContact.objects.create(org_unit=province.health, user=user)
    return user


@pytest.fixture
def outsider(db: None):  # type: ignore[no-untyped-def]
    """A viewer of the province (a leader: reads the whole register), but neither a contact of any
    agency nor allowed to change directives."""
    user = UserFactory(username="outsider")
    membership_add(user=user, role=Role.VIEWER, org_unit=OrgUnitFactory(code="74", kind="province"))
    return user


@pytest.fixture
def source(province: Province) -> SourceDocument:
    return SourceDocument.objects.create(
        kind=SourceKind.CONCLUSION_NOTICE, number="412/TB-UBND", date=dt.date(2024, 9, 12), org_unit=province.province
    )


@pytest.fixture
def demo_units(db: None) -> None:
    """The demo's Bình Dương: its 122 units (province, districts, communes, agencies) in the catalogue."""
    from dieuhanh.indicators.metadata import metadata_load

    metadata_load(document={"org_units": binh_duong_units()})


def binh_duong_units() -> list[dict[str, Any]]:
    """Bình Dương's units and its agencies as the demo's catalogue gives them (the seed article's
    province alone, without the rest of the reform the demo holds)."""
    from dieuhanh.demo.catalogue import UNITS_FILE, demo_data_dir, demo_document
    from dieuhanh.demo.units import units_read

    units = units_read(demo_data_dir() / UNITS_FILE)
    codes = {"74"} | {d.code for d in units.districts} | {c.code for c in units.communes}
    return [
        u
        for u in demo_document()["org_units"]
        if u.get("kind") == "agency" or (u["code"] in codes and u.get("valid_to") == "2025-06-30")
    ]


def demo_catalogue(on: dt.date | None = None) -> AgencyCatalogue:
    """The demo's Bình Dương units, as the extractor sees them, without a database."""
    records = [AgencyRecord(code=u["code"], name=u["name"], kind=u.get("kind", "other")) for u in binh_duong_units()]
    return catalogue_from(records, on=on)
