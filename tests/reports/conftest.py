"""Report tests: the dashboards' small province with plans, files kept in a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from tests.dashboard.conftest import Plans, plans
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """Kept reports go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reader(db: None):  # type: ignore[no-untyped-def]
    """Signed in, allowed to read and download the reports kept, not to make one."""
    user = UserFactory(username="reader")
    user.user_permissions.add(Permission.objects.get(codename="view_generatedreport"))
    return user


@pytest.fixture
def writer(db: None):  # type: ignore[no-untyped-def]
    """An office clerk who makes reports."""
    user = UserFactory(username="writer")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_generatedreport", "add_generatedreport"]))
    return user


__all__ = ["Plans", "plans"]
