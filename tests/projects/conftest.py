"""A small public-investment register on the shared tree (``tests/conftest.py``): three investors
(provincial agencies) and helpers that write projects, plans and disbursement through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

import pytest

from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.projects.choices import AllocationKind, ProjectGroup, ProjectSector, ProjectStage
from dieuhanh.projects.models import Project
from dieuhanh.projects.services import DisbursementRow, allocation_add, disbursements_write, project_save
from tests.conftest import Tree
from tests.factories import OrgUnitFactory

TODAY = dt.date(2024, 12, 15)


@dataclass
class Register:
    tree: Tree
    transport: OrgUnit  # Sở Giao thông vận tải
    health: OrgUnit  # Sở Y tế
    construction: OrgUnit  # Ban Quản lý dự án đầu tư xây dựng tỉnh
    natural: OrgUnit  # Sở Tài nguyên và Môi trường: resolves land obstacles


@pytest.fixture
def register(tree: Tree) -> Register:
    def agency(code: str, name: str) -> OrgUnit:
        return OrgUnitFactory(code=code, name=name, kind="agency")

    return Register(
        tree=tree,
        transport=agency("SGTVT", "Sở Giao thông vận tải"),
        health=agency("SYT", "Sở Y tế"),
        construction=agency("BQLDA", "Ban Quản lý dự án đầu tư xây dựng tỉnh"),
        natural=agency("STNMT", "Sở Tài nguyên và Môi trường"),
    )


@pytest.fixture
def today() -> Iterator[dt.date]:
    """The clock of the directives' rules (a report may not be dated after today)."""
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield TODAY


def project(
    code: str,
    investor: OrgUnit,
    *,
    locations: Sequence[OrgUnit] = (),
    plan: dict[str, int] | None = None,
    year: int = 2024,
    total: int = 100_000,
    sources: Sequence[str] = ("provincial",),
    geometry: dict[str, object] | None = None,
    sector: str = ProjectSector.TRANSPORT,
    group: str = ProjectGroup.B,
) -> Project:
    """A project with its plan of ``year`` assigned on 1 January (``plan``: source → million đồng)."""
    item = project_save(
        code=code,
        name=f"Dự án {code}",
        investor=investor,
        group=group,
        sector=sector,
        stage=ProjectStage.IMPLEMENTATION,
        total_investment=Decimal(total),
        sources=list(sources),
        locations=list(locations),
        geometry=geometry,
    )
    for source, amount in (plan or {}).items():
        allocation_add(
            project=item,
            year=year,
            source=source,
            kind=AllocationKind.INITIAL,
            amount=Decimal(amount),
            effective_on=dt.date(year, 1, 1),
            decision_number=f"{year}/QĐ-UBND",
            decision_date=dt.date(year - 1, 12, 20),
        )
    return item


def disburse(item: Project, period: str, amount: int | str, *, source: str = "provincial", year: int = 2024) -> None:
    disbursements_write(rows=[DisbursementRow(item.pk, year, source, period, Decimal(amount))])
