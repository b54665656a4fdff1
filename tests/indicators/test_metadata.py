"""load-metadata / export-metadata: upsert by code, all-or-nothing, round trip."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext as _

from dieuhanh.indicators.metadata import MetadataError, metadata_export, metadata_load
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.orgunits.models import OrgUnit, Succession

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "sectors": [{"code": "TC", "name": "Tài chính - ngân sách", "name_en": "Public finance"}],
    "org_units": [
        # Children before their parent on purpose: the loader must order them.
        {"code": "25741", "name": "Phường Hiệp Thành", "parent": "718", "kind": "commune"},
        {"code": "718", "name": "Thành phố Thủ Dầu Một", "parent": "74", "kind": "district", "valid_to": "2025-06-30"},
        {"code": "74", "name": "Tỉnh Bình Dương", "kind": "province", "valid_to": "2025-06-30"},
        {"code": "STC", "name": "Sở Tài chính", "kind": "agency"},
        {"code": "25747", "name": "Phường Thủ Dầu Một", "kind": "commune", "valid_from": "2025-07-01"},
    ],
    "successions": [
        {
            "predecessor": "25741",
            "successor": "25747",
            "effective_date": "2025-07-01",
            "merge_type": "part",
            "share": 0.6,
        }
    ],
    "indicators": [
        {
            "code": "DOSSIER_ONLINE_RATE",
            "name": "Tỷ lệ hồ sơ trực tuyến",
            "unit": "%",
            "period_type": "monthly",
            "aggregation": "ratio",
            "numerator": "DOSSIER_ONLINE",
            "denominator": "DOSSIER_ALL",
            "factor": 100,
            "direction": "up",
        },
        {
            "code": "DOSSIER_ONLINE",
            "name": "Hồ sơ trực tuyến",
            "unit": "hồ sơ",
            "period_type": "monthly",
            "aggregation": "sum",
            "direction": "up",
            "decimals": 0,
            "min": 0,
        },
        {
            "code": "DOSSIER_ALL",
            "name": "Tổng số hồ sơ",
            "unit": "hồ sơ",
            "period_type": "monthly",
            "aggregation": "sum",
            "direction": "up",
            "decimals": 0,
            "min": 0,
        },
        {
            "code": "BUDGET_REV",
            "name": "Thu ngân sách nhà nước",
            "unit": "tỷ đồng",
            "period_type": "monthly",
            "aggregation": "sum",
            "direction": "up",
            "decimals": 1,
            "sector": "TC",
            "responsible_agency": "STC",
            "public": False,
            "legal_source": "Quyết định 54/2016/QĐ-TTg",
        },
    ],
    "targets": [
        {"indicator": "BUDGET_REV", "org_unit": "74", "year": 2023, "value": 74617, "source": "Nghị quyết HĐND tỉnh"},
        {"indicator": "BUDGET_REV", "org_unit": "74", "plan_period": "2021-2025", "value": 330000},
    ],
}


def test_a_document_loads_units_in_a_tree_indicators_and_targets() -> None:
    result = metadata_load(document=DOCUMENT)

    assert result.created == {
        "sectors": 1,
        "org_units": 5,
        "successions": 1,
        "indicators": 4,
        "targets": 2,
    }
    commune = OrgUnit.objects.get(code="25741")
    assert commune.parent.code == "718"
    assert commune.parent.parent.code == "74"
    assert commune.depth == 2
    assert list(OrgUnit.objects.descendants_of(OrgUnit.objects.get(code="74")).values_list("code", flat=True)) == [
        "74",
        "718",
        "25741",
    ]
    assert OrgUnit.objects.get(code="718").valid_to == dt.date(2025, 6, 30)
    assert Succession.objects.get().share == Decimal("0.6")
    rate = Indicator.objects.get(code="DOSSIER_ONLINE_RATE")
    assert (rate.numerator.code, rate.denominator.code, rate.factor) == ("DOSSIER_ONLINE", "DOSSIER_ALL", Decimal(100))
    budget = Indicator.objects.get(code="BUDGET_REV")
    assert (budget.sector.code, budget.responsible_agency.code, budget.is_public) == ("TC", "STC", False)
    assert Target.objects.get(year_from=2023).value == Decimal(74617)
    assert Target.objects.get(year_from=2021).year_to == 2025


def test_loading_twice_changes_nothing_and_a_changed_field_updates_in_place() -> None:
    metadata_load(document=DOCUMENT)

    again = metadata_load(document=DOCUMENT)
    changed = metadata_load(document={"indicators": [{"code": "BUDGET_REV", "name": "Tổng thu NSNN"}]})

    assert again.created == again.updated == {}
    assert changed.updated == {"indicators": 1}
    budget = Indicator.objects.get(code="BUDGET_REV")
    assert budget.name == "Tổng thu NSNN"
    assert budget.sector.code == "TC"  # fields the document left out are kept


def test_moving_a_unit_moves_its_subtree() -> None:
    metadata_load(document=DOCUMENT)
    metadata_load(document={"org_units": [{"code": "719", "name": "Huyện Bàu Bàng", "parent": "74"}]})

    metadata_load(document={"org_units": [{"code": "25741", "name": "Phường Hiệp Thành", "parent": "719"}]})

    moved = OrgUnit.objects.get(code="25741")
    assert moved.path == OrgUnit.objects.get(code="719").path + f"{moved.pk}/"
    assert list(OrgUnit.objects.descendants_of(OrgUnit.objects.get(code="718")).values_list("code", flat=True)) == [
        "718"
    ]


def test_a_bad_document_writes_nothing_and_lists_every_problem() -> None:
    bad = {
        "org_units": [
            {"code": "74", "name": "Tỉnh Bình Dương", "kind": "tinh"},
            {"code": "718", "name": "Thủ Dầu Một", "parent": "99"},
            {"code": "X", "name": "", "valid_from": "01/07/2025"},
        ],
        "indicators": [
            {"code": "R", "name": "Tỷ lệ", "aggregation": "ratio", "numerator": "NOPE"},
            {"code": "P", "name": "P", "period_type": "weekly", "min": 5, "max": 1},
        ],
        "targets": [{"indicator": "Q", "org_unit": "74", "value": "nhiều"}],
        "extra": [],
    }

    with pytest.raises(MetadataError) as raised:
        metadata_load(document=bad)

    where = {e.split(":")[0] for e in raised.value.errors}
    assert where >= {
        "extra",
        "org_units[0].kind",
        "org_units[1].parent",
        "org_units[2].name",
        "org_units[2].valid_from",
        "indicators[0].numerator",
        "indicators[0].denominator",
        "indicators[1].period_type",
        "indicators[1].max",
        "targets[0].value",
        "targets[0]",
        "targets[0].indicator",
    }
    assert not OrgUnit.objects.exists()
    assert not Indicator.objects.exists()


def test_a_parent_cycle_is_refused() -> None:
    with pytest.raises(MetadataError):
        metadata_load(
            document={
                "org_units": [{"code": "A", "name": "A", "parent": "B"}, {"code": "B", "name": "B", "parent": "A"}]
            }
        )


def test_a_parent_cycle_among_units_already_loaded_is_refused_once_for_each() -> None:
    metadata_load(document={"org_units": [{"code": "A", "name": "A"}, {"code": "B", "name": "B"}]})

    with pytest.raises(MetadataError) as raised:
        metadata_load(document={"org_units": [{"code": "A", "name": "A", "parent": "B"}, {"code": "B", "parent": "A"}]})

    cycle = _("the parents form a cycle through '%(code)s'.")
    assert raised.value.errors == [f"org_units[0]: {cycle % {'code': 'B'}}", f"org_units[1]: {cycle % {'code': 'A'}}"]
    assert not OrgUnit.objects.exclude(parent=None).exists()


def test_export_then_load_into_an_empty_database_gives_the_same_catalogue() -> None:
    metadata_load(document=DOCUMENT)
    exported = metadata_export()
    Target.objects.all().delete()
    Succession.objects.all().delete()
    Indicator.objects.filter(aggregation="ratio").delete()
    Indicator.objects.all().delete()
    for depth in (2, 1, 0):
        OrgUnit.objects.filter(depth=depth).delete()
    Sector.objects.all().delete()

    metadata_load(document=exported)

    assert metadata_export() == exported


def test_the_commands_read_yaml_and_json_and_write_the_same_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "catalogue.yaml"
    source.write_text(yaml.safe_dump(DOCUMENT, allow_unicode=True), encoding="utf-8")

    call_command("load_metadata", str(source))
    call_command("export_metadata", "--output", str(tmp_path / "out.json"))
    call_command("export_metadata", "--format", "yaml")

    exported = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert {i["code"] for i in exported["indicators"]} == {
        "DOSSIER_ONLINE_RATE",
        "DOSSIER_ONLINE",
        "DOSSIER_ALL",
        "BUDGET_REV",
    }
    assert yaml.safe_load(capsys.readouterr().out) == exported


def test_the_command_exits_non_zero_on_a_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("org_units: [ {code: 74", encoding="utf-8")

    with pytest.raises(SystemExit) as exited:
        call_command("load_metadata", str(source))

    assert exited.value.code == 1
    assert "bad.yaml" in capsys.readouterr().err


def test_each_problem_is_reported_once() -> None:
    with pytest.raises(MetadataError) as raised:
        metadata_load(document={"targets": 5})

    assert len(raised.value.errors) == 1


def test_loading_a_catalogue_that_moves_units_rebuilds_the_rollups(tmp_path: Path) -> None:
    from dieuhanh.analytics.services import rollups_ready, rollups_rebuild
    from tests.factories import put

    metadata_load(document=DOCUMENT)
    put(Indicator.objects.get(code="BUDGET_REV"), OrgUnit.objects.get(code="25741"), "202301", 5)
    rollups_rebuild()
    source = tmp_path / "move.yaml"
    source.write_text(yaml.safe_dump({"org_units": [{"code": "25741", "name": "Phường Hiệp Thành", "parent": "74"}]}))

    call_command("load_metadata", str(source))

    assert rollups_ready()


def test_a_comma_in_an_unquoted_yaml_value_is_caught_not_silently_cut() -> None:
    document = yaml.safe_load("org_units:\n  - {code: SVH, name: Sở Văn hóa, Thể thao và Du lịch, kind: agency}\n")

    with pytest.raises(MetadataError) as raised:
        metadata_load(document=document)

    assert [e.split(":")[0] for e in raised.value.errors] == ["org_units[0].Thể thao và Du lịch"]
    assert not OrgUnit.objects.exists()


def test_the_api_names_are_read_beside_the_catalogue_names_and_the_export_writes_the_catalogues() -> None:
    """One table per app maps the file's names (min, public, year …) to the API's (min_value,
    is_public, year_from …); a record may use either."""
    metadata_load(document={"org_units": [{"code": "74", "name": "Tỉnh Bình Dương", "kind": "province"}]})
    catalogue_names = {
        "indicators": [{"code": "A", "name": "A", "min": 0, "max": 100, "public": "không", "rate": True}],
        "targets": [
            {"indicator": "A", "org_unit": "74", "year": 2023, "value": 1},
            {"indicator": "A", "org_unit": "74", "plan_period": "2021-2025", "value": 2},
        ],
    }
    api_names = {
        "indicators": [
            {"code": "B", "name": "B", "min_value": 0, "max_value": 100, "is_public": False, "is_rate": True}
        ],
        "targets": [
            {"indicator": "B", "org_unit": "74", "year_from": 2023, "year_to": 2023, "value": 1},
            {"indicator": "B", "org_unit": "74", "year_from": 2021, "year_to": 2025, "value": 2},
        ],
    }

    metadata_load(document=catalogue_names)
    metadata_load(document=api_names)

    exported = metadata_export()
    a, b = ({k: v for k, v in i.items() if k not in ("code", "name")} for i in exported["indicators"])
    assert (
        a
        == b
        == {
            "period_type": "monthly",
            "aggregation": "sum",
            "direction": "up",
            "decimals": 1,
            "rate": True,
            "min": 0,
            "max": 100,
            "public": False,
        }
    )
    assert [(t["indicator"], t.get("year"), t.get("plan_period")) for t in exported["targets"]] == [
        ("A", None, "2021-2025"),
        ("A", 2023, None),
        ("B", None, "2021-2025"),
        ("B", 2023, None),
    ]
    assert metadata_load(document=exported).updated == {}


def test_a_name_and_its_api_name_together_are_refused() -> None:
    with pytest.raises(MetadataError) as raised:
        metadata_load(document={"indicators": [{"code": "A", "name": "A", "min": 0, "min_value": 1}]})

    assert raised.value.errors == [
        "indicators[0]: " + _("give either %(one)s or %(other)s, not both.") % {"one": "min", "other": "min_value"}
    ]


def test_a_record_is_checked_by_its_api_serializer_with_the_models_rules() -> None:
    """Rules the old loader did not have, or had in its own words, come from the serializer and the
    model: the same text the API answers."""
    with translation.override("vi"), pytest.raises(MetadataError) as raised:
        metadata_load(
            document={
                "org_units": [{"code": "74", "kind": "province"}],
                "indicators": [{"code": "P", "name": "P", "decimals": 9, "min": 5, "max": 1}],
            }
        )

    assert raised.value.errors == [
        "org_units[0].name: Trường này là bắt buộc.",
        "indicators[0].decimals: Giá trị phải nhỏ hơn hoặc bằng 6.",
        "indicators[0].max: Giá trị lớn nhất nhỏ hơn giá trị nhỏ nhất.",
    ]


def test_moving_a_unit_under_its_own_descendant_is_refused_by_the_models_rule() -> None:
    metadata_load(document=DOCUMENT)

    with pytest.raises(MetadataError) as raised:
        metadata_load(document={"org_units": [{"code": "74", "name": "Tỉnh Bình Dương", "parent": "25741"}]})

    assert raised.value.errors == [
        "org_units[0].parent: " + _("A unit cannot be placed under itself or one of its descendants.")
    ]
    assert OrgUnit.objects.get(code="74").parent is None


def test_a_ratio_using_itself_is_refused_with_its_other_problems() -> None:
    with pytest.raises(MetadataError) as raised:
        metadata_load(
            document={
                "indicators": [
                    {
                        "code": "R",
                        "name": "R",
                        "aggregation": "ratio",
                        "numerator": "R",
                        "denominator": "R",
                        "rate": "?",
                    }
                ]
            }
        )

    assert [e.split(":")[0] for e in raised.value.errors] == [
        "indicators[0].numerator",
        "indicators[0].denominator",
        "indicators[0].rate",
    ]
    assert not Indicator.objects.exists()


def test_a_reference_to_a_record_of_the_document_that_failed_is_not_reported_again() -> None:
    with pytest.raises(MetadataError) as raised:
        metadata_load(
            document={
                "org_units": [
                    {"code": "74", "name": "Tỉnh", "kind": "tinh"},
                    {"code": "718", "name": "TDM", "parent": "74"},
                ],
                "indicators": [{"code": "A", "name": "A", "period_type": "weekly"}],
                "targets": [{"indicator": "A", "org_unit": "74", "year": 2023, "value": 1}],
            }
        )

    assert [e.split(":")[0] for e in raised.value.errors] == ["org_units[0].kind", "indicators[0].period_type"]


def test_groups_and_successions_are_checked_by_their_serializers() -> None:
    metadata_load(document=DOCUMENT)

    with pytest.raises(MetadataError) as raised:
        metadata_load(
            document={
                "org_unit_groups": [{"code": "G", "members": ["718", "ZZ"]}],
                "successions": [
                    {"predecessor": "718", "successor": "25747", "effective_date": "2025-07-01", "share": 1.5},
                    {"predecessor": "718", "successor": "NOPE", "effective_date": "1/7/2025"},
                ],
            }
        )

    assert raised.value.errors == [
        "org_unit_groups[0].name: " + _("This field is required."),
        "org_unit_groups[0].members: " + _("unknown unit '{value}'.").format(value="ZZ"),
        "successions[0].share: " + _("The share must be greater than 0 and at most 1."),
        "successions[1].successor: " + _("unknown unit '{value}'.").format(value="NOPE"),
        "successions[1].effective_date: "
        + _("Date has wrong format. Use one of these formats instead: {format}.").format(format="YYYY-MM-DD"),
    ]


def test_a_group_gains_the_units_that_name_it_and_its_listed_members() -> None:
    metadata_load(document=DOCUMENT)

    result = metadata_load(
        document={
            "org_unit_groups": [{"code": "NORTH", "name": "Phía Bắc", "members": ["718"]}],
            "org_units": [{"code": "25747", "name": "Phường Thủ Dầu Một", "groups": ["NORTH"]}],
        }
    )
    again = metadata_load(document={"org_units": [{"code": "STC", "name": "Sở Tài chính", "groups": ["NORTH"]}]})

    assert result.created == {"org_unit_groups": 1}
    assert again.updated == {"org_unit_groups": 1}
    assert metadata_export()["org_unit_groups"] == [
        {"code": "NORTH", "name": "Phía Bắc", "members": ["25747", "718", "STC"]}
    ]


def test_the_frameworks_messages_are_in_the_users_language() -> None:
    document = {"targets": [{"indicator": "X", "org_unit": "Y", "year": "2023a", "value": "nhiều"}]}

    with translation.override("vi"), pytest.raises(MetadataError) as raised:
        metadata_load(document=document)

    assert raised.value.errors == [
        "targets[0].indicator: không có chỉ tiêu 'X'.",
        "targets[0].org_unit: không có đơn vị 'Y'.",
        "targets[0].year: Phải là một số nguyên.",
        "targets[0].value: Phải là một số.",
    ]
