"""Shared fixtures: a small tree of units, and the three actors of every permission test."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import caches
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dieuhanh.orgunits.models import OrgUnit
from tests.factories import OrgUnitFactory, UserFactory


@dataclass
class Tree:
    """Tỉnh 74 → huyện 718 (xã 25741, 25744) and huyện 719 (xã 25816)."""

    province: OrgUnit
    district_a: OrgUnit
    district_b: OrgUnit
    commune_a1: OrgUnit
    commune_a2: OrgUnit
    commune_b1: OrgUnit


@pytest.fixture(autouse=True)
def _fresh_answer_cache() -> None:
    """Cached analytics answers must not outlive the test (and its database) that made them."""
    caches["default"].clear()


@pytest.fixture
def tree(db: None) -> Tree:
    province = OrgUnitFactory(code="74", name="Tỉnh Bình Dương", kind="province")
    district_a = OrgUnitFactory(code="718", name="Thành phố Thủ Dầu Một", kind="district", parent=province)
    district_b = OrgUnitFactory(code="719", name="Huyện Bàu Bàng", kind="district", parent=province)
    return Tree(
        province=province,
        district_a=district_a,
        district_b=district_b,
        commune_a1=OrgUnitFactory(code="25741", name="Phường Hiệp Thành", parent=district_a),
        commune_a2=OrgUnitFactory(code="25744", name="Phường Phú Lợi", parent=district_a),
        commune_b1=OrgUnitFactory(code="25816", name="Xã Trừ Văn Thố", parent=district_b),
    )


@pytest.fixture
def owner(db: None):  # type: ignore[no-untyped-def]
    """An IOC operator allowed to import figures and edit the catalogue."""
    user = UserFactory(username="owner")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["figures", "indicators", "orgunits"],
        )
    )
    return user


@pytest.fixture
def colleague(db: None):  # type: ignore[no-untyped-def]
    """Signed in, but with no right to change data."""
    return UserFactory(username="colleague")


@pytest.fixture
def api() -> APIClient:
    """An outsider: anonymous API client."""
    return APIClient()


@pytest.fixture
def owner_api(owner) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    return client


@pytest.fixture
def colleague_api(colleague) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=colleague).key}")
    return client
