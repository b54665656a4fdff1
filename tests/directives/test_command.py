"""``dieuhanh directives extract``: exactly the JSON of the issue, --save, errors that say what to fix."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dieuhanh.directives.models import Directive, SourceDocument
from tests.directives.evaluation import FIXTURES

pytestmark = pytest.mark.django_db

NOTICE = FIXTURES / "tb-ket-luan-dau-tu-cong-2024.vi.txt"


def extract(*args: str) -> tuple[list[dict[str, object]], str]:
    out, err = StringIO(), StringIO()
    call_command("directives", "extract", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_it_prints_one_object_per_directive_with_the_issues_fields(demo_units: None) -> None:
    found, _err = extract(str(NOTICE), "--date", "2024-09-12", "--format", "json")

    assert len(found) == 15
    assert all(
        list(item)
        == [
            "content",
            "lead_agency",
            "lead_agency_text",
            "coordinating_agencies",
            "coordinating_agencies_text",
            "deadline",
            "recurrence",
            "source_sentence",
        ]
        for item in found
    )
    first = found[0]
    assert (first["lead_agency"], first["coordinating_agencies"], first["deadline"]) == ("SKHDT", ["STC"], "2024-09-30")
    assert (first["lead_agency_text"], first["coordinating_agencies_text"]) == (
        "Sở Kế hoạch và Đầu tư",
        ["Sở Tài chính"],
    )
    assert {"recurrence": "monthly:05"}.items() <= found[3].items()
    assert not Directive.objects.exists()


def test_save_stores_the_document_and_its_directives(demo_units: None) -> None:
    found, err = extract(str(NOTICE), "--date", "2024-09-12", "--save", "--number", "412/TB-UBND")

    source = SourceDocument.objects.get()
    assert (source.number, source.kind, source.org_unit.code) == ("412/TB-UBND", "conclusion_notice", "74")
    assert Directive.objects.filter(parent=None).count() == len(found)
    assert Directive.objects.filter(parent__isnull=False).count() == 2 * 9  # two group directives × nine districts
    assert "Đã lưu 15 nhiệm vụ" in err


def test_saving_twice_is_refused_and_changes_nothing(demo_units: None) -> None:
    extract(str(NOTICE), "--date", "2024-09-12", "--save", "--number", "412/TB-UBND")

    with pytest.raises(CommandError, match="đã có trong sổ"):
        extract(str(NOTICE), "--date", "2024-09-12", "--save", "--number", "412/TB-UBND")
    assert SourceDocument.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.txt", "--date", "2024-09-12"], "Không có tệp"),
        ([str(NOTICE)], "--date"),
        ([str(NOTICE), "--date", "12/9/2024"], "2023-07-20"),
        ([str(NOTICE), "--date", "2024-09-12", "--format", "xml"], "--format json"),
    ],
)
def test_bad_input_is_refused_with_a_vietnamese_message(demo_units: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("directives", "extract", *args, stdout=StringIO())


def test_a_file_that_is_not_utf8_is_explained(demo_units: None, tmp_path: Path) -> None:
    legacy = tmp_path / "van-ban.txt"
    legacy.write_bytes("Sở Y tế khẩn trương".encode("utf-16"))

    with pytest.raises(CommandError, match="UTF-8"):
        call_command("directives", "extract", str(legacy), "--date", "2024-09-12", stdout=StringIO())


def test_without_a_catalogue_it_still_names_who_leads_and_who_coordinates_as_written(tmp_path: Path) -> None:
    # Given a database with no unit at all (no agency catalogue loaded)
    text = tmp_path / "cong-van.txt"
    text.write_text(
        "Giao Sở Kế hoạch và Đầu tư chủ trì, phối hợp với Sở Tài chính rà soát nhu cầu vốn, "
        "báo cáo Ủy ban nhân dân tỉnh trước ngày 15/10/2024.",
        encoding="utf-8",
    )

    # When the text is read
    (found,), _err = extract(str(text), "--date", "2024-09-12")

    # Then the agencies are named as the text writes them, with no catalogue code to give
    assert found["lead_agency"] is None
    assert found["lead_agency_text"] == "Sở Kế hoạch và Đầu tư"
    assert found["coordinating_agencies"] == []
    assert found["coordinating_agencies_text"] == ["Sở Tài chính"]
    assert found["deadline"] == "2024-10-15"
