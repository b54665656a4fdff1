"""The catalogue loader with codes through time: a code may repeat with disjoint validity, a unit is
known by its code and valid_from, and every code in the document names a unit at the date its rule
says (docs/catalogue.md, "Units through time")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.utils import translation

from dieuhanh.demo.catalogue import demo_data_dir
from dieuhanh.demo.reform import reform_org_units, reform_read, reform_successions
from dieuhanh.indicators.metadata import MetadataError, metadata_export, metadata_load
from dieuhanh.indicators.models import Indicator, Target
from dieuhanh.orgunits.choices import MergeType
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, Succession

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)

# The issue's document, with the units it refers to (Bình Dương 74, Hiệp Thành 25741).
ISSUE = """
org_units:
  - {code: "79", name: "Thành phố Hồ Chí Minh", kind: province, valid_to: 2025-06-30}
  - {code: "79", name: "Thành phố Hồ Chí Minh", kind: province, valid_from: 2025-07-01}
  - {code: "74", name: "Tỉnh Bình Dương", kind: province, valid_to: 2025-06-30}
  - {code: "718", name: "Thành phố Thủ Dầu Một", kind: district, parent: "74", valid_to: 2025-06-30}
  - {code: "25741", name: "Phường Hiệp Thành", kind: commune, parent: "718", valid_to: 2025-06-30}
  - {code: "25747", name: "Phường Phú Cường", kind: commune, parent: "718", valid_to: 2025-06-30}
  - {code: "25747", name: "Phường Thủ Dầu Một", kind: commune, parent: "79", valid_from: 2025-07-01}
successions:
  - {predecessor: "25747", successor: "25747", effective_date: 2025-07-01, merge_type: whole}
  - {predecessor: "25741", successor: "25747", effective_date: 2025-07-01, merge_type: part, share: 0.6}
