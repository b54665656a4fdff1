"""The agency inbox's chooser: one list, grouped as officials think of units (agencies, district-level
and commune-level People's Committees), each group in the order of the unit tree."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.directives.conftest import Province
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def groups(page: str) -> list[tuple[str, list[str]]]:
    """The chooser's groups: each label with the names of its options, in page order."""
    select = page.split('<select name="unit"')[1].split("</select>", maxsplit=1)[0]
    return [
        (label, re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]+)</option>", options))
        for label, options in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    ]


def test_the_chooser_groups_agencies_districts_and_communes_in_tree_order(province: Province, outsider: object) -> None:
    # Given communes of both districts, numbered against the tree's order, and a sort order among agencies
    OrgUnitFactory(code="25816", name="Xã Trừ Văn Thố", kind="commune", parent=province.bau_bang)
    OrgUnitFactory(code="25771", name="Phường Phú Cường", kind="commune", parent=province.thu_dau_mot, sort_order=2)
    OrgUnitFactory(code="25741", name="Phường Hiệp Thành", kind="commune", parent=province.thu_dau_mot, sort_order=1)
    province.office.sort_order = -1
    province.office.save()

    # When a user who is no agency's contact opens the inbox
    page = signed_in(outsider).get("/directives/inbox/").content.decode()

    # Then one list offers every unit, in Vietnamese groups, each in the tree's order
    assert groups(page) == [
        (
            "Sở, ban, ngành",
            [
                "Văn phòng UBND tỉnh Bình Dương",
                "Sở Kế hoạch và Đầu tư tỉnh Bình Dương",
                "Sở Tài chính tỉnh Bình Dương",
                "Sở Y tế tỉnh Bình Dương",
            ],
        ),
        ("UBND cấp huyện", ["Thành phố Thủ Dầu Một", "Huyện Bàu Bàng"]),
        ("UBND cấp xã", ["Phường Hiệp Thành", "Phường Phú Cường", "Xã Trừ Văn Thố"]),
    ]


def test_choosing_a_unit_opens_its_inbox(province: Province, outsider: object) -> None:
    client = signed_in(outsider)

    chosen = client.get("/directives/inbox/", {"unit": "719"})
    unknown = client.get("/directives/inbox/", {"unit": "NOPE"})

    assert chosen.status_code == 302
    assert chosen["Location"] == "/directives/inbox/719/"
    assert unknown.status_code == 400
    assert "Hãy chọn" in unknown.content.decode()
