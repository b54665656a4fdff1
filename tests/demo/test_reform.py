"""The reform around Hồ Chí Minh City as the reference files give it: the old map, the new one, and
the official conversion table between them, read without guessing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dieuhanh.demo.catalogue import demo_data_dir
from dieuhanh.demo.reform import (
    CONVERSION_FILE,
    ReformDataError,
    merge_type_of,
    reform_org_units,
    reform_read,
    reform_successions,
)


@pytest.fixture(scope="module")
def documents() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    reform = reform_read(demo_data_dir())
    return reform_org_units(reform), reform_successions(reform)


def test_the_old_map_has_three_provinces_their_districts_and_communes_until_30_june_2025(documents) -> None:  # type: ignore[no-untyped-def]
    units, _successions = documents
    old = [u for u in units if u.get("valid_to") == "2025-06-30"]
    assert Counter(u["kind"] for u in old) == {"province": 3, "district": 38, "commune": 441}
    districts_of = Counter(u["parent"] for u in old if u["kind"] == "district")
    assert districts_of == {"79": 22, "74": 9, "77": 7}
    assert next(u for u in old if u["code"] == "74")["name_en"] == "Binh Duong Province"


def test_the_new_city_has_168_communes_from_1_july_2025_and_reuses_codes(documents) -> None:  # type: ignore[no-untyped-def]
    units, _successions = documents
    new = [u for u in units if u.get("valid_from") == "2025-07-01"]
    assert Counter(u["kind"] for u in new) == {"province": 1, "commune": 168}
    assert {u["parent"] for u in new if u["kind"] == "commune"} == {"79"}
    thu_dau_mot = [u for u in units if u["code"] == "25747"]
    assert [(u["name"], u.get("valid_to"), u.get("valid_from")) for u in thu_dau_mot] == [
        ("Phường Phú Cường", "2025-06-30", None),
        ("Phường Thủ Dầu Một", None, "2025-07-01"),
    ]
    assert len([u for u in units if u["code"] == "79"]) == 2
    assert next(u for u in new if u["code"] == "26732")["name_en"] == "Con Dao Special Zone"


def test_the_successions_are_the_official_table_with_the_provinces_whole_and_no_share_guessed(documents) -> None:  # type: ignore[no-untyped-def]
    _units, successions = documents
    assert len(successions) == 3 + 493
    assert [s["predecessor"] for s in successions if s["successor"] == "79"] == ["79", "74", "77"]
    kinds = Counter(s["merge_type"] for s in successions)
    assert kinds == {"whole": 3 + 389 + 1, "part": 93 + 2 + 1 + 1 + 1, "unchanged": 5}
    assert all("share" not in s for s in successions)
    split = Counter(s["predecessor"] for s in successions if s["merge_type"] == "part")
    assert sum(1 for n in split.values() if n >= 2) == 47
    con_dao = next(s for s in successions if s["successor"] == "26732")
    assert (con_dao["predecessor"], con_dao["merge_type"]) == ("755", "whole")


@pytest.mark.parametrize(
    ("text", "merge_type"),
    [
        ("Nhập toàn bộ", "whole"),
        ("Nhập một phần diện tích, toàn bộ dân số", "part"),
        ("Đổi tên, đổi loại hình từ một phần thị trấn Lai Uyên", "part"),
        ("Giữ nguyên", "unchanged"),
        ("Đổi tên", "renamed"),
        ("Sắp xếp toàn bộ huyện Côn Đảo thành đặc khu Côn Đảo", "whole"),
    ],
)
def test_the_tables_wordings_are_read_as_merge_types(text: str, merge_type: str) -> None:
    assert merge_type_of(text, where="x") == merge_type


def test_a_wording_not_known_is_refused_with_its_line_not_guessed(tmp_path: Path) -> None:
    with pytest.raises(ReformDataError, match="line 7: unknown merge type 'Điều chỉnh'"):
        merge_type_of("Điều chỉnh", where="line 7")
    (tmp_path / "vn").mkdir()
    for name in ("hcmc_pre2025_units.csv", "hcmc_2025_units.csv"):
        (tmp_path / "vn" / name).write_bytes((demo_data_dir() / "vn" / name).read_bytes())
    table = (demo_data_dir() / CONVERSION_FILE).read_text(encoding="utf-8").splitlines()
    (tmp_path / CONVERSION_FILE).write_text("\n".join([*table[:3], table[3].replace(",Nhập toàn bộ,", ",Tách,")]))
    with pytest.raises(ReformDataError, match=r"hcmc_2025_old_to_new.csv:4: unknown merge type 'Tách'"):
        reform_read(tmp_path)
