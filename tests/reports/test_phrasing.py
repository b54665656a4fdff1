"""Wording an operator edits: overrides by file and by key, and every way a template can be wrong
gives a message that says what to fix, before any file is written."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from dieuhanh.reports import services
from dieuhanh.reports.phrasing import DEFAULT_DIR, ReportWordingError, wording_load
from dieuhanh.reports.sentences import indicator_sentence
from dieuhanh.reports.services import file_write_atomic
from tests.reports.helpers import a_figure, indicator


def sentence_with(directory: Path) -> str:
    figure = a_figure(indicator(), "2023S1", value=110, previous=100, yoy_pct=10, ytd=110)
    with translation.override("vi"):
        sentence = indicator_sentence(
            wording=wording_load(directory=directory), figure=figure, org_unit="74", previous_ytd=None, estimated=True
        )
    assert sentence is not None
    return sentence.text


def test_an_operators_sentence_template_replaces_the_default(tmp_path: Path) -> None:
    default = (DEFAULT_DIR / "indicator.txt").read_text(encoding="utf-8")
    (tmp_path / "indicator.txt").write_text(default.replace("so với cùng kỳ", "so với cùng kỳ năm 2022"), "utf-8")

    assert sentence_with(tmp_path) == (
        "Thu ngân sách nhà nước 6 tháng đầu năm 2023 ước đạt 110,0 tỷ đồng, tăng 10,0% so với cùng kỳ năm 2022."
    )


def test_an_operators_document_file_changes_only_the_keys_it_names(tmp_path: Path) -> None:
    (tmp_path / "document.yaml").write_text('signer: "Võ Văn Minh"\n', "utf-8")

    wording = wording_load(directory=tmp_path)

    assert wording.text("signer", {}) == "Võ Văn Minh"
    assert wording.text("kind", {}) == "BÁO CÁO"


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"indicator.txt": "{{ indicator }} {% iff value %}đạt{% endif %}."}, "indicator.txt có lỗi ở dòng 1"),
        ({"indicator.txt": "{{ indicator }} đạt {{ valeu }}."}, "'valeu'"),
        ({"indicator.txt": "{{ indicator }} đạt {{ value|truncatechars:2 }}."}, "bộ lọc"),
        ({"document.yaml": "titel: Báo cáo\n"}, "titel"),
        ({"document.yaml": "title: [unclosed\n"}, "document.yaml"),
        ({"document.yaml": 'title: "{% if %}"\n'}, "document.yaml: title"),
        ({"document.yaml": "recipients: một dòng\n"}, "recipients"),
    ],
)
def test_a_bad_template_is_refused_with_a_vietnamese_message_naming_it(
    tmp_path: Path, files: dict[str, str], says: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, "utf-8")

    with translation.override("vi"), pytest.raises(ReportWordingError) as refused:
        sentence_with(tmp_path)

    assert says in str(refused.value)


def test_a_missing_wording_folder_is_named(tmp_path: Path) -> None:
    with translation.override("vi"), pytest.raises(ReportWordingError, match="không tồn tại"):
        wording_load(directory=tmp_path / "khong-co")


@pytest.mark.django_db
def test_the_command_writes_nothing_when_a_template_is_bad(tmp_path: Path, tree) -> None:  # type: ignore[no-untyped-def]
    wording = tmp_path / "wording"
    wording.mkdir()
    (wording / "document.yaml").write_text('title: "Tình hình {{ periodd }}"\n', "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "bao-cao.docx"
    earlier.write_bytes(b"the report sent last month")

    with translation.override("vi"), pytest.raises(CommandError, match="periodd"):
        call_command(
            "report", "--org-unit", "74", "--period", "2023S1", "--format", "docx,pdf",
            "--output", str(earlier), "--wording", str(wording), stdout=StringIO(),
        )  # fmt: skip

    assert sorted(p.name for p in out.iterdir()) == ["bao-cao.docx"]
    assert earlier.read_bytes() == b"the report sent last month"


def test_a_file_is_replaced_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "bao-cao.pdf"
    target.write_bytes(b"old")

    def fail(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(services.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        file_write_atomic(path=target, content=b"new report")

    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao.pdf"]
    assert target.read_bytes() == b"old"


def test_a_number_in_a_sentence_cannot_be_typed_into_the_wording(tmp_path: Path) -> None:
    # A figure typed into a template would be a number no measure stands behind; the test of the
    # demo report finds every such digit, so the default wording must have none outside its names.
    text = (DEFAULT_DIR / "indicator.txt").read_text(encoding="utf-8")
    body = text.split("{% endcomment %}", 1)[1]

    assert not any(c.isdigit() for c in body)
    assert Decimal(1)  # the module is imported for its side effect of nothing else
