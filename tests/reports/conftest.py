"""Report tests: the dashboards' small province with plans, files kept in a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.orgunits.models import OrgUnit
from tests.dashboard.conftest import Plans, plans
from tests.factories import OrgUnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """Kept reports go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reader(db: None):  # type: ignore[no-untyped-def]
    """A leader (a viewer of the root province, which a test's units fixture made first): reads
    and downloads the reports kept, does not make one."""
    user = UserFactory(username="reader")
    root = OrgUnit.objects.filter(parent=None, kind="province").order_by("pk").first()
    membership_add(user=user, role=Role.VIEWER, org_unit=root or OrgUnitFactory(code="74", kind="province"))
    return user


@pytest.fixture
def writer(db: None):  # type: ignore[no-untyped-def]
    """An office clerk who makes reports: an operator."""
    user = UserFactory(username="writer")
    membership_add(user=user, role=Role.OPERATOR)
    return user


__all__ = ["Plans", "plans"]