"""


def issue() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(ISSUE)
    return document


def unit(code: str, on: dt.date) -> OrgUnit:
    return OrgUnit.objects.filter(code=code).valid_on(on).get()


def errors_of(document: dict[str, Any]) -> list[str]:
    with translation.override("vi"), pytest.raises(MetadataError) as raised:
        metadata_load(document=document)
    return raised.value.errors


def test_the_issues_document_loads_two_units_for_a_reused_code_each_under_the_parent_of_its_time() -> None:
    result = metadata_load(document=issue())

    assert result.created == {"org_units": 7, "successions": 2}
    old_hcmc, new_hcmc = unit("79", BEFORE), unit("79", REFORM)
    old, new = unit("25747", BEFORE), unit("25747", REFORM)
    assert old_hcmc != new_hcmc
    assert (old_hcmc.valid_to, new_hcmc.valid_from) == (BEFORE, REFORM)
    assert (old.name, old.parent.code, old.parent.valid_to) == ("Phường Phú Cường", "718", BEFORE)
    # The new 25747's parent "79" is named at its valid_from: the new Hồ Chí Minh City.
    assert (new.name, new.parent) == ("Phường Thủ Dầu Một", new_hcmc)
    assert new.path == f"{new_hcmc.path}{new.pk}/"
    # 25747 → 25747 links two different units: the predecessor the day before, the successor on the day.
    whole = Succession.objects.get(merge_type=MergeType.WHOLE)
    assert (whole.predecessor, whole.successor, whole.effective_date) == (old, new, REFORM)
    part = Succession.objects.get(merge_type=MergeType.PART)
    assert (part.predecessor.code, part.successor, part.share) == ("25741", new, Decimal("0.6"))


def test_loading_the_issues_document_twice_changes_nothing() -> None:
    metadata_load(document=issue())
    before = list(OrgUnit.objects.order_by("pk").values())

    again = metadata_load(document=issue())

    assert again.created == again.updated == {}
    assert list(OrgUnit.objects.order_by("pk").values()) == before
    assert Succession.objects.count() == 2


def test_export_then_load_into_an_empty_database_round_trips_a_reused_code() -> None:
    document = issue()
    document["org_unit_groups"] = [{"code": "HCM", "name": "Hồ Chí Minh mới", "members": ["25747"]}]
    document["indicators"] = [
        {"code": "REV", "name": "Thu ngân sách", "period_type": "yearly", "aggregation": "sum", "direction": "up"}
    ]
    document["targets"] = [
        {"indicator": "REV", "org_unit": "25747", "year": 2024, "value": 10},
        {"indicator": "REV", "org_unit": "25747", "year": 2026, "value": 12},
    ]
    metadata_load(document=document)
    exported = metadata_export()
    units = {u["name"]: u for u in exported["org_units"]}
    assert (units["Phường Phú Cường"]["valid_to"], units["Phường Thủ Dầu Một"]["valid_from"]) == (
        "2025-06-30",
        "2025-07-01",
    )
    assert {s["merge_type"] for s in exported["successions"]} == {"whole", "part"}
    Target.objects.all().delete()
    Indicator.objects.all().delete()
    OrgUnitGroup.objects.all().delete()
    Succession.objects.all().delete()
    for depth in (2, 1, 0):
        OrgUnit.objects.filter(depth=depth).delete()

    metadata_load(document=exported)

    assert metadata_export() == exported
    assert Target.objects.get(year_from=2024).org_unit == unit("25747", BEFORE)
    assert Target.objects.get(year_from=2026).org_unit == unit("25747", REFORM)
    assert list(OrgUnitGroup.objects.get().members.all()) == [unit("25747", REFORM)]


def test_overlapping_intervals_for_one_code_are_refused_with_the_path() -> None:
    document = issue()
    document["org_units"][1]["valid_from"] = dt.date(2025, 6, 1)

    errors = errors_of(document)

    assert errors == [
        "org_units[1].valid_from: mã 79 cũng có ở org_units[0], hiệu lực đến 30/6/2025; các đơn vị dùng chung "
        "một mã không được cùng hiệu lực: hãy cho đơn vị này kết thúc trước khi đơn vị kia bắt đầu."
    ]
    assert not OrgUnit.objects.exists()


def test_a_code_given_twice_with_the_same_start_is_refused_as_twice() -> None:
    document = {"org_units": [{"code": "A", "name": "A"}, {"code": "A", "name": "A bis"}]}

    assert errors_of(document) == ["org_units[1]: mã 'A' xuất hiện hai lần."]


def test_a_parent_not_valid_at_the_childs_valid_from_is_refused_with_the_resolvers_message() -> None:
    document = issue()
    document["org_units"][6]["parent"] = "74"  # Bình Dương ended on 30/6/2025

    errors = errors_of(document)

    assert errors == [
        "org_units[6].parent: Ngày 1/7/2025 không có đơn vị nào mang mã 74: Tỉnh Bình Dương, hiệu lực đến 30/6/2025."
    ]
    assert not OrgUnit.objects.exists()


def test_a_part_without_a_share_loads_with_the_share_empty() -> None:
    document = issue()
    del document["successions"][1]["share"]

    metadata_load(document=document)

    part = Succession.objects.get(merge_type=MergeType.PART)
    assert part.share is None
    assert "share" not in next(s for s in metadata_export()["successions"] if s["merge_type"] == "part")


def test_an_existing_unit_is_found_by_code_and_valid_from_else_by_its_validity() -> None:
    metadata_load(document={"org_units": [{"code": "79", "name": "TP. Hồ Chí Minh", "kind": "province"}]})
    first = OrgUnit.objects.get()

    result = metadata_load(document=issue())

    # The record without valid_from is the unit without one: it ends; the other starts anew.
    assert result.updated == {"org_units": 1}
    assert unit("79", BEFORE) == first
    assert unit("79", BEFORE).name == "Thành phố Hồ Chí Minh"
    assert OrgUnit.objects.filter(code="79").count() == 2
    # A record whose validity overlaps one unit with its code only is that unit (its start moves).
    moved = metadata_load(
        document={"org_units": [{"code": "25747", "name": "Phường Thủ Dầu Một", "valid_from": "2025-07-02"}]}
    )
    assert moved.updated == {"org_units": 1}
    assert OrgUnit.objects.filter(code="25747", valid_from=dt.date(2025, 7, 2)).get() == unit(
        "25747", dt.date(2025, 7, 2)
    )


def test_a_record_that_overlaps_several_units_with_its_code_is_refused_as_ambiguous() -> None:
    metadata_load(document=issue())

    errors = errors_of({"org_units": [{"code": "79", "name": "TP. Hồ Chí Minh", "valid_from": "2025-01-01"}]})

    assert len(errors) == 1
    assert errors[0].startswith("org_units[0].valid_from: ")
    assert "Thành phố Hồ Chí Minh, hiệu lực đến 30/6/2025; Thành phố Hồ Chí Minh, hiệu lực từ 1/7/2025" in errors[0]


def test_a_target_names_the_unit_of_its_last_years_end_and_a_code_valid_at_none_is_refused() -> None:
    document = issue()
    document["indicators"] = [
        {"code": "REV", "name": "Thu ngân sách", "period_type": "yearly", "aggregation": "sum", "direction": "up"}
    ]
    document["targets"] = [
        {"indicator": "REV", "org_unit": "25747", "year": 2025, "value": 1},
        {"indicator": "REV", "org_unit": "25747", "plan_period": "2021-2025", "value": 5},
        {"indicator": "REV", "org_unit": "25741", "year": 2025, "value": 2},
    ]
    metadata_load(document=document)

    assert Target.objects.get(value=1).org_unit == unit("25747", REFORM)
    assert Target.objects.get(value=5).org_unit == unit("25747", REFORM)
    # No 25741 on 31/12/2025: the one that ended within the year.
    assert Target.objects.get(value=2).org_unit == unit("25741", BEFORE)

    errors = errors_of({"targets": [{"indicator": "REV", "org_unit": "25741", "year": 2026, "value": 3}]})
    assert errors == [
        "targets[0].org_unit: Ngày 31/12/2026 không có đơn vị nào mang mã 25741: Phường Hiệp Thành, hiệu lực đến "
        "30/6/2025, từ 1/7/2025 thuộc Phường Thủ Dầu Một (25747)."
    ]


def test_a_succession_whose_code_names_no_unit_the_day_before_is_refused_with_the_path() -> None:
    metadata_load(document=issue())

    errors = errors_of({"successions": [{"predecessor": "74", "successor": "79", "effective_date": "2025-08-01"}]})

    assert errors == [
        "successions[0].predecessor: Ngày 31/7/2025 không có đơn vị nào mang mã 74: Tỉnh Bình Dương, hiệu lực "
        "đến 30/6/2025."
    ]


def test_a_group_holding_an_old_unit_whose_code_a_later_unit_carries_round_trips() -> None:
    document = issue()
    document["org_units"][5]["groups"] = ["OLD"]  # Phú Cường, whose code Thủ Dầu Một carries today
    document["org_unit_groups"] = [{"code": "OLD", "name": "Trước sắp xếp", "members": ["718"]}]
    metadata_load(document=document)
    assert set(OrgUnitGroup.objects.get().members.all()) == {unit("718", BEFORE), unit("25747", BEFORE)}
    exported = metadata_export()
    # "25747" in members would name Thủ Dầu Một: the old unit says it is a member itself.
    assert exported["org_unit_groups"] == [{"code": "OLD", "name": "Trước sắp xếp", "members": ["718"]}]
    assert next(u for u in exported["org_units"] if u["name"] == "Phường Phú Cường")["groups"] == ["OLD"]
    OrgUnitGroup.objects.all().delete()
    Succession.objects.all().delete()
    for depth in (2, 1, 0):
        OrgUnit.objects.filter(depth=depth).delete()

    metadata_load(document=exported)

    assert metadata_export() == exported
    assert set(OrgUnitGroup.objects.get().members.all()) == {unit("718", BEFORE), unit("25747", BEFORE)}


def test_the_hcmc_reform_from_the_reference_files_loads_twice_unchanged_and_round_trips() -> None:
    reform = reform_read(demo_data_dir())
    document = {"org_units": reform_org_units(reform), "successions": reform_successions(reform)}

    result = metadata_load(document=document)
    again = metadata_load(document=document)

    assert result.created == {"org_units": len(document["org_units"]), "successions": len(document["successions"])}
    assert again.created == again.updated == {}
    reused = sorted(reform.reused_codes())[0]
    assert OrgUnit.objects.filter(code=reused).count() == 2
    exported = metadata_export()
    Succession.objects.all().delete()
    for depth in range(5, -1, -1):
        OrgUnit.objects.filter(depth=depth).delete()
    metadata_load(document=exported)
    assert metadata_export() == exported
